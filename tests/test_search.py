"""Search without a browser: what the build writes for it, what Pagefind is handed, what
an edit costs in files, `[search] enabled = false`, config mistakes and a missing
Pagefind program. The searching itself is in `test_search_browser`."""

from __future__ import annotations

import gzip
import json

import pytest

from dateline.build import search
from dateline.build.search import indexed_part

EN = "content/en/world/vote.md"
FA = "content/fa/world/vote.md"


@pytest.fixture
def site(tmp_path, make_site, article_text):
    return make_site(tmp_path / "site", {
        EN: article_text(title="Polls open in Karsk", body="Queues of voters at dawn.\n",
                         authors=["Lena Ost"], tags=["elections"],
                         summary="The vote began calmly."),
        "content/en/world/count.md": article_text(title="The count", body="Ballots.\n"),
        FA: article_text(title="صندوق‌ها باز شد", body="صف رأی‌دهندگان.\n",
                         translation_of="en/world/vote"),
    })


def _bundle(out, lang):
    return sorted(p.relative_to(out).as_posix()
                  for p in (out / lang / "search" / "pagefind").rglob("*") if p.is_file())


def _buckets(out, lang) -> list[str]:
    """The buckets the language's search page merges, from its list."""
    return json.loads((out / lang / "search/pagefind/buckets.json").read_text())["buckets"]


def _urls_of(folder) -> set[str]:
    """The article URLs a bucket's bundle holds, from its fragments."""
    return {json.loads(gzip.decompress(f.read_bytes()).removeprefix(b"pagefind_dcd"))["url"]
            for f in (folder / "fragment").glob("*.pf_fragment")}


def test_each_language_has_a_search_page_and_its_own_bundle(site, tmp_path, build_site,
                                                             parse_html):
    out = tmp_path / "out"
    build_site(site, out)
    for lang, count in (("en", 2), ("fa", 1)):
        assert _buckets(out, lang) == ["0/"]  # a small site: one bucket
        entry = json.loads((out / lang / "search/pagefind/0/pagefind-entry.json").read_text())
        assert set(entry["languages"]) <= {lang}, entry  # this language's pages alone
        assert sum(v["page_count"] for v in entry["languages"].values()) == count
        files = _bundle(out, lang)
        assert f"{lang}/search/pagefind/0/pagefind.js" in files
        assert not [f for f in files if "-ui." in f]  # the theme has its own interface
    # A language without articles lists no bucket, and has no bundle to load.
    assert _buckets(out, "ru") == []
    assert _bundle(out, "ru") == ["ru/search/pagefind/buckets.json"]
    page = parse_html(out / "fa" / "search" / "index.html")
    assert page.one("html").get("dir") == "rtl"
    form = page.one("form")
    assert (form.get("action"), form.get("method")) == ("/fa/search/", "get")
    assert page.one("noscript").text
    # Never in a sitemap: the search page has no alternates.
    assert "search" not in (out / "fa" / "sitemap.xml").read_text()


def test_every_pages_header_links_to_its_languages_search_page(site, tmp_path, build_site,
                                                               parse_html):
    out = tmp_path / "out"
    build_site(site, out)
    pages = [p for p in out.rglob("*.html")]
    assert len(pages) > 10
    for path in pages:
        document = parse_html(path)
        lang = document.one("html").get("lang")
        if path.relative_to(out).as_posix() in ("index.html", "404.html"):
            continue
        [link] = document.find_all("a", cls="search-link")
        assert link.get("href") == f"/{lang}/search/", path


def test_the_index_gets_the_story_and_not_the_chrome(site, tmp_path, build_site,
                                                     parse_html):
    out = tmp_path / "out"
    build_site(site, out)
    html = (out / "en/world/vote/index.html").read_text()
    part = parse_html(indexed_part(html).replace("<!DOCTYPE html>", ""))
    assert part.one("html").get("lang") == "en"
    text = part.text
    for wanted in ("Polls open in Karsk", "The vote began calmly.", "Queues of voters",
                   "Lena Ost", "elections"):
        assert wanted in text
    for chrome in ("Skip to main content", "More about us", "The Example Herald"):
        assert chrome not in text  # the header, the footer
    assert "data-pagefind-body" in part.one("article").attrs
    # The other language's version is named only where Pagefind is told to ignore it.
    ignored = [e for e in part.iter() if "data-pagefind-ignore" in e.attrs]
    other = "صندوق‌ها باز شد"
    assert text.count(other) == sum(e.text.count(other) for e in ignored) == 1


def test_an_edit_reindexes_its_language_alone_from_the_cached_pages(
        site, tmp_path, build_site, snapshot, article_text):
    out, clean = tmp_path / "out", tmp_path / "clean"
    build_site(site, out)
    before = snapshot(out)
    # A page the edit does not touch is never read again: garbage in it stays out.
    count = out / "en/world/count/index.html"
    count.write_text(count.read_text().replace("Ballots.", "Forged words."))
    (site / EN).write_text(article_text(title="Polls open in Karsk",
                                        body="Queues of voters at dawn. Turnout high.\n",
                                        authors=["Lena Ost"], tags=["elections"],
                                        summary="The vote began calmly."))
    result = build_site(site, out)
    assert result.incremental
    changed = set(result.changed_files)
    assert any(f.startswith("en/search/pagefind/") for f in changed)
    assert not any(f.startswith(("fa/search/", "ru/search/")) for f in changed)
    after = snapshot(out)
    assert {f for f in after if f.startswith("fa/search/")} == \
        {f for f in before if f.startswith("fa/search/")}
    count.write_text(count.read_text().replace("Forged words.", "Ballots."))
    build_site(site, clean)
    assert snapshot(out) == snapshot(clean) | {".dateline-output": after[".dateline-output"]}


def test_an_edit_reindexes_its_bucket_alone_and_the_buckets_hold_every_article(
        tmp_path, make_site, article_text, build_site, snapshot, monkeypatch):
    monkeypatch.setattr(search, "BUCKET_MOST", 2)
    stories = {f"content/en/world/story-{n}.md": article_text(title=f"Story {n}",
                                                              body=f"Paragraph {n}.\n")
               for n in range(10)}
    site = make_site(tmp_path / "site", stories)
    out, clean = tmp_path / "out", tmp_path / "clean"
    build_site(site, out)
    listed = _buckets(out, "en")
    assert listed == sorted(listed, key=lambda f: int(f[:-1])) and len(listed) >= 3
    held = {folder: _urls_of(out / "en/search/pagefind" / folder) for folder in listed}
    assert sorted(url for urls in held.values() for url in urls) == \
        sorted(f"en/world/story-{n}/" for n in range(10))
    # The loader is in the first bucket listed alone; the others are searched with it.
    assert [f for f in listed if (out / "en/search/pagefind" / f / "pagefind.js").exists()] \
        == listed[:1]
    before = snapshot(out)
    indexed: list[list[str]] = []

    def counted(lang, docs, *args, **kwargs):
        indexed.append([url for url, _part in docs])
        return bundle_files(lang, docs, *args, **kwargs)

    bundle_files = search.bundle_files
    monkeypatch.setattr(search, "bundle_files", counted)
    (site / "content/en/world/story-3.md").write_text(
        article_text(title="Story 3", body="Paragraph 3, corrected.\n"))
    result = build_site(site, out)
    [edited] = [f for f, urls in held.items() if "en/world/story-3/" in urls]
    assert indexed == [sorted(held[edited])]  # Pagefind got the edited article's bucket
    changed = {f for f in result.changed_files if "/search/" in f}
    assert changed and all(f.startswith(f"en/search/pagefind/{edited}") for f in changed)
    after = snapshot(out)
    others = [f for f in before if f.startswith("en/search/pagefind/")
              and not f.startswith(f"en/search/pagefind/{edited}")]
    assert others and all(after[f] == before[f] for f in others)
    build_site(site, clean)
    assert snapshot(out) == snapshot(clean) | {".dateline-output": after[".dateline-output"]}


@pytest.mark.parametrize(("articles", "buckets"), [(0, 1), (1, 1), (500, 1), (501, 2),
                                                   (1000, 2), (1001, 4), (3000, 8)])
def test_a_bucket_holds_at_most_bucket_most_articles_on_average(articles, buckets):
    assert search.bucket_count(articles) == buckets


def test_search_disabled_leaves_out_page_link_marks_and_bundle(tmp_path, make_site,
                                                              article_text, build_site):
    files = {EN: article_text(title="Polls open")}
    on, off = tmp_path / "on", tmp_path / "off"
    build_site(make_site(tmp_path / "a", files), on)
    site = make_site(tmp_path / "b", files)
    with open(site / "dateline.toml", "a", encoding="utf-8") as config:
        config.write("\n[search]\nenabled = false\n")
    build_site(site, off)
    assert (on / "en/search/index.html").is_file()
    written = {p.relative_to(off).as_posix(): p.read_bytes()
               for p in off.rglob("*") if p.is_file()}
    assert written
    assert not [f for f in written if "search" in f]
    assert not [f for f, data in written.items() if b"pagefind" in data or b"search-link"
                in data]


@pytest.mark.parametrize(("table", "message"), [
    ("[search]\nenabld = true\n", "dateline.toml:{line}: unknown key 'search.enabld'; "
                                  "did you mean 'enabled'?"),
    ("[search]\nenabled = 1\n", "dateline.toml:{line}: search.enabled must be true or false"),
    ("search = 1\n", "dateline.toml:{line}: 'search' must be a table, written as [search]"),
])
def test_config_mistakes_in_search_are_errors(tmp_path, make_site, run_cli, table, message):
    site = make_site(tmp_path / "site", {})
    text = (site / "dateline.toml").read_text()
    (site / "dateline.toml").write_text(table + text if table.startswith("search") else
                                        text + "\n" + table)
    result = run_cli(["build", "--config", site / "dateline.toml"])
    lines = (site / "dateline.toml").read_text().splitlines()
    key = table.splitlines()[-1].split(" ")[0]
    line = next(n for n, text in enumerate(lines, 1) if text.startswith(key))
    assert result.code == 1
    assert message.format(line=line) in result.err.splitlines()


def test_a_missing_pagefind_program_is_one_line(tmp_path, make_site, article_text,
                                                run_cli, monkeypatch):
    site = make_site(tmp_path / "site", {EN: article_text()})
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    result = run_cli(["build", "--config", site / "dateline.toml"])
    assert result.code == 1
    assert "Traceback" not in result.err
    first = result.err.splitlines()[0]
    assert first.startswith("dateline.toml: search needs the Pagefind program")
    assert "pip install 'pagefind[bin]'" in first
    assert not (site / "site").exists()


def test_a_section_named_search_is_refused(tmp_path, make_site, article_text, run_cli):
    site = make_site(tmp_path / "site", {"content/en/search/a.md": article_text()})
    result = run_cli(["build", "--config", site / "dateline.toml"])
    assert result.code == 1
    assert "search" in result.err and "reserved" in result.err
