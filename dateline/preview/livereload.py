"""The live-reload channel: a script the server adds to HTML as it serves it (never to
the built files), and the Server-Sent Events that tell open pages what happened.

Every successful build that changes the output bumps an *epoch*. A page knows the epoch
it was served from, so a page that connects after a rebuild it missed reloads at once,
and a page opened while the last build is failing shows the errors straight away.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

PREFIX = "/__dateline__/"
"""Reserved URL path of the preview's own endpoints; the site never uses it."""
EVENTS_PATH = PREFIX + "events"
SCRIPT_PATH = PREFIX + "livereload.js"

CLIENT_SCRIPT = r"""(() => {
  "use strict";
  const me = document.currentScript;
  let epoch = (me && me.dataset.epoch) || "";
  const scrollKey = "dateline-scroll:" + location.pathname + location.search;
  const saved = sessionStorage.getItem(scrollKey);
  if (saved) {
    sessionStorage.removeItem(scrollKey);
    const [x, y] = JSON.parse(saved);
    const restore = () => window.scrollTo(x, y);
    restore();
    // Again once images have loaded and the page has its final height.
    if (document.readyState !== "complete") addEventListener("load", restore, {once: true});
  }
  const reload = () => {
    sessionStorage.setItem(scrollKey, JSON.stringify([scrollX, scrollY]));
    location.reload();
  };
  const stylesheets = (root) => [...root.querySelectorAll('link[rel~="stylesheet"]')];
  const swapStylesheets = async () => {
    // A fingerprinted stylesheet has a new name: the page itself says which.
    let fresh;
    try {
      const response = await fetch(location.href, {cache: "no-store"});
      const html = await response.text();
      fresh = stylesheets(new DOMParser().parseFromString(html, "text/html"));
    } catch (error) {
      return reload();
    }
    const links = stylesheets(document);
    if (fresh.length !== links.length) return reload();
    const stamp = String(Date.now());
    links.forEach((link, index) => {
      const url = new URL(fresh[index].getAttribute("href"), location.href);
      if (url.origin !== location.origin) return;
      if (url.pathname === new URL(link.href).pathname) {
        url.searchParams.set("dateline-reload", stamp);  // same name, new bytes
      }
      const next = link.cloneNode();
      next.href = url.href;
      // The old sheet stays until the new one has loaded, so nothing flashes unstyled.
      const drop = () => link.remove();
      next.addEventListener("load", drop, {once: true});
      next.addEventListener("error", drop, {once: true});
      link.after(next);
    });
  };
  const overlayId = "dateline-build-errors";
  const hideErrors = () => { document.getElementById(overlayId)?.remove(); };
  const showErrors = (problems) => {
    hideErrors();
    const box = document.createElement("div");
    box.id = overlayId;
    box.setAttribute("role", "alert");
    box.dir = "ltr";
    box.lang = "en";
    box.style.cssText = "all:initial;display:block;position:fixed;top:0;left:0;right:0;" +
      "z-index:2147483647;max-height:70vh;overflow:auto;box-sizing:border-box;" +
      "padding:12px 16px;background:#3b0a0a;color:#fff;border-bottom:4px solid #f55;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left";
    const title = document.createElement("div");
    title.style.cssText = "font-weight:bold;margin-bottom:6px";
    title.textContent = "Dateline: the last rebuild failed. This page shows the last " +
      "good build; fix the problem and save.";
    const list = document.createElement("ul");
    list.style.cssText = "margin:0;padding:0 0 0 1.2em;white-space:pre-wrap";
    for (const problem of problems) {
      const item = document.createElement("li");
      item.textContent = problem;
      list.append(item);
    }
    box.append(title, list);
    document.body.append(box);
  };
  let source = null;
  const connect = () => {
    if (source) return;
    source = new EventSource("/__dateline__/events?epoch=" + encodeURIComponent(epoch));
    const on = (name, handle) => source.addEventListener(name, (event) => {
      if (event.lastEventId) epoch = event.lastEventId;
      handle(JSON.parse(event.data));
    });
    on("reload", reload);
    on("css", () => { hideErrors(); swapStylesheets(); });
    on("ok", hideErrors);
    on("error", (data) => showErrors(data.problems));
  };
  // Browsers open about six connections per host over HTTP/1.1, and each listening tab
  // holds one: a hidden tab lets its connection go, and when shown again it reconnects
  // with its epoch, so a rebuild it missed reloads it at once.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      source?.close();
      source = null;
    } else {
      connect();
    }
  });
  if (!document.hidden) connect();
})();
"""


def inject_client(html: bytes, epoch: int) -> bytes:
    """The page with the live-reload script added before its last `</body>`."""
    tag = f'<script src="{SCRIPT_PATH}" data-epoch="{epoch}"></script>\n'.encode()
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    """Position in the hub's history, so each client gets every event exactly once."""
    name: str
    """reload, css, ok or error."""
    data: dict
    epoch: int

    def encode(self) -> bytes:
        # json.dumps escapes newlines, so the data is always a single `data:` line.
        payload = json.dumps(self.data, ensure_ascii=False)
        return f"id: {self.epoch}\nevent: {self.name}\ndata: {payload}\n\n".encode()


KEEPALIVE = b": keepalive\n\n"


@dataclass(eq=False, slots=True)
class Listener:
    """One open event stream, counted against its client's share."""

    client: str
    """The address it came from."""
    dropped: bool = False
    """Set when a newer stream took its place; its page reconnects by itself."""


class EventHub:
    """The build state open pages follow, and the events that change it.

    At most `max_clients` streams are open, and at most `per_client` (half of them by
    default) from one address. A stream over either limit does not refuse the newcomer,
    whose page would stop listening for good (EventSource gives up on an error status):
    it ends the oldest stream of the client with the most, and that page reconnects a
    second later, told to reload if it missed a build. So a flood from one client can
    neither hold every place nor keep out a page someone has open."""

    def __init__(self, max_clients: int = 32, history: int = 64,
                 per_client: int | None = None):
        self.max_clients = max_clients
        self.per_client = per_client or max(1, max_clients // 2)
        self._cond = threading.Condition()
        self._events: deque[Event] = deque(maxlen=history)
        self._seq = 0
        self._epoch = 0
        self._problems: list[str] | None = None
        self._listeners: list[Listener] = []  # oldest first
        self._closed = False

    @property
    def clients(self) -> int:
        return len(self._listeners)

    @property
    def problems(self) -> list[str] | None:
        """The problems of the last build if it failed, else None."""
        return self._problems

    def succeeded(self, name: str, epoch: int) -> None:
        """A build worked: pages `reload`, swap their `css`, or are `ok` as they are."""
        with self._cond:
            self._problems = None
            self._epoch = epoch
            self._publish(name, {})

    def failed(self, problems: list[str]) -> None:
        with self._cond:
            self._problems = list(problems)
            self._publish("error", {"problems": self._problems})

    def _publish(self, name: str, data: dict) -> None:
        self._seq += 1
        self._events.append(Event(self._seq, name, data, self._epoch))
        self._cond.notify_all()

    def join(self, client: str = "") -> Listener | None:
        """Count a new stream from `client` in, ending an older one if a limit is
        reached; None once the hub is closed."""
        with self._cond:
            if self._closed:
                return None
            own = [each for each in self._listeners if each.client == client]
            if len(own) >= self.per_client:
                self._drop(own[0])
            elif len(self._listeners) >= self.max_clients:
                self._drop(self._oldest_of_busiest())
            listener = Listener(client)
            self._listeners.append(listener)
            return listener

    def leave(self, listener: Listener) -> None:
        with self._cond:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _oldest_of_busiest(self) -> Listener:
        counts = Counter(each.client for each in self._listeners)
        most = max(counts.values())
        return next(each for each in self._listeners if counts[each.client] == most)

    def _drop(self, listener: Listener) -> None:
        listener.dropped = True
        self._listeners.remove(listener)
        self._cond.notify_all()

    def greet(self, client_epoch: int | None) -> tuple[list[Event], int]:
        """What a page that just connected must hear, and where its stream starts: the
        errors if the last build failed, a reload if it was served before a rebuild."""
        with self._cond:
            if self._problems is not None:
                first = [Event(self._seq, "error", {"problems": self._problems}, self._epoch)]
            elif client_epoch is not None and client_epoch != self._epoch:
                first = [Event(self._seq, "reload", {}, self._epoch)]
            else:
                first = []
            return first, self._seq

    def wait(self, seq: int, timeout: float,
             listener: Listener | None = None) -> tuple[list[Event] | None, int]:
        """Events after `seq` (an empty list after `timeout`), or None once closed or
        once `listener` is dropped."""
        with self._cond:
            def is_over() -> bool:
                return self._closed or (listener is not None and listener.dropped)

            if not is_over() and self._seq == seq:
                self._cond.wait(timeout)
            if is_over():
                return None, seq
            fresh = [e for e in self._events if e.seq > seq]
            if fresh and fresh[0].seq > seq + 1:  # fell behind the history: start over
                fresh = [Event(self._seq, "reload", {}, self._epoch)]
            return fresh, self._seq

    def close(self) -> None:
        """End every stream; used when the server stops."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


def stream_events(hub: EventHub, listener: Listener, write: Callable[[bytes], object],
                  is_gone: Callable[[], bool], client_epoch: int | None,
                  keepalive: float = 15.0, poll: float = 1.0) -> None:
    """Send one page its events until the hub closes, drops the stream or the page goes
    away.

    Every `poll` seconds without news the connection is checked, so a closed tab frees
    its slot within a second; a comment every `keepalive` seconds keeps proxies and
    browsers from timing the stream out.
    """
    events, seq = hub.greet(client_epoch)
    write(b"retry: 1000\n\n" + b"".join(e.encode() for e in events))
    last_write = time.monotonic()
    while True:
        events, seq = hub.wait(seq, min(poll, keepalive), listener)
        if events is None:
            return
        if events:
            write(b"".join(e.encode() for e in events))
            last_write = time.monotonic()
        elif is_gone():
            return
        elif time.monotonic() - last_write >= keepalive:
            write(KEEPALIVE)
            last_write = time.monotonic()
