"""The published stylesheet is the theme's, minified: smaller, one file, under a
fingerprinted name, and Chromium reads exactly the same rules from it as from the
source (the minifier changed no meaning)."""

from __future__ import annotations

import gzip

from dateline import shipped_path
from dateline.build.theme_files import minify_css

SOURCE = shipped_path("themes") / "default" / "static" / "style.css"

_RULES = """css => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  // A value holding var() or a custom property keeps its tokens as written, so the
  // spaces around commas (which never mean anything) are dropped; the rest is Chromium's
  // parse, and a space that matters (`calc(a + b)`) still counts.
  const declarations = style => [...style].map(name => [
    name, style.getPropertyValue(name).trim().replace(/\\s*,\\s*/g, ',')]);
  // Every rule as its prelude, its declarations and its nested rules (a style rule has
  // an empty cssRules list since CSS nesting).
  const walk = rules => [...rules].map(r => [
    r.selectorText ?? r.conditionText ?? r.cssText.split('{')[0],
    r.style ? declarations(r.style) : null,
    r.cssRules ? walk(r.cssRules) : null]);
  return walk(sheet.cssRules);
}"""


def test_chromium_reads_the_same_rules_from_the_minified_stylesheet(browser):
    source = SOURCE.read_text(encoding="utf-8")
    minified = minify_css(source)
    assert len(minified.encode()) < 0.8 * len(source.encode())
    page = browser.new_page()
    try:
        before, after = (page.evaluate(_RULES, css) for css in (source, minified))
    finally:
        page.close()
    assert len(before) > 50  # the theme's rules, @media blocks among them
    assert after == before


def test_a_built_page_links_one_fingerprinted_minified_stylesheet(
        tmp_path, make_site, article_text, build_site, parse_html):
    root = make_site(tmp_path / "s", {"content/en/world/a.md": article_text("A")})
    build_site(root)
    for page in ("en/index.html", "en/world/a/index.html"):
        links = parse_html(root / "site" / page).find_all("link", rel="stylesheet")
        assert len(links) == 1, page
        href = links[0].get("href")
        assert href.startswith("/static/style.") and href != "/static/style.css", href
    published = (root / "site" / href.lstrip("/")).read_bytes()
    source = SOURCE.read_bytes()
    assert published == minify_css(source.decode("utf-8")).encode("utf-8")
    assert len(published) < len(source)
    assert len(gzip.compress(published, 9)) < len(gzip.compress(source, 9))
