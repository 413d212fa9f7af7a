"""Turn documents into a validated `Site`: typed fields, inherited translation fields,
drafts and future articles held back, URLs assigned and checked for collisions."""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from msgspec import structs

from .. import urls
from ..config import Config
from ..digests import digest_bytes
from ..errors import Problems
from ..fields import (
    INHERITED,
    FrontMatter,
    Reading,
    check_fields,
    forget_shared_names,
    front_matter,
    shared_names,
)
from ..incremental.memo import AssemblyMemo, settings_token
from ..model import Article, Asset, Image, Site
from ..read import Document
from ..slugs import make_slug, shown, slug_problem
from .collisions import check_tag_collisions, check_translation_keys, check_url_collisions
from .contentfiles import ContentFiles, resolve_content_file
from .embargo import hold_back
from .portraits import plan_portraits
from .schedule import take_out_expired
from .vocabulary import Use, check_vocabulary


@dataclass(frozen=True)
class Assembly:
    """How to assemble: which articles count as published, and what the caller knows."""

    drafts: bool = False
    future: bool = False
    bodies: dict[str, str] | None = None
    plan_image: Callable[[Image, Problems], Image | None] | None = None
    memo: AssemblyMemo | None = None
    files: ContentFiles | None = None
    fields_wanted: Callable[[Document], Document] | None = None
    """The document to read each document's fields from, asked just before they are
    read: the caller may keep a document's front matter elsewhere until then
    (`frontrows`); nothing here reads it again."""


def assemble(docs: list[Document], config: Config, now: datetime, problems: Problems,
             how: Assembly = Assembly()) -> Site:  # noqa: B008 - frozen
    """Validate documents and build the site's model. Problems are recorded, not raised.
    `how.drafts`, `how.future`: publish drafts and scheduled articles too. `bodies`
    holds the id of each source file's rendered body, when the caller has them;
    `plan_image` completes each lead photo (its renditions), or reports it unusable;
    `memo` holds what earlier builds made, reused where the inputs are the same;
    `files`, lookups of files under content/ still true (nothing but Markdown changed
    there since they were made); `fields_wanted`, the document to read each one's
    fields from."""
    drafts, future, bodies, plan_image, memo, files = (
        how.drafts, how.future, how.bodies, how.plan_image, how.memo, how.files)
    reuse = _Reuse(memo or AssemblyMemo(), settings_token(config))
    entries = _inherit_from_originals(list(_fields_of(
        _known_language_docs(docs, config, problems), reuse, config, problems,
        how.fields_wanted)), config)
    files = files or ContentFiles(config.paths.content)
    files.plan_image = plan_image
    articles: list[Article] = []
    # Its warnings after those of making the articles, as when it ran after them all.
    vocabulary = Problems()
    check_vocabulary(_made(entries, reuse, articles, config, problems, files, bodies or {}),
                     config, vocabulary)
    problems.warnings.extend(vocabulary.warnings)
    published, held_back = [], []
    for article, why in hold_back(articles, now, drafts, future):
        if why:
            held_back.append((article, why))
        else:
            published.append(article)
    expiry = take_out_expired(published, now, config)
    published, held_back, timeline = expiry.kept, held_back + expiry.removed, expiry.timeline
    archived = set(timeline.archived)
    check_url_collisions(published, problems)
    by_ref = {doc.ref: doc for doc in docs}
    check_tag_collisions(published, by_ref, config, problems)
    check_translation_keys(published, by_ref, problems)
    published.sort(key=lambda a: (-a.date.timestamp(), a.lang, a.url))
    assets = {a.image.source: Asset(a.image.source, a.image.url)
              for a in published if a.image}
    return Site(
        config=config, articles=tuple(published),
        groups=_group([a for a in published if a.url not in archived], config),
        held_back=tuple(sorted(held_back, key=lambda h: h[0].source.path)),
        assets=tuple(sorted(assets.values(), key=lambda asset: asset.url)),
        warnings=tuple(problems.warnings), timeline=timeline,
        portraits=plan_portraits(config, files, problems),
    )


def _fields_of(docs, reuse: _Reuse, config: Config, problems: Problems,
               fields_wanted: Callable[[Document], Document] | None):
    """(document, its fields) of those whose fields are valid."""
    for doc in docs:
        read = fields_wanted(doc) if fields_wanted is not None else doc
        fields = reuse.fields(read, config, problems)
        del read  # (a copy with its front matter: nothing reads it again)
        if fields is not None:
            yield doc, fields


def _made(entries: list[Entry], reuse: _Reuse, articles: list[Article], config: Config,
          problems: Problems, files: ContentFiles, bodies: dict[str, str]):
    """Each article made into `articles`, and its `Use` (where it wrote its section and
    tags) for the vocabulary check as it is made. `entries` is emptied as it goes: an
    entry (a translation's fields with what it inherited) is let go once its article is
    made, not held for every article until the last is made, the build's peak (issue 19:
    ~14 MiB at 60,000 articles), nor is its `Use` (~180 bytes an article)."""
    entries.reverse()
    while entries:
        entry = entries.pop()
        article = reuse.article(entry, config, problems, files, bodies)
        if article is not None:
            articles.append(article)
            yield _use_of(article, entry)


def _use_of(article: Article, entry: Entry) -> Use:
    """Where the article wrote its section and tags, for `check_vocabulary`."""
    doc = entry.doc
    written = entry.fields.written
    from_folder = not entry.fields.section
    section_at = (doc.at() if from_folder else doc.at("section") if "section" in written
                  else None)
    return Use(article, section_at, from_folder,
               doc.at("tags") if "tags" in written else None)


class _Reuse:
    """Looks each source up in the memo before validating it, and remembers what was
    made without any problem."""

    def __init__(self, memo: AssemblyMemo, token: str):
        self.memo = memo
        self.token = token
        memo.start()

    def fields(self, doc: Document, config: Config, problems: Problems) -> FrontMatter | None:
        path, inputs = doc.path, (doc.digest, self.token)
        if (cached := self.memo.cached_fields(path, inputs)) is not None:
            return cached
        before = problems.count()
        fields = read_fields(doc, config, problems)
        if fields is not None and problems.count() == before:
            self.memo.remember_fields(path, inputs, fields)
        return fields

    def article(self, f: Entry, config: Config, problems: Problems, files: ContentFiles,
                bodies: dict[str, str]) -> Article | None:
        doc = f.doc
        inputs = self._article_inputs(f, files, bodies)
        path = doc.path
        if inputs is not None and (cached := self.memo.cached_article(path, inputs)):
            return cached
        before = problems.count()
        article = _make_article(f, config, problems, files, bodies)
        if article is not None and inputs is not None and problems.count() == before:
            self.memo.remember_article(path, inputs, article)
        return article

    def _article_inputs(self, f: Entry, files: ContentFiles,
                        bodies: dict[str, str]) -> bytes | None:
        """A digest of everything `_make_article` reads: the file and its rendered body
        (which also depends on the photos it shows), what it inherited (all from the
        original's file), its place in the story, and the lead photo's file as it is on
        disk now. None when the photo cannot be found (that must be reported).

        A digest, not the values: the memo holds it for every article until the pages
        are planned, and the tuple of them took ~190 bytes an article at the build's
        peak (issue 19). Its `repr` is stable: texts, numbers, None, tuples of them."""
        doc, original = f.doc, f.original_doc
        photo = None
        if (spec := f.fields.image) is not None and spec.src is not None:
            source, problem = files.locate(spec.src, os.path.dirname(f.photo_owner.path))
            if source is None or problem:
                return None
            photo = (str(source), files.stat_key(source))
        return digest_bytes(repr((doc.digest, bodies.get(doc.path, ""), self.token, f.key,
                                  f.is_original, (original.path, original.digest)
                                  if original is not None else None, photo)).encode())


def _known_language_docs(docs: list[Document], config: Config, problems: Problems):
    reported = set()
    codes = set(config.language_codes)
    for doc in docs:
        lang = doc.parts[0]
        if lang in codes:
            yield doc
        elif len(doc.parts) == 1:
            problems.error(doc.at(), "an article must be inside a language folder: "
                           "content/<lang>/<section>/<name>.md")
        elif lang not in reported:
            reported.add(lang)
            problems.error(doc.at(), f"content/{lang}/ is not a configured language; add "
                           f"[languages.{lang}] to {config.config_path.name} or move the file")


def read_fields(doc: Document, config: Config, problems: Problems) -> FrontMatter | None:
    """Check the file's front matter against the table of fields (`dateline.fields`)."""
    reading = Reading(doc.meta, doc.at, ZoneInfo(config.site.timezone), problems)
    check_fields(reading)
    if len(doc.parts) < 3 and not reading.values.get("section"):
        reading.error("section", "an article must be in a section folder "
                      "(content/<lang>/<section>/<name>.md) or set 'section'")
    return front_matter(reading)


@dataclass(frozen=True, slots=True)
class Entry:
    """One source file on its way to an `Article`: its checked fields, with those it
    inherited from its story's original, and where they came from."""

    doc: Document
    fields: FrontMatter
    """After inheritance; `fields.written` still names the keys this file set."""
    key: str
    """The story's translation key."""
    is_original: bool = False
    original_doc: Document | None = None
    """The story's original, for a translation that has one."""
    image_from: Document | None = None
    """The document that names the lead photo, when it is the original's."""
    image_lang: str | None = None
    """The language of the image's words, when the whole block is the original's."""

    @property
    def photo_owner(self) -> Document:
        return self.image_from or self.doc


def _inherit_from_originals(read: list[tuple[Document, FrontMatter]],
                            config: Config) -> list[Entry]:
    """Fill the fields a translation left out from its story's original."""
    # One string for a story's key, held by every version of it (a string each was ~45
    # bytes an article more, to the end of the build; issue 19).
    one: dict[str, str] = {}
    keys = [one.setdefault(key, key)
            for key in (f.translation_key or _default_key(doc) for doc, f in read)]
    del one
    by_key: dict[str, list[tuple[Document, FrontMatter]]] = defaultdict(list)
    for key, pair in zip(keys, read, strict=True):
        by_key[key].append(pair)
    originals = {key: _original_of(group, config) for key, group in by_key.items()}
    return [_inherit(pair, key, originals[key]) for key, pair in zip(keys, read, strict=True)]


def _original_of(group: list[tuple[Document, FrontMatter]],
                 config: Config) -> tuple[Document, FrontMatter] | None:
    marked = [pair for pair in group if pair[1].original]
    if marked:
        return marked[0]
    default = [pair for pair in group if pair[0].parts[0] == config.site.default_language]
    return default[0] if default else None


def _inherit(pair: tuple[Document, FrontMatter], key: str,
             original: tuple[Document, FrontMatter] | None) -> Entry:
    doc, mine = pair
    if original is None or original[0] is doc:
        return Entry(doc, mine, key, is_original=original is not None)
    their_doc, theirs = original
    taken = {name: getattr(theirs, name) for name in INHERITED
             if name not in mine.written and name in theirs.written}
    fields = structs.replace(mine, **taken)
    photo = theirs.image
    if photo is None or photo.src is None:
        return Entry(doc, fields, key, original_doc=their_doc)
    if mine.image is None:
        # No image block at all: the same photo with the original's words, marked as such.
        return Entry(doc, structs.replace(fields, image=photo), key, original_doc=their_doc,
                     image_from=their_doc, image_lang=sys.intern(their_doc.parts[0]))
    if mine.image.src is None:
        own = mine.image
        image = structs.replace(own, src=photo.src,
                                ratio=own.ratio if own.ratio is not None else photo.ratio,
                                focus=own.focus if own.focus is not None else photo.focus)
        return Entry(doc, structs.replace(fields, image=image), key, original_doc=their_doc,
                     image_from=their_doc)
    return Entry(doc, fields, key, original_doc=their_doc)


def _default_key(doc: Document) -> str:
    rest = "/".join(doc.parts[1:])
    return rest[:-3] if rest.endswith(".md") else rest


def _make_article(entry: Entry, config: Config, problems: Problems, files: ContentFiles,
                  bodies: dict[str, str]) -> Article | None:
    doc, f = entry.doc, entry.fields
    lang = sys.intern(doc.parts[0])  # (one string a language, not a copy an article)
    section = f.section or doc.parts[1]
    stem = os.path.splitext(doc.parts[-1])[0]
    # One string a slug: a story's versions share theirs (each language's style made
    # its own copy; ~60 bytes a translated article, issue 19).
    slug = sys.intern(f.slug or make_slug(stem, config.language(lang).slug_style))
    ok = True
    for key, value in (("section", section), ("slug", slug)):
        reason = slug_problem(value)
        if reason is None and key == "section" and value in urls.RESERVED_SECTIONS:
            reason = (f"is reserved for Dateline's own pages "
                      f"({', '.join(sorted(urls.RESERVED_SECTIONS))})")
        elif reason is None and key == "slug" and urls.names_a_written_file(value):
            reason = "is the name of a file Dateline writes (a feed or sitemap); choose another"
        if reason:
            ok = False
            line_key = key if key in f.written else None
            problems.error(doc.at(line_key), f"{key} '{shown(value)}' {reason}")
    image = _make_image(entry, config, problems, files)
    if not ok or image is False:
        return None
    return Article(
        source=doc.at(), source_file=doc.path, digest=doc.digest, lang=lang,
        section=sys.intern(section), slug=slug, translation_key=entry.key, title=f.title,
        date=f.date, updated=f.updated, summary=f.summary, authors=shared_names(f.authors),
        dateline=f.dateline, tags=shared_names(dict.fromkeys(f.tags)),
        reporting=shared_names(f.reporting),
        breaking=f.breaking, draft=f.draft, original=entry.is_original, image=image,
        expires=f.expires, breaking_until=f.breaking_until, corrections=f.corrections,
        body_line=doc.body_line, body_id=bodies.get(doc.path, ""),
        url=urls.article(lang, section, slug),
    )


def forget_caches() -> None:
    """Empty the caches that served assembling the articles (their slugs, the slugs'
    checks, the shared tuples of names: ~10 MB of small blocks at 60,000 articles, at
    their fullest from 16,000 articles on). For a process that assembles no other model:
    what comes after takes their memory (issue 19). The model's articles keep the values;
    a slug asked for again is made again."""
    forget_shared_names()
    make_slug.cache_clear()
    slug_problem.cache_clear()


def _make_image(entry: Entry, config: Config, problems: Problems,
                files: ContentFiles) -> Image | None | bool:
    """The article's lead image, None when it has none, False after reporting a problem."""
    spec = entry.fields.image
    if spec is None or spec.is_empty():
        return None
    doc, owner = entry.doc, entry.photo_owner
    where = doc.at("image.src" if "image.src" in doc.key_lines else "image")
    if spec.src is None:
        problems.error(where, "image has no src: add image.src with the photo's file name")
        return False
    # A problem with an inherited photo is reported once, on the original that names it.
    report = problems if owner is doc else Problems()
    source = resolve_content_file(spec.src, os.path.dirname(owner.path), config.paths.content,
                                  where, report, files)
    if source is None:
        return False
    # An inherited image block is the original's: its missing alt is reported there.
    if spec.alt is None and entry.image_lang is None:
        problems.warn(where, f"image '{spec.src}' has no alt text: add image.alt "
                      "describing the photo for readers who cannot see it, or alt: \"\" if "
                      "it is decorative")
    lang = sys.intern(doc.parts[0])  # (one string a language, not a copy an article)
    image = Image(
        source=source, url=files.url_of(source),
        alt=spec.alt or "", caption=spec.caption or "", credit=spec.credit or "",
        text_lang=entry.image_lang or lang, where=where, ratio=spec.ratio,
        focus=spec.focus or (0.5, 0.5),
        metadata_lang=entry.original_doc.parts[0] if entry.original_doc else lang,
    )
    if files.plan_image is None:
        return image
    return files.plan_image(image, report) or False


def _group(articles: list[Article], config: Config):
    order = {code: i for i, code in enumerate(config.language_codes)}
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        groups[article.translation_key].append(article)
    return tuple((key, tuple(sorted(group, key=lambda a: order[a.lang])))
                 for key, group in sorted(groups.items()))

