"""Related stories under each article: the newest stories sharing one of its tags, then
the newest of its section, from what the language's listings show (so an untranslated
story appears as its original, with its language badge, where the language shows them).

Chosen through an index (tag → its stories, newest first), not by comparing every pair:
an article looks at the first few stories of each of its tags, since the newest `count`
stories of a union of newest-first lists lie among the first `count + k` of each list
(the article itself, which is skipped; a listing shows each story once). The choice is a pure
function of the model: the listing's order breaks every tie.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from ..model import Article


@dataclass(frozen=True, slots=True)
class RelatedIndex:
    """One language's listing, indexed by tag and by section."""

    order: dict[int, int]
    """Position of each listed article (by id) in the listing, newest first."""
    by_tag: dict[str, list[Article]]
    by_section: dict[str, list[Article]]

    def related(self, article: Article, count: int) -> tuple[Article, ...]:
        if count <= 0:
            return ()
        own = article.translation_key
        reach = count + 1
        chosen: list[Article] = []
        seen: set[str] = {own}
        tagged = heapq.merge(*(self.by_tag.get(tag, ())[:reach] for tag in article.tags),
                             key=lambda a: self.order[id(a)])
        for candidates in (tagged, self.by_section.get(article.section, ())):
            for candidate in candidates:
                if candidate.translation_key not in seen:
                    seen.add(candidate.translation_key)
                    chosen.append(candidate)
                    if len(chosen) == count:
                        return tuple(chosen)
        return tuple(chosen)


def index(listing: tuple[Article, ...]) -> RelatedIndex:
    """The index of a listing (newest first, as `LanguageView.listing`)."""
    by_tag: dict[str, list[Article]] = defaultdict(list)
    by_section: dict[str, list[Article]] = defaultdict(list)
    for article in listing:
        by_section[article.section].append(article)
        for tag in dict.fromkeys(article.tags):
            by_tag[tag].append(article)
    return RelatedIndex(order={id(a): n for n, a in enumerate(listing)}, by_tag=dict(by_tag),
                        by_section=dict(by_section))
