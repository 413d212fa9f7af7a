"""`dateline translate <article.md> --lang xx [--name NAME]`: start a translation of a
story. The new file carries what a translator replaces (title, summary, the photo's
caption and alt text, the body, copied from the article) and leaves out what a
translation inherits from its original (`assemble.INHERITED`: section, tags,
dateline, reporting, breaking; and the photo itself), so that
a later change to the original reaches it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..config import Config
from ..errors import ContentError, Problem, SourceRef, display_path
from .newstory import check_language, check_name, front_matter, local_time, refuse, write_new
from .survey import Survey, survey


def start_translation(config: Config, source: Path, lang: str, name: str | None,
                      now: dt.datetime) -> Path:
    """Write the translation and return its path. Refuses (exit 2) an unknown or the
    same language, an unsafe name, and a story that already has a translation in `lang`
    (at that path, or anywhere with the story's translation_key); an article with
    errors is reported as they are (exit 1)."""
    shown = display_path(source.absolute(), config.paths.root)
    check_language(config, lang, f"--lang {lang}")
    found = survey(config, now)
    article = next((a for a in found.site.articles if a.source_path == source.resolve()),
                   None)
    if article is None:
        _not_an_article(found, shown, source, config)
    if article.lang == lang:
        refuse(f"--lang {lang}", f"{shown} is already in '{lang}'; name the language "
                                 "to translate it into")
    parts = list(found.doc_of(article).parts)
    stem = parts[-1].removesuffix(".md")
    if name is not None:
        stem = name.removesuffix(".md")
        check_name(config, lang, stem, "name", f"--name {name}")
    target_parts = [lang, *parts[1:-1], f"{stem}.md"]
    target = config.paths.content.joinpath(*target_parts)
    existing = [a for a in found.story(article.translation_key) if a.lang == lang]
    # Held back or not, a file of the story in that language is its translation.
    if existing:
        theirs = existing[0].source.path
        where = display_path(target, config.paths.root)
        refuse(where, f"already exists: it is the story's translation in '{lang}'; edit it"
               if theirs == where else f"the story already has a translation in '{lang}': "
               f"{theirs}; edit that file")
    own_key = "/".join(target_parts[1:]).removesuffix(".md")
    fields = _fields(found, article, own_key, lang, now, config)
    write_new(target, front_matter(fields) + found.doc_of(article).body, config)
    return target


def _not_an_article(found: Survey, shown: str, source: Path, config: Config) -> None:
    if not source.is_file():
        refuse(shown, "no such file; name the article's Markdown file, e.g. "
                      "content/en/world/budget-vote.md")
    if not source.resolve().is_relative_to(config.paths.content.resolve()):
        refuse(shown, f"is not under {display_path(config.paths.content, config.paths.root)}"
                      "/; name an article of this site")
    own = [p for p in found.problems.errors if p.where.path == shown]
    raise ContentError(own or [Problem(SourceRef(shown, 1), "this article has errors; "
                                                            "fix them first")])


def _fields(found: Survey, article, own_key: str, lang: str, now: dt.datetime,
            config: Config) -> dict:
    """The new file's front matter: the words to translate, the story's key when the
    file's own path would not give it, and draft: true."""
    fields: dict = {"title": article.title}
    if article.translation_key != own_key:
        fields["translation_key"] = article.translation_key
    fields["date"] = local_time(config, lang, now)
    # Not inherited: without them the translation would have no byline.
    if article.authors:
        fields["authors"] = list(article.authors)
    fields["summary"] = article.summary
    # The photo, its crop and credit come from the original unless the translation names
    # a photo of its own; alt text and caption are words to translate. The credit is
    # copied because a translation's own image block does not inherit it.
    if (image := article.image) is not None:
        words = {"alt": image.alt, "caption": image.caption,
                 "credit": "" if image.credit_from_photo else image.credit}
        fields["image"] = {k: v for k, v in words.items() if v or k == "alt"}
    fields["draft"] = True
    return fields
