"""The `[authors.<key>]` tables of the config: the newsroom's staff, named and described
in each language, for bylines and author pages."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import Problems, SourceRef
from .slugs import shown, slug_problem

AUTHOR_KEYS = {"name", "names", "bio", "photo", "role", "links", "url"}


@dataclass(frozen=True, slots=True)
class AuthorSettings:
    key: str
    """The author's key: front matter `authors: [key]` and the URL `/<lang>/authors/<key>/`."""
    name: str
    """The name bylines print, unless `names` gives one for the page's language."""
    names: tuple[tuple[str, str], ...] = ()
    """Language code → the name as written in that language (`[authors.<key>.names]`)."""
    bio: tuple[tuple[str, str], ...] = ()
    """Language code → the author's biography in that language (`[authors.<key>.bio]`)."""
    photo: str = ""
    """A photo under content/ (e.g. 'images/staff/ana.jpg'), made into renditions."""
    photo_at: SourceRef = SourceRef("", 1)
    """Where the config names the photo, for messages."""
    role: tuple[tuple[str, str], ...] = ()
    """Language code → the role ('' for every language); `role = "…"` or a table."""
    links: tuple[str, ...] = ()
    """The author's profiles elsewhere (URLs), printed on the author page."""
    url: str = ""
    """The author's own site, if any (printed first among the links)."""

    def name_in(self, code: str) -> str:
        return dict(self.names).get(code, self.name)

    def bio_in(self, code: str, default: str) -> str:
        """The biography in `code`, else in the default language, else none."""
        bios = dict(self.bio)
        return bios.get(code) or bios.get(default, "")

    def role_in(self, code: str) -> str:
        roles = dict(self.role)
        return roles.get(code) or roles.get("", "")

    def is_named(self, written: str) -> bool:
        """Whether front matter `authors:` means this author by `written`."""
        return written == self.key or written == self.name or \
            any(written == name for _, name in self.names)


def read_authors(table: object, codes: set[str], where, problems: Problems
                 ) -> tuple[AuthorSettings, ...]:
    """The `[authors]` table; problems are recorded with the line of the key at fault."""
    if not isinstance(table, dict):
        problems.error(where("authors"), "'authors' must be tables, written as "
                       "[authors.<key>] with name = \"…\"")
        return ()
    authors = []
    for key, entry in table.items():
        if not isinstance(entry, dict):
            problems.error(where("authors", key), f"authors.{key} must be a table, written "
                           f"as [authors.{key}] with name = \"…\"")
            continue
        if reason := slug_problem(key):
            problems.error(where("authors", key), f"authors.{key}: the key '{shown(key)}' "
                           f"{reason} (it is the author page's URL)")
        authors.append(_read_author(key, entry, codes, where, problems))
    return tuple(authors)


def _read_author(key: str, entry: dict, codes: set[str], where,
                 problems: Problems) -> AuthorSettings:
    table = ("authors", key)
    for extra in sorted(entry.keys() - AUTHOR_KEYS):
        problems.error(where(*table, extra), f"unknown key 'authors.{key}.{extra}'"
                       f"{_suggest(extra, AUTHOR_KEYS)}")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.error(where(*table, "name") if "name" in entry else where(*table),
                       f"authors.{key}.name is required: the name bylines print")
        name = key
    return AuthorSettings(
        key=key, name=name.strip(),
        names=_per_language(entry, "names", key, codes, where, problems),
        bio=_per_language(entry, "bio", key, codes, where, problems),
        photo=_text(entry, "photo", key, where, problems).lstrip("/"),
        photo_at=where(*table, "photo"),
        role=_role(entry, key, codes, where, problems),
        links=_links(entry, key, where, problems),
        url=_url(entry.get("url"), f"authors.{key}.url", where(*table, "url"), problems)
        if "url" in entry else "",
    )


def _suggest(key: str, known: set[str]) -> str:
    import difflib  # only to suggest a fix for an unknown key

    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _text(entry: dict, name: str, key: str, where, problems: Problems) -> str:
    value = entry.get(name, "")
    if not isinstance(value, str):
        problems.error(where("authors", key, name), f"authors.{key}.{name} must be text")
        return ""
    return value.strip()


def _role(entry: dict, key: str, codes: set[str], where, problems: Problems):
    if isinstance(entry.get("role"), dict):
        return _per_language(entry, "role", key, codes, where, problems)
    role = _text(entry, "role", key, where, problems)
    return (("", role),) if role else ()


def _per_language(entry: dict, name: str, key: str, codes: set[str], where,
                  problems: Problems) -> tuple[tuple[str, str], ...]:
    table = entry.get(name, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        problems.error(where("authors", key, name), f"authors.{key}.{name} must map "
                       f"language codes to text, e.g. [authors.{key}.{name}] en = \"…\"")
        return ()
    for code in table:
        if code not in codes:
            problems.error(where("authors", key, name, code), f"authors.{key}.{name}.{code}:"
                           f" '{code}' is not a configured language ({', '.join(sorted(codes))})")
    return tuple((str(code), text.strip()) for code, text in table.items() if text.strip())


def _links(entry: dict, key: str, where, problems: Problems) -> tuple[str, ...]:
    links = entry.get("links", [])
    at = where("authors", key, "links")
    if not isinstance(links, list):
        problems.error(at, f"authors.{key}.links must be a list of URLs, e.g. "
                       "links = [\"https://example.org/ana\"]")
        return ()
    return tuple(url for link in links
                 if (url := _url(link, f"authors.{key}.links", at, problems)))


def _url(value: object, name: str, at: SourceRef, problems: Problems) -> str:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https", "mailto") or \
            not (parts.netloc or parts.scheme == "mailto"):
        problems.error(at, f"{name}: '{value}' is not an absolute URL (http, https or "
                       "mailto)")
        return ""
    return value.strip()
