"""markup.py and figures.py: Markdown bodies to HTML, with newsroom figures and images
resolved to their published copies."""

from __future__ import annotations

import posixpath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown import Markdown

from dateline.build.bodyurls import scheme_of
from dateline.build.figures import FiguresExtension
from dateline.build.markup import render_markdown
from dateline.errors import Problems
from dateline.read import read_document
from dateline.urls import Linker


@pytest.fixture
def render(tmp_path, parse_html):
    """`render(body, path="content/en/world/x.md", linker=...) -> (doc, used, errors)`."""
    (tmp_path / "content/images").mkdir(parents=True)
    (tmp_path / "content/images/crowd.jpg").write_bytes(b"jpeg")
    (tmp_path / "content/en/world").mkdir(parents=True)
    (tmp_path / "content/en/world/map.png").write_bytes(b"png")

    def run(body: str, path: str = "content/en/world/x.md",
            linker: Linker | None = None):
        linker = linker or Linker("https://news.example.org/")
        file = tmp_path / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(f"---\ntitle: X\ndate: 2025-01-01\n---\n{body}", encoding="utf-8")
        problems = Problems()
        doc = read_document(file, tmp_path / "content", tmp_path, problems)
        html, used = render_markdown(doc, tmp_path / "content", linker, problems)
        used = [(image.source.relative_to(tmp_path).as_posix(), image.url) for image in used]
        return parse_html(html), used, [str(p) for p in problems.errors]

    return run


def test_lone_image_with_title_becomes_a_figure(render):
    doc, _, _ = render('![A crowd](/images/crowd.jpg "Supporters gather")\n')
    figure = doc.one("figure")
    assert figure.elements[0].tag == "img" and figure.elements[1].tag == "figcaption"
    assert figure.one("img").get("alt") == "A crowd"
    assert figure.one("img").get("title") is None
    assert figure.one("figcaption").text == "Supporters gather"
    assert doc.find_all("p") == []


def test_lone_image_without_title_stays_a_paragraph(render):
    doc, _, _ = render("![A crowd](/images/crowd.jpg)\n")
    assert doc.find_all("figure") == []
    assert doc.one("img").parent.tag == "p"


def test_titled_image_inside_text_stays_inline(render):
    doc, _, _ = render('Look: ![A crowd](/images/crowd.jpg "Supporters") here.\n')
    assert doc.find_all("figure") == []
    assert doc.one("img").get("title") == "Supporters"


def test_caption_text_is_escaped(render):
    doc, _, _ = render('![x](/images/crowd.jpg "Fish & <chips>")\n')
    assert doc.one("figcaption").text == "Fish & <chips>"
    assert doc.find_all("chips") == []


def test_images_resolve_to_published_copies(render):
    doc, used, errors = render("![a](map.png)\n\n![b](/images/crowd.jpg)\n")
    assert errors == []
    assert [img.get("src") for img in doc.find_all("img")] \
        == ["/media/en/world/map.png", "/media/images/crowd.jpg"]
    assert used == [("content/en/world/map.png", "media/en/world/map.png"),
                    ("content/images/crowd.jpg", "media/images/crowd.jpg")]


def test_body_images_load_lazily(render):
    doc, _, _ = render("![a](map.png)\n")
    img = doc.one("img")
    assert (img.get("loading"), img.get("decoding")) == ("lazy", "async")


@pytest.mark.parametrize("src", ["https://example.org/a.jpg", "//cdn.example.org/a.jpg"])
def test_external_images_are_left_alone(render, src):
    doc, used, errors = render(f"![a]({src})\n")
    assert (doc.one("img").get("src"), used, errors) == (src, [], [])


def test_missing_body_image_is_reported_at_its_line(render):
    _, used, errors = render("\nFirst paragraph.\n\n![gone](gone.jpg \"Caption\")\n")
    assert used == []
    assert len(errors) == 1
    # Front matter takes lines 1-4; the image is on the body's fourth line.
    assert errors[0].startswith("content/en/world/x.md:8: image 'gone.jpg' not found")


def test_body_image_outside_content_is_refused(render):
    _, _, errors = render("![x](../../../../etc/passwd)\n")
    assert errors[0].startswith("content/en/world/x.md:5: image '../../../../etc/passwd' "
                                "points outside the content folder")


def test_base_url_path_prefixes_body_images(render):
    doc, _, _ = render("![a](map.png)\n", linker=Linker("https://org.github.io/newsroom/"))
    assert doc.one("img").get("src") == "/newsroom/media/en/world/map.png"


@pytest.mark.parametrize("path", ["content/en/world/x.md", "content/en/x.md"])
def test_relative_mode_links_images_from_the_article_page(render, path):
    # An article page is always <lang>/<section>/<slug>/, wherever its file is.
    doc, _, _ = render("![a](/images/crowd.jpg)\n", path=path,
                       linker=Linker("https://x.org/", relative=True))
    src = doc.one("img").get("src")
    assert posixpath.normpath(posixpath.join("/en/section/slug/", src)) \
        == "/media/images/crowd.jpg"


def test_raw_html_is_kept_and_template_syntax_is_text(render):
    doc, _, _ = render('<aside class="note">Kept</aside>\n\nTotal {{ 7 * 7 }} {% raw %}\n')
    assert doc.one("aside", cls="note").text == "Kept"
    assert doc.one("p").text == "Total {{ 7 * 7 }} {% raw %}"


def test_extra_extensions_render_tables_and_footnotes(render):
    doc, _, _ = render("| a | b |\n|---|---|\n| 1 | 2 |\n\nClaim.[^1]\n\n[^1]: Source.\n")
    assert [td.text for td in doc.one("table").find_all("td")] == ["1", "2"]
    assert doc.one("div", cls="footnote").find("li").text.startswith("Source.")


def test_footnotes_do_not_leak_into_the_next_body(render):
    render("Claim.[^1]\n\n[^1]: Source.\n", path="content/en/world/a.md")
    doc, _, _ = render("No notes here.\n", path="content/en/world/b.md")
    assert doc.find_all("div", cls="footnote") == []
    assert doc.one("p").text == "No notes here."


def test_figures_extension_works_on_its_own(parse_html):
    md = Markdown(extensions=[FiguresExtension()])
    doc = parse_html(md.convert('![alt](a.jpg "Caption")'))
    assert doc.one("figure", cls="body-figure").one("figcaption").text == "Caption"
    assert doc.one("img").get("src") == "a.jpg"


def test_a_percent_encoded_image_reference_names_the_file_with_a_space(render, tmp_path):
    (tmp_path / "content/images/polling station.jpg").write_bytes(b"jpeg")
    doc, used, errors = render("![A queue](/images/polling%20station.jpg)\n")
    assert errors == []
    assert used == [("content/images/polling station.jpg",
                     "media/images/polling station.jpg")]
    assert doc.one("img").get("src") == "/media/images/polling%20station.jpg"


EXTRA_FEATURES = """\
Intro with an abbreviation: NATO and a footnote.[^1]

```python
print("fenced")
```

| Party | Seats |
|-------|------:|
| Green | 12    |

Term
:   Its definition.

A paragraph
{: #lead .summary }

<div markdown="1">*Inside* raw HTML.</div>

1. one
2. two
* a list after
* an ordered one

*[NATO]: North Atlantic Treaty Organization
[^1]: The footnote.
"""


def test_the_extensions_are_those_named_in_the_cache_key():
    """Dateline passes Python-Markdown's extensions as instances (faster to set up than
    names); the HTML must be exactly what the names give."""
    import subprocess
    import sys

    from dateline.bodies import MARKDOWN_EXTENSIONS
    from dateline.build import markup

    by_name = Markdown(extensions=[*MARKDOWN_EXTENSIONS, FiguresExtension()],
                       output_format="html")
    expected = by_name.convert(EXTRA_FEATURES)
    # In a fresh process, as in a build: there the extensions are imported first by
    # Dateline (with Pygments hidden from codehilite).
    fresh = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom dateline.build import markup\n"
         "sys.stdout.write(markup._instance().convert(sys.stdin.read()))\n"
         "assert 'pygments' not in sys.modules"],
        input=EXTRA_FEATURES, capture_output=True, text=True, check=True)
    assert fresh.stdout == expected
    ours = Markdown(extensions=[*markup._extensions(MARKDOWN_EXTENSIONS), FiguresExtension()],
                    output_format="html")
    assert ours.convert(EXTRA_FEATURES) == expected
    for element in ("<table>", "<dl>", "<abbr", 'class="footnote"', "<pre><code",
                    'id="lead"', "<em>Inside</em>"):
        assert element in expected  # each of extra's members really took part


# ----- URL schemes: only http, https, mailto, tel and relative URLs

UNSAFE = [
    ("[x](javascript:alert(4))", "javascript"),
    ("[x](JaVaScRiPt:alert(4))", "javascript"),
    ("[x](&#106;avascript:alert(4))", "javascript"),  # a character reference
    ("[x](&#x6A;avascript&colon;alert(4))", "javascript"),
    ("[x](<java&#9;script:alert(4)>)", "javascript"),  # a tab, which URLs drop
    ("[x](vbscript:msgbox(1))", "vbscript"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data"),
    ("![x](data:image/png;base64,AAAA)", "data"),
    ("![x](javascript:alert(4))", "javascript"),
    ("[x][ref]\n\n[ref]: javascript:alert(4)", "javascript"),
    ("[x](file:///etc/passwd)", "file"),
    ('<a href="javascript:alert(4)">x</a>', "javascript"),
    ('<a href=" &#x0A;JAVASCRIPT:alert(4)">x</a>', "javascript"),
    ('<p><img src="vbscript:x" alt="x"></p>', "vbscript"),
    ('<div><iframe src="data:text/html,x"></iframe></div>', "data"),
    ('<p><img alt="x" srcset="a.jpg 1x, javascript:alert(4) 2x"></p>', "javascript"),
    ('<div markdown="1">[x](javascript:alert(4))</div>', "javascript"),
]


@pytest.mark.parametrize(("body", "scheme"), UNSAFE)
def test_unsafe_url_schemes_are_errors_at_their_line(render, body, scheme):
    doc, _, errors = render(f"Intro.\n\n{body}\n")
    assert len(errors) == 1, errors
    # Front matter takes lines 1-4; the URL is on the body's third line (a reference's
    # on its fifth, where it is defined).
    line = 9 if "[ref]:" in body else 7
    assert errors[0].startswith(f"content/en/world/x.md:{line}: <"), errors
    assert f"'{scheme}:' URLs are not allowed in articles" in errors[0]
    published = [value.lower() for node in doc.iter() for value in node.attrs.values()
                 if value]
    assert not any(f"{scheme}:" in "".join(v.split()) for v in published)


@pytest.mark.parametrize("body", [
    "[x](https://example.org/a?b=1&c=2)", "[x](http://example.org/)",
    "[x](mailto:desk@example.org)", "[x](tel:+420123456)", "[x](#notes)",
    "[x](../world/other/)", "[x](//cdn.example.org/a)", "[x](javascript-guide/)",
    "[x](java script:x)", "[x](&amp;#106;avascript:x)",
    '<a href="https://example.org/">x</a>', '<a href="&amp;#106;avascript:x">x</a>',
])
def test_safe_and_relative_urls_are_accepted(render, body):
    _, _, errors = render(f"{body}\n")
    assert errors == []


def _disguised(text: str, data) -> str:
    """`text` as an author could write it and a browser would still read it: any letter
    in either case or as a character reference, tabs and newlines anywhere, spaces and
    control characters in front."""
    out = [data.draw(st.sampled_from(["", " ", "&#32;", "&#x1;"]))]
    for char in text:
        char = data.draw(st.sampled_from([char.lower(), char.upper()]))
        out.append(data.draw(st.sampled_from([char, f"&#{ord(char)};",
                                              f"&#x{ord(char):x};", f"&#X{ord(char):02X};"])))
        out.append(data.draw(st.sampled_from(["", "", "&#9;", "&#10;", "&Tab;",
                                              "&NewLine;"])))
    return "".join(out)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), scheme=st.sampled_from(["javascript", "vbscript", "data"]),
       raw=st.booleans())
def test_disguised_unsafe_schemes_are_always_refused(render, data, scheme, raw):
    href = _disguised(f"{scheme}:", data) + "alert(4)"
    body = f'<a href="{href}">x</a>' if raw else f"[x](<{href}>)"
    doc, _, errors = render(f"{body}\n")
    assert len(errors) == 1 and f"'{scheme}:' URLs are not allowed" in errors[0], (body,
                                                                                   errors)
    for node in doc.iter():
        for value in node.attrs.values():
            assert scheme_of(value or "") in (None, "http", "https"), (body, value)
