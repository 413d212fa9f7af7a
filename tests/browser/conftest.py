"""Playwright fixtures: Debian's Chromium (never a downloaded browser), and a preview
server on a free port over a small site with its own copy of the default theme."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dateline import shipped_path
from dateline.config import load_config
from dateline.preview.serve import PreviewServer

CHROMIUM = Path("/usr/bin/chromium")
ARTICLE = "content/en/world/hello.md"
"""The article the tests open and edit; its `date:` is on line 3."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium); "
                                   "browsers are never downloaded")
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(skip)


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def preview(tmp_path, make_site, article_text) -> Iterator[PreviewServer]:
    """A running preview of a one-article site (long enough to scroll)."""
    body = "\n\n".join(f"Paragraph {n} of the report from Karsk, where queues formed "
                       "outside the polling stations before dawn." for n in range(1, 60))
    root = make_site(tmp_path / "site", {
        ARTICLE: article_text(title="Polls open in Karsk", body=body + "\n"),
        "content/en/world/other.md": article_text(title="Another story"),
    })
    shutil.copytree(shipped_path("themes") / "default", root / "themes" / "default")
    server = PreviewServer(load_config(root / "dateline.toml"), host="127.0.0.1", port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def article(preview) -> Path:
    """The article's source file."""
    return preview.config.paths.root / ARTICLE


@pytest.fixture(scope="session")
def save() -> Callable[[Path, str], None]:
    """`save(path, text)`: write the file in place, as most editors do."""

    def write(path: Path, text: str) -> None:
        path.write_text(text, encoding="utf-8")

    return write
