"""A listing's card rendered once per build, not once per listing it appears on.

An article's card (partials/card.html) is on its home page, section, tags, author and
date archives: about eight listings. The card template is wrapped (`MemoTemplate`) so
that an `{% include %}` of it looks up its HTML by everything the card can see: the
value of every name it (or a template it imports or includes) reads from its context,
whatever the theme's card reads. Values are keyed by what they are (`_value_key`):
plain values by value, `namespace()` objects by their attributes (and what the card
sets in them is replayed on a hit: `photos.eager`), the build's frozen objects
(articles, views, settings, functions) by identity, a page's `link`/`asset` by what
their result depends on. A card that reads anything else (a list, a dict, `loop`, a
macro) is rendered every time, as before. The memo is emptied at the start of every
build (`forget`): identities are only compared within one build's objects.
"""

from __future__ import annotations

import dataclasses
import types
import zlib

import msgspec
from jinja2 import Environment, Template, TemplateError, meta
from jinja2.compiler import CodeGenerator
from jinja2.runtime import Context, Namespace, Undefined, missing
from markupsafe import Markup

from ..outputs.content_view import ContentView

MEMOIZED = frozenset({"partials/card.html", "partials/sections_nav.html",
                      "partials/footer.html"})
"""Templates whose HTML is kept, by the values they see: a listing's card, and the
page chrome that is the same on many pages of a language (base.html's masthead
sections and footer)."""

_ALWAYS = ("_", "gettext", "ngettext")
"""i18n names a template can reach without naming them (`_` calls `gettext`)."""

_PLAIN = (str, int, float, bool, type(None), Markup)


SEED_CARDS = 4
"""Entries whose HTML, joined, is the preset dictionary of those after them."""

ZDICT_MOST = 32 * 1024
"""Deflate looks back 32 KiB at most: a longer dictionary is cut to its end."""


class PartialMemo:
    """HTML of memoized templates in one build, by template and the values they saw."""

    def __init__(self) -> None:
        self.entries: dict[tuple, tuple[str, tuple, tuple]] = {}
        self.names: dict[str, tuple[str, ...] | None] = {}
        """Per template name: the names it and the templates it uses read from their
        context, or None when they cannot be known (a template named by a variable)."""
        self.parts: dict = {}
        """Each part of a stored key, and each namespace state, once (`shared`)."""
        self._seed: list[bytes] = []
        self._zdict: bytes | None = None

    def clear(self) -> None:
        self.entries.clear()
        self.names.clear()
        self.parts.clear()
        self._seed, self._zdict = [], None

    def pack(self, html: str) -> bytes:
        """`html` as the memo keeps it: compressed, once its first cards are known with
        them as a preset dictionary. A theme's cards are alike (the same markup, the
        same `sizes` of their pictures, the same URL patterns): a card of ~1.4 kB packs
        into ~280 bytes instead of ~650 alone, for ~3 µs more (issue 19: at 60,000
        articles the memo holds ~45,000 cards in each rendering process)."""
        data = html.encode("utf-8")
        if self._zdict is None:
            self._seed.append(data)
            if len(self._seed) == SEED_CARDS:
                self._zdict = b"".join(self._seed)[-ZDICT_MOST:]
                self._seed = []
            return b"\0" + zlib.compress(data, 1)
        packer = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=self._zdict)
        return b"\1" + packer.compress(data) + packer.flush()

    def unpack(self, packed: bytes) -> str:
        if packed[0] == 0:
            return zlib.decompress(packed[1:]).decode("utf-8")
        unpacker = zlib.decompressobj(-zlib.MAX_WBITS, zdict=self._zdict)
        return (unpacker.decompress(packed[1:]) + unpacker.flush()).decode("utf-8")

    def shared(self, value):
        """`value`, or the equal one stored before: the parts of the keys of a
        language's cards are mostly the same (its view, the page's `link`, the
        functions of `_`, the namespaces' states), and a tuple of them per card was
        two thirds of what the memo held (issue 19)."""
        return self.parts.setdefault(value, value)


def forget(env: Environment) -> None:
    """Start a build: nothing of an earlier build's objects is reused."""
    memo = getattr(env, "partial_memo", None)
    if memo is not None:
        memo.clear()


def install(env: Environment) -> None:
    """Make `env` memoize the templates of `MEMOIZED` (before any is compiled)."""
    env.partial_memo = PartialMemo()  # type: ignore[attr-defined]
    env.template_class = MemoTemplate


class MemoTemplate(Template):
    @classmethod
    def _from_namespace(cls, environment, namespace, globals):  # noqa: A002 - Jinja's name
        template = super()._from_namespace(environment, namespace, globals)
        if template.name in MEMOIZED:
            template.root_render_func = _memoized(template, template.root_render_func)
        return template


def _memoized(template: Template, render):
    def root(context: Context):
        memo: PartialMemo = template.environment.partial_memo  # type: ignore[attr-defined]
        names = _names_of(template, memo)
        refs: list = []
        key = None if names is None else _context_key(template.name, names, context, refs)
        if key is None:
            yield from render(context)
            return
        hit = memo.entries.get(key)
        if hit is None:
            html = template.environment.concat(render(context))  # type: ignore[attr-defined]
            after = _namespaces(names, context)
            if after is None:  # it put something into a namespace that may change
                yield html
                return
            # The entry holds the objects its key names by identity: no other object
            # can take their ids while the memo lives. Its HTML is kept compressed: the
            # memo holds a card of every article listed (`PartialMemo.pack`).
            memo.entries[tuple(map(memo.shared, key))] = (
                memo.pack(html), memo.shared(after), tuple(refs))
            yield html
            return
        for name, attributes in hit[1]:
            space = context.resolve_or_missing(name)
            space._Namespace__attrs.clear()
            space._Namespace__attrs.update(attributes)
        yield memo.unpack(hit[0])

    return root


def _names_of(template: Template, memo: PartialMemo) -> tuple[str, ...] | None:
    name = template.name
    if name not in memo.names:
        memo.names[name] = _read_names(template.environment, name)
    return memo.names[name]


def _read_names(env: Environment, name: str) -> tuple[str, ...] | None:
    found, todo, seen = set(_ALWAYS), [name], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            source = env.loader.get_source(env, current)[0]  # type: ignore[union-attr]
            tree = env.parse(source)
        except TemplateError:
            return None  # reported when it is rendered
        references = list(meta.find_referenced_templates(tree))
        if None in references:
            return None
        todo.extend(references)
        found |= _ContextNames.of(env, tree)
    return tuple(sorted(found))


class _ContextNames(CodeGenerator):
    """Every name a template reads from its context, globals included (Jinja's own
    `meta.find_undeclared_variables` leaves out globals, but a page's context can
    shadow them: `_` is the page language's gettext)."""

    def __init__(self, environment: Environment):
        super().__init__(environment, "<names>", "<names>")
        self.names: set[str] = set()

    @classmethod
    def of(cls, env: Environment, tree) -> set[str]:
        generator = cls(env)
        generator.visit(tree)
        return generator.names

    def write(self, x: str) -> None:
        pass

    def enter_frame(self, frame) -> None:
        super().enter_frame(frame)
        for _target, (action, param) in frame.symbols.loads.items():
            if action == "resolve":
                self.names.add(param)


class _Unkeyable(Exception):
    pass


def _context_key(template: str, names: tuple[str, ...], context: Context,
                 refs: list) -> tuple | None:
    try:
        return (template, *(_value_key(context.resolve_or_missing(n), refs) for n in names))
    except _Unkeyable:
        return None


def _value_key(value, refs: list) -> object:
    """`value` as a part of a key: equal keys for values a template cannot tell apart.
    Objects compared by identity are appended to `refs`."""
    kind = type(value)
    if kind in _PLAIN:
        return kind, value  # 1, 1.0 and True are equal keys, and print differently
    if value is missing or isinstance(value, Undefined):
        return missing
    if kind is Namespace:
        return kind, tuple((k, _value_key(v, refs))
                           for k, v in value._Namespace__attrs.items())
    if kind is tuple:
        return kind, tuple(_value_key(v, refs) for v in value)
    if kind is types.FunctionType:
        # A page's `link` and `asset` are made per page: keyed by what they depend on.
        return kind, getattr(value, "memo_key", value)
    if kind is types.MethodType:
        return kind, _value_key(value.__self__, refs), value.__func__
    if _frozen(value) or isinstance(value, ContentView):
        # The build's own objects (articles, views, settings): by identity, not by
        # value (hashing an article's fields would cost more than its card).
        refs.append(value)
        return "id", id(value)
    raise _Unkeyable


def _frozen(value) -> bool:
    if isinstance(value, msgspec.Struct):
        return type(value).__struct_config__.frozen
    return dataclasses.is_dataclass(value) and type(value).__dataclass_params__.frozen


def _namespaces(names: tuple[str, ...], context: Context) -> tuple | None:
    """The attributes of the namespaces the template saw, after it ran, as (name,
    value) pairs; None if one holds a value that is not plain (a list the next page
    could change)."""
    spaces = tuple((n, tuple(v._Namespace__attrs.items())) for n in names
                   if type(v := context.resolve_or_missing(n)) is Namespace)
    plain = all(type(value) in _PLAIN for _name, attributes in spaces
                for _attribute, value in attributes)
    return spaces if plain else None
