"""Bad input: every case builds a good site first, breaks one thing, rebuilds through the
CLI, and checks the exit status, the `path:line:` of the message, and that the previous
output is byte for byte what it was."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from dateline.build import rendering

REPO = Path(__file__).resolve().parents[1]


def good_files(article_text, image_bytes) -> dict[str, str | bytes]:
    return {
        "content/images/vote.jpg": image_bytes("JPEG", 48, 32),
        "content/en/world/vote.md": article_text(
            "Vote", image={"src": "/images/vote.jpg", "alt": "Voters"},
            body="Polling closed.\n\n![Crowd](/images/vote.jpg \"Crowd\")\n"),
        "content/ru/world/vote.md": article_text("Выборы"),
        "content/fa/world/vote.md": article_text("انتخابات"),
        "content/en/economy/budget.md": article_text("Budget"),
    }


@dataclass
class Newsroom:
    root: Path
    out: Path
    before: dict[str, bytes]

    @property
    def config(self) -> Path:
        return self.root / "dateline.toml"

    def write(self, relative: str, data: str | bytes) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", newline="")

    def leftovers(self) -> list[str]:
        """Temporary folders of the swap left beside the output."""
        return sorted(p.name for p in self.out.parent.iterdir()
                      if p.name.startswith(f".{self.out.name}-"))


@pytest.fixture(scope="module")
def built(tmp_path_factory, make_site, article_text, image_bytes, run_cli,
          snapshot) -> Newsroom:
    """The good site built once per module, where every test's copy of it will be (the
    cache knows the output folder by its path); the pristine copy is beside it."""
    base = tmp_path_factory.mktemp("bad-input")
    root = make_site(base / "newsroom", good_files(article_text, image_bytes))
    out = root / "site"
    first = run_cli(["build", "--config", root / "dateline.toml", "--out", out])
    assert first.code == 0, first.err
    before = snapshot(out)
    assert "en/world/vote/index.html" in before
    shutil.copytree(root, base / "pristine", symlinks=True)
    return Newsroom(root, out, before)


@pytest.fixture
def newsroom(built) -> Newsroom:
    """A fresh copy of the built site for each test (they break it): as it was after its
    first build, at the same path."""
    shutil.rmtree(built.root)
    shutil.copytree(built.root.parent / "pristine", built.root, symlinks=True)
    return Newsroom(built.root, built.out, dict(built.before))


@pytest.fixture
def rebuild_fails(newsroom, run_cli, snapshot):
    """Write the given files, rebuild, check exit 1 and the untouched output; return
    the problem lines of stderr (without the closing 'error: …' summary)."""

    def run(files: dict[str, str | bytes] | None = None, code: int = 1) -> list[str]:
        for relative, data in (files or {}).items():
            newsroom.write(relative, data)
        result = run_cli(["build", "--config", newsroom.config, "--out", newsroom.out])
        assert result.code == code, result.out + result.err
        assert snapshot(newsroom.out) == newsroom.before
        assert newsroom.leftovers() == []
        assert "built" not in result.out
        lines = result.err.splitlines()
        if code == 1:
            assert lines[-1].startswith("error: ")
            assert "the previous output is unchanged" in lines[-1]
            lines = lines[:-1]
        return lines

    return run


def one_problem(lines: list[str], where: str) -> str:
    """The single problem reported, which must be at `where` ('path:line')."""
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{where}: "), lines[0]
    return lines[0][len(where) + 2:]


BAD = "content/en/world/bad.md"


def test_invalid_yaml_names_the_line_in_the_markdown_file(rebuild_fails):
    lines = rebuild_fails({BAD: "---\ntitle: Ok\ndate: 2025-01-01\nsummary: a: b\n---\nBody\n"})
    assert "not valid YAML" in one_problem(lines, f"{BAD}:4")


def test_missing_front_matter(rebuild_fails):
    lines = rebuild_fails({BAD: "# Just a heading\n\nSome text.\n"})
    message = one_problem(lines, f"{BAD}:1")
    assert "no front matter" in message and "'---'" in message


def test_front_matter_not_closed(rebuild_fails):
    lines = rebuild_fails({BAD: "---\ntitle: Ok\ndate: 2025-01-01\n\nBody\n"})
    assert "front matter is not closed" in one_problem(lines, f"{BAD}:1")


def test_missing_title(rebuild_fails):
    lines = rebuild_fails({BAD: "---\ndate: 2025-01-01\n---\nBody\n"})
    assert one_problem(lines, f"{BAD}:1") == "front matter: 'title' is required"


def test_missing_date(rebuild_fails):
    lines = rebuild_fails({BAD: "---\ntitle: Ok\n---\nBody\n"})
    assert one_problem(lines, f"{BAD}:1").startswith("front matter: 'date' is required")


def test_impossible_date(rebuild_fails):
    lines = rebuild_fails({BAD: "---\ntitle: Ok\ndate: 2026-02-30\n---\nBody\n"})
    message = one_problem(lines, f"{BAD}:3")
    assert "'2026-02-30' is not a valid date" in message and "YYYY-MM-DD" in message


def test_invalid_utf8(rebuild_fails):
    lines = rebuild_fails({BAD: b"---\ntitle: Ok\ndate: 2025-01-01\n---\n\nCaf\xe9.\n"})
    assert "not valid UTF-8" in one_problem(lines, f"{BAD}:6")


def test_language_folder_not_in_the_config(rebuild_fails):
    lines = rebuild_fails({"content/de/world/x.md": "---\ntitle: Ok\ndate: 2025-01-01\n---\n"})
    message = one_problem(lines, "content/de/world/x.md:1")
    assert "content/de/ is not a configured language" in message
    assert "[languages.de]" in message


def test_two_articles_on_one_url_name_both_files(rebuild_fails):
    lines = rebuild_fails({"content/en/world/other.md":
                           "---\ntitle: Other\ndate: 2025-01-01\nslug: vote\n---\n"})
    assert [line.split(": ")[0] for line in lines] == [
        "content/en/world/other.md:1", "content/en/world/vote.md:1"]
    for line in lines:
        assert "content/en/world/vote.md and content/en/world/other.md" in line \
            or "content/en/world/other.md and content/en/world/vote.md" in line
        assert "/en/world/vote/" in line


@pytest.mark.parametrize("slug", ["../x", "/etc/x", "'%2e%2e'"])
def test_slug_that_would_escape_the_output(rebuild_fails, newsroom, slug):
    lines = rebuild_fails({BAD: f"---\ntitle: Ok\ndate: 2025-01-01\nslug: {slug}\n---\n"})
    message = one_problem(lines, f"{BAD}:4")
    assert message.startswith(f"slug '{slug.strip(chr(39))}' ")
    assert not (newsroom.root / "x").exists() and not (newsroom.out.parent / "x").exists()


@pytest.mark.parametrize("section", ["../../etc", "/tmp", "%2e%2e"])
def test_section_that_would_escape_the_output(rebuild_fails, section):
    lines = rebuild_fails({BAD: f"---\ntitle: Ok\ndate: 2025-01-01\nsection: '{section}'\n---\n"})
    assert one_problem(lines, f"{BAD}:4").startswith(f"section '{section}' ")


def test_section_folder_with_dots_is_refused(rebuild_fails):
    lines = rebuild_fails({"content/en/a..b/x.md": "---\ntitle: Ok\ndate: 2025-01-01\n---\n"})
    assert "section 'a..b'" in one_problem(lines, "content/en/a..b/x.md:1")


def test_missing_lead_image_file(rebuild_fails):
    lines = rebuild_fails({BAD: "---\ntitle: Ok\ndate: 2025-01-01\nimage:\n  alt: A photo\n"
                                "  src: photo.jpg\n---\n"})
    assert one_problem(lines, f"{BAD}:6").startswith("image 'photo.jpg' not found")


def test_missing_body_image_file(rebuild_fails):
    lines = rebuild_fails({BAD: "---\ntitle: Ok\ndate: 2025-01-01\n---\n\nText.\n\n"
                                "![A photo](/images/gone.jpg \"Caption\")\n"})
    assert one_problem(lines, f"{BAD}:8").startswith("image '/images/gone.jpg' not found")


def test_image_deleted_since_the_last_build(rebuild_fails, newsroom):
    # The body that uses it may come from the build cache; the deletion must still count.
    (newsroom.root / "content/images/vote.jpg").unlink()
    lines = rebuild_fails()
    assert "content/en/world/vote.md:11: image '/images/vote.jpg' not found" in \
        [line.split("; ")[0] for line in lines]


def test_lead_and_body_problems_of_one_file_are_reported_together(rebuild_fails, newsroom):
    (newsroom.root / "content/images/vote.jpg").unlink()
    lines = rebuild_fails()
    assert sorted(line.split(": ")[0] for line in lines) == [
        "content/en/world/vote.md:11", "content/en/world/vote.md:5"]


def test_python_object_yaml_tag_is_refused_and_never_run(rebuild_fails, newsroom):
    marker = newsroom.root / "PWNED"
    lines = rebuild_fails({BAD: "---\ntitle: Ok\ndate: 2025-01-01\nsummary: !!python/object/"
                                f"apply:os.system [\"touch {marker}\"]\n---\n"})
    assert "!!python/object are not allowed" in one_problem(lines, f"{BAD}:4")
    assert not marker.exists()


def test_all_problems_of_a_run_are_reported_at_once(rebuild_fails):
    lines = rebuild_fails({
        "content/en/world/a.md": "---\ntitle: A\ndate: 2025-02-30\n---\n",
        "content/ru/world/b.md": "---\ntitle: B\n  date: x\n---\n",
        "content/fa/world/c.md": "no front matter\n",
    })
    assert [line.split(": ")[0] for line in lines] == [
        "content/en/world/a.md:3", "content/fa/world/c.md:1", "content/ru/world/b.md:3"]


def test_summary_counts_every_problem(newsroom, run_cli):
    newsroom.write("content/en/world/a.md", "---\ntitle: A\n---\n")
    newsroom.write("content/en/world/b.md", "---\ndate: 2025-01-01\n---\n")
    result = run_cli(["build", "--config", newsroom.config, "--out", newsroom.out])
    assert result.code == 1
    assert result.err.splitlines()[-1].startswith("error: 2 problems found")


# ----- output folders that must never be replaced

def test_out_dot_is_refused_and_nothing_is_deleted(newsroom, run_cli, snapshot):
    everything = snapshot(newsroom.root)
    result = run_cli(["build", "--out", "."], cwd=newsroom.root)
    assert result.code == 2
    assert "refusing to build into" in result.err
    assert snapshot(newsroom.root) == everything


def test_out_content_is_refused_and_nothing_is_deleted(newsroom, run_cli, snapshot):
    everything = snapshot(newsroom.root)
    result = run_cli(["build", "--out", "content"], cwd=newsroom.root)
    assert result.code == 2
    assert "refusing to build into" in result.err and "content" in result.err
    assert snapshot(newsroom.root) == everything


@pytest.mark.parametrize("args, folder", [
    (["build", "--out", "."], "./"),
    (["build", "--out", "content"], "content/"),
    (["build", "--out", "content/en"], "content/en/"),
    (["build", "--out", "themes"], "themes/"),
    (["build", "--out", ".dateline-cache"], ".dateline-cache/"),
    (["build", "--out", "mine"], "mine/"),
    (["check", "--out", "nowhere"], "nowhere/"),
    (["check", "--out", "mine"], "mine/"),
    (["build", "--jobs", "-1"], "--jobs"),
])
def test_folder_and_option_errors_name_them_relative_to_the_site_without_a_line(
        newsroom, run_cli, args, folder):
    (newsroom.root / "themes").mkdir(exist_ok=True)
    (newsroom.root / "mine").mkdir()
    (newsroom.root / "mine/notes.txt").write_text("mine", encoding="utf-8")
    result = run_cli(args, cwd=newsroom.root)
    assert result.code == 2
    [line] = result.err.splitlines()
    assert line.startswith(f"{folder}: "), line
    assert str(newsroom.root) not in line and ":1:" not in line


def test_out_parent_of_the_site_is_refused(newsroom, run_cli, snapshot):
    everything = snapshot(newsroom.root)
    result = run_cli(["build", "--config", newsroom.config, "--out", newsroom.root.parent])
    assert result.code == 2
    assert snapshot(newsroom.root) == everything


def test_existing_folder_not_made_by_dateline_is_refused(newsroom, run_cli, snapshot):
    docs = newsroom.root / "docs"
    (docs / "guide").mkdir(parents=True)
    (docs / "guide/index.md").write_text("Our style guide.\n", encoding="utf-8")
    before = snapshot(docs)
    result = run_cli(["build", "--config", newsroom.config, "--out", docs])
    assert result.code == 2
    assert "was not made by Dateline" in result.err
    assert snapshot(docs) == before


# ----- config errors

def test_unknown_config_key(rebuild_fails, newsroom):
    text = newsroom.config.read_text(encoding="utf-8").replace(
        'timezone = "Europe/Prague"', 'timezone = "Europe/Prague"\ntheme_colour = "red"')
    lines = rebuild_fails({"dateline.toml": text})
    assert "unknown key 'site.theme_colour'" in one_problem(lines, "dateline.toml:5")


def test_language_without_cldr_data_and_without_locale(rebuild_fails, newsroom):
    text = newsroom.config.read_text(encoding="utf-8").replace('locale = "ru"\n', "")
    line = text.splitlines().index("[languages.av]") + 1
    message = one_problem(rebuild_fails({"dateline.toml": text}), f"dateline.toml:{line}")
    assert "'av'" in message and 'locale = "' in message


def test_missing_default_language(rebuild_fails, newsroom):
    text = newsroom.config.read_text(encoding="utf-8").replace('default_language = "en"\n', "")
    lines = rebuild_fails({"dateline.toml": text})
    assert "site.default_language is required" in one_problem(lines, "dateline.toml:1")


# ----- the swap is all or nothing

def test_template_error_leaves_the_previous_site(rebuild_fails, newsroom):
    theme = newsroom.root / "themes/default"
    shutil.copytree(REPO / "themes/default", theme)
    about = theme / "templates/about.html"
    text = about.read_text(encoding="utf-8")
    about.write_text(text.replace("{% block main %}", "{% block main %}\n{{ no_such_thing }}"),
                     encoding="utf-8")
    [message] = rebuild_fails()
    assert message.startswith("themes/default/templates/about.html:")
    assert "no_such_thing" in message


def test_template_error_names_the_template_line(rebuild_fails, newsroom):
    theme = newsroom.root / "themes/default"
    shutil.copytree(REPO / "themes/default", theme)
    about = theme / "templates/about.html"
    lines = about.read_text(encoding="utf-8").splitlines()
    at = lines.index("{% block main %}") + 2
    about.write_text("\n".join(lines).replace("{% block main %}",
                                              "{% block main %}\n{{ no_such_thing }}"),
                     encoding="utf-8")
    [message] = rebuild_fails()
    assert message.startswith(f"themes/default/templates/about.html:{at}: ")


@pytest.mark.parametrize("expression, reason", [
    ("1 // 0", "ZeroDivisionError: integer division or modulo by zero"),
    ('"%d" % "x"', "TypeError: %d format: a real number is required, not str"),
    ('"x" | round', "TypeError"),
])
def test_template_expression_that_raises_names_the_template_line_and_page(
        rebuild_fails, newsroom, expression, reason):
    theme = newsroom.root / "themes/default"
    shutil.copytree(REPO / "themes/default", theme)
    about = theme / "templates/about.html"
    lines = about.read_text(encoding="utf-8").splitlines()
    at = lines.index("{% block main %}") + 2
    about.write_text("\n".join(lines).replace("{% block main %}",
                                              f"{{% block main %}}\n{{{{ {expression} }}}}"),
                     encoding="utf-8")
    messages = rebuild_fails()
    assert messages, "no problem reported"
    for message in messages:  # one per language's about page
        assert message.startswith(f"themes/default/templates/about.html:{at}: "), message
        assert "template error while rendering /" in message and "about" in message
        assert reason in message


def test_failure_midway_through_rendering_leaves_the_previous_site(
        newsroom, run_cli, snapshot, monkeypatch, article_text):
    real = rendering.render_page
    calls = []

    def fail_on_the_second_page(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(rendering, "render_page", fail_on_the_second_page)
    newsroom.write("content/en/world/new.md", article_text("New story"))
    result = run_cli(["build", "--jobs", "1", "--config", newsroom.config,
                      "--out", newsroom.out])
    assert result.code == 70
    assert "internal error: RuntimeError: disk on fire — please report it" in result.err
    assert len(calls) == 2
    assert snapshot(newsroom.out) == newsroom.before
    assert newsroom.leftovers() == []


def test_failure_in_a_clean_build_leaves_the_previous_site(
        newsroom, run_cli, snapshot, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(rendering, "render_page", fail)
    result = run_cli(["build", "--clean", "--jobs", "1", "--config", newsroom.config,
                      "--out", newsroom.out])
    assert result.code == 70
    assert snapshot(newsroom.out) == newsroom.before
    assert newsroom.leftovers() == []


def test_fixed_input_builds_again(rebuild_fails, newsroom, run_cli, article_text):
    rebuild_fails({BAD: "---\ntitle: Ok\n---\n"})
    newsroom.write(BAD, article_text("Fixed"))
    result = run_cli(["build", "--config", newsroom.config, "--out", newsroom.out])
    assert result.code == 0, result.err
    assert (newsroom.out / "en/world/bad/index.html").is_file()
