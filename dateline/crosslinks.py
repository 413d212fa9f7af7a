"""Links from one article's body to another article, written as its Markdown file.

A body is rendered (and cached) on its own, before front matter says where any article
is published, so such a link is rendered as a numbered placeholder (`bodyurls`). Once
the site is assembled, `link_articles` gives each article the href of every one of its
placeholders (`Article.links`, part of its fingerprint, so a page changes when an
article it links to moves), and `placeholders.fill` puts them into the body whenever it is shown.

A link to an article that this build holds back (a draft, a scheduled story) is a
warning, and the link is left out (its text stays): a dead link, or one that names an
embargoed story's address, must not be published.
"""

from __future__ import annotations

import os
from pathlib import Path

from msgspec import structs

from .errors import Problems, SourceRef, display_path
from .model import Article, Site
from .urls import Linker

Link = tuple[str, str, int, str]
"""A link to an article's file: (absolute path of the file, fragment, line, as written)."""


def link_articles(site: Site, links: dict[str, tuple[Link, ...]], linker: Linker,
                  root: Path, problems: Problems, memo: dict | None = None) -> Site:
    """The site with every published article's links resolved; problems recorded.
    `memo` (kept by a long-running process) hands out the same Article object for the
    same article and hrefs, as the assembly memo does, so unchanged means identical."""
    memo = {} if memo is None else memo
    published = {a.source_file: a for a in site.articles}
    held = {a.source_file: reason for a, reason in site.held_back}
    changed = False
    articles = []
    for article in site.articles:
        own = links.get(article.source_file, ())
        hrefs = tuple(_href(article, link, published, held, linker, root, problems)
                      for link in own)
        key = article.source_file
        known = memo.get(key)
        if known is not None and known[0] is article and known[1] == hrefs:
            linked = known[2]
        elif hrefs == article.links:
            linked = article
        else:
            linked = structs.replace(article, links=hrefs)
        memo[key] = (article, hrefs, linked)
        changed = changed or linked is not article
        articles.append(linked)
    return site.with_articles(tuple(articles)) if changed else site


def _href(article: Article, link: Link, published: dict[str, Article],
          held: dict[str, str], linker: Linker, root: Path, problems: Problems) -> str:
    target, fragment, line, written = link
    where = SourceRef(article.source.path, line)
    if target in published:
        url = published[target].url + (f"#{fragment}" if fragment else "")
        return linker.href(url, f"{article.lang}/_/_/")
    shown = display_path(Path(target), root)
    if target in held:
        problems.warn(where, f"link '{written}': {shown} is held back ({held[target]}); "
                             "the link is left out (its text stays) until that article is "
                             "published")
    elif not os.path.isfile(target):
        problems.error(where, f"link '{written}': {shown} does not exist; check the name "
                              "(paths are relative to the article's folder, or to content/ "
                              "when they start with '/')")
    else:
        problems.error(where, f"link '{written}': {shown} is not an article this site "
                              "publishes; link to an article's Markdown file "
                              "(content/<lang>/<section>/<name>.md)")
    return ""
