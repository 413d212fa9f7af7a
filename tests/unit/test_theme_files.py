"""theme_files.py: theme assets under content-hashed names, stylesheets pointing at them."""

from pathlib import Path

from dateline.build.theme_files import publish_theme_files


def theme(tmp_path: Path, files: dict[str, bytes | str]) -> dict[str, Path]:
    static = {}
    for name, data in files.items():
        path = tmp_path / "static" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        static[name] = path
    return static


def test_a_stylesheet_names_the_hashed_files_it_uses(tmp_path):
    static = theme(tmp_path, {
        "css/site.css": ("@import 'base.css';\n"
                         "@font-face { src: url(../fonts/serif.woff2?v=2#x) }\n"
                         "h1 { background: url('../img/logo.svg') }\n"
                         "p { background: url(data:image/png;base64,AAAA) }\n"
                         "a { background: url(https://cdn.example.org/a.png) }\n"
                         "b { background: url(/absolute.png) url(missing.png) }\n"),
        "css/base.css": "body { margin: 0 }\n",
        "fonts/serif.woff2": b"font",
        "img/logo.svg": "<svg/>",
    })
    published = publish_theme_files(static)
    css = published["css/site.css"].data.decode()
    font, logo, base = (published[n].url for n in ("fonts/serif.woff2", "img/logo.svg",
                                                    "css/base.css"))
    assert font.startswith("static/fonts/serif.") and font != "static/fonts/serif.woff2"
    assert f"url(../fonts/{Path(font).name}?v=2#x)" in css
    assert f"url('../img/{Path(logo).name}')" in css
    assert f"@import '{Path(base).name}'" in css
    for untouched in ("url(data:image/png;base64,AAAA)", "url(https://cdn.example.org/a.png)",
                      "url(/absolute.png)", "url(missing.png)"):
        assert untouched in css
    # The stylesheet's name follows the files it uses.
    (tmp_path / "static/fonts/serif.woff2").write_bytes(b"another font")
    again = publish_theme_files(static)
    assert again["css/site.css"].url != published["css/site.css"].url
    assert again["css/base.css"].url == published["css/base.css"].url


def test_a_stylesheet_is_published_minified(tmp_path):
    static = theme(tmp_path, {"style.css": "/* why */ body { color: #222 }\n",
                              "min.css": "body{color:#222}", "a.css": "@import 'b.css';",
                              "b.css": "@import 'a.css';"})
    published = publish_theme_files(static)
    assert published["style.css"].data == b"body{color:#222}"
    assert published["min.css"].data is None  # already minified: copied as it is
    assert published["style.css"].url == published["min.css"].url.replace("min.", "style.")
    assert set(published) == {"style.css", "min.css", "a.css", "b.css"}  # a loop does not hang
