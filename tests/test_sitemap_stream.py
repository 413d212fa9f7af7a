"""Issue 19: the sitemaps are made and written one file at a time, each <urlset> written
as text, never every sitemap of the site (nor an ElementTree of a language's URLs) in
memory at once; their bytes are ElementTree's, as they were."""

import datetime as dt
import gc
import json
import shutil
import subprocess
import sys
import tracemalloc
import weakref
from pathlib import Path

import pytest

from dateline import shipped_path, urls
from dateline.errors import SourceRef
from dateline.model import Article
from dateline.outputs import sitemaps
from dateline.outputs.pages import Page
from dateline.outputs.sitemaps import (
    SITEMAP_NS,
    XHTML_NS,
    _Entry,
    _index,
    _news_urlset,
    _split,
    hreflang_links,
    page_lastmod,
    recent_articles,
    sitemap_files,
)
from dateline.outputs.xmlwrite import element, q, sub, to_bytes, w3c_datetime
from dateline.urls import Linker

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


# ----- the files as ElementTree made them (the code before issue 19's change)
def _et_urlset(entries: list[_Entry], linker: Linker) -> bytes:
    root = element("urlset")
    for entry in entries:
        url = sub(root, "url")
        sub(url, "loc", linker.absolute(entry.url))
        if entry.lastmod is not None:
            sub(url, "lastmod", w3c_datetime(entry.lastmod))
        for hreflang, target in entry.alternates:
            sub(url, q(XHTML_NS, "link"), attrs={"rel": "alternate", "hreflang": hreflang,
                                                  "href": linker.absolute(target)})
    return to_bytes(root, {"xhtml": XHTML_NS}, default_namespace=SITEMAP_NS)


def element_tree_files(views, pages, linker, now, max_urls, max_bytes, news_max_urls):
    files, listed = [], []

    def add(name_of, chunks):
        for number, (chunk, data) in enumerate(chunks, start=1):
            files.append((name_of(number), data))
            listed.append((name_of(number),
                           max((e.lastmod for e in chunk if e.lastmod), default=None)))

    groups = {f"{code}/": [] for code in views}
    for page in pages:
        links = hreflang_links(page)
        if not links:
            continue
        first = page.url.split("/", 1)[0]
        folder = f"{first}/" if "/" in page.url and first in views else ""
        groups.setdefault(folder, []).append(
            _Entry(page.url, tuple(links), page_lastmod(page, views.get(page.lang))))
    for folder, entries in groups.items():
        if entries:
            add(lambda n, folder=folder: urls.sitemap(folder, n),
                _split(entries, max_urls, max_bytes, lambda c: _et_urlset(c, linker)))
    for view in views.values():
        news = [_Entry(a.url, (), a.date) for a in recent_articles(view, now)]
        if news:
            add(lambda n, code=view.code: urls.news_sitemap(code, n),
                _split(news, news_max_urls, max_bytes,
                       lambda c, view=view: _news_urlset(c, view, linker)))
    return [(urls.SITEMAP_INDEX, _index(listed, linker)), *files]


class View:
    """What the sitemaps ask of a language's view."""

    def __init__(self, code: str, articles: tuple):
        self.code, self.title, self.articles = code, f"Herald & <{code}>", articles


def article(lang: str, n: int, title: str) -> Article:
    return Article(
        source=SourceRef("x.md", 1), source_file="x.md", digest="", lang=lang,
        section="world", slug=f"s{n}", translation_key=f"k{n}", title=title,
        date=NOW - dt.timedelta(hours=5 * n), updated=None, summary="", authors=(),
        dateline="", tags=(), reporting=(), breaking=False, draft=False, original=True,
        image=None, body_line=1, url=f"{lang}/world/s{n}/")


ODD = ("Tab\there & <there>", 'a "quoted" title\r\n', "control\x01\x0bchars", "Ǆ 漢字 🙂")


def odd_site(count: int):
    """Three languages' pages, listings and articles, with every character XML escapes
    (and a few it cannot carry) in the URLs, hreflang values and titles."""
    codes = ("en", "fa", "sr-Latn")
    arts = {c: tuple(article(c, n, ODD[n % len(ODD)]) for n in range(count)) for c in codes}
    views = {c: View(c, arts[c]) for c in codes}
    pages = [Page(url="", template="root.html", kind="root", lang="en",
                  alternates=tuple((c, f"{c}/") for c in codes), x_default="")]
    for c in codes:
        pages.append(Page(url=f"{c}/", template="home.html", kind="home", lang=c,
                          items=arts[c][:3], alternates=tuple((d, f"{d}/") for d in codes)))
        pages.append(Page(url=f"{c}/page/2/", template="home.html", kind="home", lang=c,
                          items=arts[c][3:6]))  # no alternates: in no sitemap
        for n, a in enumerate(arts[c]):
            odd = ODD[n % len(ODD)]
            pages.append(Page(
                url=f"{c}/world/s{n}/{odd}/", template="article.html", kind="article",
                lang=c, article=a, x_default=f"en/world/s{n}/",
                alternates=tuple((f"{d}{odd[:2]}", f"{d}/world/s{n}/?q={odd}")
                                 for d in codes)))
    return views, pages


@pytest.mark.parametrize("max_urls, max_bytes, news_max_urls", [
    (50_000, 50 * 1024 * 1024, 1000),  # the protocol's limits: one file per folder
    (7, 50 * 1024 * 1024, 4),  # split by count
    (50_000, 3000, 1000),  # halved by size, down to files of one URL
    (5, 1800, 2),
])
def test_sitemaps_are_element_tree_s_bytes(max_urls, max_bytes, news_max_urls):
    views, pages = odd_site(40)
    linker = Linker("https://news.example.org/base/")
    made = sitemap_files(views, pages, linker, NOW, max_urls=max_urls, max_bytes=max_bytes,
                         news_max_urls=news_max_urls)
    expected = element_tree_files(views, pages, linker, NOW, max_urls, max_bytes,
                                  news_max_urls)
    assert [name for name, _ in made] == [name for name, _ in expected]
    for (name, data), (_, want) in zip(made, expected, strict=True):
        assert data == want, name
    assert len(made) > 5


def test_an_empty_sitemap_is_element_tree_s():
    views = {"en": View("en", ())}
    pages = [Page(url="en/", template="home.html", kind="home", lang="en",
                  alternates=(("en", "en/"),))]
    linker = Linker("https://news.example.org/")
    # A folder is listed only with a page in it: an empty urlset is the split's edge case.
    assert sitemaps._EMPTY_URLSET == _et_urlset([], linker)
    assert sitemap_files(views, pages, linker, NOW) == element_tree_files(
        views, pages, linker, NOW, 50_000, 50 * 1024 * 1024, 1000)


def test_a_languages_sitemap_comes_in_chunks_and_is_never_held_whole(monkeypatch):
    """A language's sitemap (~11 MB at 60,000 articles) is given to its writer a chunk at
    a time, made as it is asked for: what making it holds is a small part of the file
    (fdd187f: 3.9 times the file, as tracemalloc counts; 4c3a0d5: 2.8, one buffer that
    was the file; issue 19)."""
    monkeypatch.setattr(sitemaps, "CHUNK", 8192)  # (files of ~0.7 MB here; ~11 MB then)
    views, pages = odd_site(1000)
    linker = Linker("https://news.example.org/")
    # Made once before: the URL caches (`urls.HREFS_KEPT` entries, full in a big build)
    # hold this site's URLs, as they would a big site's.
    for _name, data in sitemaps.sitemap_stream(views, pages, linker, NOW):
        b"".join(data) if not isinstance(data, bytes) else data
    stream = sitemaps.sitemap_stream(views, pages, linker, NOW)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        name, chunks = next(stream)  # a language's: its home and 1,000 articles
        size = count = 0
        for chunk in chunks:
            size += len(chunk)
            count += chunk.count(b"<url>")
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert name.endswith("/sitemap.xml") and count == 1001
    assert peak < size / 4, (peak, size)  # (a whole file was 2.8 times it)


# ----- a real build: what is held when each sitemap is written
CONFIG = """\
[site]
base_url = "https://news.example.org/"
default_language = "en"
timezone = "UTC"

[search]
enabled = false
"""
LANGUAGES = {"en": "Herald", "de": "Bote", "ru": "Вестник"}
HELD = """
import json, sys, tracemalloc
from dateline.build import output, stages
from dateline.cli import main
from dateline.outputs import sitemaps

seen = {"held": [], "sizes": {}}
write_discovery, put = stages.write_discovery, output.OutputWriter.put

def discovered(*args):
    tracemalloc.start()
    seen["base"] = tracemalloc.get_traced_memory()[0]
    try:
        return write_discovery(*args)
    finally:
        tracemalloc.stop()

def counted(writer, file, data, fingerprint):
    if "sitemap" in file and tracemalloc.is_tracing():
        seen["held"].append(tracemalloc.get_traced_memory()[0] - seen["base"])
        seen["sizes"][file] = len(data)
    return put(writer, file, data, fingerprint)

def counted_chunks(writer, file, chunks, fingerprint):
    seen["sizes"][file] = 0
    def each():
        for chunk in chunks:
            seen["held"].append(tracemalloc.get_traced_memory()[0] - seen["base"])
            seen["sizes"][file] += len(chunk)
            yield chunk
    return put_chunks(writer, file, each(), fingerprint)

put_chunks = output.OutputWriter.put_chunks
sitemaps.CHUNK = 4096  # (files of ~90 kB here; at 60,000 articles, ~11 MB)
stages.write_discovery, output.OutputWriter.put = discovered, counted
output.OutputWriter.put_chunks = counted_chunks
code = main(["build", "--config", sys.argv[1], "--jobs", "1", "--now", sys.argv[2]])
print(json.dumps({"code": code, **seen}))
"""


def three_languages(root: Path, stories: int) -> Path:
    """Every story in three languages: sitemaps of about the same size."""
    config = CONFIG + "".join(f'\n[languages.{code}]\ntitle = "{title}"\nabout = "{title}."\n'
                              for code, title in LANGUAGES.items())
    root.mkdir()
    (root / "dateline.toml").write_text(config, encoding="utf-8")
    shutil.copytree(shipped_path("themes") / "default", root / "themes/default")
    for i in range(stories):
        moment = NOW - dt.timedelta(hours=7 * i + 1)
        for code in LANGUAGES:
            path = root / f"content/{code}/world/story-{i}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f'---\ntitle: "Story {i} {code}"\ndate: {moment.isoformat()}\n'
                            f"tags: [t{i % 9}, t{i % 4}]\n---\n\nThe council met.\n",
                            encoding="utf-8")
    return root / "dateline.toml"


def test_a_build_holds_one_sitemap_at_a_time(tmp_path):
    config = three_languages(tmp_path / "site", 150)
    done = subprocess.run([sys.executable, "-c", HELD, str(config), NOW.isoformat()],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["code"] == 0, done.stderr[-3000:]
    sizes = found["sizes"]
    languages = [size for file, size in sizes.items() if file.endswith("/sitemap.xml")]
    assert len(languages) == 3 and min(languages) > 0.8 * max(languages)
    # What discovery holds anyway, and a chunk: no sitemap is held whole, so what is
    # held while the sitemaps are written moves by less than a file. Before: every
    # sitemap's bytes were made (with an ElementTree of each language's URLs) before
    # the first was written; then each file whole, in turn.
    held = found["held"]
    assert max(held) - min(held) < max(sizes.values()) / 2, (held, sizes)


def test_a_streamed_groups_file_is_let_go_before_its_next_is_made(tmp_path):
    """The writer holds a streamed group's file (a language's sitemap: ~11 MB at 60,000
    articles) only while it writes it: when the group makes its next file, the last one
    is gone (09ce887: still held by the writer's loop, beside the next being made)."""
    from dateline.build.output import OutputWriter

    class File(bytearray):  # (a bytearray that a weak reference can watch)
        pass

    alive_while_next_made = []

    def files():
        first = File(b"<urlset/>" * 1000)
        watch = weakref.ref(first)
        yield "en/sitemap.xml", first
        del first
        gc.collect()
        alive_while_next_made.append(watch() is not None)
        yield "ru/sitemap.xml", File(b"<urlset/>")

    writer = OutputWriter(tmp_path / "out", None, "")
    writer.put_group("sitemaps", "fp", files())
    assert alive_while_next_made == [False]
    assert sorted(writer.written) == ["en/sitemap.xml", "ru/sitemap.xml"]
    writer.staged.discard()


def test_a_file_given_in_chunks_is_written_whole_and_left_out_when_unchanged(tmp_path):
    """A change set stages a chunked file as it comes, and drops it again when its
    bytes came out as the record has them: only changed files are moved in."""
    from dateline.build.output import OutputWriter
    from dateline.digests import digest
    from dateline.incremental.cache import OutputRecord

    out = tmp_path / "out"
    (out / "en").mkdir(parents=True)
    same, before = b"<urlset>same</urlset>" * 5000, b"<urlset>old</urlset>"
    (out / "en/sitemap.xml").write_bytes(same)
    (out / "ru").mkdir()
    (out / "ru/sitemap.xml").write_bytes(before)
    record = OutputRecord("b1", {"en/sitemap.xml": ("g", digest(same)),
                                 "ru/sitemap.xml": ("g", digest(before))}, {})
    writer = OutputWriter(out, record, "")
    after = b"<urlset>new</urlset>" * 4000
    writer.put_group("sitemaps", "g2", [
        ("en/sitemap.xml", iter([same[:40_000], same[40_000:]])),
        ("ru/sitemap.xml", (after[n:n + 1000] for n in range(0, len(after), 1000)))])
    assert writer.written == ["ru/sitemap.xml"]
    assert writer.new["en/sitemap.xml"] == ("g2", digest(same))
    assert writer.new["ru/sitemap.xml"] == ("g2", digest(after))
    staged = sorted(p.relative_to(writer.staged.root).as_posix()
                    for p in writer.staged.root.rglob("*") if p.is_file())
    assert staged == ["ru/sitemap.xml"]
    writer.commit()
    assert (out / "ru/sitemap.xml").read_bytes() == after
    assert (out / "en/sitemap.xml").read_bytes() == same
