"""Every source read and assembled as a build would, drafts and scheduled stories
included, without rendering or writing anything: what `lint`, `translate` and the
editors' view look at. Problems are recorded, never raised, so that a site with errors
can still be surveyed (the articles with errors are left out of `site`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..build.assemble import Assembly, assemble
from ..build.renditions import PhotoLibrary
from ..config import Config
from ..errors import Problems
from ..inputs import confinement_of
from ..model import Article, Site
from ..read import Document, find_sources, read_document, report_unread


@dataclass(frozen=True)
class Survey:
    site: Site
    """Every article without errors, drafts and scheduled ones included."""
    docs: dict[str, Document]
    """Each source read, by its path as messages show it."""
    problems: Problems
    """The errors and warnings the build gives for these sources (reading, front
    matter, photos, URLs), as `build --drafts --future` would."""
    now: dt.datetime

    def doc_of(self, article: Article) -> Document:
        return self.docs[article.source.path]

    def original_of(self, article: Article) -> Article | None:
        """The story's original (None when the story has none), which may be `article`."""
        return next((a for a in self.story(article.translation_key) if a.original), None)

    def story(self, key: str) -> tuple[Article, ...]:
        return dict(self.site.groups).get(key, ())


def survey(config: Config, now: dt.datetime) -> Survey:
    problems = Problems()
    content, root = config.paths.content, config.paths.root
    misnamed, unread = [], []
    paths = find_sources(content, misnamed, unread, confinement_of(config)) \
        if content.is_dir() else []
    report_unread(misnamed, unread, root, problems)
    docs = [doc for path in paths
            if (doc := read_document(path, content, root, problems)) is not None]
    # The photo library fills captions and credits from the photos' IPTC fields and
    # reports a photo that cannot be published, as the build's photo stage does.
    photos = PhotoLibrary(config.images)
    site = assemble(docs, config, now, problems,
                    Assembly(drafts=True, future=True, plan_image=photos.plan_image))
    return Survey(site, {doc.ref: doc for doc in docs}, problems, now)
