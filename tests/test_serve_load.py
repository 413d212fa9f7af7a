"""The preview server under load and under signals, over real sockets and a real
`python build.py serve` process: Ctrl+C ends it within a second whatever is connected;
pages of other sites get nothing (Origin); a flood of event streams from one client
cannot keep out the page a user has open; many clients at once are all served promptly;
an interrupted cold start, or a second server on the same port, prints no traceback.

Every connection goes to 127.0.0.1; a second client is told apart by its source
address (127.0.0.2, also this machine)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import dateline
from dateline import shipped_path
from dateline.config import load_config
from dateline.preview.livereload import EVENTS_PATH
from dateline.preview.serve import PreviewServer

BUILD_PY = Path(dateline.__file__).resolve().parent.parent / "build.py"
ARTICLE = "content/en/world/hello.md"
HAS_PROC_CHILDREN = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists()


# ----- a small site, a server, a client that speaks raw HTTP

@pytest.fixture
def root(tmp_path, make_site, article_text) -> Path:
    site = make_site(tmp_path / "site", {
        ARTICLE: article_text(title="Polls open in Karsk"),
        "content/en/world/other.md": article_text(title="Another story"),
    })
    shutil.copytree(shipped_path("themes") / "default", site / "themes" / "default")
    return site


@pytest.fixture
def server(root) -> Iterator[PreviewServer]:
    preview = PreviewServer(load_config(root / "dateline.toml"), host="127.0.0.1", port=0)
    preview.start()
    yield preview
    preview.stop()


def connect(port: int, source: str = "127.0.0.1", timeout: float = 10) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def send_request(sock: socket.socket, port: int, path: str, headers: dict | None = None,
                 ) -> None:
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())


def read_head(sock: socket.socket) -> tuple[int, bytes]:
    """The status of a response and what came after its headers so far."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError(f"closed after {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), rest


def get(port: int, path: str, headers: dict | None = None, source: str = "127.0.0.1",
        ) -> tuple[int, bytes]:
    """One request on its own connection: the status and the whole body."""
    with connect(port, source) as sock:
        send_request(sock, port, path, headers)
        status, body = read_head(sock)
        while chunk := sock.recv(65536):
            body += chunk
    return status, body


class Stream:
    """An open event stream, as a page's EventSource holds it."""

    def __init__(self, port: int, source: str = "127.0.0.1", headers: dict | None = None):
        self.sock = connect(port, source)
        send_request(self.sock, port, EVENTS_PATH, headers)
        self.status, self.buffer = read_head(self.sock)

    def wait_for(self, text: bytes, timeout: float = 10) -> None:
        """Read until `text` arrives; EOFError if the server ends the stream first."""
        self.sock.settimeout(timeout)
        while text not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(f"the stream ended after {self.buffer!r}")
            self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# ----- Origin

def _foreign_origins(port: int) -> list[str]:
    return ["http://evil.example", "null", f"http://localhost:{port}",
            f"https://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}",
            f"http://127.0.0.1:{port}.evil.example"]


@pytest.mark.parametrize("path", ["/en/", "/en/world/hello/", EVENTS_PATH,
                                  "/__dateline__/livereload.js", "/robots.txt"])
def test_another_sites_origin_gets_nothing(server, path):
    for origin in _foreign_origins(server.port):
        status, body = get(server.port, path, {"Origin": origin})
        assert status == 403, origin
        assert b"Polls open" not in body and b"retry:" not in body
    assert server.hub.clients == 0


@pytest.mark.parametrize("path", ["/en/world/hello/", EVENTS_PATH])
def test_the_previews_own_origin_is_served(server, path):
    if path == EVENTS_PATH:
        stream = Stream(server.port, headers={"Origin": f"http://127.0.0.1:{server.port}"})
        assert stream.status == 200
        stream.wait_for(b"retry:")
        stream.close()
    else:
        status, body = get(server.port, path, {"Origin": f"http://127.0.0.1:{server.port}"})
        assert status == 200 and b"Polls open" in body


def test_two_origin_headers_are_refused(server):
    with connect(server.port) as sock:
        own = f"http://127.0.0.1:{server.port}"
        sock.sendall(f"GET /en/ HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nOrigin: {own}"
                     f"\r\nOrigin: http://evil.example\r\n\r\n".encode())
        assert read_head(sock)[0] == 403


def test_foreign_event_streams_take_no_place_from_the_users_page(server):
    flood = [Stream(server.port, headers={"Origin": "http://evil.example"})
             for _ in range(40)]
    assert {stream.status for stream in flood} == {403}
    page = Stream(server.port, headers={"Origin": f"http://127.0.0.1:{server.port}"})
    assert page.status == 200
    page.wait_for(b"retry:")
    for stream in [*flood, page]:
        stream.close()


# ----- a flood of streams

def test_a_flood_from_another_client_leaves_the_open_page_alone(server, root):
    page = Stream(server.port)
    page.wait_for(b"retry:")
    flood = [Stream(server.port, source="127.0.0.2") for _ in range(40)]
    assert {stream.status for stream in flood} == {200}  # never an error: the oldest go
    assert server.hub.clients <= server.hub.max_clients
    newcomer = Stream(server.port)  # a page the user opens now
    assert newcomer.status == 200
    builds = server.builds
    (root / ARTICLE).write_text((root / ARTICLE).read_text().replace("first", "edited"))
    server.wait_for_build(builds)
    for stream in (page, newcomer):
        stream.wait_for(b"event: reload")
    for stream in [*flood, page, newcomer]:
        stream.close()


def test_a_flood_from_the_users_own_address_drops_the_oldest_streams(server):
    page = Stream(server.port)
    page.wait_for(b"retry:")
    flood = [Stream(server.port) for _ in range(40)]
    assert {stream.status for stream in flood} == {200}
    with pytest.raises(EOFError):  # ended, not refused: its EventSource reconnects
        page.wait_for(b"never sent")
    newest = flood[-server.hub.per_client:]
    assert server.hub.clients == len(newest)
    for stream in newest:
        stream.wait_for(b"retry:")
    again = Stream(server.port, headers={"Last-Event-ID": "0"})  # the page reconnecting
    assert again.status == 200
    again.wait_for(b"event: reload")  # it missed the first build: it reloads
    for stream in [*flood, page, again]:
        stream.close()


# ----- many clients at once

def test_two_hundred_clients_at_once_are_all_served_promptly(server):
    count = 200
    barrier = threading.Barrier(count, timeout=30)
    took: list[float] = []
    failed: list[BaseException] = []

    def client() -> None:
        barrier.wait()
        started = time.monotonic()
        try:
            assert get(server.port, "/robots.txt")[0] == 200
        except BaseException as exc:  # noqa: BLE001 - reported below
            failed.append(exc)
        took.append(time.monotonic() - started)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(40)
    took.sort()
    print(f"\n{count} clients: median {took[count // 2] * 1000:.0f} ms, "
          f"slowest {took[-1] * 1000:.0f} ms, {len(failed)} failed")
    assert len(took) == count and not failed, failed[:3]
    # A connection the listen queue had no room for waits for its SYN to be re-sent
    # (after 1 s, then 3 s, 7 s): with a queue of 5, most of these timed out. Here the
    # slowest takes about 0.3 s; the limit leaves room for a busy CI machine.
    assert took[-1] < 1.5


# ----- the command: signals and start-up

def start_command(root: Path, *args: str, session: bool = False) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(BUILD_PY), "serve", "--config", str(root / "dateline.toml"),
         *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=session)


def wait_for_url(process: subprocess.Popen) -> int:
    """The port the command serves on, once it says so."""
    lines = []
    while line := process.stdout.readline():
        lines.append(line)
        if match := re.search(r"serving http://127\.0\.0\.1:(\d+)/", line):
            return int(match.group(1))
    pytest.fail(f"no URL printed: {lines} {process.stderr.read()}")


def finish(process: subprocess.Popen, timeout: float = 30, group: bool = False,
           ) -> tuple[str, str]:
    """Its output once it has ended; killed (with its process group) after `timeout`."""
    try:
        return process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            if group:
                os.killpg(process.pid, signal.SIGKILL)
            process.kill()
            process.communicate()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_ends_the_command_within_a_second_whatever_is_connected(root, sig):
    process = start_command(root, "--port", "0")
    held = []
    try:
        port = wait_for_url(process)
        held += [connect(port) for _ in range(10)]  # idle: no request yet
        for _ in range(3):  # a request begun and never finished
            held.append(connect(port))
            held[-1].sendall(f"GET /en/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
        streams = [Stream(port) for _ in range(3)]
        for stream in streams:
            stream.wait_for(b"retry:")
        # Connections are accepted in order: once this one is answered, so are all above.
        assert get(port, "/en/")[0] == 200
        started = time.monotonic()
        process.send_signal(sig)
        out, err = finish(process)
        took = time.monotonic() - started
    finally:
        for sock in held:
            sock.close()
    print(f"\nstopped {took * 1000:.0f} ms after the signal, with 16 connections open")
    assert process.returncode == 0, err
    assert "Traceback" not in err and "stopped" in out
    assert took < 1.5  # within 1 s, with room for a busy CI machine
    assert not (root / ".dateline-preview").exists()


@pytest.fixture
def big_root(root, article_text) -> Path:
    """Enough articles that the first build forks helper processes."""
    for index in range(120):
        (root / f"content/en/world/story-{index}.md").write_text(
            article_text(title=f"Story {index}"), encoding="utf-8")
    return root


def children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def ended(pid: int) -> bool:
    """Whether the process has exited (a zombie its parent has not waited for yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def wait_for_helpers(process: subprocess.Popen) -> None:
    """Until the command's first build has forked its helper processes."""
    deadline = time.monotonic() + 30
    while not children(process.pid):
        assert process.poll() is None and time.monotonic() < deadline, \
            "the first build forked no helper process"
        time.sleep(0.002)


@pytest.mark.skipif(not HAS_PROC_CHILDREN, reason="needs Linux /proc/PID/task/TID/children")
def test_ctrl_c_during_a_cold_start_prints_no_traceback(big_root):
    """Ctrl+C reaches the whole process group, the build's helpers included."""
    for attempt in range(8):
        shutil.rmtree(big_root / ".dateline-cache", ignore_errors=True)
        process = start_command(big_root, "--port", "0", session=True)
        try:
            wait_for_helpers(process)
            time.sleep(attempt * 0.02)  # a different moment of the build each time
            os.killpg(process.pid, signal.SIGINT)
        finally:
            out, err = finish(process)
        assert "Traceback" not in err, f"start {attempt}: {err}"
        assert process.returncode == 0 and "stopped" in out, f"start {attempt}: {err}"
        assert not (big_root / ".dateline-preview").exists()


@pytest.mark.skipif(not HAS_PROC_CHILDREN, reason="needs Linux /proc/PID/task/TID/children")
@pytest.mark.parametrize("attempt", range(3))
def test_serve_started_twice_in_the_background_says_so_in_one_line(big_root, attempt):
    """The second gives up on the port in one line; the first, stopped while its first
    build's helpers run, prints no traceback either (a helper that inherited the
    server's handlers did, at some moments: hence a few attempts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = f"{sys.executable} {BUILD_PY} serve --config {big_root / 'dateline.toml'} " \
              f"--port {port}"
    # A shell without job control starts `&` commands with SIGINT ignored.
    script = f"{command} & a=$!; {command} & b=$!; wait $a; echo exit $?; wait $b; echo exit $?"
    shell = subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not (running := [pid for pid in children(shell.pid) if children(int(pid))]):
            assert shell.poll() is None and time.monotonic() < deadline, "no helper forked"
            time.sleep(0.001)
        first = int(running[0])
        # Held, with the port, until the other has tried it: on a loaded machine the other
        # could start so late that the first had already been stopped and the port was
        # free again (it then served, and the shell waited for it: CI's 30 s timeout).
        os.kill(first, signal.SIGSTOP)
        # (The shell started the other right after it, long before helpers were forked;
        # once ended it is gone from the list.)
        while not all(ended(int(pid)) for pid in children(shell.pid) if int(pid) != first):
            assert time.monotonic() < deadline, "the second server did not give up"
            time.sleep(0.01)
        # Stopped while still starting, as if the signal were sent to its process group.
        for pid in [*children(first), first]:
            os.kill(int(pid), signal.SIGTERM)
        os.kill(first, signal.SIGCONT)
    finally:
        out, err = finish(shell, group=True)
    assert "Traceback" not in err, err
    assert err.strip() == f"error: port {port} is already in use on 127.0.0.1: stop the " \
        f"other server or choose another port, e.g. --port {port + 1} (--port 0 picks a " \
        "free one)"
    assert sorted(re.findall(r"^exit (\d+)$", out, re.MULTILINE)) == ["0", "2"], out
    assert "stopped" in out
