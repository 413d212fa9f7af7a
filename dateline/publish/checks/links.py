"""Internal links and fragment anchors: every URL a page refers to inside the site leads
to a file of the folder, and every `#id` names an element of the page it leads to."""

from __future__ import annotations

from .folder import BuiltSite, Finding, Outcome, Page, Ref

# Fragments a browser honours without a matching element (HTML: "scroll to the fragment").
_IMPLICIT_FRAGMENTS = frozenset({"", "top"})


def check_links(site: BuiltSite) -> Outcome:
    findings = []
    count = 0
    for page in site.pages.values():
        for ref in page.refs:
            target = site.resolve(ref.url, page, absolute_ok=ref.absolute_ok)
            if target is None:
                continue
            count += 1
            problem = _problem(site, page, ref, target)
            if problem:
                findings.append(Finding(page.path, f"{ref}: {problem}"))
    return Outcome(tuple(findings), note=f"{count} internal URLs in {len(site.pages)} pages")


def _problem(site: BuiltSite, page: Page, ref: Ref, target) -> str:
    if target.problem:
        return target.problem
    if target.file is None:
        return "no such page or file in the site"
    if target.fragment.lower() in _IMPLICIT_FRAGMENTS:
        return ""
    linked = site.pages.get(target.file)
    if linked is None or target.fragment in linked.ids:
        return ""  # fragments of other files (feeds, images) are not element ids
    where = "this page" if linked is page else linked.path
    return f'no element with id "{target.fragment}" in {where}'
