"""Issue 17's performance line: a cold build reads each source once. The pass that
matches a touched file by its bytes (a fresh clone, issue 17) is for files a build has
seen; a cold build's files match nothing, and reading them there only doubled the reads.
"""

import sys
from collections import Counter
from pathlib import Path

from dateline.build import prepare

OPENED: list[str] = []
"""Files opened while `_counting` holds True (an audit hook cannot be removed)."""
_COUNTING = [False]


def _audit(event: str, args: tuple) -> None:
    if _COUNTING[0] and event == "open" and isinstance(args[0], (str, Path)):
        OPENED.append(str(args[0]))


sys.addaudithook(_audit)


def _opens_of_sources(root: Path, build) -> Counter:
    OPENED.clear()
    _COUNTING[0] = True
    try:
        build()
    finally:
        _COUNTING[0] = False
    content = str(root / "content")
    return Counter(path for path in OPENED if path.startswith(content) and path.endswith(".md"))


def _site(root: Path, make_site, article_text) -> Path:
    return make_site(root, {
        f"content/{lang}/world/story-{i}.md": article_text(
            title=f"Story {i} {lang}", date=f"2025-03-0{i + 1}T10:00:00+01:00",
            translation_key=f"story-{i}")
        for i in range(4) for lang in ("en", "ru")})


def test_a_cold_build_reads_each_source_once(tmp_path, make_site, article_text, build_site):
    root = _site(tmp_path / "newsroom", make_site, article_text)
    opened = _opens_of_sources(root, lambda: build_site(root))
    assert len(opened) == 8, opened
    assert set(opened.values()) == {1}, opened


def test_touched_sources_are_still_matched_by_their_bytes(tmp_path, make_site, article_text,
                                                          build_site, monkeypatch):
    """A checkout gives every file a new mtime; with one article's date changed too, the
    build plans the site afresh, yet renders only that article's Markdown: the others
    are matched by their bytes."""
    root = _site(tmp_path / "newsroom", make_site, article_text)
    build_site(root)
    for path in (root / "content").rglob("*.md"):
        path.touch()
    edited = root / "content/en/world/story-1.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace(
        "2025-03-02T10:00:00+01:00", "2025-03-02T11:00:00+01:00"), encoding="utf-8")
    rendered = []
    render_body = prepare.render_body

    def counted(doc, *args):
        rendered.append(doc.path)
        return render_body(doc, *args)

    monkeypatch.setattr(prepare, "render_body", counted)
    result = build_site(root)
    assert result.incremental and result.replanned
    assert rendered == [str(edited)], rendered
