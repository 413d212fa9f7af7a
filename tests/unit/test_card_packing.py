"""Issue 19: the card memo keeps each card's HTML compressed, with the first cards of
the build as a preset dictionary for those after them (`PartialMemo.pack`): every card
reads back as it was rendered, before and after the dictionary exists, and again after
the memo is emptied for the next build."""

import zlib

from dateline.build.cardmemo import SEED_CARDS, PartialMemo

CARD = """<article class="card">
  <picture class="card__picture">
<source type="image/webp" srcset="/media/images/photo-{n:02}-480w.{n:016x}.webp 480w, \
/media/images/photo-{n:02}-960w.{n:016x}.webp 960w" sizes="(min-width: 78em) 48.75rem, \
(min-width: 50em) calc(60vw - 3.3rem), calc(100vw - 2rem)">
<img class="card__image" src="/media/images/photo-{n:02}-960w.{n:016x}.jpg" width="960" \
height="540" alt="" decoding="async">
</picture>
  <div class="card__text">
    <p class="card__kicker"><a href="/{lang}/world/">{section}</a></p>
    <h2 class="card__title"><a href="/{lang}/world/story-{n:05}/">{title}</a></h2>
    <p class="card__meta"><time datetime="2026-10-19T20:30:00+00:00">{n} October</time></p>
  </div>
</article>
"""


def cards(count: int) -> list[str]:
    titles = ("Выборы в столице: подсчёт голосов продолжается", "Vote counted in the capital",
              "شمارش آرا در پایتخت ادامه دارد")
    return [CARD.format(n=n, lang=("ru", "en", "fa")[n % 3], section="Мир",
                        title=f"{titles[n % 3]} {n}") for n in range(count)]


def test_every_card_reads_back_as_rendered_before_and_after_the_dictionary():
    memo = PartialMemo()
    made = cards(40)
    packed = [memo.pack(html) for html in made]
    assert [memo.unpack(p) for p in reversed(packed)] == made[::-1]
    # The cards after the first few pack with them as a dictionary: well under what
    # each packs into alone.
    alone = sum(len(zlib.compress(html.encode(), 1)) for html in made[SEED_CARDS:])
    assert sum(map(len, packed[SEED_CARDS:])) < 0.6 * alone


def test_a_memo_emptied_for_the_next_build_makes_its_dictionary_again():
    memo = PartialMemo()
    for html in cards(10):
        memo.pack(html)
    memo.clear()
    other = [html.replace("card__", "story-card__") for html in cards(12)]
    packed = [memo.pack(html) for html in other]
    assert [memo.unpack(p) for p in packed] == other
