"""The staff's photos (config `authors.<key>.photo`): found under content/ and planned
through the photo stage like an article's lead photo, cropped square."""

from __future__ import annotations

from ..config import Config
from ..errors import Problems
from ..model import Image

PORTRAIT_RATIO = (1, 1)


def plan_portraits(config: Config, files, problems: Problems) -> tuple[tuple[str, Image], ...]:
    """Author key → the planned photo, for every author whose photo can be published;
    `files`: the build's `ContentFiles` (which carries the photo planner)."""
    portraits = []
    for author in config.authors:
        if not author.photo:
            continue
        source, problem = files.locate("/" + author.photo, config.paths.content)
        if problem:
            problems.error(author.photo_at, f"authors.{author.key}.photo: "
                           f"{problem.replace('image ', 'photo ', 1)}")
            continue
        image = Image(source=source, url=files.url_of(source), alt="", caption="",
                      credit="", text_lang=config.site.default_language,
                      where=author.photo_at, ratio=PORTRAIT_RATIO,
                      metadata_lang=config.site.default_language)
        if files.plan_image is not None:
            image = files.plan_image(image, problems)
        if image is not None:
            portraits.append((author.key, image))
    return tuple(portraits)
