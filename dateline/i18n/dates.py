"""Parsing front-matter dates: ISO 8601, in the site's zone when no offset is given. The
parser lives with the front-matter fields (`dateline.fields`), which the core layer reads."""

from __future__ import annotations

from ..fields import parse_datetime

__all__ = ["parse_datetime"]
