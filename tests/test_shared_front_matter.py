"""Issue 19: a cold build holds every file's front matter until the model is made, so
what files repeat is held once: the keys and short values (one string each), the lines
of a layout written alike (one dict), the set of keys written (one frozenset). Sharing
must never mix files up: a file laid out differently keeps its own lines, and an error
names the line of the file it is in."""

import textwrap

from dateline.build.assemble import read_fields
from dateline.config import load_config
from dateline.errors import Problems
from dateline.read import read_document

LONG = "A title long enough that no other story will ever be given the very same words"


def configured(site):
    (site / "dateline.toml").write_text(textwrap.dedent("""
        [site]
        base_url = "https://x.example/"
        default_language = "en"
        timezone = "UTC"

        [languages.en]
        title = "X"
        about = "A newsroom."
        """), encoding="utf-8")
    return load_config(site / "dateline.toml")


def write(site, name: str, front: str):
    path = site / "content/en/world" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{textwrap.dedent(front).strip()}\n---\n\nBody.\n", encoding="utf-8")
    return path


def read(site, path, problems):
    return read_document(path, site / "content", site, problems)


def test_files_laid_out_alike_share_their_keys_values_and_lines(tmp_path):
    config = configured(tmp_path)
    problems = Problems()
    front = f"""
        title: "{LONG}"
        date: 2026-05-01T10:00:00+00:00
        tags: [elections, protests]
        """
    one = read(tmp_path, write(tmp_path, "one.md", front), problems)
    two = read(tmp_path, write(tmp_path, "two.md", front.replace("05-01", "05-02")),
               problems)
    # Laid out otherwise: tags first.
    other = read(tmp_path, write(tmp_path, "other.md", f"""
        tags: [elections]
        title: "{LONG}"
        date: 2026-05-03T10:00:00+00:00
        """), problems)
    assert not problems.errors
    key = next(iter(one.meta))
    assert key == "title" and key is next(iter(two.meta))
    assert one.meta["tags"][0] is two.meta["tags"][0] is other.meta["tags"][0]
    assert one.meta["title"] == two.meta["title"]
    assert one.meta["title"] is not two.meta["title"]  # too long to be worth sharing
    assert one.key_lines is two.key_lines
    assert one.key_lines == {"title": 2, "date": 3, "tags": 4}
    assert other.key_lines == {"tags": 2, "title": 3, "date": 4}
    fields = [read_fields(doc, config, problems) for doc in (one, two, other)]
    assert fields[0].written is fields[1].written is fields[2].written
    assert fields[0].tags == ("elections", "protests")


def test_an_error_names_the_line_of_its_own_file(tmp_path):
    config = configured(tmp_path)
    problems = Problems()
    good = read(tmp_path, write(tmp_path, "good.md", """
        title: Fine
        date: 2026-05-01T10:00:00+00:00
        tags: [elections]
        """), problems)
    bad = read(tmp_path, write(tmp_path, "bad.md", """
        title: Fine
        summary: One more line above the tags
        date: 2026-05-01T10:00:00+00:00
        tags: elections, protests
        """), problems)
    assert read_fields(good, config, problems) is not None
    assert read_fields(bad, config, problems) is None
    (error,) = problems.errors
    assert error.where.path.endswith("bad.md") and error.where.line == 5
