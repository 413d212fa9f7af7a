"""The photo stage of a build: plan the renditions of every photo the site publishes,
fill captions and credits from IPTC where the front matter has none, and make the
renditions that the cache does not hold yet, on all cores."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from msgspec import structs

from ..errors import Problems, SourceRef
from ..incremental.cache import BuildCache
from ..incremental.photocache import RenditionStore, write_rendition
from ..model import Asset, Image, Site
from ..photos.photos import (
    CARD_RATIO,
    PASSTHROUGH,
    Job,
    PhotoError,
    PhotoSettings,
    Picture,
    Rendition,
    SourceInfo,
    encode_many,
    file_digest,
    inspect,
    plan_picture,
)
from ..photos.social import SocialCrops, SourcePhoto, plan_social
from .parallel import run_chunked


class PhotoLibrary:
    """Source photos of one build: their digests and headers, read once each."""

    def __init__(self, settings: PhotoSettings, cache: BuildCache | None = None):
        self.settings = settings
        self.cache = cache
        self._known: dict[Path, tuple[str, SourceInfo | None]] = {}
        self._pictures: dict[tuple, Picture] = {}
        self._planned: dict[tuple, tuple] = {}
        self._sizes: dict[str, int] = {}
        self._store: RenditionStore | None = None

    def source(self, path: Path) -> tuple[str, SourceInfo | None]:
        """(content digest, header info) of a photo; raises PhotoError."""
        if path not in self._known:
            stat = path.stat()
            remembered = self.cache.photo(path, stat) if self.cache else None
            if remembered is None:
                info = None if path.suffix.lower() in PASSTHROUGH else inspect(path)
                remembered = (file_digest(path), info)
                if self.cache:
                    self.cache.remember_photo(path, stat, *remembered)
            self._known[path] = remembered
        return self._known[path]

    def plan_image(self, image: Image, problems: Problems) -> Image | None:
        """The lead photo with its renditions planned (article, 16:9 card, social crops),
        and caption and credit from its IPTC fields where the article gives none; None after
        reporting a photo that cannot be published."""
        # Translations show their original's photo: plan each photo and crop once.
        key = (image.source, image.url, image.ratio, image.focus)
        planned = self._planned.get(key)
        if planned is None:
            try:
                picture = self.picture(image.source, image.url, ratio=image.ratio,
                                       focus=image.focus)
                card = self.picture(image.source, image.url, ratio=CARD_RATIO,
                                    focus=image.focus, widths=self.settings.card_widths)
                digest, info = self.source(image.source)
                social = plan_social(SourcePhoto(image.source, image.url, info, digest,
                                                 self.settings, image.focus))
            except PhotoError as exc:
                problems.error(image.where, f"image '{_shown(image)}' {exc}")
                return None
            planned = self._planned[key] = (
                picture, card, info.caption if info else "", info.credit if info else "",
                self.published_size(picture.src), social)
        picture, card, caption, credit, size, social = planned
        return structs.replace(image, picture=picture, card=card, social=social,
                               caption=image.caption or caption,
                               credit=image.credit or credit, published_bytes=size,
                               caption_from_photo=bool(caption and not image.caption),
                               credit_from_photo=bool(credit and not image.credit))

    def published_size(self, rendition: Rendition) -> int:
        """Bytes of a rendition already in the cache (0 when it is still to be made)."""
        if rendition.job is None:
            return Path(rendition.source).stat().st_size
        if self.cache is None:
            return 0
        name = _file_name(rendition.job)
        if name not in self._sizes:
            if self._store is None:
                self._store = RenditionStore(self.cache.folder / "photos")
            # The size recorded when it was made; a damaged file is made again (and
            # its size taken then: `stages._with_published_sizes`).
            sound = self._store.is_sound(name)
            self._sizes[name] = self._store.size(name) if sound else 0
        return self._sizes[name]

    def picture(self, path: Path, url: str, *, ratio=None, focus=(0.5, 0.5),
                widths: tuple[int, ...] | None = None) -> Picture:
        # Newsrooms reuse photos across translations and stories: plan each crop once.
        key = (path, url, ratio, focus, widths)
        if key not in self._pictures:
            digest, info = self.source(path)
            self._pictures[key] = plan_picture(path, url, info, digest, self.settings,
                                               ratio=ratio, focus=focus, widths=widths)
        return self._pictures[key]


def _shown(image: Image) -> str:
    return image.source.name


def site_renditions(site: Site, body_pictures: list[tuple[Picture, SourceRef]]
                    ) -> dict[str, tuple[Rendition, list[list[SourceRef]]]]:
    """Every rendition to publish, by URL, with the places of the articles that use it:
    a list for each picture it is a rendition of (one list for all of a picture's
    renditions, not a copy in each: a photo many stories share is in ~9 renditions,
    ~4 MiB at 60,000 articles at the build's peak, issue 19)."""
    # Translations share their original's planned pictures: gather the users of each
    # picture first, then walk each picture's renditions once.
    users: dict[int, tuple[Picture, list[SourceRef]]] = {}

    def add(picture: Picture | SocialCrops | None, where: SourceRef) -> None:
        if picture is not None:
            users.setdefault(id(picture), (picture, []))[1].append(where)

    for article in site.articles:
        if article.image is not None:
            add(article.image.picture, article.image.where)
            add(article.image.card, article.image.where)
            add(article.image.social, article.image.where)
    for picture, where in body_pictures:
        add(picture, where)
    for _key, portrait in site.portraits:  # square crops only: no card shows them
        add(portrait.picture, portrait.where)
    found: dict[str, tuple[Rendition, list[list[SourceRef]]]] = {}
    for picture, wheres in users.values():
        for rendition in picture.renditions:
            found.setdefault(rendition.url, (rendition, []))[1].append(wheres)
    return dict(sorted(found.items()))


def make_renditions(renditions: dict[str, tuple[Rendition, list[list[SourceRef]]]],
                    cache_dir: Path, jobs: int, problems: Problems, *,
                    full_check: bool = False) -> tuple[dict, int]:
    """Make what the cache lacks or holds damaged (`photocache`; every kept file is read
    and its digest checked with `full_check`); return url → file to publish, and how
    many were made."""
    store = RenditionStore(cache_dir / "photos")
    files: dict[str, Path] = {}
    todo: dict[str, Job] = {}
    users: dict[str, list[list[SourceRef]]] = defaultdict(list)
    for url, (rendition, wheres) in renditions.items():
        if rendition.job is None:
            files[url] = Path(rendition.source)  # SVG, GIF: published as they are
            continue
        name = _file_name(rendition.job)
        files[url] = store.path(name)
        if rendition.job.key not in todo and not store.is_sound(name, full_check):
            todo[rendition.job.key] = rendition.job
            users[rendition.job.source] += wheres  # (the lists, not their places)
    made = 0
    if todo:
        store.folder.mkdir(parents=True, exist_ok=True)
        failed: dict[str, str] = {}
        # One task per source photo, so each is decoded once for all its renditions.
        by_source: dict[str, list[Job]] = defaultdict(list)
        for job in todo.values():
            by_source[job.source].append(job)
        tasks = [(group, str(store.folder)) for _, group in sorted(by_source.items())]
        for source, records, error in run_chunked(_make_group, tasks, jobs,
                                                  min_per_worker=1):
            if error:
                failed[source] = error
            for record in records:
                store.record(*record)
            made += len(records)
        for source, error in sorted(failed.items()):
            places = {where for wheres in users[source] for where in wheres}
            for where in sorted(places, key=lambda w: (w.path, w.line)):
                problems.error(where, f"image '{Path(source).name}' {error}")
    store.save()
    return files, made


def kept_renditions_sound(assets: tuple[Asset, ...], cache_dir: Path) -> bool:
    """Whether every cached rendition among a last build's published files is still the
    one that was made: the shortcuts that publish them again without the photo stage
    must not publish a damaged one."""
    store = RenditionStore(cache_dir / "photos")
    return all(store.is_sound(asset.source.name) for asset in assets
               if asset.source.parent == store.folder)


def _file_name(job: Job) -> str:
    return f"{job.key}.{job.format}"


def _make_group(item: tuple[list[Job], str]) -> tuple[str, list[tuple], str]:
    group, folder = item
    source = group[0].source
    try:
        made = encode_many(group)
    except PhotoError as exc:
        return source, [], str(exc)
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for broken files
        return source, [], f"cannot be decoded: the file is damaged or truncated ({exc})"
    records = [write_rendition(Path(folder), _file_name(job), data)
               for job, data in zip(group, made, strict=True)]
    return source, records, ""
