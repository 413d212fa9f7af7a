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


def locales_dir_for(site_locales: Path) -> Path:
    """The site's own catalogs, or Dateline's when the site has none."""
    return site_locales if site_locales.is_dir() else shipped_path("locales")
