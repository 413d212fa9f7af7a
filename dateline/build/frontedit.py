"""Front-matter edits that keep the plan's shape: a source whose front matter changed in
keys no listing, order, URL or photo rendition depends on (a retitle, a new summary or
`updated`, other words for a published photo) is read again through the same pipeline
as the full path's (`front_matter.load_yaml`, `assemble.read_fields`) and its new
version made from the last one (`with_front`), so the saved plan stands. Anything else
takes the full path. See docs/incremental.md."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from msgspec import Struct, structs

from ..config import Config
from ..errors import Problems
from ..fields import FrontMatter
from ..model import Article
from ..read import Document
from .assemble import read_fields

KEPT_KEYS = frozenset({"title", "summary", "updated"})
"""Keys no page's place depends on. Not: `date` (the order of every listing), `section`,
`tags`, `authors`, `slug`, `translation_key` (listings, URLs), `draft`, `expires`,
`breaking`, `breaking_until` (what is published, listed or in the banner), `dateline`
and `reporting` (inherited by translations, `fields.INHERITED`), `corrections` (the
corrections pages and feed), `original` (which version others inherit from). Nothing
sorts by a title or a summary (listings: by date, language and URL; tags and sections:
by their labels; the staff: by name), and `updated` moves no article between listings
(it is a breaking story's banner end: `reuse.same_shape` refuses those)."""

IMAGE_WORDS = ("alt", "caption", "credit")
"""The photo's words: its renditions (`src`, `ratio`, `focus`) stand."""


class FrontEdit(Struct, frozen=True):
    """A source's new front matter, read and checked, that keeps the plan's shape."""

    meta: dict
    key_lines: dict
    fields: FrontMatter
    doc: Document


def keeps_shape(old: dict, new: dict) -> bool:
    """Whether front matter `new` (as loaded) differs from `old` in `KEPT_KEYS` and the
    photo's words alone."""
    for key in (old.keys() | new.keys()) - KEPT_KEYS - {"image"}:
        if key not in old or key not in new or old[key] != new[key]:
            return False
    return _same_photo(old.get("image"), new.get("image"))


def _same_photo(old: object, new: object) -> bool:
    if old == new:
        return True
    if not (isinstance(old, dict) and isinstance(new, dict)) or old.keys() != new.keys():
        return False
    # A word left out or empty is taken from the photo's IPTC fields (`renditions.
    # plan_image`) and a missing alt is a warning: only a word written before and after
    # may change.
    return all(old[key] == new[key] or (key in IMAGE_WORDS and _written(old[key])
                                        and _written(new[key])) for key in old)


def _written(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def read_edit(doc: Document, yaml_text: str, config: Config, problems: Problems
              ) -> FrontEdit | None:
    """`doc`'s front matter (`yaml_text`) loaded and checked as the full path does; None
    when that reported anything (the full path reports it, at its line)."""
    from ..front_matter import load_yaml  # PyYAML only when there is YAML to read

    loaded = load_yaml(yaml_text, doc.ref, problems)
    if loaded is None or problems.errors or problems.warnings:
        return None
    meta, key_lines = loaded
    doc = replace(doc, meta=meta, key_lines=key_lines)
    fields = read_fields(doc, config, problems)
    if fields is None or problems.errors or problems.warnings:
        return None
    return FrontEdit(meta, key_lines, fields, doc)


def with_front(article: Article, edit: FrontEdit) -> Article:
    """The article's new version with the edit's title, summary, `updated` and photo
    words (`keeps_shape` said nothing else changed)."""
    fields, doc = edit.fields, edit.doc
    image = article.image
    if image is not None and fields.image is not None:
        spec = fields.image
        image = structs.replace(
            image, alt=spec.alt or "", caption=spec.caption or image.caption,
            credit=spec.credit or image.credit,
            where=doc.at("image.src" if "image.src" in doc.key_lines else "image"))
    return structs.replace(article, title=fields.title, summary=fields.summary,
                           updated=fields.updated, image=image, body_line=doc.body_line)


def words_inherited(articles: Iterable[Article], article: Article) -> bool:
    """Whether another version of the article's story among `articles` (the site's)
    shows its photo with its words (a translation without an image block:
    `assemble._inherit`)."""
    return any(other.translation_key == article.translation_key and other.lang != article.lang
               and other.image is not None and other.image.text_lang == article.lang
               for other in articles)
