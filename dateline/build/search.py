"""Full-text search: each language's articles indexed by Pagefind in buckets, each bucket a
bundle of its own in `<lang>/search/pagefind/<bucket>/`, listed in that folder's
`buckets.json` and merged in the reader's browser by the search page (Pagefind's
`mergeIndex`; README: Search).

Each bucket is a file group (`discovery.FileGroup`) like the feeds: made when what it
indexes changed, its files staged and counted with the rest of the build's. What it
indexes is the part of each article page the theme marks `data-pagefind-body`, cut from
the HTML the build rendered; the cache keeps each part's digest by the page's content
digest, so an edit reads the edited pages alone to know which buckets changed. Pagefind's
API cannot update a written bundle, so a bucket whose articles changed is indexed anew,
its parts cut again from its pages; the buckets bound what that costs, in time and in
memory. An article's bucket is a digest of its URL, so it never moves while the number of
buckets stands, and that number is the smallest power of two that keeps a bucket to
`BUCKET_MOST` articles: it doubles (and every bucket is made again, once) as the
language grows. The first bucket listed carries Pagefind's loader (its script, worker
and WebAssembly), which the others are searched with.

A bundle per language keeps a search on one language's page to that language's
articles whatever Pagefind makes of the `lang` attributes, and lets an edit in one
language leave the others' bundles alone.
"""

from __future__ import annotations

import functools
import gc
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from .. import digests, urls
from ..config import Config
from ..errors import ContentError, Problem, SourceRef
from ..incremental.fingerprints import digest, value_digest
from ..outputs.pages import Page
from .discovery import FileGroup
from .searchparts import SearchParts

if TYPE_CHECKING:  # asyncio (the service's) imported only when a bucket is made
    from .searchservice import KeptIndexes

BUNDLE = "pagefind/"
"""The buckets' folder under the language's search page."""

MANIFEST = "buckets.json"
"""In `BUNDLE`: the folders of the buckets that hold articles, the loader's first."""

BUCKET_MOST = 500
"""Articles a bucket holds at most (on average): what an edit re-indexes, against a
request or two per bucket when a reader searches."""

STORE_VERSION = 2
"""Part of every bucket's fingerprint: another makes every bucket again."""

_UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.",
           "pagefind-highlight.", "playground/")
"""Pagefind's own search interfaces: the theme's search page has its own."""

_LOADER = ("pagefind.js", "pagefind-worker.js", "wasm.")
"""Pagefind's loader: the same in every bucket, kept in the first bucket listed alone."""


def bucket_count(articles: int) -> int:
    """How many buckets a language of this many articles is indexed in."""
    count = 1
    while articles > count * BUCKET_MOST:
        count *= 2
    return count


def bucket_of(url: str, count: int) -> int:
    """The bucket of the article at `url` (from the site's root) among `count`."""
    return int(digests.digest(url, 8), 16) % count


def search_groups(config: Config, pages: list[Page], files: dict[str, tuple[str, str]],
                  staged, output: Path, pagefind: tuple[KeptIndexes, bool] | None = None,
                  ) -> list[FileGroup]:
    """Groups per language with a search page: a bucket's bundle each, and the list of
    the buckets. `files`: every page file's (fingerprint, content digest) in this build;
    `staged`, where the pages rendered by this build were written, the others being in
    `output`; `pagefind`, the preview server's Pagefind and whether it keeps these
    buckets' indexes (else each bucket is indexed by a program of its own)."""
    if not config.search.enabled:
        return []
    by_language: dict[str, list[Page]] = {p.lang: [] for p in pages if p.kind == "search"}
    for page in pages:
        if page.kind == "article" and page.lang in by_language:
            by_language[page.lang].append(page)
    (config.paths.cache / "search-fragments.msgpack").unlink(missing_ok=True)  # version 2
    store = SearchParts(config.paths.cache)
    known = store.digests()
    parts = _Parts(store, staged, output)
    groups = []
    for lang, articles in by_language.items():
        count = bucket_count(len(articles))
        buckets: list[list[tuple[str, str, str]]] = [[] for _ in range(count)]
        for page in sorted(articles, key=lambda p: p.url):
            content_digest = files[page.file][1]
            kept = known.get(page.file)
            if kept is None or kept[0] != content_digest:
                part = indexed_part(parts.read(page.file))
                kept = (content_digest, digest(part.encode()))
                store.put(page.file, *kept, part)
            buckets[bucket_of(page.url, count)].append((page.url, page.file, kept[1]))
        groups += _language_groups(lang, buckets, config.config_path.name, parts, pagefind)
    # Written before the pages are committed: each part is keyed by the digest of the
    # page it was cut from, so a build that stops after this leaves none untrue.
    store.keep_only({page.file for articles in by_language.values() for page in articles})
    return groups


class _Parts:
    """Where a bucket's parts come from when it is made, one bucket at a time: the
    store, or the pages themselves (in the staged output when this build wrote them,
    else in the output as it stands) for a part the store lost."""

    def __init__(self, store: SearchParts, staged, output: Path):
        self.store, self.staged, self.output = store, staged, output

    def read(self, file: str) -> str:
        written = Path(self.staged.root, file)
        return (written if written.is_file() else self.output / file).read_text(
            encoding="utf-8")

    def docs(self, members: list[tuple[str, str, str]]) -> tuple[tuple[str, str], ...]:
        stored = self.store.parts([file for _, file, _ in members]) or {}
        docs = []
        for url, file, part_digest in members:
            part = stored.get(file)
            if part is None or digest(part.encode()) != part_digest:  # lost or damaged
                part = indexed_part(self.read(file))
            docs.append((quote(url), part))
        return tuple(docs)


def _language_groups(lang: str, buckets: list[list[tuple[str, str, str]]], shown: str,
                     parts: _Parts, pagefind: tuple[KeptIndexes, bool] | None,
                     ) -> list[FileGroup]:
    """A group per bucket that holds articles, and one of the list of them. A bucket's
    members: (URL, page file, digest of the part Pagefind indexes)."""
    filled = [number for number, members in enumerate(buckets) if members]
    groups = []
    for number in filled:
        loader = number == filled[0]
        members = buckets[number]
        # What Pagefind is handed, by the digests of its parts (hashing the parts
        # themselves again would cost seconds at thousands of articles).
        fingerprint = value_digest((STORE_VERSION, loader,
                                    [(url, part) for url, _, part in members]))
        groups.append(FileGroup(f"search:{lang}:{number}", fingerprint, functools.partial(
            _bucket_files, lang, number, members, shown, parts, pagefind, loader=loader)))
    listed = json.dumps({"buckets": [f"{number}/" for number in filled]}).encode()
    groups.append(FileGroup(f"search:{lang}", value_digest((STORE_VERSION, listed)),
                            lambda: [(urls.search(lang) + BUNDLE + MANIFEST, listed)]))
    return groups


def _bucket_files(lang: str, number: int, members: list[tuple[str, str, str]], shown: str,
                  parts: _Parts, kept: tuple[KeptIndexes, bool] | None, *, loader: bool,
                  ) -> list[tuple[str, bytes]]:
    """The files of bucket `number`: made by a Pagefind program of its own, or by the
    preview server's (`kept`: it, and whether it keeps the bucket's index)."""
    folder = f"{number}/"
    if kept is None:
        return bundle_files(lang, parts.docs(members), shown, folder=folder, loader=loader)
    return _files_of(lang, shown, folder, loader, lambda: _kept_bundle(
        kept, f"search:{lang}:{number}", members, parts))


def _kept_bundle(kept: tuple[KeptIndexes, bool], name: str,
                 members: list[tuple[str, str, str]], parts: _Parts) -> dict[str, bytes]:
    """The bucket's bundle from the preview server's Pagefind, which is handed the parts
    of the members its kept index of the bucket does not hold as they are (all of
    them when it holds none)."""
    pagefind, keep = kept
    return pagefind.bundle(
        name, [(quote(url), part) for url, _, part in members],
        lambda at: [part for _, part in parts.docs([members[i] for i in at])], keep=keep)


def indexed_part(html: str) -> str:
    """The page reduced to its `<html>` tag (the language Pagefind stems for) and the
    element marked `data-pagefind-body` up to the end of `<main>`, which is what
    Pagefind indexes of it; the whole page when the theme's page is not laid out so."""
    start = html.find("<html")
    body = html.find(" data-pagefind-body")
    end = html.rfind("</main>")
    if start < 0 or body < 0 or end < body:
        return html
    opening = html[start:html.index(">", start) + 1]
    body = html.rfind("<", 0, body)
    return f"<!DOCTYPE html>{opening}<body>{html[body:end]}</body></html>"


def bundle_files(lang: str, docs: tuple[tuple[str, str], ...],
                 config_name: str = "dateline.toml", *, folder: str = "",
                 loader: bool = True) -> list[tuple[str, bytes]]:
    """The bundle of (some of) a language's articles: (output file, bytes) of each of its
    files, in `folder` of the language's `BUNDLE`, with Pagefind's loader if `loader`.
    `docs`: (URL from the site's root, the part of the page Pagefind indexes);
    `config_name`, the config file a missing Pagefind is reported at."""
    import asyncio  # here: only a bucket whose articles changed talks to Pagefind
    from concurrent.futures import ThreadPoolExecutor

    from .searchservice import make_bundle

    def make() -> dict[str, bytes]:
        # On a thread of its own: the caller's thread may be running an event loop (a
        # test driving a browser, an embedding application).
        with ThreadPoolExecutor(1) as thread:
            return thread.submit(asyncio.run, make_bundle(docs)).result()

    return _files_of(lang, config_name, folder, loader, make)


def _files_of(lang: str, config_name: str, folder: str, loader: bool,
              make: Callable[[], dict[str, bytes]]) -> list[tuple[str, bytes]]:
    """(output file, bytes) of the bundle `make` returns (its files by their path in
    it), Pagefind's errors said at the config or the search page."""
    from .searchservice import NoPagefind

    try:
        files = make()
    except NoPagefind:
        raise ContentError(Problem(SourceRef(config_name, 0), _MISSING)) from None
    except Exception as exc:  # noqa: BLE001 - the service reports its errors as Exception
        raise ContentError(Problem(SourceRef(urls.search(lang), 0), "search: Pagefind "
                           f"could not index the articles: {exc}")) from None
    finally:
        # The service leaves its replies in reference cycles (asyncio's tasks, futures
        # and callbacks): freed now, or every bucket's bundle stays in memory until the
        # collector happens to run.
        gc.collect()
    prefix = urls.search(lang) + BUNDLE + folder
    left_out = _UNUSED if loader else _UNUSED + _LOADER
    return sorted((prefix + name, data) for name, data in files.items()
                  if not name.startswith(left_out))


_MISSING = ("search needs the Pagefind program, which is not installed: run "
            "pip install 'pagefind[bin]', or set enabled = false under [search] in "
            "dateline.toml")
