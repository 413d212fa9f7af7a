"""One build works on real hosts: the sample newsroom served by Debian's nginx under the
sub-path /newsroom/ has no broken link or asset and a working 404 page; a mirror-mode
build opened from disk (file://) in Chromium has its stylesheet and images."""

from __future__ import annotations

import io
import os
import pwd
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]

# One worker runs the whole module (`--dist loadgroup`, pyproject.toml), so its
# module fixtures are made once: the nginx-served build of the sample, once per run.
pytestmark = pytest.mark.xdist_group("hosting")
NGINX = Path("/usr/sbin/nginx")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
URL_ATTRIBUTES = ("href", "src", "poster")
LANGUAGES = ("en", "ru", "fa", "ka")
"""The sample newsroom's languages."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _nginx_conf(prefix: Path, port: int, site: Path) -> str:
    user = pwd.getpwuid(os.geteuid()).pw_name  # workers must read the pytest tmp folders
    mime = Path("/etc/nginx/mime.types")
    types = f"include {mime};" if mime.exists() else \
        "types { text/html html; text/css css; image/jpeg jpg; application/xml xml; }"
    temp = "\n".join(f"  {kind}_temp_path {prefix}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""
user {user};
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log {prefix}/access.log;
{temp}
  {types}
  default_type application/octet-stream;
  server {{
    listen 127.0.0.1:{port};
    location /newsroom/ {{
      alias {site}/;
      index index.html;
      error_page 404 /newsroom/404.html;
      # The README's rule: each language's own 404 page under its folder.
      location ~ ^/newsroom/(?<lang>{"|".join(LANGUAGES)})/ {{
        error_page 404 /newsroom/$lang/404.html;
      }}
    }}
  }}
}}
"""


@pytest.fixture(scope="module")
def nginx_site(tmp_path_factory, run_cli, copy_sample):
    """The sample newsroom, built for http://127.0.0.1:PORT/newsroom/ and served there
    by nginx; yields the site's root URL and its folder."""
    if not NGINX.exists():
        pytest.skip(f"{NGINX} is not installed (apt-get install nginx)")
    root = copy_sample(tmp_path_factory.mktemp("nginx") / "sample")
    port = _free_port()
    base = f"http://127.0.0.1:{port}/newsroom/"
    out = root / "out"
    result = run_cli(["build", "--config", root / "dateline.toml", "--out", out,
                      "--base-url", base])
    assert result.code == 0, result.err
    prefix = root / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(_nginx_conf(prefix, port, out), encoding="utf-8")
    server = subprocess.Popen([str(NGINX), "-p", str(prefix), "-e", str(prefix / "error.log"),
                               "-c", str(conf), "-g", "daemon off;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port, server, prefix)
        yield base, out
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_for(port: int, server: subprocess.Popen, prefix: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log = (prefix / "error.log").read_text(encoding="utf-8", errors="replace") \
                if (prefix / "error.log").exists() else ""
            pytest.fail(f"nginx exited with {server.returncode}: "
                        f"{server.stderr.read().decode(errors='replace')}{log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail("nginx did not start listening within 10 s")


def _fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read()


def _links(document, page_url: str) -> list[str]:
    """Absolute URLs of everything the page refers to: href, src, poster and every
    srcset candidate."""
    found = []
    for node in document.iter():
        for attr in URL_ATTRIBUTES:
            if node.get(attr):
                found.append(node.get(attr))
        if node.get("srcset"):
            found += [c.split()[0] for c in node.get("srcset").split(",") if c.strip()]
    return [urljoin(page_url, url.strip()).split("#")[0] for url in found]


def test_nginx_under_a_sub_path_serves_every_page_and_asset(nginx_site, parse_html):
    base, _out = nginx_site
    origin = base.removesuffix("/newsroom/")
    seen, broken, outside = {base}, [], []
    queue = deque([(base, "(start)")])
    pages = 0
    while queue:
        url, referrer = queue.popleft()
        status, content_type, body = _fetch(url)
        if status != 200:
            broken.append(f"{url} ({status}), linked from {referrer}")
            continue
        if content_type != "text/html":
            continue
        pages += 1
        for link in _links(parse_html(body.decode("utf-8")), url):
            if not link.startswith(origin + "/") or link in seen:
                continue
            seen.add(link)
            if not urlsplit(link).path.startswith("/newsroom/"):
                outside.append(f"{link}, linked from {url}")
            else:
                queue.append((link, url))
    assert broken == [] and outside == []
    assert pages > 100  # every page of the sample newsroom was reached
    assert any("/newsroom/media/" in url for url in seen)
    assert any(url.endswith(".css") for url in seen)


@pytest.mark.parametrize(("path", "page"), [
    ("en/no-such-story/deeper/", "en/404.html"),
    ("fa/no-such-story", "fa/404.html"),
    ("ka/world/no-such-story/", "ka/404.html"),
    ("no-such-folder/story/", "404.html"),
])
def test_nginx_answers_an_unknown_url_with_its_languages_404_page(nginx_site, parse_html,
                                                                  path, page):
    base, out = nginx_site
    url = base + path
    status, content_type, body = _fetch(url)
    assert (status, content_type) == (404, "text/html")
    assert body == (out / page).read_bytes()
    # Its links work from any depth, so the page is styled wherever it is shown.
    document = parse_html(body.decode("utf-8"))
    assert document.find("body").classes == {"page-404"}
    followed = [link for link in _links(document, url)
                if link.startswith(base) and link != url]  # not the skip link's own #main
    assert len(followed) > 3, followed
    for link in followed:
        assert _fetch(link)[0] == 200, link


# ----- mirror mode, opened from disk

@pytest.fixture(scope="module")
def mirror_site(tmp_path_factory, make_site, article_text, build_site) -> Path:
    image = pytest.importorskip("PIL.Image")
    photo = io.BytesIO()
    image.new("RGB", (64, 48), (30, 90, 160)).save(photo, "PNG")
    root = make_site(tmp_path_factory.mktemp("mirror"), {
        "content/en/world/vote.md": article_text(
            title="Polls open in Karsk", tags=["elections"],
            image={"src": "skyline.png", "alt": "The Karsk skyline at dusk"},
            body="Queues formed early.\n\n![A queue outside a school](queue.png)\n"),
        "content/en/world/skyline.png": photo.getvalue(),
        "content/en/world/queue.png": photo.getvalue(),
        "content/fa/world/vote.md": article_text(title="صندوق‌ها باز شد"),
    }, relative_urls=True)
    build_site(root)
    return root / "site"


def test_mirror_links_are_relative_and_name_index_html(mirror_site, parse_html):
    document = parse_html(mirror_site / "en/world/vote/index.html")
    anchors = [a.get("href") for a in document.find_all("a", href=True)]
    internal = [h for h in anchors if not urlsplit(h).scheme and not h.startswith("#")]
    assert internal, anchors
    for href in internal:
        assert not href.startswith("/"), href
        assert href.split("#")[0].endswith(("index.html", ".xml")), href
    canonical = document.find("link", rel="canonical").get("href")
    assert canonical == "https://news.example.org/en/world/vote/"
    alternates = document.find_all("link", rel="alternate", hreflang=True)
    assert alternates
    for alternate in alternates:
        assert alternate.get("href").startswith("https://news.example.org/")
    feed = (mirror_site / "en/feed.xml").read_text(encoding="utf-8")
    assert "https://news.example.org/en/world/vote/" in feed


def test_mirror_build_opened_from_disk_loads_its_stylesheet_and_images(mirror_site,
                                                                       browser):
    page = browser.new_page()
    try:
        page.set_default_timeout(10_000)
        page.goto((mirror_site / "en/world/vote/index.html").as_uri())
        style = page.evaluate("""() => {
            const skip = getComputedStyle(document.querySelector('.skip-link'));
            return [skip.position, skip.clipPath,
                    getComputedStyle(document.body).marginTop];
        }""")
        assert style == ["absolute", "inset(50%)", "0px"]  # the theme's CSS applied
        images = page.locator("img")
        assert images.count() >= 2
        for index in range(images.count()):
            images.nth(index).scroll_into_view_if_needed()  # lazy images load
        page.wait_for_function("[...document.images].every(i => i.complete)")
        widths = page.evaluate("[...document.images].map(i => [i.currentSrc, "
                               "i.naturalWidth])")
        assert widths and all(width > 0 for _src, width in widths), widths
        assert all(src.startswith("file://") for src, _width in widths), widths
        # A link followed from disk opens the page, not a folder listing.
        page.locator("nav.sections a").first.click()
        assert page.url.endswith("/en/world/index.html")
        assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px"
    finally:
        page.close()


# ----- GitHub Pages

def test_pages_workflow_builds_for_the_project_sub_path_and_publishes_with_official_actions():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((REPO / ".github/workflows/pages.yml").read_text("utf-8"))
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uses = {step["uses"].split("@")[0] for step in steps if "uses" in step}
    assert {"actions/configure-pages", "actions/upload-pages-artifact",
            "actions/deploy-pages"} <= uses
    runs = " ".join(step.get("run", "") for step in steps)
    assert ('--base-url "https://${{ github.repository_owner }}.github.io/'
            '${{ github.event.repository.name }}/"') in runs
    assert "python build.py check" in runs
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "site"
    assert workflow["permissions"] == {"contents": "read", "pages": "write",
                                       "id-token": "write"}


def test_a_themes_stylesheet_points_at_the_hashed_fonts_and_images_it_uses(
        tmp_path, make_site, build_site, article_text):
    """A theme's CSS that uses a font and an image still finds them once every static
    file is published under a content-hashed name (checked on the files written)."""
    import re

    from dateline import shipped_path

    root = make_site(tmp_path / "newsroom", {
        "content/en/world/hello.md": article_text("Hello"),
    })
    theme = root / "themes/default"
    shutil.copytree(shipped_path("themes") / "default", theme)
    style = theme / "static/style.css"
    style.write_text(style.read_text(encoding="utf-8") + (
        "@font-face { font-family: Serif; src: url(fonts/serif.woff2) format('woff2') }\n"
        ".masthead { background: url('img/logo.svg') }\n"), encoding="utf-8")
    (theme / "static/fonts").mkdir()
    (theme / "static/fonts/serif.woff2").write_bytes(b"wOF2 not really")
    (theme / "static/img").mkdir()
    (theme / "static/img/logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    out = tmp_path / "site"
    build_site(root, out)

    stylesheets = sorted((out / "static").glob("style.*.css"))
    assert len(stylesheets) == 1
    references = re.findall(r"url\(['\"]?([^'\")]+)['\"]?\)", stylesheets[0].read_text())
    local = [r for r in references if not r.startswith(("data:", "http", "/", "#"))]
    assert len(local) == 2
    for reference in local:
        target = (stylesheets[0].parent / reference).resolve()
        assert target.is_file(), reference
        assert target.name not in ("serif.woff2", "logo.svg")  # the hashed names
