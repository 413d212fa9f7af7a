"""Crash safety of `deploy`: a real deploy or rollback in a process of its own stops at
each of its steps (deploy.STOP_AT), is looked at there, and is killed with SIGKILL to
its process group. At every such instant and after the kill, `current` is one whole
release; the next deploy removes every leftover, and rollbacks then go only to
releases that were live."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dateline import deploy

CLI = "import sys; from dateline.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.fixture(scope="module")
def versions(tmp_path_factory, make_site, article_text, build_site, snapshot):
    """Four builds of one small site, each with a changed story: [(folder, files)]."""
    root = make_site(tmp_path_factory.mktemp("crash") / "src", {
        "content/en/world/other.md": article_text(title="Another story"),
        "content/ru/world/vote.md": article_text(title="Участки открылись"),
    })
    built = []
    for n in range(1, 5):
        (root / "content/en/world/vote.md").write_text(
            article_text(title="Polls open", body=f"Version {n}.\n"), encoding="utf-8")
        out = root / f"v{n}"
        build_site(root, out=out)
        built.append((out, snapshot(out)))
    return built


def _stopped(step: str, args: list) -> subprocess.Popen:
    """The command run in a new process group, stopped by itself at `step`."""
    proc = subprocess.Popen([sys.executable, "-c", CLI, *map(str, args)],
                            env={**os.environ, deploy.STOP_AT: step}, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    info = os.waitid(os.P_PID, proc.pid, os.WSTOPPED | os.WEXITED | os.WNOWAIT)
    if info.si_code != os.CLD_STOPPED:
        out, err = proc.communicate()
        pytest.fail(f"the command ended ({info.si_status}) without reaching {step}: "
                    f"{out.decode()}{err.decode()}")
    return proc


def _kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL


def _live(web: Path, snapshot, versions) -> int:
    """Which version is live; fails unless `current` is exactly one of them, whole."""
    files = snapshot(web / "current")
    matches = [n for n, (_, built) in enumerate(versions) if files == built]
    assert matches, "the live release is not a whole build"
    return matches[0]


def _no_leftovers(web: Path, snapshot, versions, run_cli) -> None:
    assert sorted(os.listdir(web)) == [".dateline-deploy", "current", "releases"]
    listed = run_cli(["deploy", "--list", "--to", web]).out.splitlines()
    names = sorted(os.listdir(web / "releases"))
    assert sorted(line.split()[0].removeprefix("releases/") for line in listed) == names
    for name in names:  # every listed release is a whole build
        assert any(snapshot(web / "releases" / name) == built for _, built in versions)


@pytest.mark.parametrize("step", deploy.DEPLOY_STEPS)
def test_a_deploy_killed_at_any_step(step, versions, tmp_path, run_cli, snapshot):
    web = tmp_path / "www"
    for out, _ in versions[:2]:
        assert run_cli(["deploy", "--to", web, "--out", out]).code == 0
    # The third deploy keeps 2, so it prunes the first after making itself live.
    proc = _stopped(step, ["deploy", "--to", web, "--out", versions[2][0], "--keep", "2"])
    switched = deploy.DEPLOY_STEPS.index(step) >= deploy.DEPLOY_STEPS.index("switched")
    try:
        assert _live(web, snapshot, versions) == (2 if switched else 1)
        if step == "linked":  # the case: the new symlink made, not yet renamed
            assert [p for p in os.listdir(web) if p.startswith(".current-")]
    finally:
        _kill(proc)
    assert _live(web, snapshot, versions) == (2 if switched else 1)

    result = run_cli(["deploy", "--to", web, "--out", versions[3][0]])
    assert result.code == 0, result.err
    assert _live(web, snapshot, versions) == 3
    _no_leftovers(web, snapshot, versions, run_cli)
    # Back through the releases that were live, never to the one that was not.
    for expected in ([2, 1] if switched else [1, 0]):
        result = run_cli(["deploy", "--rollback", "--to", web])
        assert result.code == 0, result.err
        assert _live(web, snapshot, versions) == expected


@pytest.mark.parametrize("step", deploy.ROLLBACK_STEPS)
def test_a_rollback_killed_at_any_step(step, versions, tmp_path, run_cli, snapshot):
    web = tmp_path / "www"
    for out, _ in versions[:2]:
        assert run_cli(["deploy", "--to", web, "--out", out]).code == 0
    proc = _stopped(step, ["deploy", "--rollback", "--to", web])
    switched = deploy.ROLLBACK_STEPS.index(step) >= deploy.ROLLBACK_STEPS.index("switched")
    try:
        assert _live(web, snapshot, versions) == (0 if switched else 1)
    finally:
        _kill(proc)
    assert _live(web, snapshot, versions) == (0 if switched else 1)

    assert run_cli(["deploy", "--to", web, "--out", versions[2][0]]).code == 0
    _no_leftovers(web, snapshot, versions, run_cli)
    # A rollback that switched had left the second release: it is never live again.
    assert run_cli(["deploy", "--rollback", "--to", web]).code == 0
    assert _live(web, snapshot, versions) == (0 if switched else 1)
