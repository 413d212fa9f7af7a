"""Dateline: a static site generator for news outlets that publish in many languages."""

from pathlib import Path

__version__ = "0.1.0"


def shipped_path(name: str) -> Path:
    """Where Dateline's own `themes/` or `locales/` live.

    In an installed wheel they sit inside the package; in a checkout they are the
    repository's top-level folders, next to the package.
    """
    package_dir = Path(__file__).resolve().parent
    inside = package_dir / name
    return inside if inside.is_dir() else package_dir.parent / name


def locales_dirs_for(site_locales: Path) -> tuple[Path, ...]:
    """Where UI strings come from, first found first used: the site's own catalogs (when
    it has a `locales/` folder), then Dateline's. A site's catalog adds to Dateline's:
    a language or string the site does not translate comes from the shipped one."""
    found: dict[Path, Path] = {}
    for folder in (site_locales, shipped_path("locales")):
        if folder.is_dir():
            found.setdefault(folder.resolve(), folder)
    return tuple(found.values())
