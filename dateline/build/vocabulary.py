"""The site's sections and tags as the config lists them: a key an article uses that no
list has for its language is most likely misspelled (it would get a page of its own),
and a key with no label in a language borrows the default language's label.

The lists are a vocabulary only once the config has one: a site that lists no section
(or no tag) in any language takes every folder as a section (every tag as written)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

import msgspec

from ..config import Config
from ..errors import Problems, SourceRef
from ..model import Article

KINDS = ("sections", "tags")


def known_keys(config: Config, lang: str, kind: str) -> frozenset[str] | None:
    """The keys of `kind` a language may use: its own list and the default language's
    (whose labels it borrows); None when no language lists any (no vocabulary)."""
    if not any(getattr(language, kind) for language in config.languages):
        return None
    own = getattr(config.language(lang), kind)
    default = getattr(config.default, kind)
    return frozenset(key for key, _label in (*own, *default))


class Use(msgspec.Struct, frozen=True):
    """Where an article wrote its section and tags (None where it inherited them from
    its original, which is where they are reported)."""

    article: Article
    section_at: SourceRef | None
    from_folder: bool
    """The section is the article's folder, not written in its front matter."""
    tags_at: SourceRef | None


def check_vocabulary(uses: Iterable[Use], config: Config, problems: Problems) -> None:
    """Warn of each section and tag an article uses that its language does not know."""
    for use in uses:
        article = use.article
        sections = known_keys(config, article.lang, "sections")
        if sections is not None and use.section_at is not None \
                and article.section not in sections:
            what = f"section '{article.section}'"
            if use.from_folder:
                what = f"the folder content/{article.lang}/{article.section}/ (a section)"
            problems.warn(use.section_at, _unknown(
                what, article.section, article.lang, "sections", sections, config))
        tags = known_keys(config, article.lang, "tags")
        if tags is not None and use.tags_at is not None:
            for tag in article.tags:
                if tag not in tags:
                    problems.warn(use.tags_at, _unknown(f"tag '{tag}'", tag, article.lang,
                                                        "tags", tags, config))


def _unknown(what: str, key: str, lang: str, kind: str, known: frozenset[str],
             config: Config) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"did you mean '{close[0]}'? If not, " if close else ""
    return (f"{what} is not in [languages.{lang}.{kind}] of {config.config_path.name} "
            f"and would get pages of its own; {hint}add it there with its label")


def label_fallbacks(shown: Mapping[str, tuple[set[str], set[str]]],
                    config: Config) -> dict[str, int]:
    """Per language, how many of the section and tag keys its pages show have no label
    of its own and show the default language's instead. `shown`: language code →
    (section keys, tag keys)."""
    default = config.default
    counts = {}
    for code, (sections, tags) in shown.items():
        if code == default.code:
            continue
        language = config.language(code)
        missing = sum(
            1 for kind, keys in (("sections", sections), ("tags", tags)) for key in keys
            if key not in dict(getattr(language, kind)) and key in dict(getattr(default, kind)))
        if missing:
            counts[code] = missing
    return counts
