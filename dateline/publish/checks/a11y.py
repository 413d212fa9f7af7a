"""Accessibility with axe-core (bundled by `axe-playwright-python`) in headless Chromium.

A sample is checked, not every page: for every page kind (`<body class="page-KIND">`:
root, home, section, tag, tags, about, article, 404) and every text direction the site
has (`<html dir>`), its largest page, which has the most in it. The folder is served by a
loopback HTTP server started here, so root-relative URLs work as on the live site, and
each page is checked in the light colour scheme, then for contrast in the dark one.
Serious and critical violations fail; moderate and minor ones are warnings.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlsplit

from .folder import BuiltSite, Finding, Outcome, Page, ToolMissing

FAILING_IMPACTS = frozenset({"serious", "critical"})

# Debian's package first: Dateline never downloads a browser.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# The pages are the site's own, served from this machine; Chromium's sandbox cannot start
# as root in a container, and nothing in the background needs the network.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync")

_SCHEMES = (
    ("light", {"resultTypes": ["violations"]}),
    ("dark", {"resultTypes": ["violations"],
              "runOnly": {"type": "rule", "values": ["color-contrast"]}}),
)

_SETTLED = """() => Promise.all(document.getAnimations()
    .filter(a => a instanceof CSSTransition).map(a => a.finished.catch(() => null)))"""
"""Waits for the running CSS transitions (not the endless animations) to end."""


def sample_pages(site: BuiltSite) -> list[Page]:
    """The largest page of every (kind, direction) the site has."""
    largest: dict[tuple[str, str], Page] = {}
    for page in site.pages.values():
        key = (page.kind, page.direction)
        if key not in largest or page.size > largest[key].size:
            largest[key] = page
    return sorted(largest.values(), key=lambda p: (p.direction, p.kind, p.path))


def check_accessibility(site: BuiltSite) -> Outcome:
    sample = sample_pages(site)
    if not sample:
        return Outcome(note="no pages")
    tools = _tools()
    # Playwright's sync API refuses a thread with a running event loop (an asyncio
    # program, a notebook, another Playwright session): a thread of its own has none.
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="a11y") as pool:
        violations = pool.submit(_run_axe, site, sample, *tools).result()
    findings, warnings = [], []
    for page, scheme, violation in violations:
        failing = violation.get("impact") in FAILING_IMPACTS
        (findings if failing else warnings).append(Finding(page.path,
                                                           _describe(violation, scheme)))
    kinds = sorted({p.kind or "?" for p in sample})
    directions = sorted({p.direction for p in sample})
    return Outcome(tuple(findings), tuple(warnings),
                   note=f"{len(sample)} pages ({', '.join(kinds)}; {', '.join(directions)})")


def _run_axe(site: BuiltSite, sample: list[Page], sync_playwright,
             axe_script: str) -> list[tuple[Page, str, dict]]:
    """(page, colour scheme, axe violation) for every violation on the sample."""
    found = []
    with serve_folder(site) as origin, sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            context = browser.new_context(color_scheme="light")
            # Nothing leaves this machine: requests elsewhere are refused.
            context.route("**/*", functools.partial(_only_from, origin))
            tab = context.new_page()
            tab.set_default_timeout(30_000)
            for page in sample:
                tab.goto(origin + quote(site.base_path + page.path))
                tab.evaluate(axe_script)
                for scheme, options in _SCHEMES:
                    tab.emulate_media(color_scheme=scheme)
                    # Colours change with a transition: check where they end, not mid-way.
                    tab.evaluate(_SETTLED)
                    results = tab.evaluate("options => axe.run(document, options)", options)
                    found += [(page, scheme, v) for v in results["violations"]]
            context.close()
        finally:
            browser.close()
    return found


def _describe(violation: dict, scheme: str) -> str:
    nodes = violation.get("nodes", [])
    targets = [" ".join(str(t) for t in node.get("target", [])) for node in nodes[:3]]
    more = f" and {len(nodes) - 3} more" if len(nodes) > 3 else ""
    where = f" in the {scheme} colour scheme" if scheme != "light" else ""
    return (f"accessibility{where}: {violation['id']} ({violation.get('impact')}): "
            f"{violation.get('help', '')} — {', '.join(targets)}{more}")


def _tools():
    try:
        from axe_playwright_python.base import AXE_SCRIPT
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ToolMissing("the a11y check needs the playwright and axe-playwright-python "
                          "packages: pip install 'dateline[check]'") from None
    return sync_playwright, AXE_SCRIPT


def _launch(playwright):
    from playwright.sync_api import Error

    executable = next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    try:
        return playwright.chromium.launch(executable_path=executable,
                                          args=list(CHROMIUM_ARGS), timeout=30_000)
    except Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ToolMissing("the a11y check needs Chromium (apt-get install chromium), and "
                          f"could not start it: {first_line}") from None


def _only_from(origin: str, route) -> None:
    if route.request.url.startswith(origin + "/"):
        route.continue_()
    else:
        route.abort()


@contextlib.contextmanager
def serve_folder(site: BuiltSite) -> Iterator[str]:
    """Serve the folder under the base URL's path on 127.0.0.1 and a free port; yields
    the origin ('http://127.0.0.1:PORT')."""
    handler = functools.partial(_Handler, directory=str(site.root),
                                base_path=quote(site.base_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="check-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args, base_path: str, **kwargs):
        self.base_path = base_path
        super().__init__(*args, **kwargs)

    def send_head(self):
        if not urlsplit(self.path).path.startswith(self.base_path):
            self.send_error(404)
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        return super().translate_path("/" + path[len(self.base_path):])

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass
