"""A language's view for a build that loaded only part of the site (`build.modelrows`):
what every page of the language shows besides its own content (its navigation, the
breaking banner, the footer's links) is answered from a row saved with the model, made
from the whole site's view (`LanguageRow.of`), instead of from every article. What only
the whole site can answer raises `WholeSiteNeeded`: a build that asks it is a defect
of the partial path, never a page made from part of the site."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Article
from .content_view import Entry
from .views import LanguageView


class WholeSiteNeeded(AssertionError):
    """A partial build asked what only the whole site's view knows."""


@dataclass(frozen=True)
class LanguageRow:
    """What a language's pages show that is made from all its articles."""

    sections: tuple[Entry, ...]
    tags: tuple[Entry, ...]
    breaking: Article | None
    archive_url: str | None
    corrections: tuple
    """The first of the view's correction entries (the footer links to the page when
    there is one), or none."""
    staff: tuple[str, ...] = ()
    """The keys of the configured authors in the language's alphabetical order (the
    footer links to the staff list when there are any): sorted once by the build that
    planned the site, so that a partial build does not load ICU to sort them again."""
    authored: tuple[tuple[str, int], ...] | None = None
    """How many stories each author has in the language's listings, in the view's
    order (the staff list prints the counts); None in a row saved before it was kept."""

    @classmethod
    def of(cls, view: LanguageView) -> LanguageRow:
        return cls(view.sections, view.tags, view.breaking, view.archive_url,
                   view.correction_entries[:1], tuple(a.key for a in view.staff),
                   tuple((key, len(stories)) for key, stories in view.authored.items()))


class StoryCount:
    """An author's stories as a partial build knows them: their number alone (anything
    else asked of them is a defect of the partial path, and fails)."""

    __slots__ = ("count",)

    def __init__(self, count: int):
        self.count = count

    def __len__(self) -> int:
        return self.count


class PartialView(LanguageView):
    """A `LanguageView` over part of the site (the articles a build loaded, in complete
    translation groups), with the language-wide answers of `row`."""

    def __init__(self, site, language, strings, row: LanguageRow, story_groups=None):
        super().__init__(site, language, strings, story_groups)
        self.row = row

    @property
    def sections(self) -> tuple[Entry, ...]:
        return self.row.sections

    @property
    def tags(self) -> tuple[Entry, ...]:
        return self.row.tags

    @property
    def breaking(self) -> Article | None:
        return self.row.breaking

    @property
    def archive_url(self) -> str | None:
        return self.row.archive_url

    @property
    def correction_entries(self) -> tuple:
        return self.row.corrections

    @property
    def staff(self) -> tuple:
        # The config is the saved model's (another config plans afresh).
        by_key = {author.key: author for author in self.site.config.authors}
        return tuple(by_key[key] for key in self.row.staff)

    @property
    def articles(self):
        raise WholeSiteNeeded("a partial build's view has not every article")

    @property
    def listing(self):
        raise WholeSiteNeeded("a partial build's view has not the listing")

    @property
    def archived(self):
        raise WholeSiteNeeded("a partial build's view has not the archived articles")

    @property
    def authored(self) -> dict[str, StoryCount]:
        """Author key → how many stories (the staff list's counts, from the row)."""
        if self.row.authored is None:
            raise WholeSiteNeeded("a partial build's view has not every author's stories")
        return {key: StoryCount(count) for key, count in self.row.authored}
