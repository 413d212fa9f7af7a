"""Issue 17's performance line: the saved model's rows hold what many of them share once.
A photo's planned renditions (shown by every version of its story, and by every story
reusing it) and a listing's page URLs (held by each of its pages) are stored once in the
store's `shared` table and named from the rows; builds that read the rows back (after a
body edit, a photo caption edit, a whole-model load) give what a clean build gives."""

import datetime as dt
import pickle
import shutil
import sqlite3
import tracemalloc
from array import array
from collections import Counter
from contextlib import closing
from pathlib import Path

import msgspec
import pytest
from PIL import Image

from dateline import buildstore, shipped_path
from dateline.build import savedbuild
from dateline.build.pipeline import BuildOptions, build
from dateline.build.savedbuild import shows
from dateline.config import load_config

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
CONFIG = """\
[site]
base_url = "https://news.example.org/"
default_language = "en"
timezone = "UTC"
per_page = 1

[languages.en]
title = "Herald"
about = "About the Herald."

[languages.ru]
title = "Вестник"
about = "О Вестнике."
"""
PHOTOS = {"story-0": "shared", "story-1": "shared", "story-2": "own", "story-3": None}
"""Each story's photo: two stories reuse one, one has its own, one has none."""


def _article(title: str, day: int, photo: str | None, caption: str = "A caption") -> str:
    lines = ["---", f'title: "{title}"', f"date: 2026-05-{day:02d}T10:00:00+00:00",
             "tags: [a]"]
    if photo:
        lines += ["image:", f"  src: /images/{photo}.jpg", "  alt: A photo",
                  f"  caption: {caption}"]
    return "\n".join([*lines, "---", "", f"The body of {title}.", ""])


def _seed(root: Path) -> None:
    (root / "content/images").mkdir(parents=True)
    (root / "dateline.toml").write_text(CONFIG, encoding="utf-8")
    Image.new("RGB", (600, 400), "teal").save(root / "content/images/shared.jpg")
    Image.new("RGB", (500, 300), "olive").save(root / "content/images/own.jpg")
    for i, (name, photo) in enumerate(PHOTOS.items()):
        for lang in ("en", "ru"):
            # The Russian versions inherit their original's photo, but for story-1's,
            # which gives it words of its own (its original's may change alone).
            own = lang == "en" or name == "story-1"
            path = root / f"content/{lang}/world/{name}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_article(f"{name} {lang}", 10 + i, photo if own else None),
                            encoding="utf-8")
    shutil.copytree(shipped_path("themes") / "default", root / "themes/default")


def _build(root: Path, out: Path, **options):
    config = load_config(root / "dateline.toml")
    return build(config, BuildOptions(output=out, now=NOW, jobs=1, **options))


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".dateline-output"}


def _blobs(root: Path) -> dict[str, list[bytes]]:
    """Every pickled row of the saved model, by table."""
    with closing(sqlite3.connect(root / ".dateline-cache" / buildstore.FILE)) as db:
        return {table: [blob for (blob,) in db.execute(f"SELECT value FROM {table}")]  # noqa: S608
                for table in ("models", "articles", "pages", "rows", "shared")}


def _renditions(out: Path) -> list[str]:
    """The URL of every photo rendition the site publishes."""
    return sorted(p.relative_to(out).as_posix() for p in (out / "media/images").iterdir()
                  if p.suffix in (".jpg", ".webp") and "w." in p.name)


def test_the_rows_hold_each_photo_and_listing_once(tmp_path):
    _seed(tmp_path)
    out = tmp_path / "site"
    _build(tmp_path, out)
    blobs = _blobs(tmp_path)
    every = [blob for rows in blobs.values() for blob in rows]
    renditions = _renditions(out)
    # Two photos, each with its article, card and social renditions. (The site's row
    # lists every file it publishes, renditions too: `Site.assets`.)
    assert len(renditions) >= 2 * 8, renditions
    for url in renditions:
        assert [table for table, rows in blobs.items() if table not in ("models", "shared")
                for blob in rows if url.encode() in blob] == [], url
        assert any(url.encode() in blob for blob in blobs["shared"]), url
    # Each photo's plans once: its article's, its card's, its social crops.
    shared = Counter(type(pickle.loads(blob)).__name__ for blob in blobs["shared"])
    assert (shared["Picture"], shared["SocialCrops"]) == (4, 2), shared
    # Four stories, one a page: the English home listing has four pages, whose URLs
    # are stored once (beside each page's own row), not once in each of its pages.
    urls = [f"en/page/{n}/" for n in range(2, 5)]
    assert all((out / url / "index.html").is_file() for url in urls)
    for url in urls:
        holding = [blob for blob in every if url.encode() in blob]
        assert len(holding) == 2, url
        assert sum(blob in blobs["shared"] for blob in holding) == 1, url


def test_the_whole_model_loads_with_its_photos_shared_as_they_were(tmp_path):
    """Every version of a story, and every story reusing a photo, shows one planned
    photo again (one object, as in the build that saved it)."""
    _seed(tmp_path)
    out = tmp_path / "site"
    _build(tmp_path, out)
    store, _ = buildstore.open_store(tmp_path / ".dateline-cache", _store_key(tmp_path))
    ((key, generation),) = _model_keys(tmp_path)
    model = savedbuild.load_model(store, out, key)
    store.close()
    assert model is not None and key.endswith(generation)
    by_name = {(a.lang, a.source_path.stem): a for a in model.site.articles}
    first, second = by_name["en", "story-0"].image, by_name["en", "story-1"].image
    assert first.picture is second.picture and first.social is second.social
    assert by_name["ru", "story-0"].image.picture is first.picture
    assert by_name["en", "story-2"].image.picture is not first.picture
    assert by_name["en", "story-3"].image is None
    listing = [page for page in model.pages if page.kind == "home" and page.lang == "en"]
    assert len(listing) == 4
    assert all(page.pagination.urls is listing[0].pagination.urls for page in listing)


def _store_key(root: Path) -> str:
    with closing(sqlite3.connect(root / ".dateline-cache" / buildstore.FILE)) as db:
        return db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()[0]


def _model_keys(root: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(root / ".dateline-cache" / buildstore.FILE)) as db:
        return [(key, key.rsplit("|", 1)[-1]) for (key,) in db.execute("SELECT key FROM models")]


EDITS = {
    "body": ("story-0", lambda text: text.replace("The body of", "A new sentence. The body of")),
    "caption": ("story-1", lambda text: text.replace("A caption", "Rain at noon")),
    "title": ("story-0", lambda text: text.replace('"story-0 en"', '"A new title"')),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_builds_from_the_saved_rows_equal_a_clean_build(tmp_path, edit):
    """A body edit reads part of the saved model, a caption edit of a shared photo the
    whole of it (a translation may inherit the words), a retitle the pages showing the
    title: each from the rows and their shared values, each equal to a clean build."""
    _seed(tmp_path)
    live, clean = tmp_path / "site", tmp_path / "clean"
    _build(tmp_path, live)
    name, change = EDITS[edit]
    story = tmp_path / f"content/en/world/{name}.md"
    story.write_text(change(story.read_text(encoding="utf-8")), encoding="utf-8")
    result = _build(tmp_path, live)
    assert result.incremental and not result.replanned, result.warnings
    assert not result.warnings
    _build(tmp_path, clean, clean=True)
    assert _tree(live) == _tree(clean)
    # And again from the rows this build left (the head's edits on the saved model).
    story.write_text(story.read_text(encoding="utf-8").replace(
        "The body of", "Yet another. The body of"), encoding="utf-8")
    again = _build(tmp_path, live)
    assert not again.replanned and not again.warnings
    shutil.rmtree(clean)
    _build(tmp_path, clean, clean=True)
    assert _tree(live) == _tree(clean)


def test_a_missing_shared_value_means_building_afresh(tmp_path):
    _seed(tmp_path)
    live, clean = tmp_path / "site", tmp_path / "clean"
    _build(tmp_path, live)
    with closing(sqlite3.connect(tmp_path / ".dateline-cache" / buildstore.FILE)) as db, db:
        assert db.execute("DELETE FROM shared").rowcount > 0
    story = tmp_path / "content/en/world/story-0.md"
    story.write_text(EDITS["body"][1](story.read_text(encoding="utf-8")), encoding="utf-8")
    result = _build(tmp_path, live)
    assert result.replanned
    assert [w.message for w in result.warnings if "shared value" in w.message]
    _build(tmp_path, clean, clean=True)
    assert _tree(live) == _tree(clean)


def test_the_saved_rows_leave_no_utf8_form_in_the_models_texts(tmp_path, make_site,
                                                               article_text, config_text,
                                                               monkeypatch):
    """Pickling a text that is not ASCII leaves its UTF-8 form in it for good (CPython
    keeps it): the article and page rows are pickled from copies of such texts, so the
    model's own titles and summaries stay as they were (issue 19: ~14 MB at 60,000
    articles, at the build's last step, its peak); the rows load back the same."""
    import sys

    title, summary = "Голоса подсчитаны в столице", "Подсчёт голосов завершён к утру."
    root = make_site(tmp_path / "site", {
        "dateline.toml": config_text(),
        "content/ru/world/vote.md": article_text(title, date="2026-06-01T10:00:00+00:00",
                                                 summary=summary),
        "content/en/world/vote.md": article_text("Vote counted",
                                                 date="2026-06-01T09:00:00+00:00")})
    saved = []
    write_rows = savedbuild.write_rows

    def watched(db, slot, key, model):
        write_rows(db, slot, key, model)
        saved.append(model)

    monkeypatch.setattr(savedbuild, "write_rows", watched)
    build(load_config(root / "dateline.toml"), BuildOptions(now=NOW, jobs=1))
    assert len(saved) == 1
    model = saved[0]

    def plain(text: str) -> bool:  # the size of a copy that was never encoded
        return sys.getsizeof(text) == sys.getsizeof(text[:1] + text[1:])

    russian = [a for a in model.site.articles if a.lang == "ru"]
    assert [a.title for a in russian] == [title] and russian[0].summary == summary
    assert plain(russian[0].title) and plain(russian[0].summary)
    headings = [p.heading for p in model.pages if p.article in russian]
    assert headings == [title] and all(map(plain, headings))
    # (What a pickle of the text itself leaves, which the copies spare them.)
    pickle.dumps(russian[0].title)
    assert not plain(russian[0].title)
    # The next build reads the rows back: nothing to do.
    again = build(load_config(root / "dateline.toml"), BuildOptions(now=NOW, jobs=1))
    assert again.incremental and not again.written


def test_replacing_a_tables_rows_holds_a_batch_not_every_key_it_met(tmp_path):
    """`replace_rows` compares the rows with the stored ones a batch at a time and
    deletes those it never met: what it holds grows with neither the rows given nor the
    rows kept (09ce887 kept a tuple for every key met: ~11 MiB for the pages' rows of a
    60,000-article cold build, its peak at its last step)."""
    import tracemalloc

    from dateline.build.modelrows import replace_rows

    db = sqlite3.connect(tmp_path / "rows.sqlite")
    db.execute("CREATE TABLE pages (slot TEXT, page INTEGER, value BLOB, "
               "PRIMARY KEY (slot, page))")

    def peak_writing(count: int, slot: str) -> int:
        rows = ((slot, i, b"x") for i in range(1000, 1000 + count))
        tracemalloc.start()
        try:
            replace_rows(db, "pages", ("slot", "page"), slot, rows)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak_writing(4000, "a"), peak_writing(40000, "b")
    assert large - small < 200_000, (small, large)  # (09ce887: ~5.7 MB more)
    # Replaced: the rows given stand (one changed), those not given are gone, the other
    # folder's are left alone.
    replace_rows(db, "pages", ("slot", "page"), "a",
                 [("a", 1000, b"x"), ("a", 1001, b"changed"), ("a", 7, b"new")])
    assert db.execute("SELECT page, value FROM pages WHERE slot = 'a' ORDER BY page"
                      ).fetchall() == [(7, b"new"), (1000, b"x"), (1001, b"changed")]
    assert db.execute("SELECT COUNT(*) FROM pages WHERE slot = 'b'").fetchone() == (40000,)
    db.close()


def _order_rows(root: Path) -> dict[str, tuple]:
    with closing(sqlite3.connect(root / ".dateline-cache" / buildstore.FILE)) as db:
        return {name: pickle.loads(value) for name, value in db.execute(
            "SELECT name, value FROM rows WHERE name LIKE 'order:%' OR name LIKE 'groups:%' "
            "ORDER BY name")}


def test_the_sites_order_is_saved_a_slice_a_row_and_read_back_whole(tmp_path, monkeypatch):
    """The site's order of its articles and stories is saved a slice a row: a caption
    edit of a shared photo loads the whole model through them, equal to a clean build;
    a slice gone means building afresh, with one warning."""
    from dateline.build import modelrows

    monkeypatch.setattr(modelrows, "ORDER_SLICE", 3)
    _seed(tmp_path)
    live, clean = tmp_path / "site", tmp_path / "clean"
    _build(tmp_path, live)
    rows = _order_rows(tmp_path)
    assert list(rows) == ["groups:000000", "groups:000001",
                          "order:000000", "order:000001", "order:000002"]
    assert [len(rows[f"order:{n:06d}"]) for n in range(3)] == [3, 3, 2]
    keys = [key for n in range(3) for key in rows[f"order:{n:06d}"]]
    # Newest first, every version of each story.
    assert [Path(key).stem for key in keys] == [f"story-{n}" for n in (3, 3, 2, 2, 1, 1, 0, 0)]
    stories = [story for n in range(2) for story, _keys in rows[f"groups:{n:06d}"]]
    assert len(stories) == len(set(stories)) == 4

    name, change = EDITS["caption"]
    story = tmp_path / f"content/en/world/{name}.md"
    story.write_text(change(story.read_text(encoding="utf-8")), encoding="utf-8")
    result = _build(tmp_path, live)
    assert result.incremental and not result.replanned and not result.warnings
    _build(tmp_path, clean, clean=True)
    assert _tree(live) == _tree(clean)

    with closing(sqlite3.connect(tmp_path / ".dateline-cache" / buildstore.FILE)) as db, db:
        assert db.execute("DELETE FROM rows WHERE slot = ? AND name = 'order:000001'",
                          (savedbuild.slot_of(live),)).rowcount == 1
    story.write_text(story.read_text(encoding="utf-8").replace("Rain at noon", "Snow"),
                     encoding="utf-8")
    result = _build(tmp_path, live)
    assert result.replanned
    assert [w.message for w in result.warnings if "rows of order" in w.message]
    shutil.rmtree(clean)
    _build(tmp_path, clean, clean=True)
    assert _tree(live) == _tree(clean)


def test_saving_the_sites_order_holds_a_slice_not_the_whole_order(tmp_path):
    """Ten times the articles, nearly the same memory to save their order (09ce887
    pickled it in one row: its pickle, memo and copy ~9 MiB at 60,000 articles, the
    build's peak at its last step)."""
    import tracemalloc

    from dateline.build.modelrows import _sliced, replace_rows
    from dateline.build.rowpickle import RowPickler

    db = sqlite3.connect(tmp_path / "rows.sqlite")
    db.execute("CREATE TABLE rows (slot TEXT, name TEXT, value BLOB, PRIMARY KEY (slot, name))")

    def peak_saving(count: int, slot: str) -> int:
        keys = [f"content/en/world/{2000 + i // 300}/story-number-{i}.md" for i in range(count)]
        tracemalloc.start()
        try:
            replace_rows(db, "rows", ("slot", "name"), slot,
                         _sliced(slot, "order", keys, RowPickler()))
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak_saving(4000, "a"), peak_saving(40000, "b")
    assert large - small < 2_500_000, (small, large)  # (one row: 8.3 MB more)
    (count,) = db.execute("SELECT COUNT(*) FROM rows WHERE slot = 'b'").fetchone()
    assert count == -(-40000 // 1024)
    db.close()


def _loaded_pages(root: Path, out: Path) -> tuple:
    store, _ = buildstore.open_store(root / ".dateline-cache", _store_key(root))
    ((key, _generation),) = _model_keys(root)
    model = savedbuild.load_model(store, out, key)
    store.close()
    assert model is not None
    return model.pages


def test_the_inverse_index_rows_are_what_each_page_shows_in_key_order(tmp_path):
    """`page_deps` holds, for every key a page shows (`shows`), the pages showing it in
    plan order; it is made a kind of key (an article's, a language) at a time."""
    _seed(tmp_path)
    out = tmp_path / "site"
    _build(tmp_path, out)
    pages = _loaded_pages(tmp_path, out)
    expected: dict[str, list[int]] = {}
    for i, page in enumerate(pages):
        for key in shows(page):
            expected.setdefault(key, []).append(i)
    rows = list(savedbuild.inverse_rows(pages))
    assert [dep for dep, _pages in rows] == sorted(expected)
    assert {dep: list(savedbuild.unpack(packed)) for dep, packed in rows} == expected
    with closing(sqlite3.connect(tmp_path / ".dateline-cache" / buildstore.FILE)) as db:
        stored = {dep: list(savedbuild.unpack(packed))
                  for dep, packed in db.execute("SELECT dep, pages FROM page_deps")}
    assert stored == expected
    # Every kind of key is there: the articles' own, their stories', related stories'.
    assert {dep.split(":", 1)[0] for dep in stored} >= {
        "article", "story", "related", "section", "tag", "template"}


def test_making_the_inverse_index_holds_one_part_of_it_at_a_time(tmp_path):
    """At 60,000 articles the whole index in memory was ~23 MiB, at the build's last
    step, where it holds the most (issue 19): made a part at a time, it holds the
    largest part (an article's keys, of one language) and a row."""
    _seed(tmp_path)
    out = tmp_path / "site"
    _build(tmp_path, out)
    pages = _loaded_pages(tmp_path, out)
    (page,) = [page for page in pages if page.kind == "article" and page.lang == "en"][:1]
    article = page.article
    # 6,000 articles in three languages, each on its own page and listed by a home page.
    many = []
    for n in range(6_000):
        lang = ("en", "ru", "fa")[n % 3]
        copy = msgspec.structs.replace(article, lang=lang, source=msgspec.structs.replace(
            article.source, path=f"content/{lang}/world/story-{n:05d}.md"))
        many.append(msgspec.structs.replace(page, url=f"{lang}/world/story-{n:05d}/",
                                            lang=lang, article=copy, items=()))
    many += [msgspec.structs.replace(page, kind="home", article=None,
                                     items=tuple(p.article for p in many[n:n + 10]))
             for n in range(0, 6_000, 10)]
    tracemalloc.start()
    try:
        # As it was made before: the whole index, a key string and an array a key.
        every: dict[str, array] = {}
        for i, page in enumerate(many):
            for key in shows(page):
                every.setdefault(key, array("I")).append(i)
        whole_size = tracemalloc.get_traced_memory()[0]
        count = len(every)
        del every
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        rows = sum(1 for _row in savedbuild.inverse_rows(tuple(many)))
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert rows == count
    assert peak < whole_size / 3, (peak, whole_size)
