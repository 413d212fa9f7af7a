"""Photos in a real browser: at the theme's widths (phone, tablet, desktop) and device
pixel ratios 1 and 2, the rendition Chromium picks from `srcset` and `sizes` is sharp
(at least the displayed width × DPR) and not wasteful (never beyond the smallest sharp
one); portrait photos fit the viewport; only the first image of a page loads eagerly."""

from __future__ import annotations

import functools
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from dateline.build.pipeline import BuildOptions, build
from dateline.config import load_config

# One module fixture builds the photo site: on one worker, not on each.
pytestmark = pytest.mark.xdist_group("photo_sizes")

WIDTHS = {"phone": (390, 844), "tablet": (768, 1024), "desktop": (1280, 800)}
"""The theme's breakpoints' representative viewports (CSS px)."""
PAGES = ("en/", "en/world/", "en/world/story-1/", "en/world/portrait/")

_MEASURE = """async (img) => {
    img.scrollIntoView({block: "center"});
    await new Promise(resolve => {
        const done = () => img.complete && img.currentSrc && img.naturalWidth;
        if (done()) return resolve();
        img.addEventListener("load", resolve, {once: true});
        setTimeout(resolve, 5000);
    });
    const box = img.getBoundingClientRect();
    const style = getComputedStyle(img);
    const ratio = img.naturalWidth / img.naturalHeight;
    // What the photo's pixels cover on screen: object-fit scales them past or inside the box.
    let shown = box.width;
    if (style.objectFit === "cover") shown = Math.max(box.width, box.height * ratio);
    if (style.objectFit === "contain") shown = Math.min(box.width, box.height * ratio);
    const candidates = [...(img.parentElement.tagName === "PICTURE"
        ? img.parentElement.querySelectorAll("source, img") : [img])]
        .flatMap(el => (el.getAttribute("srcset") || "").split(",").map(s => s.trim().split(" ")))
        .filter(parts => parts.length === 2)
        .map(([url, w]) => [new URL(url, location.href).href, parseInt(w)]);
    const mine = candidates.find(([url]) => url === img.currentSrc);
    const sameKind = candidates.filter(([url]) =>
        url.split(".").pop() === img.currentSrc.split(".").pop()).map(([, w]) => w);
    return {src: img.currentSrc, chosen: mine ? mine[1] : null, widths: sameKind,
            shown, height: box.height, viewport: innerHeight,
            loading: img.getAttribute("loading"), priority: img.getAttribute("fetchpriority")};
}"""


def _jpeg(size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory, make_site, article_text) -> Path:
    """Six landscape stories (the newest leads the home page), one portrait lead photo,
    and a body figure; built once."""
    body = "The count went on.\n\n![Queues at dawn](/images/body.jpg \"Queues\")\n\nMore.\n"
    files = {f"content/en/world/story-{n}.md": article_text(
        f"Story {n}", date=f"2025-03-0{n}T10:00:00+01:00", body=body,
        image={"src": f"/images/land-{n}.jpg", "alt": f"Scene {n}"}) for n in range(1, 7)}
    files.update({f"content/images/land-{n}.jpg": _jpeg((2400, 1600), (20 * n, 90, 160))
                  for n in range(1, 7)})
    files["content/images/body.jpg"] = _jpeg((2400, 1600), (90, 40, 20))
    files["content/images/tall.jpg"] = _jpeg((1600, 2400), (40, 120, 60))
    files["content/en/world/portrait.md"] = article_text(
        "Portrait", date="2025-02-01T10:00:00+01:00", body=body,
        image={"src": "/images/tall.jpg", "alt": "A tall scene"})
    root = make_site(tmp_path_factory.mktemp("photo-sizes"), files)
    config = load_config(root / "dateline.toml")
    build(config, BuildOptions(jobs=1))
    return root / "site"


@pytest.fixture(scope="module")
def site_url(photo_site) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(photo_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _measure(browser, url: str, size: tuple[int, int], dpr: int) -> list[dict]:
    # A fresh context per page: nothing cached from another page sways the choice.
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  device_scale_factor=dpr)
    try:
        page = context.new_page()
        page.goto(url)
        return [page.locator("img").nth(i).evaluate(_MEASURE)
                for i in range(page.locator("img").count())]
    finally:
        context.close()


@pytest.mark.parametrize("dpr", [1, 2])
@pytest.mark.parametrize("device", list(WIDTHS))
def test_browser_picks_the_smallest_sharp_rendition(browser, site_url, device, dpr):
    wrong = []
    for path in PAGES:
        measured = _measure(browser, site_url + path, WIDTHS[device], dpr)
        assert measured, f"{path}: no photo measured"
        for n, image in enumerate(measured):
            assert image["chosen"], f"{path} image {n}: {image['src']} is not in its srcset"
            needed = image["shown"] * dpr
            widths = sorted(image["widths"])
            sharp = [w for w in widths if w >= needed - 0.5] or [widths[-1]]
            if image["chosen"] != sharp[0]:
                wrong.append(f"{path} image {n}: shown {image['shown']:.0f} px × {dpr} needs "
                             f"{needed:.0f}, picked {image['chosen']} of {widths}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("device", list(WIDTHS))
def test_a_portrait_photo_is_never_taller_than_the_viewport(browser, site_url, device):
    lead = _measure(browser, site_url + "en/world/portrait/", WIDTHS[device], 1)[0]
    assert lead["height"] <= lead["viewport"], lead


@pytest.mark.parametrize("path", PAGES)
def test_only_the_first_image_of_a_page_loads_eagerly(browser, site_url, path):
    images = _measure(browser, site_url + path, WIDTHS["desktop"], 1)
    assert len(images) >= 2
    first, rest = images[0], images[1:]
    assert (first["loading"], first["priority"]) == (None, "high"), first
    assert all((i["loading"], i["priority"]) == ("lazy", None) for i in rest), rest


def test_a_phone_at_two_device_pixels_gets_a_rendition_close_to_its_width(browser, site_url):
    """The default widths have one for the commonest reader (a phone 360-400 px wide at
    DPR 2): without the 800 px rendition, article photos send it 960 px, a third more
    bytes than it can show."""
    measured = [image for path in PAGES[2:]
                for image in _measure(browser, site_url + path, WIDTHS["phone"], 2)]
    assert len(measured) >= 3  # the lead photos and the body figures
    for image in measured:
        assert image["chosen"] <= image["shown"] * 2 * 1.15, image
