"""`deploy` under faults. Kills: a real deploy or rollback in a process of its own stops
at each of its steps (deploy.STOP_AT), is looked at there, and is killed with SIGKILL to
its process group. At every such instant and after the kill, `current` is one whole
release; the next deploy removes every leftover, and rollbacks then go only to
releases that were live. Full and read-only disks: a small tmpfs (as root), where a
failing deploy says so in one line and leaves the web root exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dateline.publish import deploy

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


# ----- a full disk, no inodes left, a read-only file system

@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs with 2,000 inodes, mounted for the test and unmounted after it."""
    if os.geteuid() != 0:
        pytest.skip("full-disk and read-only deploys need root to mount a tmpfs (CI runs "
                    "as root); not tried")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,nr_inodes=2000", "tmpfs",
                           str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def _fill_space(disk: Path, pages_left: int) -> None:
    filler = disk / "filler"
    filler.unlink(missing_ok=True)
    stat = os.statvfs(disk)
    with open(filler, "wb") as handle:
        handle.truncate(0)
        handle.write(b"\0" * max(0, (stat.f_bavail - pages_left) * stat.f_frsize))


def _fill_inodes(disk: Path, inodes_left: int) -> None:
    """Exactly `inodes_left` inodes free, by making or removing only as many empty files
    as it takes (the test asks for one more each time: not all 2,000 made again)."""
    fillers = disk / "fillers"
    fillers.mkdir(exist_ok=True)
    made = sorted(fillers.iterdir(), key=lambda path: int(path.name))
    extra = os.statvfs(disk).f_favail - inodes_left
    if extra < 0:
        for path in made[extra:]:
            path.unlink()
        return
    first = int(made[-1].name) + 1 if made else 0
    for n in range(first, first + extra):
        (fillers / str(n)).touch()
    assert os.statvfs(disk).f_favail == inodes_left


def _fails_whole(result, web: Path, reason: str, live: str, verb: str = "deploy") -> None:
    assert result.code == 1
    assert result.err.splitlines() == [f"{web}: cannot {verb}: {reason}; nothing was "
                                       f"changed (releases/{live} is live, as before)"]
    assert os.readlink(web / "current") == f"releases/{live}"
    assert sorted(os.listdir(web)) == [".dateline-deploy", "current", "releases"]


@pytest.mark.parametrize("fill", [_fill_space, _fill_inodes], ids=["space", "inodes"])
def test_a_deploy_that_runs_out_of_disk_changes_nothing(small_disk, fill, versions,
                                                        run_cli, snapshot):
    """From no room at all to just enough: every failing deploy stops at another point
    (copying, making the symlink, writing the record) and each leaves the web root as it
    was; then one fits."""
    web = small_disk / "www"
    assert run_cli(["deploy", "--to", web, "--out", versions[0][0]]).code == 0
    first = deploy.live_release(web).name
    before = snapshot(web)
    failures = 0
    for left in range(500):
        fill(small_disk, left)
        result = run_cli(["deploy", "--to", web, "--out", versions[1][0]])
        if result.code == 0:
            break
        _fails_whole(result, web, "No space left on device", first)
        assert snapshot(web) == before
        assert [line.split()[0] for line in run_cli(
            ["deploy", "--list", "--to", web]).out.splitlines()] == [f"releases/{first}"]
        failures += 1
    assert failures > 5 and result.code == 0, result.err
    assert _live(web, snapshot, versions) == 1
    assert len(os.listdir(web / "releases")) == 2


def test_a_read_only_file_system_changes_nothing(small_disk, versions, run_cli, snapshot):
    web = small_disk / "www"
    for out, _ in versions[:2]:
        assert run_cli(["deploy", "--to", web, "--out", out]).code == 0
    live = deploy.live_release(web).name
    before = snapshot(web)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = run_cli(["deploy", "--to", web, "--out", versions[2][0]])
    _fails_whole(result, web, "Read-only file system", live)
    result = run_cli(["deploy", "--rollback", "--to", web])
    _fails_whole(result, web, "Read-only file system", live, verb="roll back")
    assert snapshot(web) == before


def test_a_second_deploy_at_once_is_refused_and_touches_nothing(versions, tmp_path, run_cli,
                                                            snapshot):
    """While a deploy runs (here stopped half-way through copying), another one or a
    rollback is refused: it would take the running one's half release for a leftover."""
    web = tmp_path / "www"
    for out, _ in versions[:2]:
        assert run_cli(["deploy", "--to", web, "--out", out]).code == 0
    proc = _stopped("filling", ["deploy", "--to", web, "--out", versions[2][0]])
    try:
        partial = [p for p in os.listdir(web / "releases") if p.endswith(".partial")]
        for args in (["--out", versions[3][0]], ["--rollback"]):
            result = run_cli(["deploy", "--to", web, *args])
            assert result.code == 1
            assert "another deploy or rollback is running here" in result.err
        assert [p for p in os.listdir(web / "releases") if p.endswith(".partial")] == partial
        assert _live(web, snapshot, versions) == 1
    finally:
        _kill(proc)
    assert run_cli(["deploy", "--to", web, "--out", versions[3][0]]).code == 0
    _no_leftovers(web, snapshot, versions, run_cli)
