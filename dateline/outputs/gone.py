"""The files that tell a host which pages were taken down (`site.expired = "remove"`),
so that it answers 410 Gone, which search engines take as "removed on purpose, drop it",
rather than 404:

- `_redirects`, Netlify's format: `/en/world/story/ /en/404.html 410` serves the
  language's not-found page with status 410 (Cloudflare Pages reads the same file but
  accepts only redirect codes: it ignores these lines, and the page is a 404 there);
- `_gone`, one path per line, for servers configured from a list (nginx: README,
  "Removed stories").

Both are written only when some page is gone, and their paths carry `base_url`'s path.
"""

from __future__ import annotations

from urllib.parse import quote

from .. import urls
from ..urls import Linker

REDIRECTS = "_redirects"
GONE = "_gone"


def gone_files(gone: tuple[str, ...], linker: Linker, languages: set[str]
               ) -> list[tuple[str, bytes]]:
    """(output file, bytes) of `_redirects` and `_gone` for the URLs in `gone` (none
    when it is empty). `languages`: those built, whose own 404 page the 410 shows."""
    if not gone:
        return []
    base = linker.base_path
    redirects, paths = [], []
    for url in gone:
        lang = url.split("/", 1)[0]
        not_found = urls.not_found(lang if lang in languages else None)
        # The request line is percent-encoded; nginx's $uri, which `_gone` is matched
        # against, is decoded.
        redirects.append(f"{quote(base + url)} {quote(base + not_found)} 410\n")
        paths.append(f"{base}{url}\n")
    return [(REDIRECTS, "".join(redirects).encode()), (GONE, "".join(paths).encode())]
