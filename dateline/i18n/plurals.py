"""A language's plural rule, as gettext's Plural-Forms header writes it.

Apart from `catalog_checks` so that a build whose catalogs did not change (their compiled
form is kept in the cache) imports none of Babel's catalog parser and checkers: it needs
only the rule each language's catalog is compiled with."""

from __future__ import annotations

PluralRule = tuple[int, str]
"""(number of forms, C expression choosing the form for `n`), as in Plural-Forms."""

DEFAULT_PLURAL: PluralRule = (2, "(n != 1)")


def plural_rule_of(locale_name: str) -> PluralRule | None:
    """The plural rule of a Babel locale, or None when Babel has no data for it."""
    from babel.messages.plurals import get_plural

    try:
        rule = get_plural(locale_name.replace("-", "_"))
    except Exception:  # noqa: BLE001 — an unknown or malformed locale name
        return None
    return (rule.num_plurals, rule.plural_expr)
