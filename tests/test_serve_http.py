"""serve.py over real HTTP: a running PreviewServer on a free port, a real client, a small
site in a temporary folder. Pages and types, the 404 page, every traversal payload
refused, Host allowlist, the live-reload script only in served HTML, the events stream,
rebuild debouncing and a clean stop."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import dateline
from dateline import shipped_path
from dateline.build.pipeline import BuildOptions, BuildResult
from dateline.config import load_config
from dateline.noise import is_editor_noise
from dateline.preview import preview_http
from dateline.preview.livereload import EVENTS_PATH, SCRIPT_PATH, EventHub
from dateline.preview.preview_http import BindError
from dateline.preview.serve import PreviewServer, change_kind
from dateline.preview.watch import Debouncer

SECRET = "TOP-SECRET-7f3a9c outside the site"
HELLO = "content/en/world/hello.md"
BODY = "Correspondents in Karsk report long queues at the polling stations.\n"


@pytest.fixture(scope="session")
def write_site(make_site, article_text):
    """`write_site(root) -> root`: two articles, a copy of the default theme with a few
    extra static files, and a secret file beside the site that must never be served."""

    def write(root: Path) -> Path:
        make_site(root, {
            HELLO: article_text(title="Polls open in Karsk", body=BODY),
            "content/en/world/other.md": article_text(title="Another story"),
            "content/ru/world/hello.md": article_text(title="Выборы в Карске",
                                                      body="Очереди.\n"),
        })
        theme = root / "themes" / "default"
        shutil.copytree(shipped_path("themes") / "default", theme)
        static = theme / "static"
        static.mkdir(exist_ok=True)
        (static / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
        (static / "pixel.webp").write_bytes(b"RIFF\x00\x00\x00\x00WEBP")
        (static / "data.xml").write_text("<data/>")
        (root.parent / "secret.txt").write_text(SECRET)
        return root

    return write


def start_server(root: Path, **kw) -> PreviewServer:
    options = kw.pop("options", BuildOptions())
    server = PreviewServer(load_config(root / "dateline.toml"), options, "127.0.0.1", 0,
                           **kw)
    server.start()
    return server


@pytest.fixture(scope="module")
def site(tmp_path_factory, write_site):
    """One server shared by the read-only tests of this module."""
    root = write_site(tmp_path_factory.mktemp("served") / "site")
    server = start_server(root)
    yield server
    server.stop()


@pytest.fixture
def live(tmp_path, write_site):
    """A server of its own, for tests that edit the site."""
    server = start_server(write_site(tmp_path / "site"))
    yield server
    server.stop()


def fetch(server: PreviewServer, path: str, method: str = "GET",
          headers: dict | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in ({"Host": f"127.0.0.1:{server.port}"} | (headers or {})).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


class EventStream:
    """A page's view of the events endpoint, read with a plain HTTP client."""

    def __init__(self, server: PreviewServer, query: str = "", headers: dict | None = None):
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        self.conn.request("GET", EVENTS_PATH + query, headers=headers or {})
        self.response = self.conn.getresponse()
        self.comments: list[str] = []

    def next_event(self, timeout: float = 10.0) -> tuple[str, dict]:
        deadline = time.monotonic() + timeout
        name, data = None, None
        while time.monotonic() < deadline:
            line = self.response.fp.readline().decode()
            if not line:
                raise EOFError("the stream ended")
            line = line.rstrip("\n")
            if line.startswith(":"):
                self.comments.append(line)
            elif line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = json.loads(line.removeprefix("data: "))
            elif line == "" and name is not None:
                return name, data
        raise TimeoutError("no event")

    def close(self) -> None:
        self.response.close()
        self.conn.close()


def rewrite(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


SENTINEL = "content/en/world/other.md"


def save_sentinel(server: PreviewServer) -> None:
    """Edit one watched article and wait for its rebuild: a test that expects nothing
    else to rebuild waits for this instead of for a time without builds (anything
    still pending would come first, or join this build)."""
    builds = server.builds
    other = server.config.paths.root / SENTINEL
    rewrite(other, other.read_text(encoding="utf-8") + "\nOne more line.\n")
    server.wait_for_build(builds)  # its console line is printed before it counts


def rebuilds(capsys) -> list[str]:
    """What each rebuild since the last call said it was for, from the console (a failed
    one says so on stderr)."""
    captured = capsys.readouterr()
    return [line.split(" ", 1)[1].split(" → ")[0]
            for line in (captured.out + captured.err).splitlines() if " → " in line]


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def static_url(server: PreviewServer, stem: str, suffix: str) -> str:
    """The URL of a theme file as published (its name may carry a fingerprint)."""
    [found] = (server.output / "static").glob(f"{stem}*{suffix}")
    return "/" + found.relative_to(server.output).as_posix()


def stylesheet_url(server: PreviewServer, page: str) -> str:
    body = fetch(server, page)[2].decode()
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', body).group(1)


# ----- pages, types, the 404 page

def test_an_article_is_served_as_html_with_the_live_reload_script(site):
    status, headers, body = fetch(site, "/en/world/hello/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"long queues at the polling stations" in body
    assert body.count(SCRIPT_PATH.encode()) == 1
    assert body.index(SCRIPT_PATH.encode()) < body.lower().rindex(b"</body>")
    assert "Access-Control-Allow-Origin" not in headers
    assert headers["Cache-Control"] == "no-store"


def test_a_folder_url_without_its_slash_redirects_to_it(site):
    status, headers, _ = fetch(site, "/en/world/hello?x=1")
    assert status in (301, 302)
    assert headers["Location"] == "/en/world/hello/?x=1"


def test_a_redirect_never_points_at_another_host(site):
    status, headers, _ = fetch(site, "//en")
    assert status in (301, 302) and headers["Location"] == "/en/"


@pytest.mark.parametrize(("stem", "suffix", "expected"), [
    ("style", ".css", "text/css; charset=utf-8"),
    ("photo", ".jpg", "image/jpeg"),
    ("pixel", ".webp", "image/webp"),
    ("data", ".xml", "application/xml"),
])
def test_theme_files_are_served_with_their_types(site, stem, suffix, expected):
    path = static_url(site, stem, suffix)
    status, headers, body = fetch(site, path)
    assert (status, headers["Content-Type"]) == (200, expected)
    assert "Access-Control-Allow-Origin" not in headers
    assert body == (site.output / path.lstrip("/")).read_bytes()


@pytest.mark.parametrize(("path", "expected"), [
    ("/en/feed.xml", "application/atom+xml"),
    ("/en/rss.xml", "application/rss+xml"),
    ("/sitemap.xml", "application/xml"),
    ("/robots.txt", "text/plain; charset=utf-8"),
    (SCRIPT_PATH, "text/javascript; charset=utf-8"),
])
def test_site_files_are_served_with_their_types(site, path, expected):
    status, headers, _ = fetch(site, path)
    assert (status, headers["Content-Type"]) == (200, expected)


def test_the_pages_stylesheet_is_served_as_css(site):
    status, headers, _ = fetch(site, stylesheet_url(site, "/en/world/hello/"))
    assert (status, headers["Content-Type"]) == (200, "text/css; charset=utf-8")


@pytest.mark.parametrize(("path", "page"), [
    ("/en/no-such-story-qzx/", "en/404.html"),        # under a language: its own
    ("/ru/world/no-such-story-qzx", "ru/404.html"),
    ("/no-such-story-qzx/", "404.html"),              # elsewhere: the site's
    ("/xx/no-such-story-qzx/", "404.html"),
])
def test_a_missing_page_gets_its_languages_404_page_with_status_404(site, path, page):
    status, headers, body = fetch(site, path)
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    on_disk = (site.output / page).read_bytes()
    assert body.replace(_script_tag(body), b"") == on_disk
    assert b"no-such-story-qzx" not in body


def _script_tag(body: bytes) -> bytes:
    start = body.index(b'<script src="' + SCRIPT_PATH.encode())
    return body[start:body.index(b"</script>\n", start) + len(b"</script>\n")]


def test_head_sends_the_headers_of_get_without_a_body(site):
    _, get_headers, get_body = fetch(site, "/en/")
    status, headers, body = fetch(site, "/en/", "HEAD")
    assert (status, body) == (200, b"")
    assert headers["Content-Length"] == get_headers["Content-Length"] == str(len(get_body))


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_only_get_and_head_are_allowed(site, method):
    status, headers, _ = fetch(site, "/en/", method)
    assert status in (405, 501)
    assert "Access-Control-Allow-Origin" not in headers


# ----- what must never be served

TRAVERSALS = [
    "/../secret.txt",
    "/../../../../etc/passwd",
    "/%2e%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/en/%2e%2e/%2e%2e/%2e%2e/secret.txt",
    "/..%2fsecret.txt",
    "/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/%252e%252e/secret.txt",
    "//etc/passwd",
    "//../secret.txt",
    "/%00",
    "/en/index.html%00.txt",
    "/..\\secret.txt",
    "/%5c..%5csecret.txt",
    "/.dateline-output",
    "/%ff%fe",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_payloads_are_refused_without_leaking(site, path):
    status, _, body = fetch(site, path)
    assert status in (400, 403, 404)
    _assert_leaks_nothing(site, body)


def _assert_leaks_nothing(server: PreviewServer, body: bytes) -> None:
    text = body.decode("utf-8", "replace")
    assert SECRET not in text and "root:x:0:0" not in text
    assert str(server.output) not in text
    assert str(server.config.paths.root) not in text
    assert "/tmp" not in text and "Traceback" not in text


def test_symlinks_out_of_the_tree_are_refused(site):
    outside = site.config.paths.root.parent
    (site.output / "leak.txt").symlink_to(outside / "secret.txt")
    (site.output / "leakdir").symlink_to(outside, target_is_directory=True)
    (site.output / "en" / "up").symlink_to(Path("..") / "..")
    try:
        for path in ("/leak.txt", "/leakdir/secret.txt", "/leakdir/", "/en/up/secret.txt"):
            status, _, body = fetch(site, path)
            assert status in (403, 404), path
            _assert_leaks_nothing(site, body)
    finally:
        for name in ("leak.txt", "leakdir", "en/up"):
            (site.output / name).unlink()


def test_a_symlink_inside_the_tree_is_served(site):
    (site.output / "alias.css").symlink_to(site.output / static_url(site, "style", ".css")[1:])
    try:
        assert fetch(site, "/alias.css")[0] == 200
    finally:
        (site.output / "alias.css").unlink()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.nip.io",
                                  "localhost:1", ""])
def test_a_foreign_host_header_is_refused(site, host):
    status, headers, body = fetch(site, "/en/", headers={"Host": host})
    assert status == 403
    assert b"Radio" not in body and b"<html" not in body


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "LOCALHOST:{port}",
                                  "127.0.0.1:{port}", "[::1]:{port}"])
def test_this_machines_names_are_allowed(site, host):
    status, _, _ = fetch(site, "/en/", headers={"Host": host.format(port=site.port)})
    assert status == 200


def test_the_script_is_never_written_to_disk(site):
    fetch(site, "/en/world/hello/")
    files = [Path(folder, name) for folder, _, names in os.walk(site.output) for name in names]
    assert any(path.name == "index.html" for path in files), files
    for path in files:
        assert b"__dateline__" not in path.read_bytes(), path


def test_an_exception_in_a_handler_is_a_500_and_the_server_goes_on(site, monkeypatch):
    def broken(*args):
        raise RuntimeError("/secret/path/in/the/message")

    monkeypatch.setattr(preview_http, "resolve_inside", broken)
    status, _, body = fetch(site, "/en/")
    assert status == 500
    assert b"/secret/path" not in body and b"RuntimeError" not in body
    monkeypatch.undo()
    assert fetch(site, "/en/")[0] == 200


# ----- the events channel

def test_a_page_from_before_the_last_build_is_told_to_reload(site):
    stream = EventStream(site, f"?epoch={site.epoch - 1}")
    try:
        assert stream.response.headers["Content-Type"].startswith("text/event-stream")
        assert "Access-Control-Allow-Origin" not in stream.response.headers
        assert stream.next_event()[0] == "reload"
    finally:
        stream.close()


def test_a_broken_article_is_reported_to_open_and_new_pages(live):
    stream = EventStream(live, f"?epoch={live.epoch}")
    hello = live.config.paths.root / HELLO
    good = hello.read_text(encoding="utf-8")
    try:
        builds = live.builds
        rewrite(hello, good.replace("date: ", "date: 2025-13-45 ", 1))
        live.wait_for_build(builds)
        name, data = stream.next_event()
        assert name == "error"
        assert any(p.startswith(f"{HELLO}:3: ") for p in data["problems"]), data

        late = EventStream(live, f"?epoch={live.epoch}")  # a page opened while it fails
        assert late.next_event() == (name, data)
        late.close()
        status, _, body = fetch(live, "/en/world/hello/")  # the last good build
        assert status == 200 and b"long queues" in body

        builds = live.builds
        rewrite(hello, good.replace("long queues", "short queues"))
        live.wait_for_build(builds)
        assert stream.next_event()[0] == "reload"
        assert b"short queues" in fetch(live, "/en/world/hello/")[2]
    finally:
        stream.close()


def test_a_stylesheet_change_swaps_css_without_a_reload(live):
    stream = EventStream(live, f"?epoch={live.epoch}")
    css = live.config.theme_dir / "static" / "style.css"
    try:
        builds = live.builds
        rewrite(css, css.read_text(encoding="utf-8") + "\nbody { color: rebeccapurple }\n")
        live.wait_for_build(builds)
        assert stream.next_event()[0] == "css"
        assert b"rebeccapurple" in fetch(live, stylesheet_url(live, "/en/world/hello/"))[2]
    finally:
        stream.close()


def test_a_site_that_never_built_is_still_served_with_its_errors(tmp_path, write_site):
    root = write_site(tmp_path / "site")
    hello = root / HELLO
    good = hello.read_text(encoding="utf-8")
    rewrite(hello, good.replace("title: ", "title: [<b>unclosed", 1))
    server = start_server(root)
    try:
        status, headers, body = fetch(server, "/en/")
        assert status == 503 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert f"{HELLO}:".encode() in body and b"<b>" not in body
        assert SCRIPT_PATH.encode() in body
        stream = EventStream(server, "?epoch=0")
        assert stream.next_event()[0] == "error"
        builds = server.builds
        rewrite(hello, good)
        server.wait_for_build(builds)
        assert stream.next_event()[0] == "reload"
        stream.close()
        assert fetch(server, "/en/")[0] == 200
    finally:
        server.stop()


def test_idle_streams_get_keepalives_and_closed_ones_free_their_slot(tmp_path, write_site):
    server = start_server(write_site(tmp_path / "site"), keepalive=0.2, max_clients=2,
                          max_per_client=2)
    try:
        first = EventStream(server, f"?epoch={server.epoch}")
        second = EventStream(server, f"?epoch={server.epoch}")
        with pytest.raises(TimeoutError):
            first.next_event(timeout=0.7)
        assert ": keepalive" in first.comments
        third = EventStream(server, f"?epoch={server.epoch}")  # bounded: the oldest goes
        with pytest.raises(EOFError):
            first.next_event()
        assert server.hub.clients == 2
        for stream in (first, second, third):
            stream.close()
        deadline = time.monotonic() + 5
        while server.hub.clients and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.hub.clients == 0
    finally:
        server.stop()


def test_the_hub_replays_nothing_twice_and_greets_by_state():
    hub = EventHub()
    assert hub.greet(None) == ([], 0)
    hub.succeeded("reload", 1)
    events, seq = hub.wait(0, 0)
    assert [e.name for e in events] == ["reload"] and seq == 1
    assert hub.wait(seq, 0) == ([], 1)
    hub.failed(["content/en/a.md:3: bad <date>"])
    [error], _ = hub.greet(1)
    assert error.encode().startswith(b"id: 1\nevent: error\ndata: ")
    assert b"\n\n" == error.encode()[-2:] and error.encode().count(b"\n") == 4
    hub.close()
    assert hub.wait(seq, 5)[0] is None


# ----- watching and debouncing

def test_a_burst_of_events_makes_exactly_one_call():
    calls: list[frozenset[Path]] = []
    debouncer = Debouncer(calls.append, quiet=0.1)
    debouncer.start()
    try:
        burst = [Path(f"/site/content/{index}.md") for index in range(30)]
        for path in burst:
            debouncer.add([path])
            time.sleep(0.002)
        wait_until(lambda: calls)
        # One more change after the call: a second call for the burst would come first.
        debouncer.add([Path("/site/content/later.md")])
        wait_until(lambda: len(calls) >= 2)
        assert calls == [frozenset(burst), frozenset({Path("/site/content/later.md")})]
    finally:
        debouncer.stop()


def test_saving_many_files_at_once_rebuilds_once(live, capsys):
    folder = live.config.paths.content / "en" / "world"
    builds = live.builds
    capsys.readouterr()
    for index in range(12):
        (folder / f"burst-{index}.md").write_text(
            f"---\ntitle: Burst {index}\ndate: 2025-03-01T10:00:00+01:00\n---\n\nText.\n")
    assert live.wait_for_build(builds) == builds + 1
    save_sentinel(live)
    assert rebuilds(capsys) == ["content/en/world/burst-0.md, content/en/world/burst-1.md, "
                                "content/en/world/burst-10.md and 9 more", SENTINEL]
    assert fetch(live, "/en/world/burst-11/")[0] == 200


def test_an_atomic_rename_save_counts_as_a_change_to_the_file(live):
    hello = live.config.paths.root / HELLO
    builds = live.builds
    temp = hello.with_name(".hello.md.tmp-1234")
    temp.write_text(hello.read_text(encoding="utf-8").replace("long queues", "renamed"))
    os.replace(temp, hello)
    live.wait_for_build(builds)
    assert b"renamed" in fetch(live, "/en/world/hello/")[2]


@pytest.mark.parametrize("name", [".hello.md.swp", ".hello.md.swx", "hello.md~", "4913",
                                  ".#hello.md", "#hello.md#", ".DS_Store", "hello.md.tmp"])
def test_editor_leftovers_are_noise(name):
    assert is_editor_noise(name)


@pytest.mark.parametrize("name", ["hello.md", "style.css", "messages.po", "2025"])
def test_real_files_are_not_noise(name):
    assert not is_editor_noise(name)


def test_swap_and_backup_files_do_not_rebuild(live, capsys):
    folder = live.config.paths.content / "en" / "world"
    capsys.readouterr()
    for name in (".hello.md.swp", "hello.md~", "4913", ".#hello.md", "#hello.md#",
                 ".DS_Store"):
        (folder / name).write_text("x")
    (folder / ".git").mkdir()
    (folder / ".git" / "index").write_text("x")
    save_sentinel(live)
    assert rebuilds(capsys) == [SENTINEL]  # the leftovers made no build, nor joined this one


def test_with_lang_other_languages_are_neither_built_nor_watched(tmp_path, write_site,
                                                                 article_text, capsys):
    root = write_site(tmp_path / "site")
    only_ru = root / "content/ru/world/only-ru.md"  # no English version: no en page shows it
    only_ru.write_text(article_text(title="Только по-русски"), encoding="utf-8")
    server = start_server(root, options=BuildOptions(languages=("en",)))
    try:
        assert fetch(server, "/ru/world/hello/")[0] == 404
        capsys.readouterr()
        rewrite(only_ru, "---\ntitle: x\n")
        save_sentinel(server)
        assert rebuilds(capsys) == [SENTINEL]
    finally:
        server.stop()


# ----- starting and stopping

def test_a_port_in_use_is_a_clear_error(tmp_path, write_site, run_cli):
    root = write_site(tmp_path / "site")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(BindError, match="--port"):
            PreviewServer(load_config(root / "dateline.toml"), port=port)
        result = run_cli(["serve", "--config", root / "dateline.toml", "--port", port])
    assert result.code == 2
    assert f"port {port} is already in use" in result.err and "--port" in result.err
    assert not (root / ".dateline-preview").exists()


def test_an_unknown_lang_is_a_usage_error(tmp_path, write_site, run_cli):
    root = write_site(tmp_path / "site")
    result = run_cli(["serve", "--config", root / "dateline.toml", "--port", "0",
                      "--lang", "en,xx"])
    assert result.code == 2 and "xx" in result.err


def test_stop_ends_every_thread_and_removes_the_preview_folder(tmp_path, write_site):
    root = write_site(tmp_path / "site")
    before = set(threading.enumerate())
    server = start_server(root)
    stream = EventStream(server)
    fetch(server, "/en/")
    started = {t.name for t in set(threading.enumerate()) - before}
    assert {"dateline-http", "dateline-rebuild", "dateline-watch"} <= started
    assert server.output.is_dir() and server.output.is_relative_to(root / ".dateline-preview")
    server.stop()
    with pytest.raises((EOFError, TimeoutError, OSError)):
        stream.next_event(timeout=5)
    stream.close()
    deadline = time.monotonic() + 5
    while _new_threads(before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _new_threads(before) == []
    assert not (root / ".dateline-preview").exists()
    assert not (root / "site").exists()  # never the real output folder
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


def _new_threads(before: set[threading.Thread]) -> list[str]:
    return [t.name for t in set(threading.enumerate()) - before if t.is_alive()]


def test_only_other_hosts_are_warned_about():
    assert preview_http.exposure_warning("127.0.0.1") is None
    assert preview_http.exposure_warning("localhost") is None
    warning = preview_http.exposure_warning("0.0.0.0")
    assert warning is not None and "every network interface" in warning
    assert "192.168.1.20" in preview_http.exposure_warning("192.168.1.20")


def _result(changed: tuple[str, ...], incremental: bool = True, removed: int = 0):
    return BuildResult(output=Path("/x"), pages=1, files=1, seconds=0.0,
                       incremental=incremental, removed=removed, changed_files=changed)


CSS_EDIT = frozenset({Path("/site/themes/default/static/style.css")})
MD_EDIT = frozenset({Path("/site/content/en/world/a.md")})


@pytest.mark.parametrize(("changed", "removed", "sources", "kind"), [
    (("static/style.css",), 0, CSS_EDIT, "css"),
    (("static/style.css", "sitemap.xml", "robots.txt", "_headers"), 0, CSS_EDIT, "css"),
    # a fingerprinted name: every page links the new file, the old one is removed
    (("static/style.1234abcd.css", "en/index.html", "_headers"), 1, CSS_EDIT, "css"),
    (("static/style.css", "en/index.html"), 0, MD_EDIT, "reload"),
    (("static/style.1234abcd.css", "en/index.html"), 1, CSS_EDIT | MD_EDIT, "reload"),
    (("en/world/a/index.html",), 0, MD_EDIT, "reload"),
    (("sitemap.xml", "en/feed.xml"), 0, MD_EDIT, "ok"),
    ((), 1, MD_EDIT, "reload"),
    ((), 0, MD_EDIT, None),
])
def test_what_pages_do_after_a_build_depends_on_what_it_changed(changed, removed, sources,
                                                                 kind):
    assert change_kind(_result(changed, removed=removed), sources) == kind


def test_a_first_or_clean_build_always_reloads():
    assert change_kind(_result(("static/style.css",), incremental=False), CSS_EDIT) \
        == "reload"


# ----- more ways a build can fail, and what is served meanwhile

def test_a_broken_config_is_reported_and_a_fix_rebuilds(live):
    config = live.config.config_path
    good = config.read_text(encoding="utf-8")
    stream = EventStream(live, f"?epoch={live.epoch}")
    try:
        builds = live.builds
        rewrite(config, good.replace('timezone = "Europe/Prague"', 'timezone = "Mars/Base"'))
        live.wait_for_build(builds)
        name, data = stream.next_event()
        assert name == "error" and data["problems"][0].startswith("dateline.toml:4: ")
        builds = live.builds
        rewrite(config, good.replace("The Example Herald", "The Renamed Herald", 1))
        live.wait_for_build(builds)
        assert stream.next_event()[0] == "reload"
        assert b"The Renamed Herald" in fetch(live, "/en/")[2]
    finally:
        stream.close()


def test_a_template_error_names_the_template_and_line(live):
    template = live.config.theme_dir / "templates" / "article.html"
    good = template.read_text(encoding="utf-8")
    stream = EventStream(live, f"?epoch={live.epoch}")
    try:
        builds = live.builds
        rewrite(template, good + "\n{% if %}\n")
        live.wait_for_build(builds)
        name, data = stream.next_event()
        line = good.count("\n") + 2
        assert name == "error"
        assert data["problems"][0].startswith(f"themes/default/templates/article.html:{line}: ")
    finally:
        stream.close()


def test_pages_read_during_rebuilds_are_whole(live):
    hello = live.config.paths.root / HELLO
    good = hello.read_text(encoding="utf-8")
    bodies: list[tuple[int, bytes]] = []
    done = threading.Event()

    def hammer() -> None:
        while not done.is_set():
            status, _, body = fetch(live, "/en/world/hello/")
            bodies.append((status, body))

    reader = threading.Thread(target=hammer)
    reader.start()
    try:
        for round_ in range(4):
            builds = live.builds
            rewrite(hello, good.replace("long queues", f"queues of round {round_}"))
            live.wait_for_build(builds)
    finally:
        done.set()
        reader.join(10)
    assert len(bodies) > 4
    for status, body in bodies:
        assert status == 200
        assert body.rstrip().endswith(b"</html>")
        assert b"long queues" in body or b"queues of round" in body


def test_a_base_url_with_a_path_is_served_under_that_path(tmp_path, write_site, config_text):
    root = write_site(tmp_path / "site")
    (root / "dateline.toml").write_text(config_text().replace(
        "https://news.example.org/", "https://news.example.org/news/"), encoding="utf-8")
    server = start_server(root)
    try:
        assert server.url.endswith("/news/")
        status, _, body = fetch(server, "/news/en/world/hello/")
        assert status == 200 and b'href="/news/' in body
        status, headers, _ = fetch(server, "/")
        assert status in (301, 302) and headers["Location"] == "/news/"
        assert fetch(server, "/en/world/hello/")[0] == 404
    finally:
        server.stop()


def test_ipv6_loopback_works_when_the_machine_has_it(tmp_path, write_site):
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    root = write_site(tmp_path / "site")
    try:
        server = PreviewServer(load_config(root / "dateline.toml"), host="::1", port=0)
    except BindError:
        pytest.skip("::1 is not configured here")
    server.start()
    try:
        assert server.url.startswith("http://[::1]:")
        conn = http.client.HTTPConnection("::1", server.port, timeout=10)
        conn.request("GET", "/en/")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        server.stop()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_the_command_stops_cleanly_on_ctrl_c_and_sigterm(tmp_path, write_site, sig):
    root = write_site(tmp_path / "site")
    script = Path(dateline.__file__).resolve().parent.parent / "build.py"
    process = subprocess.Popen(
        [sys.executable, str(script), "serve", "--config", str(root / "dateline.toml"),
         "--port", "0", "--drafts"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            lines.append(process.stdout.readline())
            if match := re.search(r"serving (http://127\.0\.0\.1:(\d+)/)", lines[-1]):
                break
        else:
            pytest.fail(f"no URL printed: {lines}")
        assert "first build" in "".join(lines)
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(2)), timeout=10)
        conn.request("GET", "/en/")
        assert conn.getresponse().status == 200
        conn.close()
        assert (root / ".dateline-preview").is_dir()
        process.send_signal(sig)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "stopped" in out
    assert not (root / ".dateline-preview").exists()


def test_with_lang_an_edit_to_an_original_in_another_language_rebuilds(
        tmp_path, write_site, article_text, parse_html):
    """`--lang ru` writes Russian pages only, but the Russian translation inherits its
    tags from the English original: editing that original must show on the ru page."""
    root = write_site(tmp_path / "site")
    server = start_server(root, options=BuildOptions(languages=("ru",)))
    try:
        builds = server.builds
        (root / HELLO).write_text(article_text(title="Polls open in Karsk", body=BODY,
                                               tags=["elections"]), encoding="utf-8")
        server.wait_for_build(builds)
        status, _, body = fetch(server, "/ru/world/hello/")
        assert status == 200
        links = [a.get("href") for a in parse_html(body.decode()).find_all("a")]
        assert any(href and "/ru/tags/elections/" in href for href in links)
        assert fetch(server, "/en/world/hello/")[0] == 404  # still only Russian pages
    finally:
        server.stop()


def test_a_retitle_in_the_preview_keeps_the_plan_and_shows_the_new_title(live, parse_html):
    """A new title keeps the plan's shape (`reuse.same_shape`): the server's kept model
    stands, and the article's page, the listings and its translation show the title."""
    hello = live.config.paths.root / HELLO
    builds = live.builds
    rewrite(hello, hello.read_text(encoding="utf-8").replace(
        "Polls open in Karsk", "Polls close in Karsk"))
    live.wait_for_build(builds)
    result = live.last_result
    assert result.incremental and not result.replanned
    page = parse_html(fetch(live, "/en/world/hello/")[2].decode())
    assert page.one("h1").text == "Polls close in Karsk"
    home = parse_html(fetch(live, "/en/")[2].decode())
    assert "Polls close in Karsk" in [a.text for a in home.find_all("a")]
    russian = parse_html(fetch(live, "/ru/world/hello/")[2].decode())
    assert [n.text for n in russian.find_all(cls="translations__title")] == [
        "Polls close in Karsk"]
