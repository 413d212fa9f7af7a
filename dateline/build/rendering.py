"""Rendering the pages whose fingerprints changed, on worker processes (`parallel`):
each worker starts with the views and templates in memory and writes the pages whose
bytes changed into the staged output."""

from __future__ import annotations

from jinja2 import Environment, TemplateError
from msgspec import Struct

from ..config import Config
from ..digests import digest
from ..errors import ContentError
from ..outputs.pages import Page
from ..outputs.views import LanguageView
from ..urls import Linker
from .parallel import run_chunked
from .progress import Progress
from .render import render_page, template_problem
from .write import StagedOutput


class PageJob(Struct, frozen=True):
    """What every worker needs to render pages (inherited by forking, never pickled)."""

    env: Environment
    pages: list[Page]
    fingerprints: list[str]
    views: dict[str, LanguageView]
    linker: Linker
    config: Config
    assets: dict[str, str]
    staged: StagedOutput
    old: dict[str, tuple[str, str]]


class Rendered(Struct, frozen=True):
    file: str
    fingerprint: str
    digest: str
    changed: bool
    """Its bytes differ from the output's: written into the staged output."""


def render_pages(job: PageJob, jobs: int, progress: Progress):
    """Render every page of `job`, yielding a `Rendered` each, in no particular order."""
    for template in sorted({p.template for p in job.pages}):
        try:
            job.env.get_template(template)  # compile once, before forking
        except TemplateError as exc:
            raise ContentError(template_problem(exc, job.pages[0], job.config.theme_dir,
                                                job.config.paths.root)) from None
    progress.total = len(job.pages)
    for result in run_chunked(_render_one, list(range(len(job.pages))), jobs, shared=job):
        progress.advance()
        yield result


def _render_one(job: PageJob, index: int) -> Rendered:
    page = job.pages[index]
    html = render_page(job.env, page, job.views[page.lang], job.linker,
                       job.config.theme_dir, job.config.paths.root, job.assets)
    file_digest = digest(html)
    changed = job.old.get(page.file, ("", ""))[1] != file_digest
    if changed:
        job.staged.write(page.file, html)
    return Rendered(page.file, job.fingerprints[index], file_digest, changed)
