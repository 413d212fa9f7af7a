"""Issue 19: the validated fields are pickled as the cache's rows from copies of their
texts that are not ASCII (`memo.detached`): pickling a text leaves its UTF-8 form in it
for good (CPython caches it), and those texts are the articles' own."""

import pickle
import sys

from dateline.fields import FrontMatter, ImageSpec
from dateline.incremental.memo import detached, detached_row

TITLE = "Выборы в столице: подсчёт голосов продолжается всю ночь"
SUMMARY = "شمارش آرا در پایتخت ادامه دارد و نتایج تا صبح اعلام می‌شود"


def fields() -> FrontMatter:
    return FrontMatter(written=frozenset({"title", "summary", "tags", "image"}),
                       title=TITLE[:-1] + TITLE[-1], summary=SUMMARY[:-1] + SUMMARY[-1],
                       tags=("vote", "سیاست"),
                       image=ImageSpec(src="a.jpg", alt="Улица " * 20, caption="A street"))


def test_pickling_a_detached_row_leaves_the_fields_texts_as_they_were():
    original = fields()
    texts = (original.title, original.summary, original.image.alt)
    sizes = [sys.getsizeof(text) for text in texts]
    key, (inputs, copy) = detached_row(("content/ru/world/vote.md", (("d" * 32,), original)))
    blob = pickle.dumps((key, (inputs, copy)), protocol=pickle.HIGHEST_PROTOCOL)
    # The same row, read back; the texts the article keeps hold no UTF-8 form.
    assert pickle.loads(blob) == (key, (inputs, original))
    assert [sys.getsizeof(text) for text in texts] == sizes
    assert copy.title is not original.title and copy.image.alt is not original.image.alt
    # What is ASCII is not copied (pickling it keeps nothing more).
    assert copy.image.src is original.image.src and copy.tags[0] is original.tags[0]
    # Pickled as they are, the texts would keep their UTF-8 form: what this avoids.
    pickle.dumps(original)
    assert sys.getsizeof(original.title) > sizes[0]


def test_a_value_with_nothing_to_copy_is_itself():
    plain = FrontMatter(written=frozenset({"title"}), title="Vote counted", tags=("a", "b"))
    assert detached(plain) is plain and detached(("x", 1)) == ("x", 1)
