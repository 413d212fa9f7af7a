# ruff: noqa: E501 - the theme templates below keep their lines whole
"""The benchmark corpus as a Hugo site, with a minimal theme of its own.

The Markdown files are copied byte for byte from the Dateline corpus: Hugo reads the same
YAML front matter (title, date, summary, tags; authors and image as page params).
Multilingual the way Hugo's docs recommend for one folder per language: a `contentDir`
per language ("translation by content directory"), so the files with the same path in
each language are translations of each other; `defaultContentLanguageInSubdir` puts every
language under /<lang>/, strings come from i18n/<lang>.toml and dates are formatted per
language with `time.Format ":date_long"`. Photos are copied from static/ as they are
(Dateline makes resized JPEG and WebP renditions instead).

Pages: per language a paginated home, a paginated list per section and per tag, the tags
index, every article; RSS for homes and sections; Hugo's multilingual sitemaps.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

TEMPLATE = "layouts/partials/card.html"
"""The template the benchmark edits (used by every listing, like Dateline's card)."""
OUTPUT = "public"
COLD = ("public", "resources", ".hugo_build.lock")
"""What a cold build removes first."""

STRINGS = {
    "en": {"by": "By", "tags": "Tags", "photo": "Photo", "translations": "Also in",
           "newer": "Newer", "older": "Older"},
    "ru": {"by": "Авторы:", "tags": "Темы", "photo": "Фото", "translations": "Другие языки",
           "newer": "Новее", "older": "Старше"},
    "fa": {"by": "نویسندگان:", "tags": "برچسب‌ها", "photo": "عکس", "translations": "زبان‌های دیگر",
           "newer": "جدیدتر", "older": "قدیمی‌تر"},
}
NAMES = {"en": "English", "ru": "Русский", "fa": "فارسی", "ka": "ქართული", "ar": "العربية",
         "uk": "Українська", "hy": "Հայերեն", "ps": "پښتو"}
RTL = {"fa", "ar", "ps"}

LAYOUTS = {
    "layouts/_default/baseof.html": """\
<!DOCTYPE html>
<html lang="{{ site.Language.Lang }}" dir="{{ site.Language.LanguageDirection | default "ltr" }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} — {{ end }}{{ site.Title }}</title>
<link rel="stylesheet" href="{{ "style.css" | absURL }}">
<link rel="canonical" href="{{ .Permalink }}">
{{- range .AllTranslations }}
<link rel="alternate" hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">
{{- end }}
{{- with .OutputFormats.Get "rss" }}
<link rel="alternate" type="application/rss+xml" title="{{ site.Title }}" href="{{ .RelPermalink }}">
{{- end }}
</head>
<body>
<header>
  <a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
  <nav>{{ range site.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav>
  {{- with .Translations }}
  <nav aria-label="{{ i18n "translations" }}">{{ range . }}<a href="{{ .RelPermalink }}" hreflang="{{ .Language.Lang }}" lang="{{ .Language.Lang }}">{{ .Language.LanguageName }}</a> {{ end }}</nav>
  {{- end }}
</header>
<main>
{{ block "main" . }}{{ end }}
</main>
<footer><a href="{{ "tags/" | relLangURL }}">{{ i18n "tags" }}</a></footer>
</body>
</html>
""",
    "layouts/index.html": """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
{{ $pager := .Paginate site.RegularPages }}
{{ range $pager.Pages }}{{ partial "card.html" . }}{{ end }}
{{ partial "pager.html" $pager }}
{{ end }}
""",
    "layouts/_default/list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages }}
{{ range $pager.Pages }}{{ partial "card.html" . }}{{ end }}
{{ partial "pager.html" $pager }}
{{ end }}
""",
    "layouts/_default/terms.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "layouts/_default/single.html": """\
{{ define "main" }}
<article>
  <p><a href="{{ .CurrentSection.RelPermalink }}">{{ .CurrentSection.Title }}</a></p>
  <h1>{{ .Title }}</h1>
  <p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ time.Format ":date_long" .Date }}</time></p>
  {{- with .Params.authors }}
  <p>{{ i18n "by" }} {{ delimit . ", " }}</p>
  {{- end }}
  {{- with .Params.image }}
  <figure>
    <img src="{{ .src | relURL }}" alt="{{ .alt }}">
    <figcaption>{{ .caption }} <small>{{ .credit }}</small></figcaption>
  </figure>
  {{- end }}
  {{ .Content }}
  {{- with .GetTerms "tags" }}
  <p>{{ i18n "tags" }}: {{ range . }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
  {{- end }}
</article>
{{ end }}
""",
    "layouts/partials/card.html": """\
<article class="card">
  {{- with .Params.image }}
  <img src="{{ .src | relURL }}" alt="" loading="lazy">
  {{- end }}
  <h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
  <p>{{ .Summary }}</p>
  <p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ time.Format ":date_long" .Date }}</time></p>
</article>
""",
    "layouts/partials/pager.html": """\
{{- if gt .TotalPages 1 }}
<nav class="pagination">
  {{- if .HasPrev }}<a rel="prev" href="{{ .Prev.URL }}">{{ i18n "newer" }}</a>{{ end }}
  <span>{{ .PageNumber }} / {{ .TotalPages }}</span>
  {{- if .HasNext }}<a rel="next" href="{{ .Next.URL }}">{{ i18n "older" }}</a>{{ end }}
</nav>
{{- end }}
""",
    "static/style.css": "body{max-width:42rem;margin:auto;font-family:sans-serif}\n",
}


def write_site(corpus: Path, root: Path) -> dict:
    """Write the Hugo version of the Dateline corpus at `corpus` into `root`."""
    config = tomllib.loads((corpus / "dateline.toml").read_text(encoding="utf-8"))
    site, languages = config["site"], config["languages"]
    root.mkdir(parents=True, exist_ok=True)
    lines = [
        f'baseURL = "{site["base_url"]}"',
        f'defaultContentLanguage = "{site["default_language"]}"',
        "defaultContentLanguageInSubdir = true",
        "paginate = 12",
        "pluralizeListTitles = false",
        'timeZone = "UTC"',
        "disableKinds = []",
        "",
        "[taxonomies]",
        '  tag = "tags"',
        "",
        "[outputs]",
        '  home = ["HTML", "RSS"]',
        '  section = ["HTML", "RSS"]',
        '  taxonomy = ["HTML"]',
        '  term = ["HTML"]',
        "",
    ]
    for weight, (code, settings) in enumerate(languages.items(), start=1):
        lines += [
            f"[languages.{code}]",
            f'  contentDir = "content/{code}"',
            f'  languageName = "{NAMES.get(code, code)}"',
            f'  languageDirection = "{"rtl" if code in RTL else "ltr"}"',
            f'  title = "{settings["title"]}"',
            f"  weight = {weight}",
            "",
        ]
        shutil.copytree(corpus / "content" / code, root / "content" / code, dirs_exist_ok=True)
        strings = STRINGS.get(code, STRINGS["en"])
        i18n = root / "i18n" / f"{code}.toml"
        i18n.parent.mkdir(parents=True, exist_ok=True)
        i18n.write_text("".join(f'{key} = "{value}"\n' for key, value in strings.items()),
                        encoding="utf-8")
    (root / "hugo.toml").write_text("\n".join(lines), encoding="utf-8")
    shutil.copytree(corpus / "content" / "images", root / "static" / "images",
                    dirs_exist_ok=True)
    for name, text in LAYOUTS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return {"root": root, "languages": tuple(languages)}


def command(executable: str = "hugo") -> list[str]:
    """The CLI build (run in the site's folder); output in public/."""
    return [executable, "--quiet"]
