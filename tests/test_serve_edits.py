"""The preview server after an edit its watcher names: a body edit, or a retitle, reads
the edited source alone and assembles no article (`build.memoryedits`); an edit that
changes a listing's shape assembles the site again. Either way the pages it serves are
those of a clean build."""

from __future__ import annotations

import datetime as dt
import http.client
import shutil
from pathlib import Path

import pytest

from dateline import shipped_path
from dateline.build import reading
from dateline.build.pipeline import BuildOptions, build
from dateline.config import load_config
from dateline.preview.serve import PreviewServer
from tests.conftest import parse_html_text

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
EDITED = "content/en/world/vote.md"


@pytest.fixture
def server(tmp_path, make_site, article_text):
    root = make_site(tmp_path / "site", {
        EDITED: article_text(title="Polls open in Karsk", date="2026-05-20T10:00:00+00:00",
                             body="Queues at the polling stations.\n", tags=["vote"]),
        "content/ru/world/vote.md": article_text(title="Выборы в Карске",
                                                 date="2026-05-20T11:00:00+00:00",
                                                 body="Очереди.\n", tags=["vote"]),
        "content/en/world/roads.md": article_text(title="Roads closed",
                                                  date="2026-05-21T10:00:00+00:00",
                                                  tags=["roads"]),
        "content/en/economy/bread.md": article_text(title="Bread prices rise",
                                                    date="2026-05-22T10:00:00+00:00",
                                                    tags=["prices"]),
    }, per_page=2)
    shutil.copytree(shipped_path("themes") / "default", root / "themes/default")
    started = PreviewServer(load_config(root / "dateline.toml"), BuildOptions(now=NOW),
                            "127.0.0.1", 0)
    started.start()
    yield started
    started.stop()


@pytest.fixture
def calls(monkeypatch) -> dict[str, list]:
    """What every build since reads and assembles: the sources prepared (each call's
    paths) and the sites assembled (each call's articles)."""
    seen: dict[str, list] = {"prepared": [], "assembled": []}
    prepare, assemble = reading.prepare_sources, reading.assemble

    def counted_prepare(paths, *args, **kwargs):
        seen["prepared"].append(list(paths))
        return prepare(paths, *args, **kwargs)

    def counted_assemble(docs, *args, **kwargs):
        seen["assembled"].append(len(docs))
        return assemble(docs, *args, **kwargs)

    monkeypatch.setattr(reading, "prepare_sources", counted_prepare)
    monkeypatch.setattr(reading, "assemble", counted_assemble)
    return seen


def edit(server: PreviewServer, calls: dict, relative: str, change) -> dict[str, list]:
    """Change a source as an editor saves it, wait for the rebuild; what it read and
    assembled (`calls`)."""
    path = server.config.paths.root / relative
    builds = server.builds
    before = {name: len(seen) for name, seen in calls.items()}
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    server.wait_for_build(builds)
    assert server.last_result is not None and server.builds == builds + 1
    return {name: seen[before[name]:] for name, seen in calls.items()}


def served(server: PreviewServer, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{server.port}"})
        response = conn.getresponse()
        assert response.status == 200, path
        return response.read().decode()
    finally:
        conn.close()


def text_of(html: str) -> str:
    return parse_html_text(html).text


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".dateline-output"}


def assert_as_clean(server: PreviewServer, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(server.config, BuildOptions(output=clean, now=NOW, clean=True, jobs=1))
    assert tree(server.output) == tree(clean)


def test_a_body_edit_and_a_retitle_read_the_edited_source_alone(server, calls, tmp_path):
    done = edit(server, calls, EDITED, lambda text: text + "\nThe count starts at eight.\n")
    assert "The count starts at eight." in text_of(served(server, "/en/world/vote/"))
    # Neither every source prepared nor any article assembled: the kept model stood.
    assert done == {"prepared": [], "assembled": []}
    assert server.last_result.rendered >= 1 and not server.last_result.replanned
    done = edit(server, calls, EDITED, lambda text: text.replace("Polls open in Karsk",
                                                                 "Polls close in Karsk"))
    assert done == {"prepared": [], "assembled": []}
    assert "Polls close in Karsk" in text_of(served(server, "/en/world/vote/"))
    # Its card on the listings, and its title on its translation's page.
    assert "Polls close in Karsk" in text_of(served(server, "/en/tags/vote/"))
    assert "Polls close in Karsk" in text_of(served(server, "/ru/world/vote/"))
    assert_as_clean(server, tmp_path)
    # Saved again as it was: nothing read but its bytes, nothing written.
    done = edit(server, calls, EDITED, lambda text: text)
    assert done == {"prepared": [], "assembled": []}
    assert (server.last_result.rendered, server.last_result.written) == (0, 0)
    done = edit(server, calls, EDITED, lambda text: text + "\nAnd after that.\n")
    assert done == {"prepared": [], "assembled": []}
    assert "And after that." in text_of(served(server, "/en/world/vote/"))
    assert_as_clean(server, tmp_path)


def test_an_edit_that_changes_a_listing_takes_the_full_path(server, calls, tmp_path):
    assert edit(server, calls, EDITED,
                lambda text: text + "\nA first body edit.\n")["assembled"] == []
    # A new tag: another listing shows the article (and the tags page another topic).
    done = edit(server, calls, EDITED, lambda text: text.replace("- vote", "- vote\n- turnout"))
    assert done["assembled"] == [4]  # every article assembled again
    assert server.last_result.replanned
    assert "Polls open in Karsk" in text_of(served(server, "/en/tags/turnout/"))
    assert_as_clean(server, tmp_path)
    # Re-dated: the article moves in every listing of its language.
    done = edit(server, calls, "content/en/world/roads.md",
                lambda text: text.replace("2026-05-21T10:00", "2026-05-19T10:00"))
    assert done["assembled"] == [4] and server.last_result.replanned
    assert_as_clean(server, tmp_path)
    # And a body edit after those reads the edited source alone again.
    done = edit(server, calls, EDITED, lambda text: text + "\nA last body edit.\n")
    assert done == {"prepared": [], "assembled": []}
    assert "A last body edit." in text_of(served(server, "/en/world/vote/"))
    assert_as_clean(server, tmp_path)
