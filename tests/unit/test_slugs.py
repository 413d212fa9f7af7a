"""slugs.py: slugs people write are checked; slugs made from names are always safe."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.slugs import make_slug, slug_problem


@pytest.mark.parametrize("value", [
    "budget-2025", "vote", "a.b", "2025", "выборы", "تهران", "x_y", "Karsk",
])
def test_single_clean_segment_is_accepted(value):
    assert slug_problem(value) is None


@pytest.mark.parametrize(("value", "reason"), [
    ("../x", "escape the output folder"),
    ("/etc/x", "escape the output folder"),
    ("a/b", "escape the output folder"),
    ("a\\b", "escape the output folder"),
    ("..", "escape the output folder"),
    (".", "escape the output folder"),
    ("a..b", "'..'"),
    ("%2e%2e", "percent-encoded"),
    ("%252e%252e", "percent-encoded"),
    ("..%2fetc", "percent-encoded"),
    ("100%", "percent-encoded"),
    (".hidden", "letters, digits"),
    ("-x", "letters, digits"),
    ("a b", "letters, digits"),
    ("", "letters, digits"),
])
def test_unsafe_slug_is_refused_with_a_reason(value, reason):
    problem = slug_problem(value)
    assert problem is not None
    assert reason in problem


@pytest.mark.parametrize("value", ["world\n", "vote\r", "x\t"])
def test_slug_with_trailing_control_character_is_refused(value):
    assert slug_problem(value) is not None


@pytest.mark.parametrize(("name", "style", "slug"), [
    ("budget-2025", "transliterate", "budget-2025"),
    ("Budget 2025", "transliterate", "budget-2025"),
    ("Выборы в Карске", "transliterate", "vybory-v-karske"),
    ("Выборы в Карске", "unicode", "выборы-в-карске"),
    ("a..b", "transliterate", "a-b"),
    ("...", "transliterate", "untitled"),
    ("human rights", "transliterate", "human-rights"),
])
def test_make_slug_from_names(name, style, slug):
    assert make_slug(name, style) == slug


def test_persian_name_is_transliterated_to_ascii():
    slug = make_slug("انتخابات تهران")
    assert slug.isascii() and slug and slug_problem(slug) is None


@given(st.text(min_size=1, max_size=30), st.sampled_from(["transliterate", "unicode"]))
def test_made_slug_is_always_a_safe_segment(name, style):
    assert slug_problem(make_slug(name, style)) is None
