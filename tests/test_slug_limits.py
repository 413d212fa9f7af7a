"""Names the host's file system cannot hold are content errors, not tracebacks (issue
15): a slug longer than a folder name may be, and slugs that differ only in letter case."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("files", "expected"), [
    ({"content/en/world/x.md": "slug: " + "a" * 300},
     ["content/en/world/x.md:4: slug '" + "a" * 60 + "…' is 300 bytes long, and a folder "
      "name may have at most 255 bytes (UTF-8) on every file system; choose a shorter one"]),
    ({"content/en/world/karsk-vote.md": "", "content/en/world/b.md": "slug: Karsk-Vote"},
     ["content/en/world/b.md:1: content/en/world/b.md and content/en/world/karsk-vote.md "
      "would be written to /en/world/Karsk-Vote/ and /en/world/karsk-vote/, which differ "
      "only in letter case: on a case-insensitive host one overwrites the other; give one "
      "of them a different slug",
      "content/en/world/karsk-vote.md:1: content/en/world/b.md and "
      "content/en/world/karsk-vote.md would be written to /en/world/Karsk-Vote/ and "
      "/en/world/karsk-vote/, which differ only in letter case: on a case-insensitive host "
      "one overwrites the other; give one of them a different slug"]),
])
def test_the_build_reports_the_name_and_writes_nothing(tmp_path, make_site, run_cli,
                                                       files, expected):
    root = make_site(tmp_path / "site", {
        path: f"---\ntitle: X\ndate: 2025-01-01\n{meta}\n---\nBody\n"
        for path, meta in files.items()})
    result = run_cli(["build", "--config", root / "dateline.toml"])
    assert result.code == 1
    assert result.err.splitlines()[:-1] == expected
    assert "Traceback" not in result.err and not (root / "site").exists()


def test_a_slug_of_255_bytes_builds(tmp_path, make_site, run_cli):
    root = make_site(tmp_path / "site", {
        "content/en/world/x.md": "---\ntitle: X\ndate: 2025-01-01\nslug: " + "a" * 255
        + "\n---\nBody\n"})
    result = run_cli(["build", "--config", root / "dateline.toml"])
    assert result.code == 0, result.err
    assert (root / "site/en/world" / ("a" * 255) / "index.html").is_file()
