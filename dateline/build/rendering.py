"""Rendering the pages whose fingerprints changed, on worker processes (`parallel`):
each worker starts with the views and templates in memory and writes the pages whose
bytes changed into the staged output."""

from __future__ import annotations

from concurrent.futures import Executor

from jinja2 import Environment, TemplateError
from msgspec import Struct

from .. import bodies
from ..config import Config
from ..digests import digest
from ..errors import ContentError
from ..outputs.pages import Page
from ..outputs.views import LanguageView
from ..urls import Linker
from . import cardmemo
from .parallel import run_chunked
from .progress import Progress
from .render import render_page, sources_environment, template_problem, theme_sources
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
    html: bytes | None = None
    """From a cluster's worker: the page's bytes, for this process to write."""


class RemoteJob:
    """What a cluster's worker needs to render pages: no file of the site, no disk. Sent
    once to every worker (`ClusterExecutor.share`), which keeps this one object for all
    its chunks: the environment it compiles is made once per worker."""

    def __init__(self, job: PageJob, templates: dict[str, str], texts: dict[str, str]):
        self.pages, self.fingerprints = job.pages, job.fingerprints
        self.views, self.linker, self.config = job.views, job.linker, job.config
        self.assets, self.old = job.assets, job.old
        self.templates = templates
        self.bodies = texts
        """Every article body the pages may show, by id (the worker has no body store)."""
        self._env: Environment | None = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_env": None}

    def env(self) -> Environment:
        if self._env is None:
            self._env = sources_environment(self.config.theme_dir, self.templates)
            store = bodies.BodyStore()
            for text in self.bodies.values():
                store.put(text)
            bodies.use(store)  # the worker's running build: articles read bodies from it
        return self._env


def remote_job(job: PageJob) -> RemoteJob:
    sites = {id(view.site): view.site for view in job.views.values()}
    texts = {a.body_id: bodies.text(a.body_id) for site in sites.values()
             for a in site.articles if a.body_id}
    return RemoteJob(job, theme_sources(job.config.theme_dir), texts)


def render_pages(job: PageJob, jobs: int | Executor, progress: Progress):
    """Render every page of `job`, yielding a `Rendered` each, in no particular order."""
    for template in sorted({p.template for p in job.pages}):
        try:
            job.env.get_template(template)  # compile once, before forking
        except TemplateError as exc:
            raise ContentError(template_problem(exc, job.pages[0], job.config.theme_dir,
                                                job.config.paths.root)) from None
    cardmemo.forget(job.env)  # the cards of this build's articles, made by its workers
    progress.total = len(job.pages)
    indexes = list(range(len(job.pages)))
    if isinstance(jobs, Executor):
        # Workers send the bytes back; only this process writes the output.
        for result in run_chunked(_render_remote, indexes, jobs, shared=remote_job(job)):
            if result.changed:
                job.staged.write(result.file, result.html)
            progress.advance()
            yield result
        return
    for result in run_chunked(_render_one, indexes, jobs, shared=job):
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


def _render_remote(job: RemoteJob, index: int) -> Rendered:
    page = job.pages[index]
    html = render_page(job.env(), page, job.views[page.lang], job.linker,
                       job.config.theme_dir, job.config.paths.root, job.assets)
    file_digest = digest(html)
    changed = job.old.get(page.file, ("", ""))[1] != file_digest
    return Rendered(page.file, job.fingerprints[index], file_digest, changed,
                    html if changed else None)
