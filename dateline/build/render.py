"""Render planned pages with the theme's Jinja2 templates.

Autoescaping is on for every template and undefined names are errors, so a typo in a
theme fails the build instead of printing nothing. Content is data, never a template.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from jinja2 import (
    BaseLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    FunctionLoader,
    StrictUndefined,
    TemplateError,
    meta,
)

from ..digests import hasher as new_hasher
from ..errors import ContentError, Problem, SourceRef, display_path
from ..outputs.pages import Page
from ..outputs.views import LanguageView
from ..photos.photosizes import photo_sizes, srcset
from ..urls import Linker
from . import cardmemo
from .figures import eager_first_image


def load_theme(theme_dir: Path, cache_dir: Path | None, remembered: dict | None,
               environments: dict[Path, tuple[Environment, dict[str, str]]]
               ) -> tuple[Environment, dict[str, str]]:
    """The theme's Jinja2 environment and its `template_fingerprints`. One environment
    per theme folder, kept in `environments` (the process's `BuildMemory`): compiled
    templates are kept between the preview server's rebuilds, and dropped when a
    template's fingerprint changed. (Jinja's own check, a stat of every template each
    time a page includes it, costs tens of thousands of system calls per build.)
    `remembered` keeps the fingerprints between builds: parsing every template again is
    only needed when one changed."""
    env, known = (environments.get(theme_dir)
                  or (_new_environment(theme_dir, cache_dir), {}))
    fingerprints = template_fingerprints(theme_dir / "templates", env, remembered)
    if fingerprints != known:
        env.cache.clear()
    environments[theme_dir] = (env, fingerprints)
    return env, fingerprints


class _KeptTemplates(FileSystemBytecodeCache):
    """Compiled templates in the cache folder. Jinja catches only some ways a file can
    fail to load; any other (random bytes after its header) means: compile it again."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a damaged cache file, whatever its bytes
            bucket.reset()


def theme_sources(theme_dir: Path) -> dict[str, str]:
    """Every template of the theme by name: what a cluster's worker renders with."""
    folder = theme_dir / "templates"
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*")) if p.is_file()}


def sources_environment(theme_dir: Path, sources: dict[str, str]) -> Environment:
    """The theme's environment over templates held in memory (on a cluster's worker,
    which has no site files). Each keeps the file name it has on the coordinator, so a
    template's mistake is reported as it would be there (`_template_frame`)."""
    folder = theme_dir / "templates"

    def load(name: str):
        return None if name not in sources else (sources[name], str(folder / name),
                                                 lambda: True)

    return _new_environment(theme_dir, None, FunctionLoader(load))


def _new_environment(theme_dir: Path, cache_dir: Path | None,
                     loader: BaseLoader | None = None) -> Environment:
    # Compiled templates are kept on disk too (Jinja checks each source's mtime), so a
    # one-page rebuild from the command line does not compile the whole theme again.
    bytecode = None
    if cache_dir is not None:
        (cache_dir / "templates").mkdir(parents=True, exist_ok=True)
        bytecode = _KeptTemplates(str(cache_dir / "templates"))
    env = Environment(
        bytecode_cache=bytecode,
        auto_reload=False,
        loader=loader or FileSystemLoader(theme_dir / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # gettext/ngettext come with each page's context (its language), never as globals, so
    # pages of different languages can render side by side. Newstyle: Jinja formats them.
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    cardmemo.install(env)
    env.filters["eager_first_image"] = eager_first_image
    env.globals["photo_sizes"] = photo_sizes
    env.globals["rendition_srcset"] = srcset
    return env


def render_page(env: Environment, page: Page, view: LanguageView, linker: Linker,
                theme_dir: Path, root: Path, assets: dict[str, str]) -> bytes:
    """One page's HTML as bytes. `assets` maps theme file names to their published URLs."""

    def link(target: str) -> str:
        return linker.href(target, page.url)

    def asset(name: str) -> str:
        return link(assets.get(name, "static/" + name))

    # What their results depend on besides the argument (build/cardmemo.py): a relative
    # link depends on the page it is on, a rooted one only on the base URL.
    link.memo_key = ("relative", page.url) if linker.relative else ("rooted", linker.base_url)
    asset.memo_key = (link.memo_key, id(assets))  # one `assets` per build

    context = {
        "view": view, "page": page, "link": link, "asset": asset,
        "absolute": linker.absolute, "site": view.site.config.site,
        **view.gettext_callables(),
    }
    try:
        html = env.get_template(page.template).render(context)
    except TemplateError as exc:
        raise ContentError(template_problem(exc, page, theme_dir, root)) from None
    except Exception as exc:
        # An expression of the theme's that raised (`{{ 1 // 0 }}`): the theme's mistake
        # when a template line raised it; anything else is a bug of Dateline's.
        if _template_frame(exc, theme_dir / "templates") is None:
            raise
        raise ContentError(template_problem(exc, page, theme_dir, root)) from None
    return html.encode("utf-8")


def _template_frame(exc: BaseException, templates: Path):
    """The innermost traceback frame in a template file (Jinja rewrites tracebacks so
    that frames of compiled templates name the template file and line). None when there
    is none, or when Dateline's own code raised below it: a bug, not the theme's."""
    frames = traceback.extract_tb(exc.__traceback__)
    for index in range(len(frames) - 1, -1, -1):
        if _is_template(frames[index].filename, templates):
            below = frames[index + 1:]
            if isinstance(exc, TemplateError) or not any(
                    Path(f.filename).is_relative_to(_PACKAGE) for f in below):
                return frames[index]
            return None
    return None


_PACKAGE = Path(__file__).parent.parent  # all of dateline/, not only build/


def _is_template(filename: str, templates: Path) -> bool:
    path = Path(filename)
    return path.suffix == ".html" and path.is_relative_to(templates)


def template_problem(exc: Exception, page: Page, theme_dir: Path, root: Path) -> Problem:
    name = getattr(exc, "name", None) or page.template
    line = getattr(exc, "lineno", None) or 1
    templates = theme_dir / "templates"
    # Runtime errors (an undefined name) carry no line: Jinja rewrites the traceback so
    # its innermost template frame names the template file and line.
    frame = _template_frame(exc, templates)
    if frame is not None:
        name = Path(frame.filename).relative_to(templates).as_posix()
        line = frame.lineno or line
    path = display_path(templates / name, root)
    reason = exc.message if isinstance(exc, TemplateError) else f"{type(exc).__name__}: {exc}"
    return Problem(SourceRef(path, line), f"template error while rendering /{page.url}: "
                   f"{reason}")


def template_fingerprints(templates_dir: Path, env: Environment,
                          remembered: dict | None = None) -> dict[str, str]:
    """Per template, a digest of its own source and of every template it extends,
    includes or imports, so that editing a partial re-renders only the pages using it.
    A template naming another dynamically depends on all of them, to be safe."""
    sources = {p.relative_to(templates_dir).as_posix(): p.read_bytes()
               for p in sorted(templates_dir.rglob("*.html")) if p.is_file()}
    hasher = new_hasher()
    for name, source in sources.items():
        hasher.update(f"{name}\0{len(source)}\0".encode() + source)
    everything = hasher.hexdigest()
    if remembered is not None and remembered.get("sources") == everything:
        return remembered["fingerprints"]
    result = _fingerprints(sources, env)
    if remembered is not None:
        remembered.update(sources=everything, fingerprints=result)
    return result


def _fingerprints(sources: dict[str, bytes], env: Environment) -> dict[str, str]:
    direct: dict[str, set[str] | None] = {}
    for name, source in sources.items():
        try:
            found = set(meta.find_referenced_templates(env.parse(source.decode("utf-8"))))
        except (TemplateError, UnicodeDecodeError):
            found = {None}  # reported when the template is rendered
        direct[name] = None if None in found else found
    result = {}
    for name in sources:
        needed, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current in needed:
                continue
            needed.add(current)
            refs = direct.get(current, set())
            if refs is None:
                needed.update(sources)
                break
            todo.extend(refs)
        hasher = new_hasher()
        for dependency in sorted(needed):
            hasher.update(dependency.encode() + b"\0" + sources.get(dependency, b"") + b"\0")
        result[name] = hasher.hexdigest()
    return result
