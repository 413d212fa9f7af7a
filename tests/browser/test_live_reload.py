"""Live reload in a real browser: edits show up without any action, a stylesheet change
keeps the page (and its state), errors appear in an overlay and go away when fixed, and
a reload keeps the scroll position."""

from __future__ import annotations

import socket
import time

from playwright.sync_api import expect

from dateline.preview.livereload import EVENTS_PATH

OVERLAY = "#dateline-build-errors"
ARTICLE = "content/en/world/hello.md"


def _open_article(page, preview) -> None:
    page.goto(preview.url + "en/world/hello/")
    # The script is connected once the server counts the page as a client.
    page.wait_for_function("() => !!document.querySelector('script[data-epoch]')")
    _wait(lambda: preview.hub.clients >= 1)


def _wait(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_editing_the_markdown_updates_the_open_page(page, preview, article, save):
    _open_article(page, preview)
    text = article.read_text(encoding="utf-8")
    started = time.perf_counter()
    save(article, text.replace("Paragraph 1 of", "Freshly edited paragraph of", 1))
    expect(page.locator("main")).to_contain_text("Freshly edited paragraph", timeout=10_000)
    print(f"\nsave → page updated: {(time.perf_counter() - started) * 1000:.0f} ms")


def test_a_stylesheet_change_applies_without_reloading(page, preview, article, save):
    _open_article(page, preview)
    page.evaluate("window.keptAcrossCss = 'still here'")
    css = preview.config.theme_dir / "static" / "style.css"
    save(css, css.read_text(encoding="utf-8") + "\nbody { outline: 3px solid rgb(1, 2, 3) }\n")
    page.wait_for_function("getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'")
    assert page.evaluate("window.keptAcrossCss") == "still here"
    assert page.locator('link[rel~="stylesheet"]').count() == 1


def test_a_broken_file_shows_an_overlay_until_it_is_fixed(page, preview, article, save):
    _open_article(page, preview)
    good = article.read_text(encoding="utf-8")
    save(article, good.replace("date: ", "date: 2025-13-45 <b id=injected>x</b> ", 1))
    overlay = page.locator(f'{OVERLAY}[role="alert"]')
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text(f"{ARTICLE}:3: ")
    expect(overlay).to_contain_text("<b id=injected>")  # shown as text, not as markup
    assert page.locator("#injected").count() == 0
    assert overlay.evaluate("e => getComputedStyle(e).position") == "fixed"

    page2 = page.context.new_page()  # a page opened while the build is failing
    page2.goto(preview.url + "en/")
    expect(page2.locator(OVERLAY)).to_contain_text(f"{ARTICLE}:3: ")

    save(article, good)
    expect(page.locator(OVERLAY)).to_have_count(0)
    expect(page2.locator(OVERLAY)).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Paragraph 1 of the report")


def test_a_reload_keeps_the_scroll_position(page, preview, article, save):
    _open_article(page, preview)
    page.evaluate("window.scrollTo(0, 900); window.beforeReload = true")
    page.wait_for_function("window.scrollY === 900")
    save(article, article.read_text(encoding="utf-8").replace("Paragraph 2 of",
                                                              "Rewritten paragraph of", 1))
    page.wait_for_function("window.beforeReload === undefined && "
                           "document.body.innerText.includes('Rewritten paragraph')")
    page.wait_for_function("window.scrollY === 900", timeout=5_000)


def _set_hidden(page, hidden: bool) -> None:
    # What a browser does when its tab goes to the background or comes back.
    page.evaluate("""hidden => {
        Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
        document.dispatchEvent(new Event("visibilitychange"));
    }""", hidden)


def test_a_hidden_tab_lets_its_connection_go_and_catches_up_when_shown(
        page, preview, article, save):
    _open_article(page, preview)
    page.evaluate("window.beforeReload = true")
    _set_hidden(page, True)
    _wait(lambda: preview.hub.clients == 0)  # many background tabs cannot starve new ones
    save(article, article.read_text(encoding="utf-8").replace("Paragraph 3 of",
                                                              "Edited while hidden", 1))
    _wait(lambda: "Edited while hidden" in (
        preview.output / "en/world/hello/index.html").read_text(encoding="utf-8"))
    assert page.evaluate("window.beforeReload") is True  # nothing reached the hidden tab
    _set_hidden(page, False)
    page.wait_for_function("window.beforeReload === undefined && "
                           "document.body.innerText.includes('Edited while hidden')")


def test_a_page_opened_after_a_flood_of_streams_still_reloads(page, preview, article, save):
    # 40 streams from this machine's address (the browser's too) fill every place; the
    # page opened next must get one, or its EventSource gives up on it for good.
    flood = []
    for _ in range(40):
        sock = socket.create_connection(("127.0.0.1", preview.port), timeout=10)
        sock.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{preview.port}\r\n"
                     "\r\n".encode())
        flood.append(sock)
    try:
        for sock in flood:  # every one answered (the stream's first line, or a refusal)
            assert sock.recv(4096).startswith(b"HTTP/1.0 ")
        page.goto(preview.url + "en/world/hello/")
        page.wait_for_function("() => !!document.querySelector('script[data-epoch]')")
        page.evaluate("window.beforeReload = true")
        save(article, article.read_text(encoding="utf-8").replace("Paragraph 4 of",
                                                                  "Edited after a flood", 1))
        page.wait_for_function("window.beforeReload === undefined && "
                               "document.body.innerText.includes('Edited after a flood')")
    finally:
        for sock in flood:
            sock.close()
