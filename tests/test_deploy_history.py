"""Rollback means back: any sequence of deploys (with any --keep) and rollbacks, run on a
real web root, agrees with a model of the release history.

The model: the releases in the order they went live, each live-able or rolled back. A
deploy appends one and makes it live, then deletes the rolled-back releases (oldest
first), then the oldest others, until `keep` remain, never the live one. A rollback
marks the live release rolled back and makes live the newest earlier release that is
not rolled back; with none, it is refused and nothing changes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from dateline.build.write import MARKER
from dateline.errors import DatelineError
from dateline.publish import deploy


@dataclass
class Modelled:
    build_id: str
    rolled_back: bool = False
    name: str = ""


class ReleaseHistory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="dateline-history-"))
        self.web = self.tmp / "www"
        self.builds = 0
        self.model: list[Modelled] = []  # in the order they went live
        self.live: Modelled | None = None

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _built_site(self) -> tuple[Path, str]:
        """A site folder as a build leaves it: its marker with the build's id, pages."""
        self.builds += 1
        build_id = f"{self.builds:032x}"
        site = self.tmp / f"site-{self.builds}"
        (site / "en").mkdir(parents=True)
        (site / MARKER).write_text(f"Built by Dateline.\nbuild-id: {build_id}\n",
                                   encoding="utf-8")
        (site / "index.html").write_text(f"<p>build {build_id}</p>", encoding="utf-8")
        (site / "en" / "index.html").write_text("<p>the same in every build</p>",
                                                encoding="utf-8")
        return site, build_id

    @rule(keep=st.integers(min_value=1, max_value=4))
    def deploy(self, keep: int) -> None:
        site, build_id = self._built_site()
        result = deploy.deploy(site, self.web, keep=keep)
        new = Modelled(build_id, name=result.release.name)
        self.model.append(new)
        self.live = new
        others = [r for r in self.model if r is not new]
        order = [r for r in others if r.rolled_back] + [r for r in others if not r.rolled_back]
        doomed = order[:max(0, len(self.model) - keep)]
        self.model = [r for r in self.model if r not in doomed]
        assert sorted(result.removed) == sorted(r.name for r in doomed)

    @rule()
    def rollback(self) -> None:
        if self.live is None:
            with pytest.raises(DatelineError, match="nothing is deployed here"):
                deploy.rollback(self.web)
            return
        at = self.model.index(self.live)
        target = next((r for r in reversed(self.model[:at]) if not r.rolled_back), None)
        if target is None:
            with pytest.raises(DatelineError, match="nothing earlier to roll back to"):
                deploy.rollback(self.web)
            return
        assert deploy.rollback(self.web).name == target.name
        self.live.rolled_back = True
        self.live = target

    @invariant()
    def the_web_root_matches_the_model(self) -> None:
        listed = deploy.list_history(self.web)
        assert [(i.release.name, i.release.build_id, i.live, i.release.rolled_back is not None)
                for i in listed] == [(r.name, r.build_id, r is self.live, r.rolled_back)
                                     for r in reversed(self.model)]
        if self.live is None:
            return
        current = self.web / "current"
        assert os.readlink(current) == f"releases/{self.live.name}"
        assert (current / "index.html").read_text(encoding="utf-8") == \
            f"<p>build {self.live.build_id}</p>"
        assert sorted(os.listdir(self.web / "releases")) == sorted(r.name for r in self.model)
        assert sorted(os.listdir(self.web)) == [".dateline-deploy", "current", "releases"]


# 50 runs of up to 16 steps: each rule (deploy with keep 1-4, rollback) and the invariant
# run hundreds of times; 100 doubled the time for no more kinds of history.
ReleaseHistory.TestCase.settings = settings(
    max_examples=50, stateful_step_count=16,
    suppress_health_check=[HealthCheck.too_slow])
test_release_history = ReleaseHistory.TestCase


def test_the_issue_sequence(tmp_path):
    """deploy R1, R2; rollback (R1 live); deploy R3 --keep 2 prunes R2, the release rolled
    back from; the next rollback goes to R1, and `deploy --list` says so."""
    machine = ReleaseHistory()
    try:
        machine.deploy(keep=5)
        machine.deploy(keep=5)
        first, second = machine.model
        machine.rollback()
        assert machine.live is first
        machine.deploy(keep=2)
        assert [r.name for r in machine.model] == [first.name, machine.model[-1].name]
        assert not (machine.web / "releases" / second.name).exists()
        machine.rollback()
        assert machine.live is first
        machine.the_web_root_matches_the_model()
    finally:
        machine.teardown()


def test_deploy_list_shows_time_build_id_live_and_rolled_back(tmp_path, run_cli):
    machine = ReleaseHistory()
    machine.web = tmp_path / "www"
    try:
        sites = [machine._built_site() for _ in range(3)]
        for site, _ in sites:
            assert run_cli(["deploy", "--to", machine.web, "--out", site]).code == 0
        assert run_cli(["deploy", "--rollback", "--to", machine.web]).code == 0
        result = run_cli(["deploy", "--list", "--to", machine.web])
        assert result.code == 0, result.err
        lines = result.out.splitlines()
        names = [p.name for p in deploy.list_releases(machine.web)]
        assert len(lines) == 3
        # Newest first: the third was rolled back from, the second is live again.
        for line, name, (_, build_id) in zip(lines, reversed(names), reversed(sites),
                                             strict=True):
            assert line.startswith(f"releases/{name}  deployed 20")
            assert f" UTC  build {build_id}" in line
        assert lines[0].endswith(" UTC") and "  rolled back 20" in lines[0]
        assert lines[1].endswith("  live") and lines[2].endswith(f"build {sites[0][1]}")
    finally:
        machine.teardown()
    empty = run_cli(["deploy", "--list", "--to", tmp_path / "nothing"])
    assert empty.code == 0 and "nothing is deployed in" in empty.out


def test_a_web_root_deployed_to_before_the_record_keeps_its_history(tmp_path):
    """Web roots from before the record: releases up to the live one went live in order;
    ones after it can only have been rolled back from."""
    web = tmp_path / "www"
    for name in ("20250101-000000-000000", "20250102-000000-000000",
                 "20250103-000000-000000"):
        (web / "releases" / name).mkdir(parents=True)
        (web / "releases" / name / MARKER).write_text(f"build-id: {name[:8]}\n")
    (web / "current").symlink_to("releases/20250102-000000-000000")
    listed = deploy.list_history(web)
    assert [(i.release.name[:8], i.live, bool(i.release.rolled_back)) for i in listed] == [
        ("20250103", False, True), ("20250102", True, False), ("20250101", False, False)]
    assert listed[1].release.deployed == "2025-01-02T00:00:00+00:00"
    assert deploy.rollback(web).name == "20250101-000000-000000"
