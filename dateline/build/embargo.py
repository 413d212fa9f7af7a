"""What a build leaves out: drafts, articles dated after the build's time, and the
translations of either (unless --drafts, --future)."""

from __future__ import annotations

from datetime import datetime

from ..model import Article


def hold_back(articles: list[Article], now: datetime, drafts: bool, future: bool
              ) -> list[tuple[Article, str]]:
    """Each article with the reason it is held back from this build ("" if it is not).
    A translation waits for its original: publishing it would break the original's
    embargo (or show a story the desk has not released) in another language."""
    def own_reason(article: Article) -> str:
        if article.draft and not drafts:
            return "draft"
        if article.date > now and not future:
            return f"scheduled for {article.date.isoformat()}"
        return ""

    reasons = {id(a): own_reason(a) for a in articles}
    originals = {a.translation_key: a for a in articles if a.original}
    result = []
    for article in articles:
        why = reasons[id(article)]
        original = originals.get(article.translation_key)
        if not why and original is not None and original is not article \
                and (theirs := reasons[id(original)]):
            what = "a draft" if theirs == "draft" else theirs
            why = f"its original {original.source.path} is {what}"
        result.append((article, why))
    return result
