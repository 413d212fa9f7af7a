"""The files `[site]` names for the outlet's identity: `image` (what a page without a
photo shows when shared) and `logo` (header, JSON-LD publisher, favicon).

Both are paths relative to the site folder and must stay inside it, so that a config
cannot publish a file from elsewhere on the machine.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .errors import Problems

SITE_FILE_KINDS = {
    "image": ((".jpg", ".jpeg", ".png", ".webp"), "a JPEG, PNG or WebP image"),
    "logo": ((".svg", ".png"), "an SVG or PNG image"),
}


def check_site_files(site, table: dict, root: Path, where, problems: Problems):
    """`site` (a `SiteSettings`) with `image` and `logo` checked and written as paths
    relative to `root`; a wrong one is reported and left out."""
    for key, (suffixes, kind) in SITE_FILE_KINDS.items():
        if key not in table:
            continue
        value = table[key]
        problem = _problem(value, root, suffixes, kind)
        if problem:
            problems.error(where("site", key), f"site.{key}: {problem}")
            site = replace(site, **{key: ""})
        else:
            relative = (root / value).resolve().relative_to(root.resolve()).as_posix()
            site = replace(site, **{key: relative})
    return site


def site_file(root: Path, relative: str) -> Path | None:
    """The absolute path of a checked `image` or `logo` value; None when it is unset."""
    return (root / relative).resolve() if relative else None


def identity_files(config) -> list[Path]:
    """The `image` and `logo` files a `Config` names: inputs of the build like the
    config file itself (a replaced logo is a change to build)."""
    return [path for value in (config.site.image, config.site.logo)
            if (path := site_file(config.paths.root, value)) is not None]


def _problem(value: object, root: Path, suffixes: tuple[str, ...], kind: str) -> str:
    if not isinstance(value, str) or not value.strip():
        return f"must be the path of {kind} under the site folder, e.g. 'brand/logo.svg'"
    path = (root / value).resolve()
    if not path.is_relative_to(root.resolve()):
        return f"'{value}' is outside the site folder; put the file inside it"
    if path.suffix.lower() not in suffixes:
        return f"'{value}' must be {kind} ({', '.join(suffixes)})"
    if not path.is_file():
        return f"'{value}' does not exist (paths are relative to the site folder)"
    return ""
