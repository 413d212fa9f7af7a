"""A deterministic newsroom corpus for benchmarks: N stories × L languages.

Each article has ~640 words of realistic Markdown (subheadings, a quote, a list, links),
a lead photo, three tags and translations that share a translation key. The same corpus
can be written for Dateline, Hugo and Pelican so that all three build the same thing.
Dateline's config also names the two bylined journalists as staff (author pages, bios and
feeds), and one story in twenty carries a correction, so the news desk's pages are built
too (peers ignore both).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

LANGUAGES = ("en", "ru", "fa", "ka", "ar", "uk", "hy", "ps")
SECTIONS = ("world", "economy", "culture", "science", "sport")
TAGS = tuple(f"topic-{i:02d}" for i in range(40))
PHOTOS = 24
WORDS = {
    "en": "the government said on monday that talks would resume after weeks of protest "
          "in the capital where reporters counted thousands of people marching peacefully "
          "toward the square while police watched from side streets and officials promised "
          "an inquiry into the detention of journalists and students".split(),
    "ru": "правительство заявило в понедельник что переговоры возобновятся после недель "
          "протестов в столице где репортёры насчитали тысячи людей мирно шедших к площади "
          "пока полиция наблюдала с соседних улиц а чиновники обещали расследование".split(),
    "fa": "دولت روز دوشنبه اعلام کرد که گفتگوها پس از هفته‌ها اعتراض در پایتخت از سر گرفته "
          "می‌شود جایی که خبرنگاران هزاران نفر را شمردند که به آرامی به سوی میدان راهپیمایی "
          "می‌کردند در حالی که پلیس از خیابان‌های فرعی نظاره می‌کرد".split(),
}


def sentence(rng: random.Random, words: list[str]) -> str:
    picked = [rng.choice(words) for _ in range(rng.randint(9, 18))]
    return picked[0].capitalize() + " " + " ".join(picked[1:]) + "."


def paragraph(rng: random.Random, words: list[str]) -> str:
    return " ".join(sentence(rng, words) for _ in range(rng.randint(3, 5)))


def body(rng: random.Random, lang: str) -> str:
    words = WORDS.get(lang, WORDS["en"])
    parts = []
    for block in range(10):
        if block in (3, 7):
            parts.append("## " + sentence(rng, words).rstrip("."))
        if block == 4:
            parts.append("> " + sentence(rng, words))
        if block == 6:
            parts.append("\n".join(f"- {sentence(rng, words)}" for _ in range(3)))
        text = paragraph(rng, words)
        if block == 2:
            text += " [Read the full statement](https://example.org/statement) online."
        parts.append(text)
    return "\n\n".join(parts) + "\n"


CORRECTED_EVERY = 20
STAFF = {"anna": "Anna Example", "reza": "Reza Example"}


def _correction(n: int, date: dt.datetime) -> list[str]:
    """Front-matter lines of a correction, on one story in `CORRECTED_EVERY`."""
    if n % CORRECTED_EVERY:
        return []
    return ["corrections:", f"  - date: {(date + dt.timedelta(hours=5)).isoformat()}",
            '    text: "An earlier version misstated the number of marchers."']


def _staff(langs: tuple[str, ...]) -> list[str]:
    """The config's `[authors.<key>]` tables: a name per language and a bio."""
    lines = []
    for key, name in STAFF.items():
        lines += [f"[authors.{key}]", f'name = "{name}"', 'role = "Correspondent"', "",
                  f"[authors.{key}.bio]"]
        lines += [f'{lang} = "{name} reports on politics for Example News ({lang})."'
                  for lang in langs]
        lines.append("")
    return lines


def write_corpus(root: Path, stories: int, languages: int, seed: int = 7,
                 photo_width: int = 1600) -> dict:
    """Write dateline.toml, content/ and photos under `root`; returns a description.

    The photos are 1600×1000 pixels, or scaled down to `photo_width` (tests, for which
    encoding their renditions is time spent on nothing they check)."""
    from PIL import Image, ImageDraw

    langs = LANGUAGES[:languages]
    content = root / "content"
    images = content / "images"
    images.mkdir(parents=True, exist_ok=True)
    for i in range(PHOTOS):
        path = images / f"photo-{i:02d}.jpg"
        if not path.exists():
            picture = Image.new("RGB", (1600, 1000), (30 + i * 7, 60 + i * 5, 120 - i * 3))
            draw = ImageDraw.Draw(picture)
            for j in range(12):
                draw.rectangle((j * 130, 600 - (i * j * 37) % 300, j * 130 + 110, 1000),
                               fill=(20 + j * 9, 20 + j * 5, 40 + i * 4))
            if photo_width != picture.width:
                picture = picture.resize((photo_width, photo_width * 1000 // 1600))
            picture.save(path, quality=80)
    start = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)
    # Seven hours apart for the default 1,000 stories; closer for bigger corpora, so that
    # every story is in the past (none held back as scheduled) until late 2026.
    step = dt.timedelta(minutes=min(420, 420_000 // max(stories, 1)))
    for n in range(stories):
        rng = random.Random(seed * 100003 + n)
        section = SECTIONS[n % len(SECTIONS)]
        tags = rng.sample(TAGS, 3)
        date = start + step * n
        for lang in langs:
            folder = content / lang / section
            folder.mkdir(parents=True, exist_ok=True)
            title = sentence(rng, WORDS.get(lang, WORDS["en"]))[:80].rstrip(".")
            front = [
                "---",
                f'title: "{title}"',
                f"date: {date.isoformat()}",
                f"summary: \"{sentence(rng, WORDS.get(lang, WORDS['en']))}\"",
                "authors: [Anna Example, Reza Example]",
                f"tags: [{', '.join(tags)}]",
                "reporting: [AP, AFP]",
                *_correction(n, date),
                "image:",
                f"  src: /images/photo-{n % PHOTOS:02d}.jpg",
                "  alt: A street in the capital",
                "  caption: Protesters in the capital.",
                "  credit: Photo by Example Staff",
                "---",
                "",
            ]
            (folder / f"story-{n:05d}.md").write_text(
                "\n".join(front) + body(rng, lang), encoding="utf-8")
    config = ['[site]', 'base_url = "https://news.example.org/"',
              'default_language = "en"', 'timezone = "UTC"', ""]
    for lang in langs:
        config += [f"[languages.{lang}]", f'title = "Example News ({lang})"',
                   'about = "A benchmark newsroom."', ""]
    config += _staff(langs)
    (root / "dateline.toml").write_text("\n".join(config), encoding="utf-8")
    return {"stories": stories, "languages": langs, "articles": stories * len(langs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--languages", type=int, default=3)
    args = parser.parse_args()
    print(write_corpus(args.root, args.stories, args.languages))


if __name__ == "__main__":
    main()
