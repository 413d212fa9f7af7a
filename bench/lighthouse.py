#!/usr/bin/env python3
"""Lighthouse scores and page weight of the sample newsroom, served as a host serves it.

    python bench/lighthouse.py [--runs 1] [--keep DIR] [--skip-lighthouse]

Builds the repository's sample newsroom (content/, dateline.toml) for
http://127.0.0.1:PORT/ and serves it with Debian's nginx, gzip on and the response headers
of the build's `_headers` file (a year's caching for fingerprinted assets). Then:

1. Lighthouse (npm `lighthouse`, mobile, Debian's Chromium through CHROME_PATH) on four
   page kinds: home, article LTR, article RTL, section; prints the four category scores
   of each (the median of --runs).
2. Page weight of an article (the LTR one) in Chromium (Playwright) at 390 px wide,
   device pixel ratio 2, scrolled to the end so every lazy image loads: the bytes of all
   responses, uncompressed and as sent (gzip).

Needs: apt-get install nginx chromium nodejs npm; npm install -g lighthouse; Playwright
(pip install -e '.[test]'). See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from dateline.urls import RESERVED_SECTIONS

REPO = Path(__file__).resolve().parents[1]
NGINX = Path("/usr/sbin/nginx")
CHROMIUM = Path("/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
GZIP_TYPES = ("text/css application/javascript application/xml application/atom+xml "
              "application/rss+xml application/json image/svg+xml text/plain")


@dataclass(frozen=True)
class PageKinds:
    """Root-relative URLs of the four pages measured."""

    home: str
    article_ltr: str
    article_rtl: str
    section: str

    def items(self) -> list[tuple[str, str]]:
        return [("home", self.home), ("article LTR", self.article_ltr),
                ("article RTL", self.article_rtl), ("section", self.section)]


# ----- build and serve
def build_sample(folder: Path, base: str) -> Path:
    shutil.copy(REPO / "dateline.toml", folder / "dateline.toml")
    shutil.copytree(REPO / "content", folder / "content", dirs_exist_ok=True)
    out = folder / "site"
    subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--config",
                    str(folder / "dateline.toml"), "--out", str(out), "--base-url", base],
                   check=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    return out


def parse_headers(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The `_headers` file (Netlify / Cloudflare Pages format): (path pattern, headers)."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), []))
        else:
            name, _, value = line.strip().partition(":")
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def nginx_locations(rules: list[tuple[str, list[tuple[str, str]]]]) -> str:
    """nginx `location` blocks doing what `_headers` says. Every rule whose pattern
    matches a path applies (as on those hosts); nginx takes the headers of the one
    location a request matches, so each prefix location repeats the catch-all's."""
    catch_all = [h for pattern, headers in rules if pattern == "/*" for h in headers]
    blocks = []
    for pattern, headers in rules:
        prefix = pattern.removesuffix("*")
        own = headers + (catch_all if pattern != "/*" else [])
        lines = "".join(f'      add_header {name} "{value}" always;\n' for name, value in own)
        blocks.append(f"    location {prefix} {{\n{lines}    }}\n")
    return "".join(blocks)


def nginx_conf(prefix: Path, port: int, site: Path) -> str:
    user = pwd.getpwuid(os.geteuid()).pw_name
    temp = "\n".join(f"  {kind}_temp_path {prefix}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    rules = parse_headers((site / "_headers").read_text(encoding="utf-8"))
    return f"""
user {user};
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
{temp}
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  gzip on;
  gzip_comp_level 6;
  gzip_min_length 256;
  gzip_types {GZIP_TYPES};
  server {{
    listen 127.0.0.1:{port};
    root {site};
    index index.html;
    error_page 404 /404.html;
{nginx_locations(rules)}  }}
}}
"""


def start_nginx(prefix: Path, port: int, site: Path) -> subprocess.Popen:
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_conf(prefix, port, site), encoding="utf-8")
    server = subprocess.Popen([str(NGINX), "-p", str(prefix), "-c", str(conf),
                               "-e", str(prefix / "error.log"), "-g", "daemon off;"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"nginx exited: {(prefix / 'error.log').read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    sys.exit("nginx did not start listening within 10 s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ----- which pages
def page_kinds(site: Path) -> PageKinds:
    """The home and first section of English, and the English and the Persian article
    with a lead photo and the most images (the heaviest article of each)."""
    def article(lang: str) -> str:
        pages = [(page.read_text(encoding="utf-8"), page)
                 for page in sorted((site / lang).glob("*/*/index.html"))]
        photos = [(html.count("<img"), page) for html, page in pages
                  if 'class="lead-figure' in html and "<article" in html]
        if not photos:
            sys.exit(f"no {lang} article with a lead photo in {site}")
        heaviest = max(photos, key=lambda found: found[0])[1]
        return "/" + heaviest.relative_to(site).parent.as_posix() + "/"

    # A section folder has a feed; so do the reserved ones (authors, corrections).
    sections = sorted(p.parent.name for p in (site / "en").glob("*/index.html")
                      if (p.parent / "feed.xml").is_file()
                      and p.parent.name not in RESERVED_SECTIONS)
    return PageKinds("/en/", article("en"), article("fa"), f"/en/{sections[0]}/")


# ----- Lighthouse
@dataclass(frozen=True)
class Report:
    scores: dict[str, int]
    """Category → score out of 100."""
    timings: dict[str, int]
    """FCP, LCP and TBT (simulated mobile, ms), CLS (× 1000), and what inlining the
    render-blocking stylesheet would save of FCP by Lighthouse's estimate (ms)."""


TIMINGS = {"FCP": ("first-contentful-paint", None),
           "LCP": ("largest-contentful-paint", None),
           "TBT": ("total-blocking-time", None),
           "CLSx1000": ("cumulative-layout-shift", None),
           "inline saves": ("render-blocking-insight", "FCP")}
"""Column → (audit, metric saving or None for the audit's own value)."""


def lighthouse_report(url: str, work: Path) -> Report:
    report = work / "report.json"
    flags = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
    subprocess.run([shutil.which("lighthouse") or "lighthouse", url, "--quiet",
                    "--output=json", f"--output-path={report}",
                    f"--only-categories={','.join(CATEGORIES)}",
                    f"--chrome-flags={flags}"],
                   check=True, env={**os.environ, "CHROME_PATH": str(CHROMIUM)})
    data = json.loads(report.read_text(encoding="utf-8"))
    timings = {}
    for label, (audit, saving) in TIMINGS.items():
        found = data["audits"].get(audit, {})
        value = (found.get("metricSavings") or {}).get(saving) if saving else \
            found.get("numericValue")
        timings[label] = round((value or 0) * (1000 if label.startswith("CLS") else 1))
    return Report({name: round(100 * data["categories"][name]["score"])
                   for name in CATEGORIES}, timings)


def run_lighthouse(base: str, kinds: PageKinds, runs: int, work: Path) -> None:
    print(f"\nLighthouse {lighthouse_version()} (mobile), median of {runs}:")
    columns = [*CATEGORIES, *TIMINGS]
    print(f"{'page':<12} {'url':<26}" + "".join(f"{c:>{len(c) + 2}}" for c in columns))
    for label, path in kinds.items():
        reports = [lighthouse_report(base.rstrip("/") + path, work) for _ in range(runs)]
        values = [{**r.scores, **r.timings} for r in reports]
        median = {c: int(statistics.median(v[c] for v in values)) for c in columns}
        print(f"{label:<12} {path:<26}" + "".join(f"{median[c]:>{len(c) + 2}}"
                                                   for c in columns), flush=True)


def lighthouse_version() -> str:
    found = shutil.which("lighthouse")
    if found is None:
        sys.exit("lighthouse is not installed: npm install -g lighthouse (or pass "
                 "--skip-lighthouse for the page weight alone)")
    return subprocess.run([found, "--version"], capture_output=True, text=True,
                          check=True).stdout.strip()


# ----- page weight
@dataclass(frozen=True)
class Weight:
    responses: int
    plain: int
    """Bytes of the response bodies, decoded (what gzip would have to send without gzip)."""
    wire: int
    """Bytes of the response bodies as sent (gzip where nginx compressed them)."""
    headers: int
    """Bytes of the response headers."""

    def summary(self) -> str:
        kib = lambda n: f"{n / 1024:.1f} KiB"  # noqa: E731
        return (f"{self.responses} responses; bodies {kib(self.plain)} uncompressed, "
                f"{kib(self.wire)} as sent (gzip); with headers {kib(self.plain + self.headers)}"
                f" and {kib(self.wire + self.headers)}")


def page_weight(url: str) -> Weight:
    """What Chromium fetches for `url` at 390 px, DPR 2, scrolled to the end (every lazy
    image loaded), with an empty cache."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      device_scale_factor=2, is_mobile=True, has_touch=True)
        page = context.new_page()
        responses = []
        page.on("response", lambda response: responses.append(response))
        page.goto(url, wait_until="load")
        height = page.evaluate("document.documentElement.scrollHeight")
        for _ in range(0, height + 844, 400):  # lazy images load as they near the view
            page.mouse.wheel(0, 400)
            page.wait_for_timeout(60)
        page.wait_for_load_state("networkidle")
        plain = wire = headers = 0
        for response in responses:
            sizes = response.request.sizes()
            plain += len(response.body())
            wire += sizes["responseBodySize"]
            headers += sizes["responseHeadersSize"]
        browser.close()
    return Weight(len(responses), plain, wire, headers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page")
    parser.add_argument("--keep", type=Path, help="build and keep the site in this folder")
    parser.add_argument("--skip-lighthouse", action="store_true")
    args = parser.parse_args(argv)
    for tool in (NGINX, CHROMIUM):
        if not tool.exists():
            sys.exit(f"{tool} is not installed (apt-get install {tool.name})")
    with tempfile.TemporaryDirectory(prefix="dateline-lh-") as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        site = build_sample(folder, base)
        prefix = Path(temp) / "nginx"
        prefix.mkdir()
        server = start_nginx(prefix, port, site)
        try:
            kinds = page_kinds(site)
            if not args.skip_lighthouse:
                run_lighthouse(base, kinds, args.runs, Path(temp))
            weight = page_weight(base.rstrip("/") + kinds.article_ltr)
            print(f"\nPage weight of {kinds.article_ltr} at 390 px, DPR 2, scrolled to the "
                  f"end: {weight.summary()}")
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
