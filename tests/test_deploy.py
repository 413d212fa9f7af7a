"""`dateline deploy`: releases, the one-step switch of `current`, hard links for the
files that did not change, rollback, pruning, and a failed deploy that changes nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dateline.errors import DatelineError
from dateline.publish import deploy


@pytest.fixture
def site(tmp_path, make_site, article_text, build_site):
    """`site.build(body)`: (re)build a small site whose one article has `body`; returns
    the output folder."""
    root = make_site(tmp_path / "src", {
        "content/en/world/vote.md": article_text(title="Polls open", body="First.\n"),
        "content/en/world/other.md": article_text(title="Another story"),
        "content/ru/world/vote.md": article_text(title="Участки открылись"),
    })

    class Site:
        out = root / "site"
        src = root

        def build(self, body: str) -> Path:
            (root / "content/en/world/vote.md").write_text(
                article_text(title="Polls open", body=body), encoding="utf-8")
            build_site(root)
            return self.out

    return Site()


def _files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _live(web: Path) -> Path:
    return (web / os.readlink(web / "current")).resolve()


def test_deploy_twice_then_roll_back(site, tmp_path, snapshot):
    web = tmp_path / "www"
    first_build = snapshot(site.build("First.\n"))
    first = deploy.deploy(site.out, web)
    assert _live(web) == first.release and first.linked == 0
    assert snapshot(web / "current") == first_build

    second_build = snapshot(site.build("Second, corrected.\n"))
    changed = {f for f in second_build if first_build.get(f) != second_build[f]}
    assert "en/world/vote/index.html" in changed and len(changed) < len(second_build) / 2
    second = deploy.deploy(site.out, web)
    assert (web / "current").is_symlink() and _live(web) == second.release
    assert snapshot(web / "current") == second_build
    # Unchanged files are the previous release's inodes; only changed ones are new.
    old, new = _files(first.release), _files(second.release)
    for name, path in new.items():
        same_inode = name in old and path.stat().st_ino == old[name].stat().st_ino
        assert same_inode == (name not in changed), name
    assert (second.copied, second.linked) == (len(changed), len(new) - len(changed))

    assert deploy.rollback(web) == first.release
    assert _live(web) == first.release
    assert snapshot(web / "current") == first_build
    assert os.readlink(web / "current") == f"releases/{first.release.name}"  # relative
    assert not [p for p in web.iterdir() if p.name.startswith(".current-")]


def test_an_interrupted_deploy_leaves_the_live_site_untouched(site, tmp_path, snapshot,
                                                              monkeypatch):
    web = tmp_path / "www"
    first_build = snapshot(site.build("First.\n"))
    first = deploy.deploy(site.out, web)
    site.build("Second.\n")
    calls = []
    real_copy = deploy._copy_file

    def copy_then_fail(source: Path, target: Path) -> None:
        calls.append(source)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_copy(source, target)

    monkeypatch.setattr(deploy, "_copy_file", copy_then_fail)
    with pytest.raises(DatelineError, match="www: cannot deploy: No space left"):
        deploy.deploy(site.out, web)
    assert len(calls) == 2  # it failed mid-way, after copying a file
    assert _live(web) == first.release
    assert snapshot(web / "current") == first_build
    assert sorted(p.name for p in (web / "releases").iterdir()) == [first.release.name]


def test_only_the_newest_releases_are_kept_and_the_live_one_always(site, tmp_path, run_cli):
    web = tmp_path / "www"
    site.build("First.\n")
    names = []
    for _ in range(3):
        result = run_cli(["deploy", "--to", web, "--out", site.out, "--keep", "2"])
        assert result.code == 0, result.err
        assert "deployed releases/" in result.out and "is live" in result.out
        names.append(_live(web).name)
    assert sorted(p.name for p in (web / "releases").iterdir()) == names[1:]

    result = run_cli(["deploy", "--rollback", "--to", web])
    assert result.code == 0 and _live(web).name == names[1]
    assert f"releases/{names[1]}" in result.out
    # The oldest kept release is live: nothing earlier to go back to.
    result = run_cli(["deploy", "--rollback", "--to", web])
    assert result.code == 1 and "nothing earlier to roll back to" in result.err
    # A new deploy with --keep 1 keeps itself and the live release it replaces.
    result = run_cli(["deploy", "--to", web, "--out", site.out, "--keep", "1"])
    assert result.code == 0
    assert sorted(p.name for p in (web / "releases").iterdir()) == [_live(web).name]


def test_a_symlink_out_of_the_site_is_never_followed(site, tmp_path, run_cli):
    secret = tmp_path / "secret.txt"
    secret.write_text("private key", encoding="utf-8")
    out = site.build("First.\n")
    (out / "media").mkdir(exist_ok=True)
    (out / "media" / "leak.txt").symlink_to(secret)
    web = tmp_path / "www"
    result = run_cli(["deploy", "--to", web, "--out", out])
    assert result.code == 1
    assert "leak.txt: is a symlink to" in result.err and "never follows it" in result.err
    assert not (web / "current").exists()
    assert not web.exists()  # refused before anything was made


def test_a_symlink_inside_the_site_is_published_as_its_file(site, tmp_path):
    out = site.build("First.\n")
    (out / "home.html").symlink_to(out / "en" / "index.html")
    result = deploy.deploy(out, tmp_path / "www")
    published = result.release / "home.html"
    assert not published.is_symlink()
    assert published.read_bytes() == (out / "en" / "index.html").read_bytes()


def test_deploy_refuses_folders_it_does_not_own(site, tmp_path, run_cli):
    site.build("First.\n")
    web = tmp_path / "www"
    (web / "current").mkdir(parents=True)
    result = run_cli(["deploy", "--to", web, "--out", site.out])
    assert result.code == 2 and "is not a symlink" in result.err
    (tmp_path / "plain").mkdir()
    result = run_cli(["deploy", "--to", tmp_path / "www2", "--out", tmp_path / "plain"])
    assert result.code == 2 and "not a site folder Dateline built" in result.err
    result = run_cli(["deploy", "--rollback", "--to", tmp_path / "empty"])
    assert result.code == 1 and "nothing is deployed here" in result.err


# ----- unpublished builds (issue 14): the build's marker has `unpublished: …`

@pytest.mark.parametrize(("line", "flags"), [
    ("unpublished: drafts", "--drafts"),
    ("unpublished: future", "--future"),
    ("unpublished: drafts, future", "--drafts and --future"),
])
def test_a_site_built_with_unpublished_articles_is_refused(site, tmp_path, run_cli, line,
                                                           flags):
    out = site.build("First.\n")
    marker = out / ".dateline-output"
    marker.write_text(marker.read_text(encoding="utf-8") + f"{line}\n", encoding="utf-8")
    web = tmp_path / "www"
    result = run_cli(["deploy", "--to", web, "--out", out])
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{out}: was built with {flags}, so it holds "
        + {"--drafts": "drafts", "--future": "articles dated in the future",
           "--drafts and --future": "drafts and articles dated in the future"}[flags]
        + f", not for readers yet; rebuild it without {flags}, or deploy it anyway with "
        "--allow-unpublished"]
    assert not web.exists()
    result = run_cli(["deploy", "--to", web, "--out", out, "--allow-unpublished"])
    assert result.code == 0, result.err
    assert _live(web).is_dir()


def test_build_with_drafts_then_deploy_is_refused(site, tmp_path, run_cli, article_text):
    """End to end: the build writes the `unpublished:` line, deploy reads it."""
    (site.src / "content/en/world/plan.md").write_text(
        article_text(title="Not yet", draft=True), encoding="utf-8")
    config = site.src / "dateline.toml"
    web = tmp_path / "www"
    assert run_cli(["build", "--config", config, "--drafts"]).code == 0
    result = run_cli(["deploy", "--config", config, "--to", web])
    assert result.code == 1 and "was built with --drafts" in result.err
    assert not web.exists()
    assert run_cli(["build", "--config", config]).code == 0
    result = run_cli(["deploy", "--config", config, "--to", web])
    assert result.code == 0, result.err


# ----- where a web root may be (issue 15)

@pytest.mark.parametrize(("inside", "what"), [
    ("site", "the output folder"), ("content", "the content folder"),
    (".dateline-cache", "the cache folder"), ("site/en", "the output folder"),
])
def test_deploy_refuses_a_web_root_inside_the_sites_folders(site, run_cli, inside, what):
    site.build("First.\n")
    web = site.src / inside / "www"
    result = run_cli(["deploy", "--to", web], cwd=site.src)
    assert result.code == 2
    assert f"refusing to deploy here: it is inside {what}" in result.err
    assert not web.exists()


def test_deploy_refuses_a_web_root_inside_any_built_folder(site, tmp_path, run_cli):
    out = site.build("First.\n")
    other = tmp_path / "mirror"
    shutil.copytree(out, other)
    for web in (out / "www", out, other / "www", other / "en"):
        result = run_cli(["deploy", "--to", web, "--out", out])
        assert result.code == 2 and "refusing to deploy here" in result.err, web
    assert not (out / "www").exists() and not (other / "www").exists()
    assert not (out / "current").exists()


@pytest.mark.parametrize("where", ["site/www", "site/en/www", "site"])
def test_build_refuses_an_output_folder_that_holds_a_web_root(site, tmp_path, run_cli,
                                                              where):
    """A web root a deploy made (here one moved into place, as an older Dateline let
    `deploy --to site/www` make it) is never replaced by a build."""
    site.build("First.\n")
    web = tmp_path / "www"
    assert run_cli(["deploy", "--to", web, "--out", site.out]).code == 0
    live = _live(web).name
    target = site.src / where
    if where == "site":
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    web.rename(target)
    for clean in ([], ["--clean"]):
        result = run_cli(["build", "--config", site.src / "dateline.toml", *clean])
        assert result.code == 2, result.out
        assert f"{where}/ is a web root that `deploy` publishes to" in result.err
        assert os.readlink(target / "current") == f"releases/{live}"
        assert (target / "current" / "en" / "index.html").is_file()


def test_build_refuses_an_output_folder_inside_a_web_root(site, tmp_path, run_cli):
    site.build("First.\n")
    web = tmp_path / "www"
    assert run_cli(["deploy", "--to", web, "--out", site.out]).code == 0
    before = _files(web)
    for out in (web / "current", web, web / "releases" / _live(web).name, web / "new"):
        result = run_cli(["build", "--config", site.src / "dateline.toml", "--out", out])
        assert result.code == 2 and "is a web root that `deploy` publishes to" in result.err
    assert _files(web).keys() == before.keys()


def test_deploy_list_refuses_a_file(tmp_path, run_cli):
    (tmp_path / "www").write_text("not a folder", encoding="utf-8")
    result = run_cli(["deploy", "--list", "--to", tmp_path / "www"])
    assert result.code == 2 and result.err.splitlines() == [
        f"{tmp_path / 'www'}: --to must name a folder"]
