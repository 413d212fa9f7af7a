"""hreflang reciprocity: search engines ignore an alternate that is not confirmed.

From every page's `<link rel="alternate" hreflang>` tags: each alternate is a page of the
site whose `<html lang>` matches the code; a page that lists alternates lists itself; when
page A lists page B, B lists A; and pages listing each other agree on their x-default.
"""

from __future__ import annotations

from .folder import BuiltSite, Finding, Outcome, Page

X_DEFAULT = "x-default"


def check_hreflang(site: BuiltSite) -> Outcome:
    findings: list[Finding] = []
    clusters = {path: _alternates(site, page, findings)
                for path, page in site.pages.items() if page.alternates}
    for path, listed in clusters.items():
        findings.extend(_unconfirmed(path, listed, clusters))
    return Outcome(tuple(findings), note=f"{len(clusters)} pages with alternates")


def _alternates(site: BuiltSite, page: Page, findings: list[Finding]) -> dict[str, str]:
    """hreflang code (lower case) → the page it names; problems go to `findings`."""
    listed: dict[str, str] = {}
    for alternate in page.alternates:
        code = alternate.hreflang.lower()
        shown = f'line {alternate.line}: hreflang="{alternate.hreflang}" → {alternate.url}'
        target = site.resolve(alternate.url, page, absolute_ok=True)
        if target is None or target.problem or target.file not in site.pages:
            why = target.problem if target and target.problem else "not a page of this site"
            findings.append(Finding(page.path, f"{shown}: {why}"))
            continue
        if code in listed and listed[code] != target.file:
            findings.append(Finding(page.path, f"{shown}: \"{alternate.hreflang}\" is "
                                    f"already listed for {listed[code]}"))
            continue
        listed[code] = target.file
        lang = site.pages[target.file].lang
        if code != X_DEFAULT and lang.lower() != code:
            findings.append(Finding(page.path, f'{shown}: that page is in "{lang}" '
                                    f'(<html lang="{lang}">), not "{alternate.hreflang}"'))
    if page.path not in listed.values():
        findings.append(Finding(page.path, "its hreflang alternates do not include the page "
                                "itself; list every language version, this one too"))
    return listed


def _unconfirmed(path: str, listed: dict[str, str], clusters: dict[str, dict[str, str]]):
    x_default = listed.get(X_DEFAULT)
    for code, other in listed.items():
        if other == path:
            continue
        back = clusters.get(other, {})
        if path not in back.values():
            yield Finding(path, f'hreflang="{code}" → {other}, which does not list this '
                                "page back")
        elif code != X_DEFAULT and back.get(X_DEFAULT) != x_default:
            theirs = back.get(X_DEFAULT) or "none"
            yield Finding(path, f"x-default is {x_default or 'not set'}, but its "
                                f'"{code}" version {other} names {theirs}')
