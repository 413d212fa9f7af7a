"""Scheduling (issue 17): `expires` takes a story out of every list, feed and sitemap
(its page archived, or removed and listed for a 410 with `site.expired = "remove"`),
`breaking_until` / `site.breaking_hours` end a story's place in the breaking banner, and
every build knows the next moment its output changes by itself. Each change appears in
the first build at or after its moment and not before: after the command line's
no-change shortcut and in a running preview (the clock is injected)."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from pathlib import Path

import pytest

from dateline.build.pipeline import BuildOptions, build
from dateline.config import load_config
from dateline.preview.serve import PreviewServer

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
MOMENT = dt.datetime(2026, 1, 16, 6, 0, tzinfo=dt.UTC)
JUST_BEFORE = MOMENT - dt.timedelta(seconds=1)
PAST = "2026-01-10T09:00:00+00:00"  # out of the news sitemap's window at NOW
EVENT = "content/en/world/event.md"


def age_inputs(root: Path) -> None:
    """Older than the no-change shortcut's racy-timestamp margin."""
    an_hour_ago = time.time() - 3600
    for path in root.rglob("*"):
        os.utime(path, (an_hour_ago, an_hour_ago))


def home_links(out: Path, lang: str = "en") -> set[str]:
    text = (out / lang / "index.html").read_text(encoding="utf-8")
    return set(re.findall(r'href="(/[^"]*)"', text))


# ----- the three things the clock changes, each due at MOMENT

def embargo_files(article_text) -> dict[str, str]:
    return {EVENT: article_text("Results at dawn", MOMENT.isoformat()),
            "content/ru/world/event.md": article_text("Итоги на рассвете", PAST)}


def expiry_files(article_text) -> dict[str, str]:
    return {EVENT: article_text("Polling stations open", PAST, expires=MOMENT.isoformat()),
            "content/ru/world/event.md": article_text("Участки открыты", PAST)}


def banner_files(article_text) -> dict[str, str]:
    return {EVENT: article_text("Curfew declared", PAST, breaking=True,
                                breaking_until=MOMENT.isoformat())}


def embargo_over(out: Path) -> bool:
    return "/en/world/event/" in home_links(out) and "/ru/world/event/" in home_links(out, "ru")


def expired(out: Path) -> bool:
    gone_from_lists = not ({"/en/world/event/"} & home_links(out)) \
        and "/ru/world/event/" not in home_links(out, "ru")
    archived = "archived-notice" in (out / "en/world/event/index.html").read_text("utf-8")
    assert gone_from_lists == archived  # one build does both, never half
    return archived


def banner_ended(out: Path) -> bool:
    return 'class="breaking"' not in (out / "en/index.html").read_text(encoding="utf-8")


EVENTS = {"embargo": (embargo_files, embargo_over), "expiry": (expiry_files, expired),
          "banner": (banner_files, banner_ended)}


def newsroom(make_site, article_text, root: Path, event: str, **site) -> Path:
    files = {"content/en/world/other.md": article_text("Another story", PAST),
             **EVENTS[event][0](article_text)}
    return make_site(root, files, **site)


@pytest.mark.parametrize("edit", [False, True], ids=["no-change", "body-edit"])
@pytest.mark.parametrize("event", EVENTS)
def test_the_change_comes_with_the_first_build_at_its_moment_after_the_shortcut(
        tmp_path, make_site, article_text, snapshot, event, edit):
    """Whether nothing changed (the no-change shortcut) or a body alone did (the model
    the last build saved), the first build at the moment makes the change."""
    root = newsroom(make_site, article_text, tmp_path / "newsroom", event)
    age_inputs(root)
    config = load_config(root / "dateline.toml")
    out = root / "site"
    changed = EVENTS[event][1]
    first = build(config, BuildOptions(output=out, now=NOW, jobs=1))
    assert (first.next_change.moment, first.next_change.source) == (MOMENT, EVENT)
    assert first.valid_until == MOMENT
    before = build(config, BuildOptions(output=out, now=JUST_BEFORE, jobs=1))
    assert before.up_to_date and not changed(out)
    assert before.next_change == first.next_change  # the shortcut repeats it
    if edit:
        other = root / "content/en/world/other.md"
        other.write_text(other.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
        os.utime(other, (time.time() - 60, time.time() - 60))
    after = build(config, BuildOptions(output=out, now=MOMENT, jobs=1))
    assert not after.up_to_date and changed(out)
    assert after.next_change is None or after.next_change.moment > MOMENT
    clean = tmp_path / "clean"
    build(config, BuildOptions(output=clean, now=MOMENT, jobs=1, clean=True))
    assert without_build_id(snapshot(out)) == without_build_id(snapshot(clean))


def without_build_id(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name != ".dateline-output"}


@pytest.mark.parametrize("event", EVENTS)
def test_a_preview_makes_the_change_when_its_clock_reaches_the_moment(
        tmp_path, make_site, article_text, event):
    root = newsroom(make_site, article_text, tmp_path / "newsroom", event)
    changed = EVENTS[event][1]
    clock = [NOW]
    server = PreviewServer(load_config(root / "dateline.toml"), BuildOptions(jobs=1),
                           "127.0.0.1", 0, clock=lambda: clock[0])
    server.start()
    try:
        out = server.output
        builds = server.builds
        clock[0] = JUST_BEFORE
        time.sleep(2.5)  # the alarm looks at the clock at least every second
        assert server.builds == builds and not changed(out)
        clock[0] = MOMENT  # no file changes: only the clock moves
        server.wait_for_build(builds, timeout=15)
        server.wait_idle(15)
        assert changed(out)
    finally:
        server.stop()


def test_a_preview_session_with_a_body_edit_at_the_moment_plans_afresh(
        tmp_path, make_site, article_text, snapshot):
    """The preview keeps its last plan across body edits (`reuse.MemoryStore`): not when the
    clock archived a story or ended a banner since."""
    from dateline.incremental.session import BuildSession

    root = newsroom(make_site, article_text, tmp_path / "newsroom", "expiry")
    config = load_config(root / "dateline.toml")
    session, out = BuildSession(), root / "site"
    build(config, BuildOptions(output=out, now=NOW, jobs=1, session=session))
    other = root / "content/en/world/other.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    after = build(config, BuildOptions(output=out, now=MOMENT, jobs=1, session=session,
                                       changed=frozenset({other})))
    assert after.replanned and expired(out)
    clean = tmp_path / "clean"
    build(config, BuildOptions(output=clean, now=MOMENT, jobs=1, clean=True))
    assert without_build_id(snapshot(out)) == without_build_id(snapshot(clean))


# ----- expiry

URLS = ("/en/world/event/", "/ru/world/event/")


def mentions(out: Path, url: str) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.is_file() and p.suffix in (".html", ".xml", ".txt")
                  and url in p.read_text(encoding="utf-8"))


def test_an_expired_story_and_its_translation_are_archived_and_in_no_list(
        tmp_path, make_site, article_text, build_site, parse_html):
    root = newsroom(make_site, article_text, tmp_path, "expiry")
    # A translation that sets its own, later expiry stays in circulation.
    (root / "content/fa/world").mkdir(parents=True)
    (root / "content/fa/world/event.md").write_text(article_text(
        "حوزه‌ها باز است", PAST, expires="2026-02-01T00:00:00+00:00"), encoding="utf-8")
    live = build_site(root, now=NOW)
    out = root / "site"
    assert all(len(mentions(out, url)) > 5 for url in URLS)  # lists, feeds, sitemaps
    page = parse_html(out / "en/world/event/index.html")
    robots = [m.get("content") for m in page.find_all("meta") if m.get("name") == "robots"]
    assert robots == ["unavailable_after: 2026-01-16T06:00:00+00:00"]
    assert live.held_back == ()

    build_site(root, now=MOMENT)
    for url, lang in zip(URLS, ("en", "ru"), strict=True):
        assert mentions(out, url) == [f"{lang}/world/event/index.html"]  # its own page
        page = parse_html(out / lang / "world/event/index.html")
        robots = [m.get("content") for m in page.find_all("meta") if m.get("name") == "robots"]
        assert robots == ["noindex"]
        notice = page.one("p", cls="archived-notice")
        assert notice.get("role") == "note"
        assert notice.one("time").get("datetime") == "2026-01-16T06:00:00+00:00"
        # The switcher links no other version, and no hreflang alternates are claimed.
        assert not [link for link in page.find_all("link") if link.get("hreflang")]
    russian = parse_html(out / "ru/world/event/index.html").one("p", cls="archived-notice")
    assert russian.text.startswith("Эта статья перенесена в архив")
    assert "/fa/world/event/" in home_links(out, "fa")
    # The live translation and the archived versions do not name each other.
    fa_mentions = mentions(out, "/fa/world/event/")
    assert "fa/world/event/index.html" in fa_mentions
    assert not {"en/world/event/index.html", "ru/world/event/index.html"} & set(fa_mentions)
    assert not (out / "_redirects").exists() and not (out / "_gone").exists()


def test_removed_stories_are_listed_for_a_410_under_the_sites_path(
        tmp_path, make_site, article_text, build_site):
    root = newsroom(make_site, article_text, tmp_path, "expiry", expired="remove")
    build_site(root, now=NOW, base_url="https://org.github.io/newsroom/")
    out = root / "site"
    assert not (out / "_redirects").exists()
    result = build_site(root, now=MOMENT, base_url="https://org.github.io/newsroom/")
    assert not (out / "en/world/event").exists() and not (out / "ru/world/event").exists()
    assert all(mentions(out, url) == [] for url in URLS)
    assert (out / "_redirects").read_text(encoding="utf-8") == (
        "/newsroom/en/world/event/ /newsroom/en/404.html 410\n"
        "/newsroom/ru/world/event/ /newsroom/ru/404.html 410\n")
    assert (out / "_gone").read_text(encoding="utf-8") == (
        "/newsroom/en/world/event/\n/newsroom/ru/world/event/\n")
    assert [(ref.path, why) for ref, why in result.held_back] == [
        (EVENT, "expired at 2026-01-16T06:00:00+00:00"),
        ("content/ru/world/event.md", "expired at 2026-01-16T06:00:00+00:00")]


@pytest.mark.parametrize(("front", "message"), [
    ({"expires": "2026-01-01T00:00:00+00:00"},
     "front matter: expires 2026-01-01T00:00:00+00:00 is not after date " + PAST),
    ({"breaking_until": PAST}, f"front matter: breaking_until {PAST} is not after date"),
    ({"expires": "soon"}, "front matter: expires 'soon' is not a valid date"),
])
def test_a_moment_before_the_story_is_an_error_at_its_line(tmp_path, make_site, article_text,
                                                          run_cli, front, message):
    root = make_site(tmp_path, {EVENT: article_text("Story", PAST, **front)})
    result = run_cli(["build", "--config", root / "dateline.toml"])
    assert result.code == 1
    assert f"{EVENT}:4: {message}" in result.err


def test_an_unknown_expired_policy_is_a_config_error(tmp_path, make_site, article_text, run_cli):
    root = make_site(tmp_path, {EVENT: article_text("Story", PAST)}, expired="delete")
    result = run_cli(["build", "--config", root / "dateline.toml"])
    assert result.code == 1
    assert "dateline.toml:5: site.expired must be 'archive' or 'remove'" in result.err


# ----- the breaking banner

@pytest.mark.parametrize(("front", "site", "ends"), [
    ({}, {}, "2026-01-15T21:00:00+00:00"),  # date + 12 hours
    ({"updated": "2026-01-15T11:00:00+00:00"}, {}, "2026-01-15T23:00:00+00:00"),
    ({}, {"breaking_hours": 2}, "2026-01-15T11:00:00+00:00"),
    ({"breaking_until": "2026-01-15T13:30:00+00:00"}, {}, "2026-01-15T13:30:00+00:00"),
], ids=["default", "updated", "breaking_hours", "breaking_until"])
def test_the_banner_ends_by_itself(tmp_path, make_site, article_text, build_site, front, site,
                                   ends):
    root = make_site(tmp_path, {EVENT: article_text(
        "Curfew declared", "2026-01-15T09:00:00+00:00", breaking=True, **front)}, **site)
    end = dt.datetime.fromisoformat(ends)
    out = root / "site"
    if end > NOW:
        result = build_site(root, now=NOW)
        assert not banner_ended(out)
        assert result.next_change.moment == end
    build_site(root, now=end - dt.timedelta(seconds=1))
    assert not banner_ended(out)
    build_site(root, now=end)
    assert banner_ended(out)


# ----- the next change, as the command line says it

def test_build_next_change_prints_the_instant_alone(tmp_path, make_site, article_text,
                                                    config_text, run_cli):
    config = config_text().replace("[languages.fa]\n",
                                   '[languages.fa]\ntimezone = "Asia/Kabul"\n')
    root = make_site(tmp_path, {
        "dateline.toml": config,
        "content/en/world/old.md": article_text("Old", PAST),
        "content/fa/world/later.md": article_text("بعداً", "2099-01-01T08:00:00+00:00"),
    })
    printed = run_cli(["build", "--next-change", "--config", root / "dateline.toml"])
    assert (printed.code, printed.out) == (0, "2099-01-01T08:00:00+00:00\n")
    summary = run_cli(["build", "--config", root / "dateline.toml"])  # the shortcut's
    assert "next scheduled change: 2099-01-01 12:30 Asia/Kabul (content/fa/world/later.md)" \
        in summary.out.splitlines()
    (root / "content/fa/world/later.md").unlink()
    nothing = run_cli(["build", "--next-change", "--config", root / "dateline.toml"])
    assert (nothing.code, nothing.out) == (0, "")
    summary = run_cli(["build", "--config", root / "dateline.toml"])
    assert "next scheduled change" not in summary.out


# ----- publishing on time from CI

WORKFLOW = Path(__file__).resolve().parents[1] / ".github/workflows/pages.yml"


def workflow() -> dict:
    import yaml

    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_the_pages_workflow_runs_on_push_on_a_schedule_and_by_hand():
    triggers = workflow()["on"]
    assert set(triggers) == {"push", "schedule", "workflow_dispatch"}
    assert triggers["push"] == {"branches": ["main"]}
    (cron,) = [entry["cron"] for entry in triggers["schedule"]]
    assert cron.split()[1:] == ["*", "*", "*", "*"]  # every few minutes, every day
    assert re.fullmatch(r"\*/([5-9]|1[0-5])", cron.split()[0])


def test_the_workflow_builds_on_schedule_only_when_the_next_change_is_due(tmp_path):
    import subprocess

    jobs = workflow()["jobs"]
    steps = jobs["build"]["steps"]
    (due,) = [s for s in steps if s.get("id") == "due"]
    (build_step,) = [s for s in steps if s.get("name") == "Build"]
    lines = build_step["run"].splitlines()
    assert lines[-1].endswith(" --next-change > .dateline-next-change")
    assert lines[0].startswith("python build.py build --base-url ")
    assert lines[-1].startswith(lines[0])  # the same settings: the no-change shortcut
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert uses.index("actions/cache/restore") < steps.index(due) \
        < uses.index("actions/cache/save")
    gated = steps[steps.index(due) + 1:]
    assert gated and all(s["if"] == "steps.due.outputs.build == 'true'" for s in gated)
    assert jobs["build"]["outputs"]["build"] == "${{ steps.due.outputs.build }}"
    assert jobs["deploy"]["if"] == "needs.build.outputs.build == 'true'"

    def decides(event: str, next_change: str | None) -> bool:
        folder = tmp_path / f"{event}-{next_change}"
        folder.mkdir()
        if next_change is not None:
            (folder / ".dateline-next-change").write_text(next_change, encoding="utf-8")
        output = folder / "output"
        output.touch()
        subprocess.run(["bash", "-e", "-c", due["run"]], cwd=folder, check=True,
                       env={**os.environ, "EVENT": event, "GITHUB_OUTPUT": str(output)},
                       stdout=subprocess.DEVNULL)
        return output.read_text(encoding="utf-8") == "build=true\n"

    past, future = "2020-01-01T00:00:00+00:00\n", "2099-01-01T08:00:00+00:00\n"
    assert decides("schedule", past)
    assert not decides("schedule", future)
    assert not decides("schedule", "")  # nothing scheduled: only a push builds
    assert not decides("schedule", None)
    assert decides("push", future) and decides("workflow_dispatch", None)


def test_nginx_configured_as_the_readme_says_answers_410_for_removed_stories(
        tmp_path, make_site, article_text, build_site):
    """The README's nginx lines and its `sed` command, run as written, on a real nginx."""
    import shutil
    import socket
    import subprocess
    import urllib.error
    import urllib.request

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed (apt-get install nginx)")
    readme = (WORKFLOW.parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Removed stories (410 Gone)", 1)[1]
    block = section.split("```nginx\n", 1)[1].split("```", 1)[0]
    sed = re.search(r"(sed '[^']+') site/_gone > (\S+)", block)
    http_part = block[block.index("map "):block.index("}\n") + 2]
    server_part = "".join(line + "\n" for line in block.splitlines()
                          if line.startswith(("if ", "error_page ")))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = newsroom(make_site, article_text, tmp_path / "newsroom", "expiry", expired="remove")
    build_site(root, now=MOMENT, base_url=f"http://127.0.0.1:{port}/")
    out = root / "site"
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    gone_map = prefix / "gone.map"
    subprocess.run(f"{sed.group(1)} {out / '_gone'} > {gone_map}", shell=True, check=True)
    import pwd

    user = pwd.getpwuid(os.geteuid()).pw_name
    temp = "".join(f"  {kind}_temp_path {prefix}/{kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = prefix / "nginx.conf"
    conf.write_text(f"""user {user};
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 16; }}
http {{
  access_log off;
{temp}
  {http_part.replace(sed.group(2), str(gone_map))}
  server {{
    listen 127.0.0.1:{port};
    root {out};
    index index.html;
    {server_part}
  }}
}}
""", encoding="utf-8")
    server = subprocess.Popen([nginx, "-p", str(prefix), "-e", str(prefix / "error.log"),
                               "-c", str(conf), "-g", "daemon off;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def fetch(path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
                return r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    try:
        deadline = time.monotonic() + 10
        while True:
            assert server.poll() is None, server.stderr.read().decode(errors="replace")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)
        status, body = fetch("/en/world/event/")
        assert status == 410 and "<html" in body  # with the site's not-found page
        assert fetch("/ru/world/event/")[0] == 410
        assert fetch("/en/world/other/")[0] == 200
        assert fetch("/en/world/never-was/")[0] == 404
    finally:
        server.terminate()
        server.wait(timeout=10)
