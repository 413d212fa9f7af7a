"""Writing the output: the pages rendered again, the feeds and sitemaps whose inputs
changed, the theme's files and the photos, each written only when its bytes changed
(`OutputWriter`), then committed in one step (`write`)."""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path

from ..digests import digest, stat_key
from ..digests import hasher as digest_hasher
from ..incremental.cache import OutputRecord
from ..incremental.filerecord import KeptFiles, PackedFiles, StoredFiles
from ..outputs.absolutize import absolute_links
from ..outputs.pages import Page
from ..urls import Linker, forget_links, output_file, served_url
from . import heap
from .context import BuildContext, ThemeInputs
from .discovery import FileGroup, Known, Published, discovery_groups, partial_groups
from .modelrows import PageRef
from .modelstage import SiteModel
from .parallel import run_chunked, workers_for
from .planning import BuildPlan
from .rendering import PageJob, render_pages
from .search import search_groups
from .write import (
    HEADERS_FILE,
    ChangeSet,
    StagedOutput,
    cache_headers,
    unpublished_of,
)


class OutputWriter:
    """The output folder being written: what it held (`old`, from the cache's record),
    what it holds now (`new`: file → (fingerprint of its inputs, digest of its bytes)),
    and which files were written and removed."""

    def __init__(self, output: Path, record: OutputRecord | None, unpublished: str,
                 wanted: Callable[[str], bool] | None = None):
        build_id = os.urandom(16).hex()  # (uuid would import platform, ~2 ms)
        self.staged: StagedOutput = (ChangeSet if record else StagedOutput)(
            output, build_id, unpublished)
        self.incremental = record is not None
        """The output folder is what the cache remembers: only changes are written."""
        self.old: Mapping[str, tuple[str, str]] = record.files if record else {}
        """A dict, or the store's rows read by key (`filerecord.StoredFiles`)."""
        self.old_groups = record.groups if record else {}
        self.new: PackedFiles = PackedFiles()
        """The files this build made or kept; after `keep_rest`, those it made over the
        old record, which keeps the rest."""
        self.rest_kept = False
        self._kept_grouped: set[str] = set()
        self.groups: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.written: list[str] = []
        """The URLs of the files written (`urls.served_url`: a page's is its own URL
        string, no file name made for it); `ChangedFiles` names them."""
        self.removed: list[str] = []
        self.rendered = 0
        self.pages = 0
        """Pages of this output (a shard's own: not the other languages' it planned)."""
        self.wanted: Callable[[str], bool] = wanted or _everything
        """Whether a file belongs in this output (a shard's: `in_shard`)."""

    @property
    def build_id(self) -> str:
        return self.staged.build_id

    @property
    def unchanged(self) -> int:
        return len(self.files) - len(self.written)

    @property
    def files(self) -> Mapping[str, tuple[str, str]]:
        """Every file of the output after this build."""
        if self.rest_kept:
            return KeptFiles(self.old, self.new, self.removed)
        return self.new

    def record(self) -> OutputRecord:
        return OutputRecord(self.staged.build_id, self.files, self.groups)

    def read_whole(self) -> None:
        """The old record in memory (a build that goes through every page)."""
        if isinstance(self.old, StoredFiles):
            self.old = self.old.whole()
        elif isinstance(self.old, KeptFiles) and isinstance(self.old.base, StoredFiles):
            self.old.base.whole()  # (a preview's short build kept it: read once, whole)

    def look_up(self, files: Iterable[str]) -> None:
        """Read the old record's rows of `files` at once (few queries, not one each)."""
        if isinstance(self.old, StoredFiles):
            self.old.prefetch(files)

    def keep_rest(self) -> None:
        """A partial build: every file of the old record that this build does not make
        stands as it is, and is never read (the groups' files are kept or made by their
        groups)."""
        self.rest_kept = True

    def keep(self, file: str, known: tuple[str, str]) -> None:
        self.new[file] = known

    def keep_page(self, page: Page, known: tuple[str, str], place: int | None = None) -> None:
        """A page left as it was; `place`: its place in the plan the record is bound to
        (`PackedFiles.bind_pages`)."""
        if place is None:
            self.new.set_url(page.url, known)
        else:
            self.new.set_page(place, known)

    def made(self, file: str, fingerprint: str, file_digest: str, changed: bool) -> None:
        """A file written (when `changed`) by someone else."""
        self.made_url(served_url(file), fingerprint, file_digest, changed)

    def made_page(self, page: Page, fingerprint: str, file_digest: str,
                  changed: bool, place: int | None = None) -> None:
        """A page written (when `changed`) by a worker rendering pages: held by its URL
        string (the record's and `written`'s entry make no string of their own), or by
        its `place` in the plan the record is bound to."""
        if place is None:
            self.new.set_url(page.url, (fingerprint, file_digest))
        else:
            self.new.set_page(place, (fingerprint, file_digest))
        if changed:
            self.written.append(page.url)

    def made_url(self, url: str, fingerprint: str, file_digest: str, changed: bool) -> None:
        self.new.set_url(url, (fingerprint, file_digest))
        if changed:
            self.written.append(url)

    def put(self, file: str, data: bytes, fingerprint: str) -> None:
        file_digest = digest(data)
        self.new[file] = (fingerprint, file_digest)
        if self.old.get(file, ("", ""))[1] != file_digest:
            self.staged.write(file, data)
            self.written.append(served_url(file))

    def put_chunks(self, file: str, chunks: Iterable[bytes], fingerprint: str) -> None:
        """A file whose bytes come a chunk at a time (a language's sitemap), written as
        they come: never held whole. Staged whatever its bytes; a change set drops it
        again when they came out as they were."""
        hasher = digest_hasher()
        self.staged.write_chunks(file, chunks, hasher.update)
        file_digest = hasher.hexdigest()
        self.new[file] = (fingerprint, file_digest)
        if self.old.get(file, ("", ""))[1] != file_digest:
            self.written.append(served_url(file))
        elif self.staged.incremental:
            self.staged.unwrite(file)

    def copy(self, file: str, source: Path) -> None:
        # A copied file's fingerprint is its source's stat key.
        fingerprint = "{}:{}:{}".format(*stat_key(source.stat()))
        previous = self.old.get(file)
        if previous is not None and previous[0] == fingerprint:
            self.new[file] = previous
            return
        data = source.read_bytes()
        file_digest = digest(data)
        self.new[file] = (fingerprint, file_digest)
        if previous is None or previous[1] != file_digest:
            self.staged.write(file, data)
            self.written.append(served_url(file))

    def keep_group(self, name: str, previous: tuple[str, tuple[str, ...]]) -> None:
        """A group of files made together (a feed, the sitemaps) kept as it was."""
        if self.rest_kept:  # its files stand in the old record
            self._kept_grouped.update(previous[1])
        else:
            self.new.update({file: self.old[file] for file in previous[1]})
        self.groups[name] = previous

    def put_group(self, name: str, fingerprint: str,
                  files: Iterable[tuple[str, bytes]]) -> None:
        """A group's files, each written (when its bytes changed) as it comes: a group
        made one file at a time (`FileGroup.streamed`) never has them all in memory."""
        made = []
        for file, data in files:
            if self.wanted(file):
                self.look_up((file,))
                if isinstance(data, bytes | bytearray):
                    self.put(file, data, fingerprint)
                else:  # its bytes in chunks, made as they are written
                    self.put_chunks(file, data, fingerprint)
                made.append(file)
            # Let go of the file before the group makes its next one: a language's
            # sitemap is ~11 MB at 60,000 articles, and held here it was alive beside
            # the next language's while that was made (issue 19).
            del data
        self.groups[name] = (fingerprint, tuple(made))

    def commit(self) -> None:
        """Remove the files the site no longer has and swap the output in."""
        if self.rest_kept:
            # Every file but the old groups' stands: of those, the ones no group kept
            # or made again are gone.
            grouped = {file for _fp, files in self.old_groups.values() for file in files}
            self.look_up(sorted(grouped - self._kept_grouped - set(self.new)))
            self.removed = sorted(file for file in grouped - self._kept_grouped
                                  if file not in self.new and file in self.old)
        else:  # (looked up by name: the record makes no set of every file's name)
            self.removed = self.new.missing(self.old)
        self.staged.commit(self.removed)


class ChangedFiles(Sequence):
    """The files a build wrote (`BuildResult.changed_files`), by name and in order: the
    names are made the first time they are asked for. A command-line build never asks,
    and at 60,000 articles they were ~11 MiB at its end (issue 19)."""

    def __init__(self, urls: list[str]):
        self._urls: list[str] | None = urls
        """`OutputWriter.written`: what the files serve (`urls.served_url`)."""
        self._files: tuple[str, ...] | None = None

    def named(self) -> tuple[str, ...]:
        if self._files is None:
            self._files = tuple(sorted(map(output_file, self._urls or ())))
            self._urls = None
        return self._files

    def __getitem__(self, index):
        return self.named()[index]

    def __len__(self) -> int:
        return len(self._urls) if self._files is None else len(self._files)

    def __iter__(self) -> Iterator[str]:
        return iter(self.named())

    def __contains__(self, file: object) -> bool:
        return file in self.named()

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, Sequence) else other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"ChangedFiles({self.named()!r})"


SHARD_GROUP = "(shard)"
"""The record's pseudo-group naming the languages of a shard build (no files): a build of
other languages into the same folder must not keep the groups it filtered."""


def open_writer(ctx: BuildContext, record: OutputRecord | None) -> OutputWriter:
    options = ctx.options
    wanted = in_shard(options.shard, ctx.config.language_codes) if options.shard else None
    writer = OutputWriter(ctx.begun.output, record, unpublished_of(options.drafts,
                                                                   options.future), wanted)
    if options.shard:
        writer.groups[SHARD_GROUP] = (",".join(options.shard), ())
    return writer


def shard_of(record: OutputRecord) -> str:
    """The languages of the shard build that `record` remembers ("": a whole build)."""
    return record.groups.get(SHARD_GROUP, ("", ()))[0]


def in_shard(shard: tuple[str, ...], codes: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether an output file belongs in the shard of `shard`'s languages: a file under
    one of their folders, or under none of the site's languages' (the root chooser,
    the sitemap index, robots.txt, the theme's files, the photos: made by every shard,
    the same bytes in each)."""
    others = set(codes) - set(shard)
    return lambda file: file.split("/", 1)[0] not in others


def _everything(_file: str) -> bool:
    return True


def write_pages(ctx: BuildContext, theme: ThemeInputs, plan: BuildPlan,
                writer: OutputWriter) -> None:
    """Render the pages whose fingerprints changed; the others stand as they are."""
    ctx.progress.stage("rendering")
    dirty = array("l")  # (a page's index: no int object held for each, issue 19)
    looked_at: Iterable[int] = range(len(plan.pages))
    if plan.partial is not None:
        writer.keep_rest()
        writer.pages += plan.partial.row.page_count - len(plan.pages)
        writer.look_up(page.file for page in plan.pages)
    elif plan.edited is not None:  # the others stand as the record has them
        writer.keep_rest()
        writer.pages += len(plan.pages) - len(plan.edited)
        looked_at = plan.edited
    else:
        writer.read_whole()
        # Every page of the plan: held by its place in it (`PackedFiles.bind_pages`).
        writer.new.bind_pages(tuple(page.url for page in plan.pages))
    bound = plan.partial is None and plan.edited is None
    for index in looked_at:
        page = plan.pages[index]
        if not writer.wanted(page.file):
            continue  # another shard's page
        writer.pages += 1
        known = writer.old.get(page.file)
        if known is not None and known[0] == plan.fingerprints[index]:
            # made from the same inputs: unchanged
            writer.keep_page(page, known, index if bound else None)
        else:
            dirty.append(index)
    dirty = _in_stretch_order(plan.pages, dirty)
    where = workers_for(ctx.options.cluster, ctx.jobs, len(dirty))
    ctx.progress.total = len(dirty)
    for segment in _segments(dirty, where):
        job = PageJob(theme.env, Picked(plan.pages, segment),
                      Picked(plan.fingerprints, segment), plan.views, ctx.begun.linker,
                      ctx.config, theme.assets, writer.staged, writer.old,
                      ctx.config.theme_dir)
        for rendered in render_pages(job, where, ctx.progress):
            place = segment[rendered.index]
            writer.made_page(plan.pages[place], job.fingerprints[rendered.index],
                             rendered.digest, rendered.changed, place if bound else None)
        if len(segment) >= heap.WHOLE_SITE:
            heap.release_free_memory()  # the segment's card memo, forgotten with it
    writer.rendered = len(dirty)


SEGMENT_PAGES = 20000
"""Pages rendered by one set of forked helpers at most. A helper renders from the model
it inherited, and every object it touches (a reference count changed) copies that
object's memory page into the helper: over a whole archive, each helper would end up
with a copy of the model (300,000 articles: the tree's memory twice the building
process's). Helpers forked afresh for each segment hold copies of what one segment
touched; the segment's cards (`cardmemo`) are forgotten with them (issue 19)."""


def _segments(dirty: array, where: int | Executor) -> Iterator[array]:
    """`dirty` in segments of `SEGMENT_PAGES` in its order (one, on a cluster: its
    workers hold no fork of this process)."""
    if isinstance(where, Executor) or len(dirty) <= SEGMENT_PAGES:
        yield dirty
        return
    # Segments of equal size: no short last one paying for its own fork.
    count = -(-len(dirty) // SEGMENT_PAGES)
    size = -(-len(dirty) // count)
    for start in range(0, len(dirty), size):
        yield dirty[start:start + size]


def _in_stretch_order(pages: list[Page], dirty: array) -> array:
    """The pages at `dirty` in the order the processes take them in stretches
    (`parallel._Claims`): a language's pages together (the languages in the order of
    their first page), those that list its cards (listings, archives, author pages)
    before its articles, so that a card is rendered in one process, not in every process
    that renders some page showing it; else in page order. Put in their places, not
    sorted: a sort's key for each page (with the pages' ints) came to ~10 MiB at 60,000
    articles, and the arenas it took were never given back (issue 19)."""
    ranks: dict[str, int] = {}
    places: dict[tuple[int, bool], array] = {}
    for index in dirty:
        page = pages[index]
        rank = ranks.setdefault(page.lang, len(ranks))
        places.setdefault((rank, page.kind == "article"), array("l")).append(index)
    ordered = array("l")
    for place in sorted(places):
        ordered.extend(places.pop(place))
    return ordered


class Picked(Sequence):
    """`values[i]` for each `i` of `indexes`, each made when asked for: a segment's
    fingerprints unpacked one at a time (a list of them was 20,000 new strings a
    segment)."""

    __slots__ = ("indexes", "values")

    def __init__(self, values: Sequence, indexes: Sequence[int]):
        self.values, self.indexes = values, indexes

    def __getitem__(self, n):
        if isinstance(n, slice):
            return [self.values[i] for i in self.indexes[n]]
        return self.values[self.indexes[n]]

    def __len__(self) -> int:
        return len(self.indexes)


def write_discovery(ctx: BuildContext, theme: ThemeInputs, model: SiteModel,
                    plan: BuildPlan, writer: OutputWriter) -> None:
    """Feeds, sitemaps and robots.txt, each group made again when its inputs changed."""
    ctx.progress.stage("writing")
    any_language = next(iter(plan.by_language.values()), None)
    # After edits that kept the plan's shape, the last build's sitemaps (unless a title
    # or a date they print changed) and the feeds without the edited stories stand (the
    # clock cannot have changed them: `valid_until`).
    kept = None
    if model.saved is not None:
        recorded = writer.old_groups
        if model.saved.sitemapped:  # a title (news sitemap) or a lastmod changed
            recorded = {name: group for name, group in recorded.items() if name != "sitemaps"}
        kept = (recorded, {a.translation_key for a in model.saved.versions.values()})
    searched = ctx.config.search.enabled
    # (What the search index needs of the pages: not the pages, made for the asking.)
    ours = [PageRef(page.kind, page.lang, page.url) for page in plan.pages
            if page.kind in ("article", "search") and writer.wanted(page.file)
            ] if searched else []
    published = Published(model.site, plan.views, plan.pages, ctx.begun.linker,
                          ctx.begun.now, theme.site_fingerprint)
    known = Known(any_language.article if any_language else None, plan.digests, kept)
    if model.short is not None:  # the preview server's short path (`memoryedits`)
        found = partial_groups(published, known, model.short.feeds, model.short.newest)
        if ours:
            writer.read_whole()
    elif plan.partial is not None:
        found = partial_groups(published, known, plan.partial.feeds, plan.partial.row.newest)
        ours = (plan.partial.rows.page_refs(("article", "search"))
                if ctx.config.search.enabled else [])
        if ours:
            writer.read_whole()  # the search buckets look up every article page's file
    else:
        found = discovery_groups(published, known)
    whole = model.short is None and plan.partial is None and model.saved is None
    stale = []
    # In the preview server, its Pagefind (which its stop ends at once), keeping the
    # indexes of the short path's buckets only: not the many of a first build or a
    # template edit.
    session = ctx.options.session
    kept = None
    if session is not None and ours:
        from .searchservice import KeptIndexes  # asyncio: only in the preview server

        kept = (session.kept_search(KeptIndexes), model.short is not None)
    for group in found + search_groups(
            ctx.config, ours, writer.files, writer.staged, ctx.begun.output, kept):
        if group.name.startswith("feed:") and not writer.wanted(group.name[5:]):
            continue  # another shard's feed
        previous = writer.old_groups.get(group.name)
        if previous is not None and previous[0] == group.fingerprint:
            writer.keep_group(group.name, previous)
        else:
            stale.append(group)
    for name, fingerprint, files in made_groups(stale, ctx.jobs):
        if isinstance(files, list):
            writer.look_up(file for file, _data in files)
        writer.put_group(name, fingerprint, files)
    if ctx.options.session is None:
        # Nothing is rendered after this in a command-line build: the caches that served
        # rendering and the feeds (hrefs, feed bodies with their links made absolute;
        # ~8 MiB at any size, in small blocks) give their memory to the steps that save
        # the build, which were the peak of a large one (issue 19).
        forget_links()
        absolute_links.cache_clear()
    if whole and len(plan.pages) >= heap.WHOLE_SITE:
        heap.release_free_memory()  # the sitemaps' and feeds' entries, made and dropped


GROUPS_PER_WORKER = 8
"""Fewest groups to make for each process: a feed takes some milliseconds, forking one
about as long."""


def made_groups(groups: list[FileGroup], jobs: int) -> Iterator[tuple[str, str, list]]:
    """(name, fingerprint, files) of every group, as each is made. The feeds, sitemaps,
    robots.txt and list of pages taken down are made from the model alone: on `jobs`
    processes (forked helpers inherit the model; their files come back pickled), in no
    particular order; the streamed groups (the sitemaps, the biggest) here first, their
    files an iterator to write one by one, while the helpers make the others. The search
    buckets then, here: each talks to Pagefind, which reads the pages this build staged."""
    pure = [group for group in groups if not group.name.startswith("search:")]
    streamed = [group for group in pure if group.streamed]
    yield from run_chunked(_made, [group for group in pure if not group.streamed], jobs,
                           GROUPS_PER_WORKER, own=lambda: map(_made, streamed))
    for group in groups:
        if group.name.startswith("search:"):
            yield _made(group)


def _made(group: FileGroup) -> tuple[str, str, Iterable[tuple[str, bytes]]]:
    files = group.make()
    return group.name, group.fingerprint, files if group.streamed else list(files)


def write_files(theme: ThemeInputs, model: SiteModel, linker: Linker,
                writer: OutputWriter) -> None:
    """The theme's files, the hosts' cache headers and the photos."""
    writer.look_up([*(file.url for file in theme.files.values()), HEADERS_FILE,
                    *(asset.url for asset in model.site.assets)])
    for file in theme.files.values():
        if file.data is None:
            writer.copy(file.url, file.source)
        else:  # a stylesheet naming the hashed files it uses
            writer.put(file.url, file.data, digest(file.data))
    writer.put(HEADERS_FILE, cache_headers(linker), "")
    for asset in model.site.assets:
        writer.copy(asset.url, asset.source)
