"""Alphabetical order as each language has it, by ICU's collation (CLDR's rules).

Code-point order puts Persian 'ژ' and 'ک' after every other letter and Turkish 'ç' after
'z'. ICU comes from the `pyicu-wheels` package: PyICU itself is published as source
only and would need a compiler and ICU's headers on every machine that installs Dateline.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from ..config import LanguageSettings


def collation_locale(language: LanguageSettings) -> str:
    """The language's own code; for a language without CLDR data, its borrowed locale,
    whose alphabet is the closest one the config names (crh → tr)."""
    return language.code if language.has_own_locale else language.locale


def sort_key(language: LanguageSettings) -> Callable[[str], bytes]:
    """A key function ordering strings as `language` alphabetises them."""
    return _collator(collation_locale(language).replace("-", "_")).getSortKey


@functools.lru_cache(maxsize=64)
def _collator(locale_name: str):
    # Imported here: ICU's library takes ~60 ms to load, and builds with nothing to sort
    # (the no-change check, `check`) never need it.
    import icu

    return icu.Collator.createInstance(icu.Locale(locale_name))
