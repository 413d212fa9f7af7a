"""What the configuration asks Babel about each language (is its locale known, what it
calls itself, which way it is written), remembered in the build cache.

Answering means loading the language's CLDR data, ~8 ms each: 27 languages would cost
a fifth of a second before every build, even one with nothing to do, which needs none
of them. The answers depend only on the language code, the locale named in the config
and Babel's version, so they are kept in a small JSON file beside the build cache.

The file names the Babel that answered by its version and by the stat of its package's
`__init__.py` (`_babel_origin`): while that stat is the same, the answers are trusted
without importing Babel (~2.5 ms, with `pickle`, that a build with nothing to do needs
for nothing else); otherwise Babel's version decides, as before.
"""

from __future__ import annotations

import json
import os
from importlib.machinery import PathFinder
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import replacing

if TYPE_CHECKING:
    from babel import Locale

FILE = "locales.json"
_FIELDS = 4


class LocaleFacts:
    def __init__(self, cache_dir: Path):
        self.path = cache_dir / FILE
        self._known: dict[str, list] | None = None
        self._added = False

    def of(self, code: str, locale_name: str) -> tuple[str, str, str, str] | None:
        """(the locale's canonical name, the language's name for itself, 'rtl' or 'ltr',
        its usual script such as 'Arab' or '') of a language shown with a locale's data;
        None when Babel knows no such locale."""
        known = self._load()
        key = f"{code}\0{locale_name}"
        if key not in known:
            known[key] = _ask_babel(code, locale_name)
            self._added = True
        facts = known[key]
        return tuple(facts) if facts else None

    def save(self) -> None:
        """Write what was learnt (after a build, into the cache folder it made, which
        tells git to ignore it); nothing when it cannot be written: the answers are asked
        for again next time."""
        if not self._added or not self.path.parent.is_dir():
            return
        import babel

        text = json.dumps({"babel": babel.__version__, "origin": _babel_origin(),
                           "facts": self._known}, ensure_ascii=False)
        try:
            with replacing(self.path) as handle:
                handle.write(text.encode("utf-8"))
        except OSError:
            pass

    def _load(self) -> dict[str, list]:
        if self._known is None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                origin = _babel_origin()
                ok = (isinstance(data, dict) and _same_babel(data, origin)
                      and isinstance(data["facts"], dict))
                # An entry of any other shape (a damaged file) is asked for again.
                self._known = {key: facts for key, facts in data["facts"].items()
                               if facts is None or _is_facts(facts)} if ok else {}
                # Known by its version alone: written again with its origin.
                self._added = ok and data.get("origin") != origin
            except (OSError, ValueError, KeyError, TypeError, RecursionError):
                self._known = {}
        return self._known


def _same_babel(data: dict, origin: list | None) -> bool:
    """Whether the Babel that answered is the one installed: its `__init__.py` has the
    stat it had then (`origin`), else (it was reinstalled, or the file is of an earlier
    Dateline) its version is the same."""
    if origin is not None and data.get("origin") == origin:
        return True
    import babel

    return data["babel"] == babel.__version__


def _babel_origin() -> list | None:
    """[path, modification time, size] of Babel's `__init__.py`, found as `import`
    would find it but without running it; None when it cannot be stat'ed."""
    try:
        spec = PathFinder.find_spec("babel")
        stat = os.stat(spec.origin)
    except (AttributeError, TypeError, OSError):  # no spec, or no file of its own
        return None
    return [spec.origin, stat.st_mtime_ns, stat.st_size]


def _is_facts(facts) -> bool:
    return (isinstance(facts, list) and len(facts) == _FIELDS
            and all(isinstance(fact, str) for fact in facts))


def _ask_babel(code: str, locale_name: str) -> list | None:
    locale = parse_locale(locale_name)
    if locale is None:
        return None
    own = parse_locale(code)
    # Without CLDR data of its own, the language is named as its locale names it
    # ('аварский'), never after the locale itself ('русский').
    name = (own.get_display_name(own) or code) if own else locale.languages.get(code, code)
    direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
    return [str(locale), _capitalise(name), direction, _script(code, locale_name)]


def _script(code: str, locale_name: str) -> str:
    """The script the language is usually written in ('Arab' for ps), from the code's
    own script subtag or CLDR's likely subtags; '' when CLDR does not say."""
    from babel.core import get_global
    from babel.core import parse_locale as split_locale

    likely = get_global("likely_subtags")
    for name in (code, locale_name):
        try:
            language, _, script, *_ = split_locale(name.replace("-", "_"))
        except ValueError:
            continue
        script = script or split_locale(likely.get(language, language))[2]
        if script:
            return script
    return ""


def parse_locale(name: str) -> Locale | None:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _capitalise(name: str) -> str:
    # Title case, not upper case: Georgian letters have no title case and stay as they are.
    return name[:1].title() + name[1:]
