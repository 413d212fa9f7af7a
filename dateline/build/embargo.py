"""What a build leaves out: drafts, articles dated after the build's time, and the
translations of either (unless --drafts, --future)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ..model import Article


def hold_back(articles: list[Article], now: datetime, drafts: bool, future: bool
              ) -> Iterator[tuple[Article, str]]:
    """Each article with the reason it is held back from this build ("" if it is not).
    A translation waits for its original: publishing it would break the original's
    embargo (or show a story the desk has not released) in another language."""
    def own_reason(article: Article) -> str:
        if article.draft and not drafts:
            return "draft"
        if article.date > now and not future:
            return f"scheduled for {article.date.isoformat()}"
        return ""

    # Only the articles held back for a reason of their own, and each pair made as it
    # is taken: a dict and a list of every article were ~10 MiB at 60,000 articles, at
    # the build's peak (issue 19).
    reasons = {id(a): why for a in articles if (why := own_reason(a))}
    originals = {a.translation_key: a for a in articles if a.original}
    for article in articles:
        why = reasons.get(id(article), "")
        original = originals.get(article.translation_key)
        if not why and original is not None and original is not article \
                and (theirs := reasons.get(id(original))):
            what = "a draft" if theirs == "draft" else theirs
            why = f"its original {original.source.path} is {what}"
        yield article, why
