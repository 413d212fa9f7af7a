"""`dateline new <lang>/<section>/<name>`: a new article file with its front matter
ready to fill, dated now in its language's time zone, and a draft until an editor says
otherwise."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

from .. import urls
from ..config import Config
from ..errors import Problem, SourceRef, UsageError, display_path
from ..read import forbidden_character
from ..slugs import make_slug, slug_problem


def new_story(config: Config, spec: str, title: str | None, now: dt.datetime) -> Path:
    """Write `content/<lang>/<section>/<name>.md` and return its path; refuses (a
    `UsageError`, exit 2) an unknown language, an unsafe name or an existing file."""
    parts = spec.strip("/").split("/")
    if len(parts) != 3 or not all(parts):
        refuse(spec, "write the new story as <lang>/<section>/<name>, e.g. "
                     "en/world/budget-vote")
    lang, section, name = parts
    check_language(config, lang, spec)
    check_name(config, lang, section, "section", spec)
    name = name.removesuffix(".md")
    check_name(config, lang, name, "name", spec)
    check_text(title or "", "--title")
    path = config.paths.content / lang / section / f"{name}.md"
    front = {"title": title or "", "date": local_time(config, lang, now), "authors": [],
             "tags": [], "summary": "", "draft": True}
    write_new(path, front_matter(front) + "\n", config)
    return path


def refuse(spec: str, message: str) -> None:
    raise UsageError(Problem(SourceRef(spec, 0), message))


def check_language(config: Config, lang: str, spec: str) -> None:
    if lang not in config.language_codes:
        refuse(spec, f"'{lang}' is not a configured language (the site has "
                     f"{', '.join(config.language_codes)}); add [languages.{lang}] to "
                     f"{config.config_path.name} first")


def check_name(config: Config, lang: str, value: str, what: str, spec: str) -> None:
    """Refuse a section or file name that cannot be published as it is: one that is no
    single safe path segment, or whose URL Dateline keeps for its own pages and files
    (the checks `assemble` makes of sections and slugs)."""
    reason = slug_problem(value)
    slug = make_slug(value, config.language(lang).slug_style) if what == "name" else value
    if reason is None and what == "section" and value in urls.RESERVED_SECTIONS:
        reason = "is reserved for Dateline's own pages"
    if reason is None and what == "name" and (slug in urls.RESERVED_FILES
                                              or slug.startswith("sitemap-")):
        reason = "is the name of a file Dateline writes (a feed or sitemap)"
    if reason:
        refuse(spec, f"{what} '{value}' {reason}; choose another")


def check_text(text: str, where: str) -> None:
    """Refuse a control character (a headline is one line) or one that no page or feed
    may carry (`read` would refuse the file)."""
    bad = forbidden_character(text) or next(
        (c for c in text if unicodedata.category(c) in ("Cc", "Cs")), None)
    if bad is not None:
        refuse(where, f"contains the character U+{ord(bad):04X}, which a headline cannot "
                      "carry; remove it")


def local_time(config: Config, lang: str, now: dt.datetime) -> dt.datetime:
    """`now` in the language's time zone, to the second (written with its offset)."""
    zone = ZoneInfo(config.language(lang).timezone)
    return now.astimezone(zone).replace(microsecond=0)


def front_matter(fields: dict) -> str:
    """The front-matter block: text double-quoted (escaped by YAML's emitter), dates,
    booleans and empty lists as they are, nested tables indented."""
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {_scalar(v)}" for k, v in value.items()]
        else:
            lines.append(f"{key}: {_scalar(value)}")
    return "\n".join(lines + ["---", ""])


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    import yaml  # only to write text: YAML's own emitter knows which characters to escape

    return yaml.safe_dump(str(value), default_style='"', allow_unicode=True,
                          width=float("inf")).rstrip("\n")


def write_new(path: Path, text: str, config: Config) -> None:
    """Create the file, never replacing one (checked by the system call itself)."""
    shown = display_path(path, config.paths.root)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        refuse(shown, "already exists; Dateline never overwrites a story: choose "
                      "another name or edit that file")
