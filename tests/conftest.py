"""Shared fixtures: small sites built from a dict, builds (in-process and through the
CLI), an HTML tree to query, and output snapshots.

Every helper is a fixture returning a function, so a test module only asks for what it
uses and nothing here holds state between tests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import io
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

from dateline import cli
from dateline.build.pipeline import BuildOptions, BuildResult, build
from dateline.config import load_config

settings.register_profile(
    "dateline", deadline=None, print_blob=True,
    # In CI every run draws the same examples, so a failure there reproduces here.
    derandomize=bool(os.environ.get("CI")))
settings.load_profile("dateline")
"""Hypothesis: no per-example deadline (a 2-core machine shared with parallel test
workers makes timings meaningless); a fixed seed in CI."""

REQUIRED_IN_CI = ("chromium", "java", "nginx", "playwright", "not installed",
                  "could not import", "as root", "tmpfs")
"""Words of the skip reasons that mean a tool the suite needs is missing. In CI (`CI` set,
as `.ci/run` is run) such a skip is a failure: a green run must have run those tests."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or not os.environ.get("CI") or not isinstance(report.longrepr, tuple):
        return
    reason = str(report.longrepr[2])
    if any(word in reason.lower() for word in REQUIRED_IN_CI):
        report.outcome = "failed"
        report.longrepr = f"in CI a missing tool is a failure, not a skip: {reason}"


FIXED_NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
"""The build time of in-process builds: articles dated after it are 'future'."""

DEFAULT_CONFIG = """\
[site]
base_url = "https://news.example.org/"
default_language = "en"
timezone = "Europe/Prague"
{site_options}
[languages.en]
title = "The Example Herald"
about = "The Example Herald reports from places where the press is not free."

[languages.ru]
title = "Вестник Примера"
about = "«Вестник Примера» рассказывает о странах, где нет свободы прессы."

[languages.fa]
title = "پیک نمونه"
about = "پیک نمونه از کشورهایی گزارش می‌دهد که مطبوعات آزاد ندارند."

[languages.av]
name = "Авар мацӀ"
locale = "ru"
title = "Мисалалъул Хабар"
about = "Мисалалъул Хабар — эркенаб журналистикаялъул гьаракь."
"""
"""The config `make_site` writes unless the files include `dateline.toml`: en (default),
ru, fa (right-to-left) and av, a language CLDR has no data for, formatted as Russian."""

ABOUT = {
    "en": "The Example Herald reports from places where the press is not free.",
    "ru": "«Вестник Примера» рассказывает о странах, где нет свободы прессы.",
    "fa": "پیک نمونه از کشورهایی گزارش می‌دهد که مطبوعات آزاد ندارند.",
    "av": "Мисалалъул Хабар — эркенаб журналистикаялъул гьаракь.",
}
"""The about section of each language in DEFAULT_CONFIG."""


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def _config_text(**site_options: object) -> str:
    lines = "".join(f"{key} = {_toml_value(value)}\n" for key, value in site_options.items())
    return DEFAULT_CONFIG.format(site_options=lines)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
"""Debian's Chromium, as root; browsers are never downloaded."""


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One Chromium per test worker. Playwright's sync API keeps its event loop marked as
    running while it is open, so a second `sync_playwright()` in the same worker fails:
    every test that needs a browser takes this one."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); "
                    "browsers are never downloaded")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             timeout=30_000)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def config_text() -> Callable[..., str]:
    """`config_text(per_page=2, ...)`: DEFAULT_CONFIG with extra `[site]` keys."""
    return _config_text


@pytest.fixture(scope="session")
def about() -> dict[str, str]:
    """The about section of each language in DEFAULT_CONFIG."""
    return dict(ABOUT)


@pytest.fixture(scope="session")
def make_site() -> Callable[..., Path]:
    """`make_site(root, {"content/en/world/a.md": "...", ...}, per_page=2) -> root`.

    Writes the files (text as UTF-8, bytes as they are) and, unless they include one,
    a `dateline.toml` from DEFAULT_CONFIG with the given `[site]` options.
    """

    def make(root: Path, files: dict[str, str | bytes], **site_options: object) -> Path:
        root.mkdir(parents=True, exist_ok=True)
        files = dict(files)
        files.setdefault("dateline.toml", _config_text(**site_options))
        for relative, data in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(data, encoding="utf-8", newline="")
        return root

    return make


@pytest.fixture(scope="session")
def article_text() -> Callable[..., str]:
    """`article_text(title="T", date="2025-03-01T10:00:00+01:00", body="Text.", **meta)`:
    a Markdown file with YAML front matter (title and date first, then `meta`)."""

    def text(title: str = "A story", date: str = "2025-03-01T10:00:00+01:00",
             body: str = "The first paragraph of the story.\n", **meta: object) -> str:
        front = {"title": title, "date": date, **meta}
        dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
        return f"---\n{dumped}---\n\n{body}"

    return text


@pytest.fixture(scope="session")
def image_bytes() -> Callable[..., bytes]:
    """`image_bytes("JPEG", width=40, height=30)`: a small valid image file's bytes
    (any format Pillow writes: JPEG, PNG, WEBP, GIF)."""

    def make(fmt: str = "JPEG", width: int = 40, height: int = 30,
             color: tuple[int, int, int] = (180, 40, 40)) -> bytes:
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (width, height), color).save(buffer, fmt)
        return buffer.getvalue()

    return make


@pytest.fixture(scope="session")
def build_site() -> Callable[..., BuildResult]:
    """`build_site(root, out=None, now=FIXED_NOW, drafts=False, future=False,
    base_url=None, relative_urls=None)`: load `root/dateline.toml` and build in-process."""

    def run(root: Path, out: Path | None = None, *, now: dt.datetime = FIXED_NOW,
            drafts: bool = False, future: bool = False, base_url: str | None = None,
            relative_urls: bool | None = None) -> BuildResult:
        config = load_config(root / "dateline.toml", base_url=base_url,
                             relative_urls=relative_urls)
        # One process: small sites never fork, and monkeypatched code stays in effect.
        return build(config, BuildOptions(output=out, drafts=drafts, future=future, now=now,
                                          jobs=1))

    return run


REPO = Path(__file__).resolve().parents[1]


def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this test run shares (the base temp folder
    without xdist): what one worker makes there, the others reuse."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def sample_newsroom(tmp_path_factory, run_cli) -> tuple[Path, dict]:
    """(site folder, {"code", "out", "err"}) of the one cold build of the bundled sample
    newsroom (`dateline build` on copies of `dateline.toml` and `content/`) per test run.

    A cold build makes every photo rendition, which takes seconds of CPU, so the xdist
    workers share it: the first to get the lock builds, the others wait and reuse it (its
    site, and its renditions through `copy_sample`).
    """
    shared = shared_folder(tmp_path_factory)
    root = shared / "sample-newsroom"
    with open(shared / "sample-newsroom.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "result.json").is_file():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            shutil.copy(REPO / "dateline.toml", root / "dateline.toml")
            shutil.copytree(REPO / "content", root / "content")
            # Renditions are cached by content hash: reuse those of an earlier build of
            # the sample in the checkout, when there is one.
            photos = REPO / ".dateline-cache/photos"
            if photos.is_dir():
                shutil.copytree(photos, root / ".dateline-cache/photos")
            result = run_cli(["build", "--config", root / "dateline.toml"])
            (root / "result.json").write_text(json.dumps(vars(result)), encoding="utf-8")
    return root, json.loads((root / "result.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def copy_sample(sample_newsroom) -> Callable[[Path], Path]:
    """`copy_sample(root) -> root`: copies of the sample's `dateline.toml` and `content/`
    in a new folder `root`, with the photo renditions of `sample_newsroom`'s build in its
    cache (`.dateline-cache/photos`, by content hash), so that a build of the copy makes
    every page and file but encodes no photo again. Nothing else of the cache is copied:
    the copy's first build is otherwise cold."""
    made = sample_newsroom[0] / ".dateline-cache/photos"

    def copy(root: Path) -> Path:
        root.mkdir(parents=True)
        shutil.copy(REPO / "dateline.toml", root / "dateline.toml")
        shutil.copytree(REPO / "content", root / "content")
        if made.is_dir():
            shutil.copytree(made, root / ".dateline-cache/photos")
        return root

    return copy


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture(scope="session")
def run_cli() -> Callable[..., CliResult]:
    """`run_cli(["build", "--config", ...], cwd=None) -> CliResult(code, out, err)`:
    `dateline.cli.main` with stdout and stderr captured; argparse exits become codes."""

    def run(args: list[str], cwd: Path | None = None) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.ExitStack() as stack:
            if cwd is not None:
                stack.enter_context(contextlib.chdir(cwd))
            stack.enter_context(contextlib.redirect_stdout(out))
            stack.enter_context(contextlib.redirect_stderr(err))
            try:
                code = cli.main([str(a) for a in args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        return CliResult(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture(scope="session")
def snapshot() -> Callable[[Path], dict[str, bytes]]:
    """`snapshot(folder)`: relative POSIX path → bytes of every file below `folder`."""

    def take(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    return take


# ----- HTML: a small element tree on top of html.parser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                  "meta", "source", "track", "wbr"})


@dataclass(eq=False)
class Node:
    """An element: its tag, attributes, and children (elements and text, in order)."""

    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    @property
    def raw_text(self) -> str:
        return "".join(c if isinstance(c, str) else c.raw_text for c in self.children)

    @property
    def text(self) -> str:
        """All text below the element, whitespace collapsed."""
        return " ".join(self.raw_text.split())

    @property
    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]

    def iter(self) -> Iterator[Node]:
        """Every element below this one, in document order."""
        for child in self.elements:
            yield child
            yield from child.iter()

    def find_all(self, tag: str | None = None, *, cls: str | None = None,
                 attrs: dict[str, str | bool] | None = None, **kw: str | bool) -> list[Node]:
        """Elements matching tag, class token and attributes (a value, or True for any).
        Keyword names use '_' for '-': `find_all("a", aria_current="true")`."""
        wanted = {k.replace("_", "-"): v for k, v in kw.items()} | (attrs or {})
        return [n for n in self.iter()
                if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)
                and all((name in n.attrs) if value is True else n.attrs.get(name) == value
                        for name, value in wanted.items())]

    def find(self, tag: str | None = None, **kw) -> Node:
        """The first match; fails the test when there is none."""
        found = self.find_all(tag, **kw)
        assert found, f"no <{tag or '*'}> matching {kw} in <{self.tag}>"
        return found[0]

    def one(self, tag: str | None = None, **kw) -> Node:
        """The only match; fails the test when there are none or several."""
        found = self.find_all(tag, **kw)
        assert len(found) == 1, f"expected one <{tag or '*'}> matching {kw}, got {len(found)}"
        return found[0]

    def by_id(self, element_id: str) -> Node:
        return self.one(attrs={"id": element_id})


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), parent=self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, dict(attrs), parent=self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html_text(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@pytest.fixture(scope="session")
def parse_html() -> Callable[[str | Path], Node]:
    """`parse_html(text_or_path) -> Node`: the document's root (query it with
    `find_all`, `find`, `one`, `by_id`; read `.attrs`, `.text`)."""

    def parse(source: str | Path) -> Node:
        text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
        return parse_html_text(text)

    return parse
