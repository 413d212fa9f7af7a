"""Turn documents into a validated `Site`: typed fields, inherited translation fields,
drafts and future articles held back, URLs assigned and checked for collisions."""

from __future__ import annotations

import functools
import os
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .. import urls
from ..config import Config
from ..errors import Problems, SourceRef
from ..incremental.memo import AssemblyMemo, settings_token
from ..model import Article, Asset, Image, Site
from ..photos.photos import parse_ratio
from ..read import Document
from ..slugs import make_slug, shown, slug_problem
from .collisions import check_tag_collisions, check_translation_keys, check_url_collisions
from .corrections import read_corrections
from .embargo import hold_back
from .portraits import plan_portraits
from .vocabulary import Use, check_vocabulary

KNOWN_KEYS = (
    "title", "date", "updated", "translation_key", "slug", "section", "tags", "authors",
    "dateline", "summary", "breaking", "draft", "image", "reporting", "original",
    "corrections",
)
IMAGE_KEYS = ("src", "alt", "caption", "credit", "ratio", "focus")
# Fields that are the same in every language, so a translation may leave them out.
INHERITED = ("section", "tags", "dateline", "reporting", "breaking")


def assemble(docs: list[Document], config: Config, now: datetime, problems: Problems, *,
             drafts: bool = False, future: bool = False,
             bodies: dict[Path, str] | None = None,
             plan_image: Callable[[Image, Problems], Image | None] | None = None,
             memo: AssemblyMemo | None = None, files: ContentFiles | None = None) -> Site:
    """Validate documents and build the site's model. Problems are recorded, not raised.
    `bodies` holds the id of each source file's rendered body, when the caller has them;
    `plan_image` completes each lead photo (its renditions), or reports it unusable;
    `memo` holds what earlier builds made, reused where the inputs are the same;
    `files`, lookups of files under content/ still true (nothing but Markdown changed
    there since they were made)."""
    reuse = _Reuse(memo or AssemblyMemo(), settings_token(config))
    fields = [f for doc in _known_language_docs(docs, config, problems)
              if (f := reuse.fields(doc, config, problems)) is not None]
    fields = _inherit_from_originals(fields, config)
    files = files or ContentFiles(config.paths.content)
    files.plan_image = plan_image
    articles, uses = [], []
    for f in fields:
        if (article := reuse.article(f, config, problems, files, bodies or {})) is not None:
            articles.append(article)
            uses.append(_use_of(article, f))
    check_vocabulary(uses, config, problems)
    published, held_back = [], []
    for article, why in hold_back(articles, now, drafts, future):
        if why:
            held_back.append((article, why))
        else:
            published.append(article)
    check_url_collisions(published, problems)
    by_ref = {doc.ref: doc for doc in docs}
    check_tag_collisions(published, by_ref, config, problems)
    check_translation_keys(published, by_ref, problems)
    published.sort(key=lambda a: (-a.date.timestamp(), a.lang, a.url))
    assets = {a.image.source: Asset(a.image.source, a.image.url)
              for a in published if a.image}
    return Site(
        config=config, articles=tuple(published), groups=_group(published, config),
        held_back=tuple(sorted(held_back, key=lambda h: h[0].source.path)),
        assets=tuple(sorted(assets.values(), key=lambda asset: asset.url)),
        warnings=tuple(problems.warnings), portraits=plan_portraits(config, files, problems))


def _use_of(article: Article, f: dict) -> Use:
    """Where the article wrote its section and tags, for `check_vocabulary`."""
    doc: Document = f["doc"]
    written = f["set"]
    from_folder = not f.get("section")
    section_at = (doc.at() if from_folder else doc.at("section") if "section" in written
                  else None)
    return Use(article, section_at, from_folder,
               doc.at("tags") if "tags" in written else None)


class _Reuse:
    """Looks each source up in the memo before validating it, and remembers what was
    made without any problem."""

    def __init__(self, memo: AssemblyMemo, token: str):
        self.memo = memo
        self.token = token
        memo.start()

    def fields(self, doc: Document, config: Config, problems: Problems) -> dict | None:
        path, inputs = str(doc.path), (doc.digest, self.token)
        if (cached := self.memo.cached_fields(path, inputs)) is not None:
            cached["doc"] = doc
            return cached
        before = problems.count()
        fields = _read_fields(doc, config, problems)
        if fields is not None and problems.count() == before:
            self.memo.remember_fields(path, inputs, fields)
        return fields

    def article(self, f: dict, config: Config, problems: Problems, files: ContentFiles,
                bodies: dict[Path, str]) -> Article | None:
        doc: Document = f["doc"]
        inputs = self._article_inputs(f, files, bodies)
        path = str(doc.path)
        if inputs is not None and (cached := self.memo.cached_article(path, inputs)):
            return cached
        before = problems.count()
        article = _make_article(f, config, problems, files, bodies)
        if article is not None and inputs is not None and problems.count() == before:
            self.memo.remember_article(path, inputs, article)
        return article

    def _article_inputs(self, f: dict, files: ContentFiles,
                        bodies: dict[Path, str]) -> tuple | None:
        """Everything `_make_article` reads: the file and its rendered body (which also
        depends on the photos it shows), what it inherited (all from the original's
        file), its place in the story, and the lead photo's file as it is on disk now.
        None when the photo cannot be found (that must be reported)."""
        doc: Document = f["doc"]
        original = f.get("original_doc")
        photo = None
        if (spec := f.get("image")) and "src" in spec:
            owner: Document = f.get("image_from", doc)
            source, problem = files.locate(spec["src"], os.path.dirname(owner.path))
            if source is None or problem:
                return None
            photo = (str(source), files.stat_key(source))
        return (doc.digest, bodies.get(doc.path, ""), self.token, f["key"], f["is_original"],
                (str(original.path), original.digest) if original is not None else None,
                photo)


def _known_language_docs(docs: list[Document], config: Config, problems: Problems):
    reported = set()
    codes = set(config.language_codes)
    for doc in docs:
        lang = doc.parts[0]
        if lang in codes:
            yield doc
        elif len(doc.parts) == 1:
            problems.error(doc.at(), "an article must be inside a language folder: "
                           "content/<lang>/<section>/<name>.md")
        elif lang not in reported:
            reported.add(lang)
            problems.error(doc.at(), f"content/{lang}/ is not a configured language; add "
                           f"[languages.{lang}] to {config.config_path.name} or move the file")


def _read_fields(doc: Document, config: Config, problems: Problems) -> dict | None:
    """Check each front-matter value's type; return plain fields with their document."""
    meta, ok = doc.meta, True
    zone = ZoneInfo(config.site.timezone)

    def bad(key: str, message: str) -> None:
        nonlocal ok
        ok = False
        problems.error(doc.at(key), message)

    for key in meta:
        if key not in KNOWN_KEYS:
            import difflib  # only to suggest a fix for an unknown key

            close = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.warn(doc.at(str(key)), f"front matter: unknown key '{key}'{hint}")
    fields: dict = {"doc": doc, "set": set(meta)}
    for key in ("title",):
        value = meta.get(key)
        if value is None:
            bad(key, f"front matter: '{key}' is required")
        elif not isinstance(value, str) or not value.strip():
            bad(key, f"front matter: '{key}' must be text (put it in quotes)")
        else:
            fields[key] = value.strip()
    for key in ("date", "updated"):
        if key not in meta:
            if key == "date":
                bad(key, "front matter: 'date' is required, e.g. date: 2026-11-27T09:30:00+01:00")
            continue
        try:
            fields[key] = _parse_date(meta[key], zone)
        except ValueError as exc:
            bad(key, f"front matter: {key} '{meta[key]}' is not a valid date ({exc}); write "
                     "it as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM")
    if "date" in fields and fields.get("updated") is not None \
            and fields["updated"] < fields["date"]:
        bad("updated", f"front matter: updated {meta['updated']} is earlier than date "
                       f"{meta['date']}; an update comes after publication: correct "
                       "'updated' or remove it")
    fields["corrections"] = read_corrections(doc, zone, fields.get("date"), problems)
    ok = ok and fields["corrections"] is not None
    for key in ("summary", "dateline", "slug", "section", "translation_key"):
        if key in meta:
            if isinstance(meta[key], str | int | float) and not isinstance(meta[key], bool):
                fields[key] = str(meta[key]).strip()
            else:
                bad(key, f"front matter: '{key}' must be text")
    for key in ("tags", "authors", "reporting"):
        if key in meta:
            value = meta[key]
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                # Never one item named "censorship, protests": ask for the list meant.
                bad(key, f"front matter: '{key}' must be a list, not text; write it as "
                         f"{_as_list(key, value)}")
            elif not isinstance(value, list) or not all(isinstance(v, str | int)
                                                        for v in value):
                bad(key, f"front matter: '{key}' must be a list, e.g. {key}: [one, two]")
            else:
                fields[key] = tuple(str(v).strip() for v in value if str(v).strip())
    for key in ("breaking", "draft", "original"):
        if key in meta:
            if not isinstance(meta[key], bool):
                bad(key, f"front matter: '{key}' must be true or false")
            else:
                fields[key] = meta[key]
    if "image" in meta:
        image = meta["image"]
        if isinstance(image, str):
            image = {"src": image}
        if not isinstance(image, dict):
            bad("image", "front matter: 'image' must have src, alt, caption and credit")
        else:
            for key in image.keys() - set(IMAGE_KEYS):
                problems.warn(doc.at(f"image.{key}"), f"front matter: unknown key "
                              f"'image.{key}' (expected {', '.join(IMAGE_KEYS)})")
            for key in ("src", "alt", "caption", "credit"):
                if key in image and not isinstance(image[key], str | int | float):
                    bad(f"image.{key}", f"front matter: 'image.{key}' must be text")
            fields["image"] = {k: str(image[k]).strip() for k in IMAGE_KEYS[:4]
                               if image.get(k) is not None}
            if "ratio" in image:
                if (ratio := parse_ratio(str(image["ratio"]))) is None:
                    bad("image.ratio", "front matter: 'image.ratio' must be a ratio such as "
                        "16x9, 4x3 or 1x1")
                fields["image"]["ratio"] = ratio
            if "focus" in image:
                focus = image["focus"]
                if not (isinstance(focus, list) and len(focus) == 2 and all(
                        isinstance(v, int | float) and 0 <= v <= 1 for v in focus)):
                    bad("image.focus", "front matter: 'image.focus' must be [x, y] with each "
                        "between 0 and 1, e.g. [0.5, 0.3]")
                else:
                    fields["image"]["focus"] = (float(focus[0]), float(focus[1]))
    if len(doc.parts) < 3 and not fields.get("section"):
        bad("section", "an article must be in a section folder "
                       "(content/<lang>/<section>/<name>.md) or set 'section'")
    return fields if ok else None


def _as_list(key: str, value: str | int | float) -> str:
    """`key: [a, b]`, the YAML list a text value was meant to be (split at commas),
    quoted where an item needs it."""
    import yaml  # only to write the fix into an error message

    items = [part.strip() for part in str(value).split(",") if part.strip()]
    flow = yaml.safe_dump(items, default_flow_style=True, allow_unicode=True,
                          width=float("inf"))
    return f"{key}: {flow.strip()}"


def _parse_date(value: object, zone: ZoneInfo) -> datetime:
    from ..i18n.dates import parse_datetime

    return parse_datetime(value, zone)


def _inherit_from_originals(fields: list[dict], config: Config) -> list[dict]:
    """Fill the fields a translation left out from its story's original."""
    by_key: dict[str, list[dict]] = defaultdict(list)
    for f in fields:
        f["key"] = f.get("translation_key") or _default_key(f["doc"])
        by_key[f["key"]].append(f)
    for group in by_key.values():
        original = _original_of(group, config)
        for f in group:
            f["is_original"] = f is original
            if original is None or f is original:
                continue
            f["original_doc"] = original["doc"]
            for key in INHERITED:
                if key not in f and key in original:
                    f[key] = original[key]
            _inherit_image(f, original)
    return fields


def _original_of(group: list[dict], config: Config) -> dict | None:
    marked = [f for f in group if f.get("original")]
    if marked:
        return marked[0]
    default = [f for f in group if f["doc"].parts[0] == config.site.default_language]
    return default[0] if default else None


def _inherit_image(f: dict, original: dict) -> None:
    theirs = original.get("image")
    if not theirs or "src" not in theirs:
        return
    mine = f.get("image")
    if mine is None:
        # No image block at all: the same photo with the original's words, marked as such.
        f["image"] = dict(theirs)
        f["image_lang"] = original["doc"].parts[0]
        f["image_from"] = original["doc"]
    elif "src" not in mine:
        crop = {k: theirs[k] for k in ("ratio", "focus") if k in theirs}
        f["image"] = {**crop, **mine, "src": theirs["src"]}
        f["image_from"] = original["doc"]


def _default_key(doc: Document) -> str:
    rest = "/".join(doc.parts[1:])
    return rest[:-3] if rest.endswith(".md") else rest


def _make_article(f: dict, config: Config, problems: Problems, files: ContentFiles,
                  bodies: dict[Path, str]) -> Article | None:
    doc: Document = f["doc"]
    lang = doc.parts[0]
    section = f.get("section") or doc.parts[1]
    stem = os.path.splitext(doc.parts[-1])[0]
    slug = f.get("slug") or make_slug(stem, config.language(lang).slug_style)
    ok = True
    for key, value in (("section", section), ("slug", slug)):
        reason = slug_problem(value)
        if reason is None and key == "section" and value in urls.RESERVED_SECTIONS:
            reason = (f"is reserved for Dateline's own pages "
                      f"({', '.join(sorted(urls.RESERVED_SECTIONS))})")
        elif reason is None and key == "slug" and (value in urls.RESERVED_FILES or
                                                   value.startswith("sitemap-")):
            reason = "is the name of a file Dateline writes (a feed or sitemap); choose another"
        if reason:
            ok = False
            line_key = key if key in f["set"] else None
            problems.error(doc.at(line_key), f"{key} '{shown(value)}' {reason}")
    image = _make_image(f, config, problems, files)
    if not ok or image is False:
        return None
    return Article(
        source=doc.at(), source_path=doc.path, digest=doc.digest, lang=lang,
        section=section, slug=slug, translation_key=f["key"], title=f["title"],
        date=f["date"], updated=f.get("updated"), summary=f.get("summary", ""),
        authors=f.get("authors", ()), dateline=f.get("dateline", ""),
        tags=tuple(dict.fromkeys(f.get("tags", ()))), reporting=f.get("reporting", ()),
        breaking=f.get("breaking", False), draft=f.get("draft", False),
        original=f["is_original"], image=image, body_line=doc.body_line,
        body_id=bodies.get(doc.path, ""), corrections=f.get("corrections") or (),
        url=urls.article(lang, section, slug),
    )


def _make_image(f: dict, config: Config, problems: Problems,
                files: ContentFiles) -> Image | None | bool:
    """The article's lead image, None when it has none, False after reporting a problem."""
    spec = f.get("image")
    if not spec:
        return None
    doc: Document = f["doc"]
    owner: Document = f.get("image_from", doc)
    where = doc.at("image.src" if "image.src" in doc.key_lines else "image")
    if "src" not in spec:
        problems.error(where, "image has no src: add image.src with the photo's file name")
        return False
    # A problem with an inherited photo is reported once, on the original that names it.
    report = problems if owner is doc else Problems()
    source = resolve_content_file(spec["src"], os.path.dirname(owner.path), config.paths.content,
                                  where, report, files)
    if source is None:
        return False
    # An inherited image block is the original's: its missing alt is reported there.
    if "alt" not in spec and "image_lang" not in f:
        problems.warn(where, f"image '{spec['src']}' has no alt text: add image.alt "
                      "describing the photo for readers who cannot see it, or alt: \"\" if "
                      "it is decorative")
    lang = doc.parts[0]
    image = Image(
        source=source, url=files.url_of(source),
        alt=spec.get("alt", ""), caption=spec.get("caption", ""),
        credit=spec.get("credit", ""), text_lang=f.get("image_lang", lang), where=where,
        ratio=spec.get("ratio"), focus=spec.get("focus", (0.5, 0.5)),
        metadata_lang=f["original_doc"].parts[0] if "original_doc" in f else lang,
    )
    if files.plan_image is None:
        return image
    return files.plan_image(image, report) or False


def resolve_content_file(src: str, folder: Path | str, content_dir: Path, where: SourceRef,
                         problems: Problems, files: ContentFiles | None = None) -> Path | None:
    """Resolve an image reference: relative to the article's folder, or to content/
    when it starts with '/'. The result must be an existing file inside content/."""
    path, problem = (files or ContentFiles(content_dir)).locate(src, folder)
    if problem:
        problems.error(where, problem)
    return path


class ContentFiles:
    """File lookups under content/, remembered for one build (or for as long as nothing
    but Markdown files changed there): a thousand articles may share one photo, and
    resolving and listing folders is what costs."""

    def __init__(self, content_dir: Path):
        self.content_dir = content_dir.resolve()
        self._located: dict[tuple[str, str], tuple[Path | None, str]] = {}
        self._paths: dict[str, Path] = {}
        self._listings: dict[Path, frozenset[str]] = {}
        self._urls: dict[Path, str] = {}
        self._stats: dict[Path, tuple | None] = {}
        self.plan_image: Callable[[Image, Problems], Image | None] | None = None

    def stat_key(self, path: Path) -> tuple | None:
        """(mtime, size, inode) of a file, or None when it is gone."""
        if path not in self._stats:
            try:
                stat = path.stat()
                self._stats[path] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            except OSError:
                self._stats[path] = None
        return self._stats[path]

    def url_of(self, source: Path) -> str:
        """Where a file under content/ would be published."""
        if source not in self._urls:
            self._urls[source] = media_url(source, self.content_dir)
        return self._urls[source]

    def locate(self, src: str, folder: Path | str) -> tuple[Path | None, str]:
        key = (src, str(folder))
        if key not in self._located:
            self._located[key] = self._locate(src, key[1])
        return self._located[key]

    def _locate(self, src: str, folder: str) -> tuple[Path | None, str]:
        base = self.content_dir if src.startswith("/") else folder
        # By its path, not its real one: a symbolic link under content/ (inside the site
        # folder, `inputs.walk` sees to that) is a folder or file like another.
        resolved = os.path.normpath(os.path.join(base, src.lstrip("/")))
        # One Path object per file, however many articles name it: the lookups keyed by
        # it (stats, URLs, photo plans) then match by identity, not by comparing parts.
        candidate = self._paths.get(resolved)
        if candidate is None:
            candidate = self._paths[resolved] = Path(resolved)
        if not candidate.is_relative_to(self.content_dir):
            return None, (f"image '{src}' points outside the content folder; keep photos "
                          "under content/")
        names = self._names(candidate.parent)
        if candidate.name not in names:
            if not candidate.is_file():
                return None, (f"image '{src}' not found{self._case_hint(candidate)}; check "
                              "the file name (paths are relative to the article's folder, "
                              "or to content/ when they start with '/')")
            # On case-insensitive file systems the file "exists" under a wrong case.
            return None, (f"image '{src}' differs in letter case from the file on disk"
                          f"{self._case_hint(candidate)}; web servers are case-sensitive")
        if not candidate.is_file():
            return None, f"image '{src}' is not a file"
        return candidate, ""

    def _names(self, folder: Path) -> frozenset[str]:
        if folder not in self._listings:
            try:
                self._listings[folder] = frozenset(os.listdir(folder))
            except OSError:
                self._listings[folder] = frozenset()
        return self._listings[folder]

    def _case_hint(self, path: Path) -> str:
        for name in sorted(self._names(path.parent)):
            if name.lower() == path.name.lower() and name != path.name:
                return f" (there is '{name}')"
        return ""


def media_url(source: Path, content_dir: Path) -> str:
    return urls.media(source.relative_to(_resolved(content_dir)).as_posix())


@functools.lru_cache(maxsize=16)
def _resolved(folder: Path) -> Path:
    return folder.resolve()


def _group(articles: list[Article], config: Config):
    order = {code: i for i, code in enumerate(config.language_codes)}
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        groups[article.translation_key].append(article)
    return tuple((key, tuple(sorted(group, key=lambda a: order[a.lang])))
                 for key, group in sorted(groups.items()))

