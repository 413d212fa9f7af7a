"""The preview server's HTTP side: it serves only the preview folder, only to Host
headers naming this machine, injects the live-reload client into pages as they are
served, streams reload events, and changes nothing on disk."""

from __future__ import annotations

import errno
import html
import mimetypes
import os
import select
import shutil
import socket
import socketserver
import sys
import threading
import time
import traceback
import weakref
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote, unquote_to_bytes, urlsplit

from .. import __version__
from ..desk.editors import PATH as EDITORS_PATH
from ..desk.editors import preview_page
from .livereload import (
    CLIENT_SCRIPT,
    EVENTS_PATH,
    PREFIX,
    SCRIPT_PATH,
    inject_client,
    stream_events,
)

if TYPE_CHECKING:
    from .serve import PreviewServer

_WILDCARDS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


class BindError(Exception):
    """The server cannot listen where it was asked to (port taken, no permission)."""


def _bind(preview: PreviewServer, host: str, port: int) -> _HTTPServer:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return _HTTPServer((host.strip("[]"), port), preview, family)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise BindError(f"port {port} is already in use on {host}: stop the other server "
                            f"or choose another port, e.g. --port {port + 1} (--port 0 picks "
                            "a free one)") from None
        if exc.errno == errno.EACCES:
            raise BindError(f"no permission to listen on port {port} (ports below 1024 "
                            "need privileges); choose another with --port") from None
        raise BindError(f"cannot listen on {host} port {port}: "
                        f"{exc.strerror or exc}; check --host") from None


def _allowed_hosts(host: str, port: int, base_url: str | None) -> frozenset[str]:
    """Host headers the server answers: a page on another name is a DNS-rebinding
    attempt (or a mistake), never the preview."""
    names = {*_LOOPBACK_NAMES, f"[{host}]" if ":" in host else host}
    if host in _WILDCARDS:
        names.update(f"[{a}]" if ":" in a else a for a in local_addresses())
    allowed = {name.lower() for name in names} | {f"{n.lower()}:{port}" for n in names}
    if base_url:
        netloc = urlsplit(base_url).netloc.lower()
        allowed |= {netloc, netloc.rsplit("@", 1)[-1]}
    return frozenset(allowed)


def local_addresses() -> list[str]:
    """This machine's own non-loopback addresses, as far as they can be found cheaply."""
    found: set[str] = set()
    try:
        found.update(str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None))
    except OSError:
        pass
    try:  # the address of the default route; connecting a UDP socket sends nothing
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            found.add(probe.getsockname()[0])
    except OSError:
        pass
    return sorted(a for a in found if not a.startswith("127.") and a != "::1")


def origin_schemes(base_url: str | None) -> frozenset[str]:
    """The schemes a page of the preview itself can have: http, and --base-url's (a
    proxy in front of the preview may serve it over https)."""
    return frozenset({"http", urlsplit(base_url).scheme.lower() if base_url else "http"})


def is_same_origin(origins: list[str], host: str, schemes: frozenset[str]) -> bool:
    """Whether a request's Origin headers name the preview itself (at the Host it was
    asked for): a page of another site, even one on this machine, may not read the
    preview or follow its events, and 'null' (a file or a sandboxed frame) may not
    either."""
    return len(origins) == 1 and origins[0].strip().lower() in {
        f"{scheme}://{host}" for scheme in schemes}


def exposure_warning(host: str) -> str | None:
    """The warning for a --host other people can reach, naming what is exposed."""
    if host in ("localhost", "::1", "[::1]") or host.startswith("127."):
        return None
    if host in _WILDCARDS:
        addresses = ", ".join(local_addresses()) or "whatever addresses it has"
        where = f"every network interface of this machine ({addresses})"
    else:
        where = f"the interface with address {host}"
    return (f"warning: --host {host} exposes the preview, drafts included, on {where}; "
            "anyone on those networks can read it. Leave out --host to keep it on "
            "127.0.0.1.")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() ends the connections and joins the handler threads
    # The standard library's listen queue holds 5: a page with many images, or a few
    # tabs reloading at once, overflowed it and waited seconds for the SYN to be re-sent.
    # The kernel caps this at its own limit (net.core.somaxconn).
    request_queue_size = 1024

    def __init__(self, address, preview: PreviewServer, family: socket.AddressFamily):
        self.address_family = family
        self.preview = preview
        self.handler_threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can take seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def process_request(self, request, client_address) -> None:
        with self._connections_lock:
            self._connections.add(request)
        thread = threading.Thread(target=self.process_request_thread,
                                  args=(request, client_address),
                                  name="dateline-request", daemon=True)
        self.handler_threads.add(thread)
        thread.start()

    def shutdown_request(self, request) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def end_connections(self, timeout: float) -> None:
        """End every open connection now and wait, `timeout` seconds in all, for their
        threads: one waiting for a request (a browser's spare connection) would otherwise
        hold the stop for as long as its read timeout."""
        with self._connections_lock:  # held: a socket is never closed while shut down here
            for connection in self._connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        deadline = time.monotonic() + timeout
        for thread in list(self.handler_threads):
            thread.join(max(0.0, deadline - time.monotonic()))

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client that left is no news
            super().handle_error(request, client_address)


_TYPES = {
    ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8", ".json": "application/json",
    ".webmanifest": "application/manifest+json", ".xml": "application/xml",
    ".atom": "application/atom+xml", ".rss": "application/rss+xml",
    ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
    ".avif": "image/avif", ".ico": "image/x-icon", ".woff": "font/woff",
    ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf", ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg", ".mp4": "video/mp4", ".webm": "video/webm",
    ".pdf": "application/pdf", ".vtt": "text/vtt; charset=utf-8",
}


def content_type(name: str) -> str:
    if name == "feed.xml":
        return "application/atom+xml"
    if name == "rss.xml":
        return "application/rss+xml"
    return (_TYPES.get(Path(name).suffix.lower()) or mimetypes.guess_type(name)[0]
            or "application/octet-stream")


def split_request_path(raw: str) -> tuple[list[str], bool] | None:
    """The segments of a request path, percent-decoded once, and whether it ends with
    '/'; None for anything that could step outside the folder or hide there: NUL bytes,
    backslashes, '.' and '..' segments (hidden names are never served either)."""
    try:
        decoded = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded:
        return None
    segments = [s for s in decoded.split("/") if s]  # '//etc/passwd' is 'etc/passwd' here
    if any(s.startswith(".") for s in segments):
        return None
    return segments, decoded.endswith("/")


def resolve_inside(root: Path, segments: list[str]) -> Path | None:
    """The existing file or folder the segments name below `root`, symlinks resolved;
    None when it does not exist or lies outside `root` (checked on resolved paths)."""
    try:
        base = root.resolve(strict=True)
        target = base.joinpath(*segments).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return target if target.is_relative_to(base) else None


def _unbuilt_page(problems: list[str] | None) -> bytes:
    if problems is None:
        title, items = "The preview is being built", ""
    else:
        title = "The site could not be built"
        items = "<ul>" + "".join(f"<li>{html.escape(p)}</li>" for p in problems) + "</ul>"
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{title}</title></head>\n<body><h1>{title}</h1>\n"
            "<p>This page reloads by itself when the build works.</p>\n"
            f"{items}\n</body></html>\n").encode()


class _Handler(BaseHTTPRequestHandler):
    """GET and HEAD for the preview folder and the live-reload endpoints; nothing else."""

    server: _HTTPServer
    server_version = f"DatelinePreview/{__version__}"
    timeout = 60  # an idle or stalled connection does not hold a thread for ever
    _started = False
    _head = False

    def do_GET(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._head = True
        self._handle()

    def _refuse_method(self) -> None:
        self._send_text(405, "Only GET and HEAD are allowed.", [("Allow", "GET, HEAD")])

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args) -> None:
        pass  # one console line per rebuild, not one per request

    def _handle(self) -> None:
        try:
            self._route()
        except OSError as exc:
            if isinstance(exc, ConnectionError | TimeoutError):
                self.close_connection = True  # the client left
                return
            self._fail()
        except Exception:
            self._fail()

    def _fail(self) -> None:
        traceback.print_exc(file=sys.stderr)
        if not self._started:
            self._send_text(500, "Internal error in the preview server; the details are "
                            "in its console.")
        self.close_connection = True

    def _route(self) -> None:
        hosts = self.headers.get_all("Host") or []
        host = hosts[0].strip().lower() if len(hosts) == 1 else None
        if host is None or host not in self.server.preview.allowed_hosts:
            return self._send_text(403, "Forbidden: this preview answers only to localhost "
                                   "and the address it was started on.")
        origins = self.headers.get_all("Origin")
        if origins is not None and not is_same_origin(origins, host,
                                                      self.server.preview.origin_schemes):
            return self._send_text(403, "Forbidden: pages of other sites may not read "
                                   "this preview.")
        raw_path, _, query = self.path.split("#", 1)[0].partition("?")
        if not raw_path.startswith("/"):
            return self._send_text(400, "Bad request.")
        if raw_path == EVENTS_PATH:
            return self._stream_events(query)
        if raw_path == SCRIPT_PATH:
            return self._send_bytes(200, "text/javascript; charset=utf-8",
                                    CLIENT_SCRIPT.encode())
        if raw_path.rstrip("/") == EDITORS_PATH.rstrip("/"):
            return self._editors_view(raw_path)
        if raw_path.startswith(PREFIX):
            return self._send_text(404, "Not found.")
        split = split_request_path(raw_path)
        if split is None:
            return self._send_text(400, "Bad request: this path is not allowed.")
        preview = self.server.preview
        if not preview.epoch:
            return self._send_bytes(503, "text/html; charset=utf-8",
                                    inject_client(_unbuilt_page(preview.hub.problems), 0))
        segments, slash = split
        target = self._locate(segments, slash, query)
        if target is None and preview.is_building:
            # A first or clean build swaps the whole folder in: wait, then try again.
            preview.wait_idle(10)
            target = self._locate(segments, slash, query)
        if target == "redirected":
            return
        if target is None:
            return self._not_found(segments)
        self._send_file(target, 200)

    def _editors_view(self, raw_path: str) -> None:
        """The editors' view (`desk.editors`), made for this request, never on disk."""
        if raw_path != EDITORS_PATH:
            return self._redirect(EDITORS_PATH)
        page = preview_page(self.server.preview).encode()
        self._send_bytes(200, "text/html; charset=utf-8",
                         inject_client(page, self.server.preview.epoch))

    def _locate(self, segments: list[str], slash: bool, query: str) -> Path | str | None:
        preview = self.server.preview
        mount = [s for s in preview.mount.split("/") if s]
        if segments[:len(mount)] != mount:
            if not segments:
                self._redirect(preview.mount)
                return "redirected"
            return None
        target = resolve_inside(preview.output, segments[len(mount):])
        if target is not None and target.is_dir():
            if not slash:
                # Built from the decoded segments: '//host' can never become a Location.
                location = "/" + "/".join(quote(s) for s in segments) + "/"
                self._redirect(location + (f"?{query}" if query.isprintable() and query
                                           else ""))
                return "redirected"
            target = resolve_inside(target, ["index.html"])
        return target if target is not None and target.is_file() else None

    def _not_found(self, segments: list[str] = ()) -> None:
        # Under a language's folder, that language's own 404 page, as the README's host
        # rules (nginx, Netlify) serve it; else the site's.
        mount = [s for s in self.server.preview.mount.split("/") if s]
        below = list(segments[len(mount):]) if segments[:len(mount)] == mount else []
        page = resolve_inside(self.server.preview.output, below[:1] + ["404.html"]) \
            if len(below) > 1 else None
        if page is None or not page.is_file():
            page = resolve_inside(self.server.preview.output, ["404.html"])
        if page is not None and page.is_file():
            self._send_file(page, 404)
        else:
            self._send_text(404, "Not found.")

    def _send_file(self, path: Path, status: int) -> None:
        kind = content_type(path.name)
        epoch = self.server.preview.epoch
        with open(path, "rb") as handle:
            if kind.startswith("text/html"):
                return self._send_bytes(status, kind, inject_client(handle.read(), epoch))
            self._begin(status, kind, os.fstat(handle.fileno()).st_size)
            if not self._head:
                shutil.copyfileobj(handle, self.wfile, 256 * 1024)

    def _stream_events(self, query: str) -> None:
        hub = self.server.preview.hub
        if self._head:
            return self._begin(200, "text/event-stream; charset=utf-8", None)
        listener = hub.join(self.client_address[0])
        if listener is None:
            return self._send_text(503, "The preview server is stopping.")
        try:
            self._begin(200, "text/event-stream; charset=utf-8", None)
            stream_events(hub, listener, self.wfile.write,
                          lambda: _is_closed(self.connection),
                          _client_epoch(self.headers.get("Last-Event-ID"), query),
                          self.server.preview.keepalive)
        except OSError:
            pass  # the page went away
        finally:
            hub.leave(listener)
            self.close_connection = True

    def _redirect(self, location: str) -> None:
        self._send_text(302, "Found.", [("Location", location)])

    def _send_text(self, status: int, message: str, extra=()) -> None:
        self._send_bytes(status, "text/plain; charset=utf-8", (message + "\n").encode(), extra)

    def _send_bytes(self, status: int, kind: str, body: bytes, extra=()) -> None:
        self._begin(status, kind, len(body), extra)
        if not self._head:
            self.wfile.write(body)

    def _begin(self, status: int, kind: str, length: int | None, extra=()) -> None:
        self._started = True
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()


def _client_epoch(last_event_id: str | None, query: str) -> int | None:
    """The epoch the page was served from: EventSource sends the last event's id when it
    reconnects, and the script passes the page's own on the first connection."""
    value = last_event_id or (parse_qs(query).get("epoch") or [""])[0]
    return int(value) if value.isdigit() else None


def _is_closed(connection: socket.socket) -> bool:
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


# ----- the command
