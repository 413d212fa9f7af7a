"""Alphabetical lists follow each language's collation (ICU); Arabic-script languages
keep their words in URLs unless told to transliterate."""

from __future__ import annotations

import pytest

from dateline.config import load_config

# Each language's topics in its own alphabetical order. In code-point order Persian
# 'پ چ ژ ک گ' and Pashto 'ټ ژ ک ګ' would all come after 'س' and every other letter.
ALPHABETICAL = {
    "fa": ["آب", "ایران", "پژوهش", "چاپ", "ژاپن", "سیاست", "کتاب", "گفتگو", "یادداشت"],
    "ps": ["اقتصاد", "امنیت", "پوهنتون", "ټولنه", "زلزله", "ژبه", "سیاست", "کډوالي", "ګډون"],
    # Crimean Tatar has no ICU data: it sorts as its borrowed locale, Turkish ('ı' < 'i').
    "crh": ["cam", "çay", "ılıq", "iğne", "ot", "öğle", "zeytin"],
}

CONFIG = """\
[site]
base_url = "https://news.example.org/"
default_language = "en"
timezone = "UTC"

[languages.en]
title = "Herald"
about = "About."
"""


def _language(code: str, labels: list[str], extra: str = "") -> str:
    tags = "".join(f't{n} = "{label}"\n' for n, label in enumerate(labels))
    return (f'\n[languages.{code}]\ntitle = "T"\nabout = "A."\n{extra}'
            f"[languages.{code}.tags]\n{tags}")


@pytest.fixture(scope="module")
def out(tmp_path_factory, make_site, article_text, build_site):
    config = CONFIG + "".join(
        _language(code, labels, 'locale = "tr"\n' if code == "crh" else "")
        for code, labels in ALPHABETICAL.items())
    files = {"dateline.toml": config}
    for code, labels in ALPHABETICAL.items():
        # Tags given in reverse order, so no order of the input can pass for sorting.
        keys = [f"t{n}" for n in reversed(range(len(labels)))]
        files[f"content/{code}/world/a.md"] = article_text("X", tags=keys)
    root = make_site(tmp_path_factory.mktemp("collation"), files)
    build_site(root)
    return root / "site"


@pytest.mark.parametrize("code", ALPHABETICAL)
def test_topic_index_is_in_the_languages_alphabetical_order(out, parse_html, code):
    index = parse_html(out / code / "tags/index.html").one("ul", cls="tag-index")
    assert [li.find("a").text for li in index.find_all("li")] == ALPHABETICAL[code]


@pytest.mark.parametrize(("code", "locale", "style"), [
    ("ps", None, "unicode"), ("fa", None, "unicode"), ("ur", None, "unicode"),
    ("ckb", None, "unicode"), ("ar", None, "unicode"), ("uz-Arab", None, "unicode"),
    ("en", None, "transliterate"), ("ru", None, "transliterate"), ("uz", None, "transliterate"),
    ("ka", None, "transliterate"), ("he", None, "transliterate"),
    ("crh", "tr", "transliterate"), ("av", "ru", "transliterate"),
])
def test_arabic_script_languages_keep_their_words_in_slugs(tmp_path, code, locale, style):
    extra = f'locale = "{locale}"\n' if locale else ""
    path = tmp_path / "dateline.toml"
    table = "" if code == "en" else f'\n[languages.{code}]\ntitle = "T"\nabout = "A."\n{extra}'
    path.write_text(CONFIG + table, encoding="utf-8")
    assert load_config(path).language(code).slug_style == style


def test_slug_styles_set_in_the_config_are_kept(tmp_path, make_site, article_text,
                                                 build_site):
    config = (CONFIG + _language("ps", [], 'slug_style = "transliterate"\n')
              + _language("fa", []) + _language("ru", []))
    root = make_site(tmp_path, {
        "dateline.toml": config,
        "content/ps/world/د-هرات-زلزله.md": article_text("زلزله"),
        "content/fa/world/زلزلهٔ-هرات.md": article_text("زلزله"),
        "content/ru/world/выборы-в-карске.md": article_text("Выборы"),
    })
    build_site(root)
    built = sorted(p.parent.relative_to(root / "site").as_posix()
                   for p in (root / "site").glob("*/world/*/index.html"))
    # ps was told to transliterate; fa keeps its words (less the hamza mark, which a URL
    # segment may not carry); ru transliterates as it always has.
    assert built == ["fa/world/زلزله-هرات", "ps/world/d-hrt-zlzlh", "ru/world/vybory-v-karske"]
