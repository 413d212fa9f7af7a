"""`dateline translate`: a translation started from its original, through the CLI in a
temporary site; the pair then links as translations in a build."""

from __future__ import annotations

import pytest
import yaml

ORIGINAL = "content/en/world/vote.md"
BODY = "Voters queued before dawn in Karsk.\n\nThe count starts at eight.\n"


@pytest.fixture
def site(tmp_path, make_site, article_text, image_bytes):
    return make_site(tmp_path / "site", {
        ORIGINAL: article_text(
            title="Polls open in Karsk", date="2025-03-01T10:00:00+01:00", body=BODY,
            summary="Voters queue.", authors=["Ana Petrova"], tags=["elections"],
            dateline="KARSK", reporting=["AP"], breaking=True,
            image={"src": "queue.jpg", "alt": "A queue", "caption": "The queue at dawn.",
                   "credit": "Photo: Ana Petrova", "ratio": "16x9"}),
        "content/en/world/queue.jpg": image_bytes(width=64, height=48),
        "content/en/world/other.md": article_text(title="Other", summary="Other."),
    })


def _split(path):
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    return yaml.load(head, Loader=yaml.BaseLoader), body


def _alternates(parse_html, path):
    page = parse_html(path)
    return {link.get("hreflang"): link.get("href")
            for link in page.find_all("link", rel="alternate") if link.get("hreflang")}


def test_translate_copies_the_words_leaves_out_inherited_fields_and_links(
        site, run_cli, parse_html):
    config = site / "dateline.toml"
    result = run_cli(["translate", ORIGINAL, "--lang", "ru", "--config", config], cwd=site)
    assert result.code == 0, result.err
    assert result.out.strip() == "content/ru/world/vote.md"
    front, body = _split(site / "content/ru/world/vote.md")
    assert list(front) == ["title", "date", "authors", "summary", "image", "draft"]
    assert front["title"] == "Polls open in Karsk" and front["summary"] == "Voters queue."
    assert front["image"] == {"alt": "A queue", "caption": "The queue at dawn.",
                              "credit": "Photo: Ana Petrova"}
    assert front["draft"] == "true"
    assert body == "\n" + BODY
    built = run_cli(["build", "--drafts", "--config", config])
    assert built.code == 0, built.err
    assert "warning" not in built.err
    out = site / "site"
    assert _alternates(parse_html, out / "en/world/vote/index.html")["ru"] \
        == "https://news.example.org/ru/world/vote/"
    ru = parse_html(out / "ru/world/vote/index.html")
    assert _alternates(parse_html, out / "ru/world/vote/index.html")["en"] \
        == "https://news.example.org/en/world/vote/"
    # The inherited fields reach the translation: tags, dateline, the photo and its crop.
    assert any("/ru/tags/elections/" in (a.get("href") or "") for a in ru.find_all("a"))
    assert "KARSK" in ru.text
    assert any("media/" in (img.get("src") or "") for img in ru.find_all("img"))


def test_translate_with_a_name_sets_the_translation_key(site, run_cli, parse_html):
    config = site / "dateline.toml"
    result = run_cli(["translate", site / ORIGINAL, "--lang", "ru", "--name", "vybory",
                      "--config", config])
    assert result.code == 0, result.err
    front, _ = _split(site / "content/ru/world/vybory.md")
    assert front["translation_key"] == "world/vote"
    assert run_cli(["build", "--drafts", "--config", config]).code == 0
    assert _alternates(parse_html, site / "site/en/world/vote/index.html")["ru"] \
        == "https://news.example.org/ru/world/vybory/"
    # By its key, the story now has a Russian translation: another is refused.
    again = run_cli(["translate", site / ORIGINAL, "--lang", "ru", "--config", config])
    assert again.code == 2
    assert "already has a translation in 'ru': content/ru/world/vybory.md" in again.err
    assert not (site / "content/ru/world/vote.md").exists()


def test_translating_a_story_whose_key_is_set_keeps_the_key(site, run_cli, article_text):
    config = site / "dateline.toml"
    (site / "content/en/world/keyed.md").write_text(
        article_text(title="Keyed", translation_key="karsk-2025"), encoding="utf-8")
    assert run_cli(["translate", site / "content/en/world/keyed.md", "--lang", "fa",
                    "--config", config]).code == 0
    front, _ = _split(site / "content/fa/world/keyed.md")
    assert front["translation_key"] == "karsk-2025"


@pytest.mark.parametrize("args, code, reason", [
    (["--lang", "ru"], 2, "already exists: it is the story's translation in 'ru'"),
    (["--lang", "xx"], 2, "'xx' is not a configured language"),
    (["--lang", "en"], 2, "is already in 'en'"),
    (["--lang", "fa", "--name", "../x"], 2, "would escape the output folder"),
    (["--lang", "fa", "--name", "feed.xml"], 2, "the name of a file Dateline writes"),
])
def test_translate_refuses_with_a_reason(site, run_cli, snapshot, args, code, reason):
    config = site / "dateline.toml"
    assert run_cli(["translate", ORIGINAL, "--lang", "ru", "--config", config],
                   cwd=site).code == 0
    before = snapshot(site)
    result = run_cli(["translate", ORIGINAL, *args, "--config", config], cwd=site)
    assert (result.code, result.out) == (code, "")
    assert reason in result.err
    assert snapshot(site) == before


@pytest.mark.parametrize("source, code, reason", [
    ("content/en/world/nope.md", 2, "no such file"),
    ("dateline.toml", 2, "is not under content/"),
    ("content/en/world/broken.md", 1, "content/en/world/broken.md:1: front matter: 'date'"
                                      " is required"),
])
def test_translate_refuses_what_is_no_article(site, run_cli, snapshot, source, code, reason):
    (site / "content/en/world/broken.md").write_text("---\ntitle: Broken\n---\nText.\n",
                                                     encoding="utf-8")
    before = snapshot(site)
    result = run_cli(["translate", source, "--lang", "ru", "--config",
                      site / "dateline.toml"], cwd=site)
    assert result.code == code
    assert reason in result.err
    assert snapshot(site) == before
