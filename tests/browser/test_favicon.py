"""A page opened in Chromium logs no console error and gets no 404 for anything it
loads, the favicon included (Lighthouse counted the 404 of /favicon.ico, which browsers
ask for by themselves, as an error on every page)."""

from __future__ import annotations

import pytest

PAGES = ["", "en/", "en/world/", "en/world/hello/", "fa/"]


@pytest.mark.parametrize("url", PAGES)
def test_a_page_loads_without_console_errors_or_404s(preview, page, url):
    errors: list[str] = []
    responses: list[tuple[int, str]] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: responses.append((response.status, response.url)))
    page.goto(preview.url + url)
    page.wait_for_load_state("networkidle")
    # What a browser with a tab strip asks for: the page's icons and /favicon.ico.
    icons = page.eval_on_selector_all("link[rel~=icon]", "links => links.map(l => l.href)")
    assert preview.url + "favicon.ico" in icons
    for icon in icons:
        response = page.request.get(icon)
        responses.append((response.status, icon))
        assert response.headers["content-type"].startswith("image/"), icon
    assert errors == []
    assert [r for r in responses if r[0] >= 400] == []
    assert any(target.endswith("favicon.ico") for _, target in responses)
