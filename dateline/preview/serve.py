"""`dateline serve`: build into a private preview folder, serve it on this machine, and
rebuild and reload the open pages whenever a source changes.

One thread debounces file events and rebuilds (incrementally, into the same preview
folder, where the build replaces each file atomically); a good build bumps the epoch and
tells the pages through `livereload`. A failed build keeps serving the last good site and
shows the problems in an overlay. The HTTP side serves only the preview folder, only to
Host headers naming this machine, and changes nothing on disk.
"""

from __future__ import annotations

import gc
import itertools
import os
import shutil
import signal
import sys
import threading
import time
import traceback
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from .. import locales_dirs_for
from ..build import staging
from ..build.pipeline import BuildOptions, BuildResult, build
from ..config import Config, load_config
from ..errors import DatelineError, Problem, SourceRef, UsageError, display_path
from ..incremental.session import BuildSession
from ..inputs import confinement_of, link_targets
from ..noise import is_editor_noise
from .alarm import Alarm, Clock, system_clock
from .livereload import EventHub
from .preview_http import (
    WILDCARDS,
    BindError,
    allowed_hosts,
    bind,
    exposure_warning,
    origin_schemes,
)
from .watch import Debouncer, SourceWatch

PREVIEW_FOLDER = ".dateline-preview"
"""Below the site's folder; each running server builds into a session folder inside."""


class PreviewServer:
    """A preview of one site: `start()` builds it and serves it on background threads,
    `stop()` ends every thread and removes the preview folder.

    `base_url` (--base-url) replaces the config's; either way the site is served under
    its path. Port 0 picks a free port; `url` tells which. Tests use `builds` and
    `wait_for_build(after)` to follow rebuilds.

    Each build is made at `clock()`'s time (default: the system's; `options.now` fixes
    it), and when that clock reaches the moment the build says time alone changes the
    site (a scheduled story published), the site is built again without an edit.
    """

    def __init__(self, config: Config, options: BuildOptions | None = None,
                 host: str = "127.0.0.1", port: int = 8000, *, base_url: str | None = None,
                 keepalive: float = 15.0, quiet: float = 0.1, max_clients: int = 32,
                 max_per_client: int | None = None, clock: Clock | None = None):
        options = options or BuildOptions()
        fixed = options.now
        self._clock = clock or ((lambda: fixed) if fixed is not None else system_clock)
        _check_languages(config, options.languages)
        # The build cache stays in memory between rebuilds (written every few seconds).
        self._session = options.session or BuildSession()
        self.options = replace(options, session=self._session)
        self.keepalive = keepalive
        self._base_url = base_url if base_url is None or base_url.endswith("/") \
            else base_url + "/"
        self.config = self._for_preview(config)
        self._httpd = bind(self, host, port)
        self.host, self.port = host, self._httpd.server_address[1]
        shown = WILDCARDS.get(host, f"[{host}]" if ":" in host else host)
        self._origin = f"http://{shown}:{self.port}"
        self.allowed_hosts = allowed_hosts(host, self.port, self._base_url)
        self.origin_schemes = origin_schemes(self._base_url)
        self._output: Path | None = None
        self.hub = EventHub(max_clients=max_clients, per_client=max_per_client)
        self.epoch = 0
        """Bumped by every build that changed the output; 0 until one succeeds."""
        self._config_stale = False
        self._warnings: list[str] = []
        self._state = threading.Condition()
        self._builds = 0
        self._last_build_good = False
        self._borrowed: frozenset[str] = frozenset()
        self._building = False
        self._watched: tuple[Path, ...] = ()
        self._linked_folders: tuple[Path, ...] = ()
        self._linked_files: frozenset[Path] = frozenset()
        self._debouncer = Debouncer(self._rebuild, quiet)
        self._alarm = Alarm(self._debouncer.wake, self._clock)
        self._watch = SourceWatch(self._is_source_change, self._debouncer.add)
        self._http_thread: threading.Thread | None = None
        self._stopped = False
        self.last_result: BuildResult | None = None
        """The latest good build's result (its warnings and held-back articles)."""

    # ----- life cycle

    @property
    def output(self) -> Path:
        """The preview folder the site is built into (and served from)."""
        assert self._output is not None, "start() the server first"
        return self._output

    @property
    def mount(self) -> str:
        """The URL path the site lives under: base_url's path, usually '/'."""
        return urlsplit(self.config.site.base_url).path or "/"

    @property
    def url(self) -> str:
        return self._origin + self.mount

    def start(self) -> None:
        """Build once, then serve and watch in the background (returns at once)."""
        self._output = _claim_output(self.config.paths.root / PREVIEW_FOLDER)
        # The first build may fork workers: do it before any other thread exists.
        self._rebuild(frozenset(), jobs=self.options.jobs)
        self._debouncer.start()
        self._alarm.start()
        self._watch.start(*self._watch_plan())
        self._http_thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
            name="dateline-http", daemon=True)
        self._http_thread.start()

    def stop(self) -> None:
        """Stop watching, rebuilding and serving; remove the preview folder."""
        if self._stopped:
            return
        self._stopped = True
        self._watch.stop()
        self._alarm.stop()
        self._session.end_search()  # a rebuild indexing the search fails, unreported
        self._debouncer.stop()
        self.hub.close()
        if self._http_thread is not None:
            self._httpd.shutdown()
            self._http_thread.join(5)
        self._httpd.server_close()
        self._httpd.end_connections(timeout=0.5)
        self._session.close()
        if self._output is not None:
            _release_output(self._output)

    def __enter__(self) -> PreviewServer:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def builds(self) -> int:
        """How many builds (good or failed) have finished, the first one included."""
        return self._builds

    def wait_for_build(self, after: int, timeout: float = 10.0) -> int:
        """Block until more than `after` builds have finished; returns the count."""
        with self._state:
            if not self._state.wait_for(lambda: self._builds > after, timeout):
                raise TimeoutError(f"no rebuild within {timeout} s (still {self._builds})")
            return self._builds

    def wait_idle(self, timeout: float) -> None:
        with self._state:
            self._state.wait_for(lambda: not self._building, timeout)

    def now(self):
        """The time the preview builds at (its clock's)."""
        return self._clock()

    @property
    def is_building(self) -> bool:
        return self._building

    # ----- building

    def _for_preview(self, config: Config) -> Config:
        """The config the preview builds with. The site's own base_url is kept unless
        --base-url overrides it: pages link root-relative to its path, which the server
        serves, and the build cache (keyed on base_url) is shared with `build`, photo
        renditions included; each output folder keeps its own record there."""
        if self._base_url is None:
            return config
        return replace(config, site=replace(config.site, base_url=self._base_url))

    def _rebuild(self, changed: frozenset[Path], jobs: int = 1) -> None:
        started = time.perf_counter()
        with self._state:
            self._building = True
        try:
            if self._config_stale or self.config.config_path in changed:
                self._reload_config()
            # After a good build the watcher's list is all that changed; after a failed
            # one (or the first), every file is looked at.
            linked = self._is_linked_change(changed)
            known = changed if self._last_build_good and not linked else None
            result = build(self.config, replace(self.options, output=self.output, jobs=jobs,
                                                changed=known, now=self._clock()))
            if linked:
                self._watch.plan(*self._watch_plan())
            self._last_build_good = True
        except DatelineError as exc:
            self._last_build_good = False
            self._failed([str(p) for p in exc.problems], changed)
        except Exception as exc:  # a bug in a stage must not end the preview
            self._last_build_good = False
            self._failed([self._unexpected(exc)], changed)
        else:
            self._succeeded(result, changed, started)
        finally:
            with self._state:
                self._building = False
                self._builds += 1
                self._state.notify_all()
            # Housekeeping after the rebuild is announced, off the edit-to-reload path.
            self._session.idle()
            _collect_while_idle()

    def _reload_config(self) -> None:
        self._config_stale = True
        config = self._for_preview(load_config(self.config.config_path))
        _check_languages(config, self.options.languages)
        self.config, self._config_stale = config, False
        self._watch.plan(*self._watch_plan())

    def _succeeded(self, result: BuildResult, changed: frozenset[Path], started: float):
        self._borrowed = result.borrowed
        self.last_result = result
        self._alarm.set(result.valid_until)
        kind = change_kind(result, changed)
        if kind is not None or not self.epoch:
            self.epoch += 1
        self.hub.succeeded(kind or "ok", self.epoch)
        what = "" if not self._builds else {"reload": "; reloading open pages",
                                        "css": "; swapping stylesheets",
                                        None: "; output unchanged"}.get(kind, "")
        ms = (time.perf_counter() - started) * 1000
        files = "file" if result.written == 1 else "files"
        _say(f"{self._describe(changed)} → {result.pages} pages, {result.written} {files} "
             f"written in {ms:.0f} ms{what}")
        warnings = [str(w) for w in result.warnings]
        if warnings != self._warnings:
            for warning in warnings:
                print(f"warning: {warning}", file=sys.stderr, flush=True)
            self._warnings = warnings

    def _failed(self, problems: list[str], changed: frozenset[Path]) -> None:
        if self._stopped:  # stopped mid-build (Ctrl+C reaches Pagefind too): no news
            return
        self.hub.failed(problems)
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        serving = ("still serving the last good build" if self.epoch
                   else "nothing to serve until it is fixed")
        _say(f"{self._describe(changed)} → build failed ({count}); {serving}", sys.stderr)
        for line in problems:
            print(line, file=sys.stderr, flush=True)

    def _unexpected(self, exc: Exception) -> str:
        """An error that is not a DatelineError, as `path:line: message` when it knows
        its place (a template syntax error does), else with its traceback in the console."""
        filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
        message = getattr(exc, "message", None) or str(exc)
        if isinstance(filename, str) and isinstance(line, int):
            where = display_path(Path(filename).resolve(), self.config.paths.root)
            return f"{where}:{line}: {type(exc).__name__}: {message}"
        traceback.print_exception(exc, file=sys.stderr)
        return (f"internal error: {type(exc).__name__}: {message} (the traceback is in the "
                "console of the preview server)")

    def _describe(self, changed: frozenset[Path]) -> str:
        if not changed:
            return "the clock reached a scheduled time" if self._builds else "first build"
        names = sorted(_shorten(self._shown(p)) for p in changed)
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        return ", ".join(names[:3]) + more

    def _shown(self, path: Path) -> str:
        theme = self.config.theme_dir
        if not path.is_relative_to(self.config.paths.root) and path.is_relative_to(theme):
            return f"themes/{theme.name}/{path.relative_to(theme).as_posix()}"
        return display_path(path, self.config.paths.root)

    # ----- watching

    def _watch_plan(self) -> tuple[list[Path], list[Path]]:
        paths = self.config.paths
        folders = [paths.content, self.config.theme_dir, *locales_dirs_for(paths.locales)]
        self._watched = tuple(f.resolve() for f in folders)
        # Symbolic links under content/ that the build follows: an edit made through one
        # is an event of its target, outside the watched folders.
        linked = [Path(p) for p in link_targets(str(paths.content),
                                                confinement_of(self.config))]
        self._linked_folders = tuple(p for p in linked if p.is_dir())
        self._linked_files = frozenset(p for p in linked if not p.is_dir())
        self._watched += self._linked_folders
        return list(self._watched), [self.config.config_path, *self._linked_files]

    def _is_linked_change(self, paths: frozenset[Path]) -> bool:
        """Whether a change reached the site through a symbolic link (its target's path
        is not the source's), or may have added or removed one: the build then looks at
        every file, and the watcher's plan is made again."""
        content = self.config.paths.content
        for path in paths:
            if path in self._linked_files or any(path.is_relative_to(f)
                                                 for f in self._linked_folders):
                return True
            if path.is_relative_to(content) and (path.is_symlink() or path.is_dir()):
                return True
        return False

    def _is_source_change(self, path: Path) -> bool:
        """Whether a changed path can change the site: the config, or a file in the
        content, theme or locales folders that is not an editor's leftover."""
        if path == self.config.config_path or path in self._linked_files:
            return True
        folder = next((f for f in self._watched if path.is_relative_to(f)), None)
        if folder is None or self._is_ours(path):
            return False
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative) or is_editor_noise(path.name):
            return False
        return self._is_wanted_language(path)

    def _is_wanted_language(self, path: Path) -> bool:
        """With --lang, content in other languages is not watched, except the files the
        chosen languages' pages show: originals their translations inherit from."""
        content = self.config.paths.content
        if not self.options.languages or not path.is_relative_to(content):
            return True
        parts = path.relative_to(content).parts
        if not parts or parts[0] not in self.config.language_codes \
                or parts[0] in self.options.languages:
            return True
        return str(path) in self._borrowed

    def _is_ours(self, path: Path) -> bool:
        paths = self.config.paths
        return any(path.is_relative_to(p) for p in (
            paths.root / PREVIEW_FOLDER, paths.output, paths.cache))


# Files a page can show or use; feeds, sitemaps, robots.txt or _headers it never does.
_SEEN_SUFFIXES = (".html", ".htm", ".css", ".js", ".mjs", ".json", ".svg", ".png", ".jpg",
                  ".jpeg", ".gif", ".webp", ".avif", ".ico", ".woff", ".woff2", ".ttf",
                  ".otf", ".mp3", ".mp4", ".webm", ".ogg", ".vtt")


def change_kind(result: BuildResult, sources: frozenset[Path] = frozenset()) -> str | None:
    """What open pages must do after a good build, from the output files whose bytes
    changed: `reload`, swap their `css`, nothing visible (`ok`), or None (no change).

    A stylesheet with a fingerprinted name changes every page that links it, so pages
    count as unchanged when the only sources edited were stylesheets."""
    if not result.incremental:
        return "reload"
    if not result.changed_files and not result.removed:
        return None
    visible = [f for f in result.changed_files if f.lower().endswith(_SEEN_SUFFIXES)]
    css_edits_only = bool(sources) and all(p.suffix.lower() == ".css" for p in sources)
    if not visible and not result.removed:
        return "ok"
    if all(f.endswith(".css") for f in visible) and not result.removed:
        return "css"
    if css_edits_only and all(f.endswith((".css", ".html")) for f in visible):
        return "css"
    return "reload"


def _check_languages(config: Config, languages: tuple[str, ...]) -> None:
    unknown = [code for code in languages if code not in config.language_codes]
    if unknown:
        raise UsageError(Problem(SourceRef("--lang", 1), f"not a configured language: "
                         f"{', '.join(unknown)} (the site has "
                         f"{', '.join(config.language_codes)})"))


_CLAIMED: set[Path] = set()
_CLAIMS_LOCK = threading.Lock()
_CLAIM_NUMBERS = itertools.count(1)


def _claim_output(preview_root: Path) -> Path:
    """The folder to build into: `<preview>/site` (a stable path, so the build cache
    keeps one record for it and a restart after a crash is incremental), unless another
    running server holds it, in which case one of this process's own."""
    preview_root.mkdir(exist_ok=True)
    for old in preview_root.glob("site-*"):
        pid = old.name.split("-")[1]
        if pid.isdigit() and not _is_running(int(pid)):
            shutil.rmtree(old, ignore_errors=True)  # left by a server that was killed
    shared, pidfile = preview_root / "site", preview_root / "site.pid"
    with _CLAIMS_LOCK:
        try:
            holder = int(pidfile.read_text(encoding="ascii"))
        except (OSError, ValueError):
            holder = None
        held = shared in _CLAIMED or (holder not in (None, os.getpid())
                                      and _is_running(holder))
        output = preview_root / f"site-{os.getpid()}-{next(_CLAIM_NUMBERS)}" if held \
            else shared
        if not held:
            pidfile.write_text(str(os.getpid()), encoding="ascii")
        _CLAIMED.add(output)
    return output


def _release_output(output: Path) -> None:
    shutil.rmtree(output, ignore_errors=True)
    # A killed build's staging folders of this output only: `.site-*` also matches the
    # `.site-<pid>-<n>-new-*` a second server on the same site may be building into.
    prefixes = tuple(f".{output.name}-{kind}-" for kind in staging.KINDS)
    for leftover in output.parent.glob(f".{output.name}-*"):
        if leftover.name.startswith(prefixes):
            shutil.rmtree(leftover, ignore_errors=True)
    with _CLAIMS_LOCK:
        _CLAIMED.discard(output)
        if output.name == "site":
            (output.parent / "site.pid").unlink(missing_ok=True)
    try:
        output.parent.rmdir()  # only when no other server uses it
    except OSError:
        pass


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _collect_while_idle() -> None:
    """Collect the last build's garbage now, between edits, and leave what survives (the
    build cache, the theme, the model) out of the collector's scans during the next
    rebuild, where one full collection of a large site's objects costs tens of ms."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _say(line: str, stream=None) -> None:
    print(f"{time.strftime('%H:%M:%S')} {line}", file=stream or sys.stdout, flush=True)


def _shorten(name: str, limit: int = 60) -> str:
    return name if len(name) <= limit else name[:24] + "…" + name[-(limit - 25):]


# ----- HTTP

def run(config: Config, options: BuildOptions, host: str = "127.0.0.1", port: int = 8000,
        base_url: str | None = None) -> int:
    """`dateline serve` until Ctrl+C or SIGTERM; returns the exit status."""
    try:
        server = PreviewServer(config, options, host, port, base_url=base_url)
    except BindError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if warning := exposure_warning(host):
        print(warning, file=sys.stderr, flush=True)
    # SIGINT too: a server started in the background of a script inherits it ignored.
    previous = {sig: _handle_signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.start()
        print(f"serving {server.url} — press Ctrl+C to stop", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            _handle_signal(sig, handler)
    print("stopped; preview folder removed", flush=True)
    return 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _handle_signal(sig: signal.Signals, handler):
    try:
        return signal.signal(sig, handler)
    except (ValueError, TypeError):  # not the main thread, or no previous Python handler
        return None
