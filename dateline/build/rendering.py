"""Rendering the pages whose fingerprints changed, on worker processes (`parallel`):
each worker starts with the views and templates in memory and writes the pages whose
bytes changed into the staged output. On a cluster (`cluster`), the workers get the
views and templates once, then chunks of pages with the bodies those pages show, and
send the pages' bytes back to be written here."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from pathlib import Path

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
from .parallel import chunk_size, run_chunked, run_tasks
from .progress import Progress
from .render import render_page, sources_environment, template_problem, theme_sources
from .write import StagedOutput


class PageJob(Struct, frozen=True):
    """What every worker needs to render pages (inherited by forking, never pickled)."""

    env: Environment
    pages: Sequence[Page]
    fingerprints: Sequence[str]
    views: dict[str, LanguageView]
    linker: Linker
    config: Config
    assets: dict[str, str]
    staged: StagedOutput
    old: dict[str, tuple[str, str]]
    theme_dir: Path
    """`config.theme_dir`, found once: finding it looks at the disk."""


class Rendered(Struct, frozen=True):
    index: int
    """The page's place in `PageJob.pages` (its file and fingerprint are the job's)."""
    digest: str
    changed: bool
    """Its bytes differ from the output's: written into the staged output."""
    html: bytes | None = None
    """From a cluster's worker: the page's bytes, for this process to write."""


class Unrendered(Struct, frozen=True):
    """From a cluster's worker: a page it could not render, its template having read a
    body the chunk did not carry (another article's than the page's own and its
    items'). This process renders it: it reads every body from the store."""

    index: int
    body: str
    """The id of the body it missed."""


class RemoteJob:
    """What every cluster worker needs to render any page: no file of the site, no disk,
    no page and no body. Sent once to every worker (`ClusterExecutor.share`), which keeps
    this one object for all its chunks: the environment it compiles is made once."""

    def __init__(self, job: PageJob, templates: dict[str, str]):
        self.views, self.linker, self.config = job.views, job.linker, job.config
        self.assets, self.theme_dir = job.assets, job.theme_dir
        self.templates = templates
        self._env: Environment | None = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_env": None}

    def env(self) -> Environment:
        if self._env is None:
            self._env = sources_environment(self.theme_dir, self.templates)
        return self._env


class PageChunk(Struct, frozen=True):
    """One task's pages, made only when it is sent (`parallel.run_tasks`): with the
    bodies they show, and nothing of the other pages."""

    indexes: list[int]
    """Each page's place in `PageJob.pages`."""
    pages: list[Page]
    fingerprints: list[str]
    old: list[str]
    """The digest of each page's file in the output as it was ("" for none)."""
    bodies: dict[str, str]
    """By id: the bodies of the pages' articles and of the articles they list."""


def page_bodies(page: Page) -> set[str]:
    """The ids of the bodies a page shows: its article's, and its items' (a listing's
    teasers are cut from the body when there is no summary; a theme may show more)."""
    shown = {item.body_id for item in page.items}
    if page.article is not None:
        shown.add(page.article.body_id)
    shown.discard("")
    return shown


def page_chunks(job: PageJob, size: int) -> Iterator[PageChunk]:
    """The pages of `job` in chunks of `size`, each read from the body store as it is
    asked for: never every body at once."""
    for start in range(0, len(job.pages), size):
        pages = job.pages[start:start + size]
        wanted = set().union(*map(page_bodies, pages))
        yield PageChunk(list(range(start, start + len(pages))), pages,
                        job.fingerprints[start:start + size],
                        [job.old.get(page.file, ("", ""))[1] for page in pages],
                        {ident: bodies.text(ident) for ident in sorted(wanted)})


def render_pages(job: PageJob, jobs: int | Executor, progress: Progress):
    """Render every page of `job`, yielding a `Rendered` each, in no particular order."""
    for template in sorted({p.template for p in job.pages}):
        try:
            job.env.get_template(template)  # compile once, before forking
        except TemplateError as exc:
            raise ContentError(template_problem(exc, job.pages[0], job.theme_dir,
                                                job.config.paths.root)) from None
    cardmemo.forget(job.env)  # the cards of this build's articles, made by its workers
    # (A caller rendering in parts sets the whole total first.)
    progress.total = max(progress.total, progress.count + len(job.pages))
    if isinstance(jobs, Executor):
        yield from _render_on(jobs, job, progress)
    else:
        for result in run_chunked(_render_one, range(len(job.pages)), jobs, shared=job):
            progress.advance()
            yield result
    # The cards are not shown again this build: the feeds and sitemaps made next (and
    # the workers forked for them) do not hold them (issue 19).
    cardmemo.forget(job.env)


def _render_on(executor: Executor, job: PageJob, progress: Progress) -> Iterator[Rendered]:
    """On a cluster: workers send the bytes back; only this process writes the output,
    and it renders the pages a worker could not (`Unrendered`)."""
    remote = RemoteJob(job, theme_sources(job.theme_dir))
    for results in run_tasks(_render_chunk, page_chunks(job, chunk_size(len(job.pages))),
                             executor, remote):
        for result in results:
            if isinstance(result, Unrendered):
                result = _render_one(job, result.index)
            elif result.changed:
                job.staged.write(job.pages[result.index].file, result.html)
            progress.advance()
            yield result


def _render_one(job: PageJob, index: int) -> Rendered:
    page = job.pages[index]
    html = render_page(job.env, page, job.views[page.lang], job.linker,
                       job.theme_dir, job.config.paths.root, job.assets)
    file_digest = digest(html)
    changed = job.old.get(page.file, ("", ""))[1] != file_digest
    if changed:
        job.staged.write(page.file, html)
    return Rendered(index, file_digest, changed)


def _render_chunk(job: RemoteJob, chunk: PageChunk) -> list[Rendered | Unrendered]:
    """On a cluster's worker: one chunk's pages, with the bodies it carried only."""
    env = job.env()
    with bodies.holding(chunk.bodies):
        return [_render_carried(job, env, chunk, n) for n in range(len(chunk.pages))]


def _render_carried(job: RemoteJob, env: Environment, chunk: PageChunk,
                    n: int) -> Rendered | Unrendered:
    page = chunk.pages[n]
    try:
        html = render_page(env, page, job.views[page.lang], job.linker,
                           job.theme_dir, job.config.paths.root, job.assets)
    except bodies.BodyMissing as missing:
        return Unrendered(chunk.indexes[n], str(missing))
    file_digest = digest(html)
    changed = chunk.old[n] != file_digest
    return Rendered(chunk.indexes[n], file_digest, changed, html if changed else None)
