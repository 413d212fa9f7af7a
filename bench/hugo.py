# ruff: noqa: E501 - the theme templates below keep their lines whole
"""The benchmark corpus as a Hugo site, with a minimal theme of its own.

The Markdown files are copied byte for byte from the Dateline corpus: Hugo reads the same
YAML front matter (title, date, summary, tags; authors and image as page params).
Multilingual the way Hugo's docs recommend for one folder per language: a `contentDir`
per language ("translation by content directory"), so the files with the same path in
each language are translations of each other; `defaultContentLanguageInSubdir` puts every
language under /<lang>/, strings come from i18n/<lang>.toml and dates are formatted per
language with `time.Format ":date_long"`.

Photos (`photos="process"`, the default): the originals go to assets/images/ and the
templates make the renditions Dateline makes, with Hugo's own image processing
(`resources.Get`, `.Resize`, `.Fill`): on article pages a <picture> with WebP at 480, 960
and 1600 px wide (never upscaled: wider than the source is dropped and the source width is
the largest) and a JPEG fallback <img srcset> at the same widths; on listing cards 16:9
centre crops at 480 and 960 px, WebP and JPEG. Quality 80; Hugo's default resampling
(Box; Dateline's Pillow uses Lanczos, which costs more); Hugo writes no metadata into what it encodes.
Hugo caches renditions in resources/_gen/. With `photos="copy"` the originals are copied
from static/ as they are and pages show them in a plain <img>.

Heads: Hugo's built-in Open Graph, Twitter card and schema.org templates, plus the lead
photo (its JPEG nearest 960 px wide) as og:image and twitter:image on article pages,
which the built-in ones only take from an `images` front matter list or a page bundle.

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
PHOTO_CACHE = "resources/_gen/images"
"""Hugo's file cache of processed images (kept by the "renditions cached" build)."""

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

PHOTOS = ("process", "copy")
"""How the Hugo site publishes photos: renditions made by Hugo (default) or the originals."""
WIDTHS = (480, 960, 1600)
CARD_WIDTHS = (480, 960)
CARD_RATIO = (16, 9)
QUALITY = 80
"""Dateline's defaults (dateline/photos/photos.py PhotoSettings, CARD_RATIO)."""

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
{{ template "_internal/opengraph.html" . }}
{{ template "_internal/twitter_cards.html" . }}
{{ template "_internal/schema.html" . }}
{{- if .IsPage }}{{ partial "head-image.html" . }}{{ end }}
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

SINGLE = """\
{{ define "main" }}
<article>
  <p><a href="{{ .CurrentSection.RelPermalink }}">{{ .CurrentSection.Title }}</a></p>
  <h1>{{ .Title }}</h1>
  <p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ time.Format ":date_long" .Date }}</time></p>
  {{- with .Params.authors }}
  <p>{{ i18n "by" }} {{ delimit . ", " }}</p>
  {{- end }}
  {{- with .Params.image }}
  <figure class="lead-figure">
    %(lead)s
    <figcaption><span class="caption">{{ .caption }}</span> <small class="credit"><bdi>{{ .credit }}</bdi></small></figcaption>
  </figure>
  {{- end }}
  {{ .Content }}
  {{- with .GetTerms "tags" }}
  <p>{{ i18n "tags" }}: {{ range . }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
  {{- end }}
</article>
{{ end }}
"""

CARD = """\
<article class="card">
  {{- with .Params.image }}
  %(card)s
  {{- end }}
  <h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
  <p>{{ .Summary }}</p>
  <p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ time.Format ":date_long" .Date }}</time></p>
</article>
"""

HEAD_IMAGE = """\
{{- with .Params.image }}{{ $alt := .alt }}
%(image)s
<meta property="og:image:alt" content="{{ $alt }}">
<meta name="twitter:image:alt" content="{{ $alt }}">
{{- end }}
"""

# Renditions made by Hugo, from assets/images/ (`.` in the card and the lead is the front
# matter's image map). The "renditions.html" partial plans them the way Dateline's
# plan_picture does and returns the srcsets; partialCached runs it once per photo, crop
# and language (Hugo 0.111 keeps that cache per language), and Hugo encodes each
# rendition once per build. Nothing asks for the original's own URL, so Hugo does not
# publish the original (Dateline does not either).
PROCESS = {
    "lead": """\
{{- $alt := .alt }}{{ $key := .src }}
    {{- with resources.Get (strings.TrimPrefix "/" .src) }}
    {{- $p := partialCached "renditions.html" (dict "image" . "widths" (slice %(widths)s)) $key "lead" }}
    <picture>
<source type="image/webp" srcset="{{ $p.webp }}" sizes="(min-width: 60rem) 56rem, 100vw">
<img src="{{ $p.src.RelPermalink }}"{{ if gt $p.count 1 }} srcset="{{ $p.jpg }}" sizes="(min-width: 60rem) 56rem, 100vw"{{ end }} width="{{ $p.width }}" height="{{ $p.height }}" alt="{{ $alt }}" fetchpriority="high" decoding="async">
</picture>
    {{- end }}""",
    "card": """\
{{- $key := .src }}
  {{- with resources.Get (strings.TrimPrefix "/" .src) }}
  {{- $p := partialCached "renditions.html" (dict "image" . "widths" (slice %(card_widths)s) "ratio" (slice %(ratio)s)) $key "card" }}
  <picture class="card__picture">
<source type="image/webp" srcset="{{ $p.webp }}" sizes="(min-width: 64rem) 24rem, (min-width: 40rem) 45vw, 100vw">
<img class="card__image" src="{{ $p.src.RelPermalink }}"{{ if gt $p.count 1 }} srcset="{{ $p.jpg }}" sizes="(min-width: 64rem) 24rem, (min-width: 40rem) 45vw, 100vw"{{ end }} width="{{ $p.width }}" height="{{ $p.height }}" alt="" loading="lazy" decoding="async">
</picture>
  {{- end }}""",
    "image": """\
{{- $key := .src }}
{{- with resources.Get (strings.TrimPrefix "/" .src) }}
{{- $p := partialCached "renditions.html" (dict "image" . "widths" (slice %(widths)s)) $key "lead" }}
<meta property="og:image" content="{{ $p.src.Permalink }}">
<meta property="og:image:type" content="image/jpeg">
<meta name="twitter:image" content="{{ $p.src.Permalink }}">
{{- end }}""",
    "renditions": """\
{{- /* Renditions of one photo at the given widths, as Dateline's plan_picture: the
  largest box of `ratio` (centred) or the whole photo; widths not below the box's width
  are dropped and the box's own width is then the largest (never upscaled). A WebP and a
  JPEG at each width, quality %(quality)d. Returns the srcsets, the JPEG nearest 960 px
  wide (src: a resource), the size of the largest and the number of widths. */ -}}
{{- $img := .image }}
{{- $cw := $img.Width }}
{{- $ch := $img.Height }}
{{- with .ratio }}
  {{- $rw := index . 0 }}
  {{- $rh := index . 1 }}
  {{- if gt (mul $img.Width $rh) (mul $img.Height $rw) }}
    {{- $cw = div (add (mul $img.Height $rw) (div $rh 2)) $rh }}
  {{- else }}
    {{- $ch = div (add (mul $img.Width $rh) (div $rw 2)) $rw }}
  {{- end }}
{{- end }}
{{- $widths := slice }}
{{- $max := 0 }}
{{- range .widths }}
  {{- if lt . $cw }}{{ $widths = $widths | append . }}{{ end }}
  {{- if gt . $max }}{{ $max = . }}{{ end }}
{{- end }}
{{- if or (not $widths) (ge $max $cw) }}{{ $widths = $widths | append $cw }}{{ end }}
{{- $webp := slice }}
{{- $jpg := slice }}
{{- $src := "" }}
{{- $distance := -1 }}
{{- $width := 0 }}
{{- $height := 0 }}
{{- range $w := $widths }}
  {{- $h := div (add (mul $ch $w) (div $cw 2)) $cw }}
  {{- $modern := "" }}
  {{- $fallback := "" }}
  {{- if $.ratio }}
    {{- $modern = $img.Fill (printf "%%dx%%d Center webp q%(quality)d" $w $h) }}
    {{- $fallback = $img.Fill (printf "%%dx%%d Center jpg q%(quality)d" $w $h) }}
  {{- else }}
    {{- $modern = $img.Resize (printf "%%dx webp q%(quality)d" $w) }}
    {{- $fallback = $img.Resize (printf "%%dx jpg q%(quality)d" $w) }}
  {{- end }}
  {{- $webp = $webp | append (printf "%%s %%dw" $modern.RelPermalink $w) }}
  {{- $jpg = $jpg | append (printf "%%s %%dw" $fallback.RelPermalink $w) }}
  {{- $d := sub $w 960 }}
  {{- if lt $d 0 }}{{ $d = sub 0 $d }}{{ end }}
  {{- if or (lt $distance 0) (lt $d $distance) }}{{ $src = $fallback }}{{ $distance = $d }}{{ end }}
  {{- $width = $fallback.Width }}
  {{- $height = $fallback.Height }}
{{- end }}
{{- return dict "webp" (delimit $webp ", ") "jpg" (delimit $jpg ", ") "src" $src "width" $width "height" $height "count" (len $widths) }}
""",
}

COPY = {
    "lead": """\
<img src="{{ .src | relURL }}" alt="{{ .alt }}" fetchpriority="high" decoding="async">""",
    "card": """\
<img src="{{ .src | relURL }}" alt="" loading="lazy" decoding="async">""",
    "image": """\
<meta property="og:image" content="{{ .src | absURL }}">
<meta property="og:image:type" content="image/jpeg">
<meta name="twitter:image" content="{{ .src | absURL }}">""",
}


def layouts(photos: str = "process") -> dict[str, str]:
    """Path → text of every template and static file of the Hugo site."""
    if photos not in PHOTOS:
        raise ValueError(f"photos must be one of {', '.join(PHOTOS)}, not {photos!r}")
    if photos == "copy":
        parts = COPY
    else:
        numbers = {"widths": " ".join(map(str, WIDTHS)),
                   "card_widths": " ".join(map(str, CARD_WIDTHS)),
                   "ratio": " ".join(map(str, CARD_RATIO)), "quality": QUALITY}
        parts = {name: text % numbers for name, text in PROCESS.items()}
    found = {**LAYOUTS,
             "layouts/_default/single.html": SINGLE % {"lead": parts["lead"]},
             "layouts/partials/card.html": CARD % {"card": parts["card"]},
             "layouts/partials/head-image.html": HEAD_IMAGE % {"image": parts["image"]}}
    if "renditions" in parts:
        found["layouts/partials/renditions.html"] = parts["renditions"]
    return found


def write_site(corpus: Path, root: Path, photos: str = "process") -> dict:
    """Write the Hugo version of the Dateline corpus at `corpus` into `root`; `photos` is
    "process" (renditions made by Hugo from assets/) or "copy" (originals in static/)."""
    files = layouts(photos)
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
        "[imaging]",
        '  anchor = "Center"',
        f"  quality = {QUALITY}",
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
            f"[languages.{code}.params]",
            f'  title = "{settings["title"]}"',  # og:site_name in _internal/opengraph.html
            f'  description = "{settings.get("about", "")}"',
            "",
        ]
        shutil.copytree(corpus / "content" / code, root / "content" / code, dirs_exist_ok=True)
        strings = STRINGS.get(code, STRINGS["en"])
        i18n = root / "i18n" / f"{code}.toml"
        i18n.parent.mkdir(parents=True, exist_ok=True)
        i18n.write_text("".join(f'{key} = "{value}"\n' for key, value in strings.items()),
                        encoding="utf-8")
    (root / "hugo.toml").write_text("\n".join(lines), encoding="utf-8")
    # Hugo processes images from assets/ (resources.Get); static/ is copied as it is.
    shutil.copytree(corpus / "content" / "images",
                    root / ("assets" if photos == "process" else "static") / "images",
                    dirs_exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return {"root": root, "languages": tuple(languages), "photos": photos}


def command(executable: str = "hugo") -> list[str]:
    """The CLI build (run in the site's folder); output in public/."""
    return [executable, "--quiet"]
