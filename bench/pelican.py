# ruff: noqa: E501 - the theme templates below keep their lines whole
"""The benchmark corpus as a Pelican site, with a minimal theme of its own.

Bodies are copied byte for byte; the YAML front matter becomes Pelican's own Markdown
metadata header (Title:, Date:, Summary:, Authors:, Tags:, Image…:), as a site moved to
Pelican would have it (Pelican reads no YAML front matter without a plugin).
Multilingual the way Pelican's docs recommend: each file's `lang` (and its category, the
section) comes from its path through PATH_METADATA, translations share a slug
(ARTICLE_TRANSLATION_ID, slugs from file names), and the i18n_subsites plugin
(pelican-i18n-subsites) builds one sub-site per extra language under /<lang>/ with its own
home, lists and feeds, linking each article to its translations.
Content caching is on (CACHE_CONTENT and LOAD_CONTENT_CACHE, the default 'reader'
caching layer, one cache folder per sub-site), so rebuilds reuse parsed articles; Pelican
still renders and writes every page on each run. Photos are copied as static files.

Pages: per language a paginated home, a paginated list per category (section) and tag,
the tags index, every article; Atom feeds for all articles and per category.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

import yaml

TEMPLATE = "theme/templates/card.html"
OUTPUT = "output"
COLD = ("output", "cache")

CONFIG = """\
# Pelican settings for the Dateline benchmark corpus (written by bench/pelican.py).
SITENAME = {sitename!r}
SITEURL = {siteurl!r}
PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
TIMEZONE = "UTC"
DEFAULT_LANG = {default!r}
DEFAULT_DATE_FORMAT = "%d %B %Y"
PATH_METADATA = r"(?P<lang>[a-z]{{2}})/(?P<category>[^/]+)/.*"
SLUGIFY_SOURCE = "basename"
STATIC_PATHS = ["images"]
ARTICLE_PATHS = {languages!r}

PLUGINS = ["pelican.plugins.i18n_subsites"]
I18N_SUBSITES = {subsites!r}

CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"

DEFAULT_PAGINATION = 12
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)
ARTICLE_URL = ARTICLE_LANG_URL = "{{category}}/{{slug}}/"
ARTICLE_SAVE_AS = ARTICLE_LANG_SAVE_AS = "{{category}}/{{slug}}/index.html"
CATEGORY_URL = "{{slug}}/"
CATEGORY_SAVE_AS = "{{slug}}/index.html"
TAG_URL = "tags/{{slug}}/"
TAG_SAVE_AS = "tags/{{slug}}/index.html"
TAGS_SAVE_AS = "tags/index.html"
DIRECT_TEMPLATES = ["index", "tags"]
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
PAGE_SAVE_AS = ""

FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{{slug}}.atom.xml"
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
"""

TEMPLATES = {
    "base.html": """\
<!DOCTYPE html>
<html lang="{{ DEFAULT_LANG }}" dir="{{ 'rtl' if DEFAULT_LANG in ('fa', 'ar', 'ps') else 'ltr' }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{{ SITENAME }}{% endblock %}</title>
<link rel="stylesheet" href="{{ main_siteurl }}/theme/style.css">
<link rel="alternate" type="application/atom+xml" href="{{ FEED_DOMAIN }}/{{ FEED_ALL_ATOM }}">
{% block head %}{% endblock %}
</head>
<body>
<header>
  <a href="{{ SITEURL }}/">{{ SITENAME }}</a>
  <nav>{% for category, _ in categories %}<a href="{{ SITEURL }}/{{ category.url }}">{{ category }}</a> {% endfor %}</nav>
  {% block languages %}{% endblock %}
</header>
<main>
{% block content %}{% endblock %}
</main>
<footer><a href="{{ SITEURL }}/{{ TAGS_URL | default('tags/') }}">Tags</a></footer>
</body>
</html>
""",
    "card.html": """\
<article class="card">
  {%- if article.image %}
  <img src="{{ article.image }}" alt="" loading="lazy">
  {%- endif %}
  <h2><a href="{{ SITEURL }}/{{ article.url }}">{{ article.title }}</a></h2>
  <p>{{ article.summary }}</p>
  <p><time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time></p>
</article>
""",
    "listing.html": """\
{% extends "base.html" %}
{% block content %}
<h1>{% block heading %}{{ SITENAME }}{% endblock %}</h1>
{% for article in articles_page.object_list %}{% include "card.html" %}{% endfor %}
{% if articles_page.has_other_pages() %}
<nav class="pagination">
  {%- if articles_page.has_previous() %}<a rel="prev" href="{{ SITEURL }}/{{ articles_previous_page.url }}">Newer</a>{% endif %}
  <span>{{ articles_page.number }} / {{ articles_paginator.num_pages }}</span>
  {%- if articles_page.has_next() %}<a rel="next" href="{{ SITEURL }}/{{ articles_next_page.url }}">Older</a>{% endif %}
</nav>
{% endif %}
{% endblock %}
""",
    "index.html": '{% extends "listing.html" %}\n',
    "category.html": '{% extends "listing.html" %}\n'
                     '{% block heading %}{{ category }}{% endblock %}\n',
    "tag.html": '{% extends "listing.html" %}\n{% block heading %}{{ tag }}{% endblock %}\n',
    "author.html": '{% extends "listing.html" %}\n{% block heading %}{{ author }}{% endblock %}\n',
    "tags.html": """\
{% extends "base.html" %}
{% block content %}
<h1>Tags</h1>
<ul>{% for tag, articles in tags|sort %}<li><a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a> ({{ articles|count }})</li>{% endfor %}</ul>
{% endblock %}
""",
    "article.html": """\
{% extends "base.html" %}
{% block title %}{{ article.title }} — {{ SITENAME }}{% endblock %}
{% block head %}
<link rel="canonical" href="{{ SITEURL }}/{{ article.url }}">
<link rel="alternate" hreflang="{{ article.lang }}" href="{{ SITEURL }}/{{ article.url }}">
{%- for translation in article.translations %}
<link rel="alternate" hreflang="{{ translation.lang }}" href="{{ SITEURL }}/{{ translation.url }}">
{%- endfor %}
{% endblock %}
{% block languages %}
{%- if article.translations %}
<nav>{% for translation in article.translations %}<a href="{{ SITEURL }}/{{ translation.url }}" hreflang="{{ translation.lang }}" lang="{{ translation.lang }}">{{ translation.lang }}</a> {% endfor %}</nav>
{%- endif %}
{% endblock %}
{% block content %}
<article>
  <p><a href="{{ SITEURL }}/{{ article.category.url }}">{{ article.category }}</a></p>
  <h1>{{ article.title }}</h1>
  <p><time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time></p>
  <p>By {{ article.authors | join(", ") }}</p>
  {%- if article.image %}
  <figure>
    <img src="{{ article.image }}" alt="{{ article.image_alt }}">
    <figcaption>{{ article.image_caption }} <small>{{ article.image_credit }}</small></figcaption>
  </figure>
  {%- endif %}
  {{ article.content }}
  <p>Tags: {% for tag in article.tags %}<a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a> {% endfor %}</p>
</article>
{% endblock %}
""",
}


def _header(front: dict) -> str:
    """Pelican's Markdown metadata header for one article's YAML front matter."""
    image = front.get("image") or {}
    fields = [
        ("Title", front["title"]),
        ("Date", front["date"].isoformat()),
        ("Summary", front.get("summary", "")),
        ("Authors", ", ".join(front.get("authors", []))),
        ("Tags", ", ".join(front.get("tags", []))),
        ("Reporting", ", ".join(front.get("reporting", []))),
        ("Image", image.get("src", "")),
        ("Image_alt", image.get("alt", "")),
        ("Image_caption", image.get("caption", "")),
        ("Image_credit", image.get("credit", "")),
    ]
    return "".join(f"{key}: {value}\n" for key, value in fields if value) + "\n"


def convert(text: str) -> str:
    """One Dateline article (YAML front matter) as a Pelican Markdown article."""
    _, front, body = text.split("---\n", 2)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return _header(yaml.load(front, Loader=loader)) + body.lstrip("\n")


def write_site(corpus: Path, root: Path) -> dict:
    """Write the Pelican version of the Dateline corpus at `corpus` into `root`."""
    config = tomllib.loads((corpus / "dateline.toml").read_text(encoding="utf-8"))
    site, languages = config["site"], config["languages"]
    default = site["default_language"]
    content = root / "content"
    for code in languages:
        for source in sorted((corpus / "content" / code).rglob("*.md")):
            target = content / source.relative_to(corpus / "content")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(convert(source.read_text(encoding="utf-8")), encoding="utf-8")
    shutil.copytree(corpus / "content" / "images", content / "images", dirs_exist_ok=True)
    subsites = {code: {"SITENAME": settings["title"]}
                for code, settings in languages.items() if code != default}
    (root / "pelicanconf.py").write_text(CONFIG.format(
        sitename=languages[default]["title"], siteurl=site["base_url"].rstrip("/"),
        default=default, languages=list(languages), subsites=subsites), encoding="utf-8")
    templates = root / "theme" / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    for name, text in TEMPLATES.items():
        (templates / name).write_text(text, encoding="utf-8")
    static = root / "theme" / "static"
    static.mkdir(parents=True, exist_ok=True)
    (static / "style.css").write_text(
        "body{max-width:42rem;margin:auto;font-family:sans-serif}\n", encoding="utf-8")
    return {"root": root, "languages": tuple(languages)}


def command() -> list[str]:
    """The CLI build (run in the site's folder); output in output/."""
    return [sys.executable, "-m", "pelican", "--quiet", "--settings", "pelicanconf.py"]
