"""Cards rendered once per build (build/cardmemo.py): an article's card on every listing
it is on, in the variant that listing shows it in, whatever the theme's card reads."""

import shutil
from pathlib import Path

import pytest

from dateline import shipped_path
from dateline.build import cardmemo

EN_CONFIG_EXTRA = 'untranslated = "show"\n'


def _site_files(article_text, image_bytes) -> dict:
    photo = image_bytes(width=1600, height=900)
    files = {
        # Newest first: the Persian original leads every English listing it is on.
        "content/fa/world/f.md": article_text(
            "Persian story", "2025-03-04T10:00:00+01:00", tags=["x"],
            image={"src": "/images/f.jpg", "alt": "F"}),
        "content/en/world/c.md": article_text(
            "Story C", "2025-03-03T10:00:00+01:00", tags=["x"],
            image={"src": "/images/c.jpg", "alt": "C"}),
        # No photo: on its tag's page the next card's photo is the page's first image.
        "content/en/world/n.md": article_text(
            "No photo", "2025-03-02T12:00:00+01:00", tags=["t"]),
        "content/en/world/b.md": article_text(
            "Story B", "2025-03-02T10:00:00+01:00", tags=["t"],
            image={"src": "/images/b.jpg", "alt": "B"}),
        "content/en/world/a.md": article_text(
            "Story A", "2025-03-01T10:00:00+01:00", tags=["x"],
            image={"src": "/images/a.jpg", "alt": "A"}),
    }
    files.update({f"content/images/{n}.jpg": photo for n in "fcba"})
    return files


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory, make_site, config_text, article_text, image_bytes,
             build_site) -> Path:
    """A built site whose cards appear in several variants across listings."""
    config = config_text().replace('[languages.en]\n', '[languages.en]\n' + EN_CONFIG_EXTRA)
    root = make_site(tmp_path_factory.mktemp("cards") / "site",
                     {**_site_files(article_text, image_bytes), "dateline.toml": config})
    build_site(root)
    return root


def _cards(parse_html, page: Path) -> dict:
    """The page's cards by the title of the article they show."""
    cards = parse_html(page).find_all("article", cls="card")
    return {card.one("h2", cls="card__title").text: card for card in cards}


def _image(card):
    return card.one("img", cls="card__image")


def test_a_card_is_eager_where_it_leads_and_lazy_where_it_follows(newsroom, parse_html):
    section = _cards(parse_html, newsroom / "site/en/world/index.html")
    tag = _cards(parse_html, newsroom / "site/en/tags/t/index.html")
    assert list(tag) == ["No photo", "Story B"] and list(section).index("Story B") > 1
    # In its section B follows cards with photos; on its tag's page it is the second
    # card (as there) but the first image: only the namespace `photos` tells them apart.
    assert (_image(section["Story B"]).get("loading"),
            _image(section["Story B"]).get("fetchpriority")) == ("lazy", None)
    assert (_image(tag["Story B"]).get("loading"),
            _image(tag["Story B"]).get("fetchpriority")) == (None, "high")


def test_every_listing_fetches_one_image_first(newsroom, parse_html):
    listings = [p for p in (newsroom / "site/en").rglob("index.html")
                if parse_html(p).find_all("article", cls="card")]
    assert len(listings) >= 6  # home, section, two tags, year, month
    for listing in listings:
        cards = parse_html(listing).find_all("article", cls="card")
        images = [c.one("img", cls="card__image") for c in cards if c.find_all("img")]
        priorities = [i.get("fetchpriority") for i in images]
        # A card taken from the memo sets `photos.eager` as rendering it did.
        assert priorities == ["high"] + [None] * (len(images) - 1), listing


def test_the_first_card_takes_the_home_pages_layout_only_there(newsroom, parse_html):
    home = _cards(parse_html, newsroom / "site/en/index.html")
    section = _cards(parse_html, newsroom / "site/en/world/index.html")
    assert list(home)[0] == list(section)[0] == "Persian story"

    def sizes(card) -> str:
        return card.one("source").get("sizes")

    # The home page's first card spans two of three columns (48.75rem at the widest).
    assert "48.75rem" in sizes(home["Persian story"])
    assert "48.75rem" not in sizes(section["Persian story"])
    assert sizes(home["Story C"]) == sizes(section["Story C"])


def test_an_original_shows_its_language_badge_only_in_other_languages(newsroom, parse_html):
    english = _cards(parse_html, newsroom / "site/en/index.html")["Persian story"]
    persian = _cards(parse_html, newsroom / "site/fa/index.html")["Persian story"]
    assert english.get("lang") == "fa" and english.get("dir") == "rtl"
    assert english.one("span", cls="card__language").get("lang") == "en"
    assert persian.get("lang") is None
    assert persian.find_all("span", cls="card__language") == []


def _own_theme(root: Path, card: str) -> None:
    theme = root / "themes/mine"
    shutil.copytree(shipped_path("themes") / "default", theme)
    (theme / "templates/partials/card.html").write_text(card, encoding="utf-8")


LISTINGS = ("en/index.html", "en/world/index.html", "en/tags/x/index.html")


@pytest.mark.parametrize("card, expected", [
    # What a card may read that differs between listings: the page, the loop.
    ('<article class="card" data-at="{{ page.url }}"><h2 class="card__title">'
     '{{ item.title }}</h2></article>\n', lambda listing, index: listing),
    ('<article class="card" data-at="{{ loop.index }}"><h2 class="card__title">'
     '{{ item.title }}</h2></article>\n', lambda listing, index: str(index)),
])
def test_a_themes_card_sees_its_own_listing(tmp_path, make_site, config_text, article_text,
                                            image_bytes, build_site, parse_html, card,
                                            expected):
    config = config_text(theme="mine").replace('[languages.en]\n',
                                               '[languages.en]\n' + EN_CONFIG_EXTRA)
    root = make_site(tmp_path / "site",
                     {**_site_files(article_text, image_bytes), "dateline.toml": config})
    _own_theme(root, card)
    build_site(root)
    seen = 0
    for listing in LISTINGS:
        cards = _cards(parse_html, root / "site" / listing)
        url = listing.removesuffix("index.html")
        for index, node in enumerate(cards.values(), start=1):
            assert node.get("data-at") == expected(url, index), (listing, index)
            seen += 1
    assert seen >= 7  # Story C and the Persian story are on all three, A on two


def test_every_page_is_the_same_with_and_without_the_memo(tmp_path, make_site, config_text,
                                                           article_text, image_bytes,
                                                           build_site, snapshot,
                                                           monkeypatch):
    sites = []
    for name, memoized in (("with", cardmemo.MEMOIZED), ("without", frozenset())):
        # Each with a theme of its own: templates are compiled (and wrapped) per theme.
        config = config_text(theme="mine").replace('[languages.en]\n',
                                                   '[languages.en]\n' + EN_CONFIG_EXTRA)
        root = make_site(tmp_path / name,
                         {**_site_files(article_text, image_bytes), "dateline.toml": config})
        _own_theme(root, (shipped_path("themes") / "default/templates/partials/card.html")
                   .read_text(encoding="utf-8"))
        monkeypatch.setattr(cardmemo, "MEMOIZED", memoized)
        build_site(root)
        sites.append(snapshot(root / "site"))
    pages = {name for name in sites[0] if name.endswith(".html")}
    assert len(pages) > 10 and {n for n in sites[1] if n.endswith(".html")} == pages
    for name in sorted(pages):
        assert sites[0][name] == sites[1][name], name


def test_relative_links_of_a_card_follow_the_listing_they_are_on(tmp_path, make_site,
                                                                  config_text, article_text,
                                                                  image_bytes, build_site,
                                                                  parse_html):
    root = make_site(tmp_path / "site", _site_files(article_text, image_bytes))
    build_site(root, relative_urls=True)
    seen = []
    # Story A is a later card on each of them, shown alike but for its links.
    for listing in ("en/world/index.html", "en/tags/x/index.html", "en/2025/03/index.html"):
        card = _cards(parse_html, root / "site" / listing)["Story A"]
        href = card.one("h2", cls="card__title").one("a").get("href")
        target = (root / "site" / listing).parent / href
        assert target.resolve() == (root / "site/en/world/a/index.html").resolve(), listing
        seen.append(href)
    assert seen[0] != seen[1] == seen[2]  # one card: its links from each listing
