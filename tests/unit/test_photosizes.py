"""`sizes` attributes from layout tiers: plain calc() only (validators reject min() and
clamp() there), and the viewport-height cap as media conditions."""

import pytest

from dateline.photos.photosizes import photo_sizes


@pytest.mark.parametrize(("tiers", "size", "expected"), [
    ([[0, 100, 0]], None, "100vw"),
    ([[78, 0, 23.5], [40, 46, -0.875], [0, 0, 11.556]], None,
     "(min-width: 78em) 23.5rem, (min-width: 40em) calc(46vw - 0.875rem), 11.556rem"),
    ([[64, 66.667, 3.25]], None, "(min-width: 64em) calc(66.667vw + 3.25rem)"),
    # a 2:3 portrait photo: narrower than 56rem on a screen under 84em tall, and than
    # the full width wherever the screen is wider than 2:3
    ([[60, 0, 56], [0, 100, 0]], (1600, 2400),
     "(min-width: 60em) and (max-height: 84em) 66.667vh, (min-width: 60em) 56rem, "
     "(min-aspect-ratio: 667/1000) 66.667vh, 100vw"),
])
def test_sizes_follow_the_tiers_and_the_height_cap(tiers, size, expected):
    assert photo_sizes(tiers, *(size or ())) == expected


def test_no_css_function_a_validator_rejects():
    text = photo_sizes([[60, 0, 56], [50, 100, -4], [40, 92, 0], [0, 100, 0]], 3000, 2000)
    assert "min(" not in text.replace("min-", "") and "clamp(" not in text
