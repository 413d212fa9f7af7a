"""What can be kept of the last build after edits that kept the plan's shape (article
bodies, and front matter in `build.frontedit.KEPT_KEYS`: `same_shape`): one
detector (`kept`) over two stores of the last build's model, the preview server's memory
(`MemoryStore`) and the saved model on disk (`build.savedbuild.SavedStore`). See
docs/incremental.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from msgspec import Struct, structs

if TYPE_CHECKING:  # (the preview server's session imports this: a build with nothing to
    # do must not import the views and pages to say so)
    from ..model import Article, Site
    from ..outputs.pages import Page

    BodyEdits = list[tuple[Article, Article]]

MOST_EDITS = 16
"""More articles changed than this at once (a pull, a search-and-replace): plan afresh."""

# `BodyEdits`: (last version, new version) of every article edited in a way that keeps the
# plan's shape (`same_shape`: its body, its title...), the one meaning of "edits" across
# the build.


class LastModel(Struct, frozen=True):
    """The last build's model, as a store keeps it."""

    site: Site
    pages: tuple[Page, ...]
    fingerprints: tuple[str, ...]
    site_fingerprint: str
    templates: dict[str, str]


class Probe(Struct, frozen=True):
    """What this build knows before it plans, compared with what the last one knew."""

    site_fingerprint: str
    templates: dict[str, str]
    shape: tuple
    """The build options that shape the site (drafts, future, languages)."""
    site: Site | None = None
    """The site just assembled, when it was (the preview server reads every source)."""
    body_images: dict[str, tuple] | None = None
    """Source path → the images its body shows, as prepared (with `site`)."""


class Kept(Struct):
    """What this build keeps of the last one: its page plan with the edited articles
    swapped in, its fingerprints, and the pages to fingerprint again."""

    site: Site
    pages: list[Page]
    fingerprints: list[str]
    edited: list[int]
    shared: dict[str, dict[str, str]] | None = None
    """Article and card fingerprints by URL, when the store kept them (the saved model);
    else the cache's assembly memo knows them."""


class ReuseStore(Protocol):
    """Where the last build's model is kept, and how the edits since are found."""

    def kept(self, probe: Probe) -> Kept | None:
        """What can be kept for a build that knows `probe`; None: plan afresh."""


def kept(last: LastModel, site: Site, edits: BodyEdits, probe: Probe,
         showing: list[int] | None = None) -> Kept | None:
    """The detector: the last plan stands, with `edits` swapped into `site`'s pages,
    when neither the site's nor the templates' fingerprints changed (each store has
    checked that `edits` changed bodies alone). `showing`: the pages that show an edited
    article or story, when the store's index found them (else every page is looked at)."""
    if (probe.site_fingerprint, probe.templates) != (last.site_fingerprint, last.templates):
        return None
    pages, edited = with_edits(last.pages, edits, showing)
    return Kept(site, pages, list(last.fingerprints), edited)


def same_but_body(a: Article, b: Article) -> bool:
    return structs.replace(b, digest=a.digest, body_id=a.body_id) == a


_PHOTO_WORDS = ("alt", "caption", "credit", "where", "caption_from_photo",
                "credit_from_photo")


def same_shape(a: Article, b: Article) -> bool:
    """Whether `b`, a new version of `a`, keeps the plan's shape: the same but for its
    body, title, summary, `updated` and its photo's words (`build.frontedit.KEPT_KEYS`),
    which only the pages showing it print. Not for a breaking story: the banner on every
    page of its language shows its title, and its `modified` ends its time there."""
    if same_but_body(a, b):
        return True
    if a.breaking:
        return False
    image = b.image
    if a.image is not None and image is not None:
        image = structs.replace(image, **{name: getattr(a.image, name)
                                          for name in _PHOTO_WORDS})
    return structs.replace(b, digest=a.digest, body_id=a.body_id, body_line=a.body_line,
                           title=a.title, summary=a.summary, updated=a.updated,
                           image=image) == a


def with_edits(pages: tuple[Page, ...], edits: BodyEdits, showing: list[int] | None = None
               ) -> tuple[list[Page], list[int]]:
    """The last build's pages showing the edited articles' new versions, and the indexes
    of the pages to fingerprint again: those showing an edited article (its own page,
    the listings with its card) and its translations' pages (which show its card). With
    a summary, the cards are the same and the listings' fingerprints too. `showing`:
    the only pages that can (found by an index); None: every page is looked at."""
    new_version = {id(a): b for a, b in edits}
    stories = {b.translation_key for _a, b in edits}
    swapped, changed = list(pages), []
    for index in range(len(pages)) if showing is None else showing:
        page = pages[index]
        article, items = page.article, page.items
        edited = new_version.get(id(article)) if article is not None else None
        if any(id(item) in new_version for item in items):
            items = tuple(new_version.get(id(item), item) for item in items)
        if edited is not None or items is not page.items:
            # An article's page is headed by its title (`pages.plan_pages`).
            heading = edited.title if edited is not None and page.kind == "article" else (
                page.heading)
            page = structs.replace(page, article=edited or article, items=items,
                                   heading=heading)
            changed.append(index)
        elif article is not None and article.translation_key in stories:
            changed.append(index)
        swapped[index] = page
    return swapped, changed


class Remembered(Struct):
    """What the preview server's store keeps of its last good build beside its model, for
    a build that reads only the sources the watcher named (`build.memoryedits`)."""

    shared: dict[str, dict[str, str]]
    """Its article and card fingerprints by URL (`PageFingerprints`)."""
    warnings: tuple = ()
    """What reading, assembling and the photos reported."""
    valid_until: object = None
    """The first moment the clock alone changes the site (a datetime)."""
    next_change: object = None
    """That moment and the article that causes it (`schedule.NextChange`), or None."""


class MemoryStore:
    """The preview server's store: its last good build, in memory. The body edits are
    found by comparing the site just assembled with the last one, or, when the watcher
    named only Markdown sources, from those sources alone (`build.memoryedits`, with
    what `remembered` keeps and an index of the plan made once, `index`)."""

    def __init__(self) -> None:
        self.last: LastModel | None = None
        self._shape: tuple | None = None
        self._body_images: dict[str, tuple] = {}
        self.remembered: Remembered | None = None
        self._by_path: dict[str, tuple[int, Article]] | None = None
        self._index: object = None
        self._derive: Callable[[], object] | None = None

    def remember(self, last: LastModel, body_images: dict[str, tuple], shape: tuple,
                 remembered: Remembered | None = None,
                 derive: Callable[[], object] | None = None) -> None:
        """`derive`: makes the index of this build's plan (`prepare`), which a build of
        another plan gives; else (the pages are the last build's with edits swapped in)
        the index stands, and `edited` updates the articles it holds."""
        self.last, self._body_images, self._shape = last, body_images, shape
        self.remembered = remembered
        if derive is not None:
            self._by_path = self._index = None
            self._derive = derive

    def forget(self) -> None:
        self.last = None

    def prepare(self) -> None:
        """Make the index of the last plan now (between edits, off the rebuild's path)."""
        if self._index is None and self._derive is not None and self.last is not None:
            self._index, self._derive = self._derive(), None
        if self._by_path is None and self.last is not None:
            self._by_path = {a.source_file: (number, a)
                             for number, a in enumerate(self.last.site.articles)}

    @property
    def index(self) -> object:
        """What `build.memoryedits` indexes of the last plan (made by `prepare`)."""
        self.prepare()
        return self._index

    @property
    def shape(self) -> tuple | None:
        """The options that shaped the last build's site."""
        return self._shape

    @property
    def body_images(self) -> dict[str, tuple]:
        """Source path → the images its body shows, as the last build prepared them."""
        return self._body_images

    def article_at(self, path: str) -> tuple[int, Article] | None:
        """The last build's published article read from source `path`, with its place
        among the site's articles."""
        self.prepare()
        assert self._by_path is not None
        return self._by_path.get(path)

    def edited(self, versions: dict[str, Article]) -> None:
        """Source path → the new version of each article a build swapped in."""
        if self._by_path is not None:
            for path, version in versions.items():
                self._by_path[path] = (self._by_path[path][0], version)

    def kept(self, probe: Probe) -> Kept | None:
        """The last build is forgotten either way (remembered again if this one
        succeeds)."""
        last, self.last = self.last, None
        if last is None or probe.site is None or probe.shape != self._shape:
            return None
        edits = self._body_edits(last.site, probe.site, probe.body_images or {})
        if edits is None:
            return None
        # Bodies alone changed: the photos, and so the assets, are the last build's.
        return kept(last, structs.replace(probe.site, assets=last.site.assets), edits, probe)

    def _body_edits(self, before: Site, after: Site, body_images: dict[str, tuple]
                    ) -> BodyEdits | None:
        if (len(before.articles) != len(after.articles)
                or len(after.held_back) != len(before.held_back)
                or after.timeline != before.timeline  # the clock archived or ended something
                or after.portraits != before.portraits):  # staff photos are renditions too
            return None
        if any(a is not b for (a, _), (b, _) in zip(before.held_back, after.held_back,
                                                    strict=True)):
            return None
        edits = [(a, b) for a, b in zip(before.articles, after.articles, strict=True)
                 if a is not b]
        if not edits or len(edits) > MOST_EDITS:
            return None
        for a, b in edits:
            if not same_shape(a, b):
                return None
            path = b.source_file
            if body_images.get(path) != self._body_images.get(path):
                return None  # its body shows other photos: other renditions to publish
        return edits

