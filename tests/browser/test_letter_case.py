"""Labels the theme writes in capitals follow the language's own case rules, or stay as
written where the browser would get them wrong (Turkic dotted İ), checked in Chromium."""

from __future__ import annotations

import pytest

# Each language's section label 'siyaset' ("politics") and what a reader must see.
# tr and az: Chromium knows their rules. crh, gag, kaa, tt: it would write 'SIYASET'
# (an English capital I), so the theme leaves their labels as written.
SHOWN = {"tr": "SİYASET", "az": "SİYASET", "crh": "siyaset", "gag": "siyaset",
         "kaa": "siyaset", "tt": "siyaset", "en": "SIYASET"}


def _config() -> str:
    text = ('[site]\nbase_url = "https://news.example.org/"\ndefault_language = "en"\n'
            'timezone = "UTC"\n')
    for code in SHOWN:
        locale = "" if code in ("tr", "az", "en", "tt") else 'locale = "tr"\n'
        text += (f'\n[languages.{code}]\ntitle = "Haberler"\nabout = "Biz."\n{locale}'
                 f'[languages.{code}.sections]\nworld = "siyaset"\n')
    return text


@pytest.fixture(scope="module")
def out(tmp_path_factory, make_site, article_text, build_site):
    files = {"dateline.toml": _config()}
    files |= {f"content/{code}/world/x.md": article_text("Haber") for code in SHOWN}
    root = make_site(tmp_path_factory.mktemp("case"), files)
    build_site(root, relative_urls=True)
    return root / "site"


@pytest.mark.parametrize(("code", "shown"), SHOWN.items())
def test_capitalised_labels_follow_the_languages_rules(out, page, code, shown):
    page.goto((out / code / "world/x/index.html").as_uri())
    assert page.inner_text(".story__kicker a") == shown
    assert page.inner_text(".sections a") == shown
