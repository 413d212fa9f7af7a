"""The content model: small frozen values that every later stage reads and none patches.

They are msgspec Structs: made in C, ten times faster than frozen dataclasses, which
counts for values made by the thousand (every article, every page) and loaded back from
the saved model of the last build (`savedbuild`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from msgspec import structs

from . import bodies
from .errors import Problem, SourceRef
from .placeholders import fill

if TYPE_CHECKING:
    # Named in annotations only: the model is made and read without loading the config
    # schema or the photo stage (nothing decodes these Structs by their annotations).
    from .config import Config
    from .photos.photos import Picture
    from .photos.social import SocialCrops


class Image(msgspec.Struct, frozen=True, gc=False):
    """A photo with the furniture a newsroom prints beside it."""

    source: Path
    """Absolute path of the image file under content/."""
    url: str
    """Root-relative URL of the published copy, e.g. 'media/images/vote.jpg'."""
    alt: str
    caption: str
    credit: str
    text_lang: str
    """Language of alt/caption/credit; differs from the article's when inherited."""
    where: SourceRef = SourceRef("", 1)
    """Where the article names the photo, for messages."""
    ratio: tuple[int, int] | None = None
    """Crop to this aspect ratio (front matter `image.ratio: 16x9`)."""
    focus: tuple[float, float] = (0.5, 0.5)
    """The point to keep in view when cropping, as fractions of width and height."""
    picture: Picture | None = None
    """The article photo's renditions, once the photo stage has planned them."""
    card: Picture | None = None
    """The 16:9 renditions for listing cards."""
    social: SocialCrops | None = None
    """The crops for social cards (og:image) and JSON-LD (`photos.social`)."""
    published_bytes: int = 0
    """Size of the published file at `published_url` (for feed enclosures)."""
    metadata_lang: str = ""
    """The language the photo's own metadata (IPTC caption and credit) is taken to be
    written in: its story's original's."""
    caption_from_photo: bool = False
    credit_from_photo: bool = False
    """Whether caption/credit came from the photo's IPTC fields (the article gave none)."""

    @property
    def caption_lang(self) -> str:
        """The language the caption is written in."""
        return self.metadata_lang if self.caption_from_photo else self.text_lang

    @property
    def credit_lang(self) -> str:
        return self.metadata_lang if self.credit_from_photo else self.text_lang

    @property
    def published_url(self) -> str:
        """The one file that stands for the photo where a single URL is needed (feeds,
        Open Graph): a mid-sized JPEG/PNG rendition, or the original before planning."""
        return self.picture.src.url if self.picture else self.url


class Correction(msgspec.Struct, frozen=True, gc=False):
    """A correction printed at the end of an article (front matter `corrections`)."""

    date: datetime
    text: str


class Article(msgspec.Struct, frozen=True, gc=False):
    """One story in one language.

    Not tracked by the cycle collector (`gc=False`, as `Image`, `Correction` and
    `SourceRef`): none refers back to what holds it, so none can be in a cycle, and each
    saves the collector's 16-byte header (issue 19: ~1 MB a kind at 60,000 articles)."""

    source: SourceRef
    source_file: str
    """Absolute path of the source file. A string, not a Path: a Path object and its
    parts took ~440 bytes per article, held by every build (issue 19); `source_path`
    makes one when a caller needs it."""
    digest: str
    """Hash of the source file's bytes."""
    lang: str
    section: str
    slug: str
    translation_key: str
    """Shared by every translation of one story."""
    title: str
    date: datetime
    updated: datetime | None
    summary: str
    authors: tuple[str, ...]
    dateline: str
    tags: tuple[str, ...]
    reporting: tuple[str, ...]
    breaking: bool
    draft: bool
    original: bool
    """True for the version other languages translate from."""
    image: Image | None
    body_line: int
    url: str
    """Root-relative URL of the article page, e.g. 'en/world/vote/'."""
    body_id: str = ""
    """Hash of the rendered body, its key in the build's body store; empty until the
    Markdown stage has run."""
    links: tuple[str, ...] = ()
    """The href of each link of the body to another article (`crosslinks`); empty for
    one held back by this build."""
    expires: datetime | None = None
    """From this moment the story leaves every listing, feed and sitemap (front matter
    `expires`; a translation inherits its original's)."""
    breaking_until: datetime | None = None
    """When a breaking story leaves the banner (front matter `breaking_until`; default:
    `site.breaking_hours` after `modified`, see `build.schedule`)."""
    corrections: tuple[Correction, ...] = ()
    """The article's own corrections, oldest first."""

    @property
    def source_path(self) -> Path:
        return Path(self.source_file)

    @property
    def body_html(self) -> str:
        """The rendered body, read from the build's body store when something shows it."""
        return fill(bodies.text(self.body_id), self.links)

    @property
    def revised(self) -> datetime:
        """When the text was last updated (`updated`, else `date`), corrections aside."""
        return self.updated or self.date

    @property
    def modified(self) -> datetime:
        """When the article last changed: its update or its latest correction."""
        if self.corrections:
            return max(self.revised, self.corrections[-1].date)
        return self.updated or self.date


class Asset(msgspec.Struct, frozen=True):
    """A file copied into the output as it is (or processed by the photo stage)."""

    source: Path
    url: str


class Timeline(msgspec.Struct, frozen=True):
    """What the build's clock decided besides publication (`build.schedule`): each is a
    sorted tuple of article URLs (never a set: fingerprints print them), empty in a site
    with nothing expired and no breaking story."""

    archived: tuple[str, ...] = ()
    """Articles past their `expires` whose pages stay, marked archived, in no list."""
    gone: tuple[str, ...] = ()
    """Articles past their `expires` removed with their pages (`site.expired =
    "remove"`), in URL order: the host answers 410 Gone for them (`_redirects`, `_gone`)."""
    banner_over: tuple[str, ...] = ()
    """Breaking stories whose time in the breaking banner has ended."""


class Site(msgspec.Struct, frozen=True):
    """Everything a build publishes, after validation, inheritance and filtering."""

    config: Config
    articles: tuple[Article, ...]
    """Published articles of every language, newest first."""
    groups: tuple[tuple[str, tuple[Article, ...]], ...]
    """translation_key → the story's published versions, in config language order."""
    held_back: tuple[tuple[Article, str], ...]
    """Drafts and future articles left out of this build, with the reason."""
    assets: tuple[Asset, ...]
    warnings: tuple[Problem, ...] = ()
    timeline: Timeline = Timeline()
    portraits: tuple[tuple[str, Image], ...] = ()
    """Author key → the author's photo (config `authors.<key>.photo`), planned."""

    def with_articles(self, articles: tuple[Article, ...]) -> Site:
        """The same site with new versions of its articles (matched by URL), in groups too."""
        by_url = {a.url: a for a in articles}
        groups = tuple((key, tuple(by_url[a.url] for a in group)) for key, group in self.groups)
        return structs.replace(self, articles=articles, groups=groups)
