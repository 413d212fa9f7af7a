"""A built site folder as the checks see it: its files, and every HTML page parsed once
(its ids, the URLs it refers to, its hreflang alternates, language, direction and kind).

URLs resolve the way a browser resolves them against the page's address on the live
site, so a site built for `https://org.github.io/newsroom/` has root-relative links
starting with `/newsroom/`, and a mirror-mode site has page-relative ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from ...build.write import MARKER

# (element, attribute) pairs whose value is a URL the browser loads or navigates to.
URL_ATTRIBUTES = frozenset({
    ("a", "href"), ("area", "href"), ("link", "href"), ("img", "src"), ("img", "srcset"),
    ("source", "src"), ("source", "srcset"), ("script", "src"), ("iframe", "src"),
    ("video", "src"), ("video", "poster"), ("audio", "src"), ("track", "src"),
    ("embed", "src"), ("object", "data"), ("input", "src"),
})

# Absolute URLs are only taken for this site's own where Dateline writes them itself;
# an author's absolute link may lead to another application on the same host (a tip
# form at /tips), which no static check can see.
_ABSOLUTE_META = frozenset({"og:url", "og:image", "og:image:url", "twitter:image"})


class ToolMissing(Exception):
    """A check cannot run on this machine: a package, Java or Chromium is missing."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or warning) on one page; `page` is relative to the site folder."""

    page: str
    message: str

    def __str__(self) -> str:
        return f"{self.page}: {self.message}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one check found: failures, warnings (never failures) and a short note."""

    findings: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Ref:
    """A URL a page refers to, where it was written and as it was written."""

    tag: str
    attr: str
    url: str
    line: int
    absolute_ok: bool = False
    """An absolute URL on the site's own origin counts as internal (canonical, hreflang)."""

    def __str__(self) -> str:
        return f'line {self.line}: <{self.tag} {self.attr}="{self.url}">'


@dataclass(frozen=True, slots=True)
class Alternate:
    hreflang: str
    url: str
    line: int


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    """The file, relative to the site folder ('en/world/vote/index.html')."""
    lang: str
    direction: str
    """`ltr` or `rtl`, from `<html dir>` (`ltr` when it is missing)."""
    kind: str
    """From `<body class="page-KIND">`: root, home, section, tag, tags, about, article, 404."""
    ids: frozenset[str]
    refs: tuple[Ref, ...]
    alternates: tuple[Alternate, ...]
    canonical: str | None
    base_href: str | None
    size: int


@dataclass(frozen=True, slots=True)
class Target:
    """Where a local URL leads: a file of the site (or None and why not), and a fragment."""

    file: str | None
    fragment: str
    problem: str = ""


@dataclass(frozen=True)
class BuiltSite:
    root: Path
    base_url: str
    """The site's canonical root URL; its path is where root-relative links start."""
    files: frozenset[str]
    pages: dict[str, Page]
    mirror: bool = False
    """Built in mirror mode (`--relative`): opened from disk or served under any path,
    where a root-relative URL leads out of the site."""

    @property
    def base_path(self) -> str:
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        # A site configured with a root-relative base_url has no origin of its own.
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "http://site.invalid"

    def page_url(self, page: Page) -> str:
        """The page's absolute address on the live site."""
        return self.origin + quote(self.base_path + page.path)

    def resolve(self, url: str, page: Page, absolute_ok: bool = False) -> Target | None:
        """The file `url` leads to from `page`; None for a URL outside this site (another
        host, `mailto:`, or an absolute URL where only relative ones count)."""
        value = url.strip()
        if urlsplit(value).scheme or value.startswith("//"):
            if not absolute_ok:
                return None
        elif self.mirror and value.startswith("/"):
            return Target(None, "", "root-relative URL in a mirror-mode site: it leads out "
                          "of the site when the files are opened from disk or served under "
                          "another path; make it relative to the page")
        base = self.page_url(page)
        if page.base_href:
            base = urljoin(base, page.base_href)
        parts = urlsplit(urljoin(base, value))
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            return None
        fragment = unquote(parts.fragment)
        if not parts.path.startswith(self.base_path):
            return Target(None, fragment, f"outside the site's base path {self.base_path}")
        relative = unquote(parts.path[len(self.base_path):])
        return Target(self._file_for(relative), fragment)

    def _file_for(self, relative: str) -> str | None:
        if relative == "" or relative.endswith("/"):
            candidates = [relative + "index.html"]
        else:  # a folder named without its slash: web servers redirect to the slash
            candidates = [relative, relative + "/index.html"]
        return next((c for c in candidates if c in self.files), None)


def is_dateline_output(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def read_site(root: Path, base_url: str | None = None) -> BuiltSite:
    """Every file of the folder and every HTML page, parsed. The base URL comes from the
    root page's canonical link (the site knows where it was built for), else `base_url`."""
    root = root.resolve()
    files = frozenset(_walk_files(root))
    pages = {}
    for path in sorted(f for f in files if f.endswith((".html", ".htm"))):
        data = (root / path).read_bytes()
        pages[path] = parse_page(path, data.decode("utf-8", errors="replace"), len(data))
    index = pages.get("index.html")
    detected = index.canonical if index is not None else None
    if detected and urlsplit(detected).netloc:
        base_url = detected
    return BuiltSite(root, base_url or "/", files, pages, _is_mirror(index))


def _is_mirror(index: Page | None) -> bool:
    """Whether the folder was built in mirror mode: the root page links to its
    stylesheet (and any other `<link>` on the site) root-relative unless every link is
    relative. (Read from the pages: a folder records nothing else of how it was built.)"""
    local = [r.url for r in index.refs if r.tag == "link" and not urlsplit(r.url).scheme
             and not r.url.startswith("//")] if index is not None else []
    return bool(local) and not any(url.startswith("/") for url in local)


def _walk_files(root: Path):
    # Symbolic links are never followed: a link out of the folder is not part of the site.
    for folder, _dirs, names in os.walk(root):
        for name in names:
            yield Path(folder, name).relative_to(root).as_posix()


def parse_page(path: str, html: str, size: int = 0) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    kinds = [c.removeprefix("page-") for c in parser.body_classes if c.startswith("page-")]
    return Page(path=path, lang=parser.lang, direction=parser.direction,
                kind=kinds[0] if kinds else "", ids=frozenset(parser.ids),
                refs=tuple(parser.refs), alternates=tuple(parser.alternates),
                canonical=parser.canonical, base_href=parser.base_href, size=size)


def srcset_urls(value: str) -> list[str]:
    """The URLs of a `srcset` value ('a.jpg 480w, b.jpg 960w')."""
    return [c.split()[0] for c in value.split(",") if c.strip()]


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.direction = "ltr"
        self.body_classes: list[str] = []
        self.ids: set[str] = set()
        self.refs: list[Ref] = []
        self.alternates: list[Alternate] = []
        self.canonical: str | None = None
        self.base_href: str | None = None
        self._seen_html = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        line = self.getpos()[0]
        if tag == "html" and not self._seen_html:
            self._seen_html = True
            self.lang = values.get("lang", "")
            self.direction = values.get("dir", "ltr").lower() or "ltr"
        elif tag == "body":
            self.body_classes = values.get("class", "").split()
        elif tag == "base" and "href" in values and self.base_href is None:
            self.base_href = values["href"]
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        self._collect_urls(tag, values, line)

    def _collect_urls(self, tag: str, values: dict[str, str], line: int) -> None:
        rel = set(values.get("rel", "").lower().split())
        for attr, value in values.items():
            if (tag, attr) not in URL_ATTRIBUTES:
                continue
            urls = srcset_urls(value) if attr == "srcset" else [value]
            self.refs.extend(Ref(tag, attr, url, line, absolute_ok=tag == "link")
                             for url in urls)
        if tag == "link" and "canonical" in rel:
            self.canonical = values.get("href")
        if tag == "link" and "alternate" in rel and values.get("hreflang"):
            self.alternates.append(Alternate(values["hreflang"], values.get("href", ""), line))
        name = values.get("property") or values.get("name") or ""
        if tag == "meta" and name.lower() in _ABSOLUTE_META and values.get("content"):
            self.refs.append(Ref(tag, "content", values["content"], line, absolute_ok=True))
