"""What the config asks Babel about each language, kept beside the build cache
(`dateline/locale_facts.py`): trusted without importing Babel while Babel's files are
the ones that answered, by Babel's version otherwise, and asked again when neither
holds."""

import json
import subprocess
import sys

from dateline import locale_facts
from dateline.locale_facts import FILE, LocaleFacts

_ASKED = ["ar", "العربية", "rtl", "Arab"]


def _facts(tmp_path, **fields) -> LocaleFacts:
    data = {"babel": "0.0", "origin": None, "facts": {"ar\0ar": ["ar", "X", "ltr", "Y"]}}
    (tmp_path / FILE).write_text(json.dumps({**data, **fields}), encoding="utf-8")
    return LocaleFacts(tmp_path)


def test_facts_are_trusted_while_babels_files_are_the_ones_that_answered(tmp_path):
    facts = _facts(tmp_path, origin=locale_facts._babel_origin())
    assert facts.of("ar", "ar") == ("ar", "X", "ltr", "Y")  # the file's, not Babel's
    facts.save()  # nothing learnt: nothing written
    assert json.loads((tmp_path / FILE).read_text(encoding="utf-8"))["babel"] == "0.0"


def test_facts_of_another_babel_file_but_the_same_version_are_trusted(tmp_path):
    import babel

    facts = _facts(tmp_path, babel=babel.__version__, origin=["elsewhere", 1, 2])
    assert facts.of("ar", "ar") == ("ar", "X", "ltr", "Y")
    facts.save()  # written again with the origin, so that Babel is not imported next time
    saved = json.loads((tmp_path / FILE).read_text(encoding="utf-8"))
    assert saved["origin"] == locale_facts._babel_origin() is not None


def test_facts_of_another_babel_are_asked_again(tmp_path):
    facts = _facts(tmp_path, origin=["elsewhere", 1, 2])
    assert list(facts.of("ar", "ar")) == _ASKED
    facts.save()
    saved = json.loads((tmp_path / FILE).read_text(encoding="utf-8"))
    assert saved["facts"]["ar\0ar"] == _ASKED


def test_trusted_facts_import_no_babel(tmp_path):
    _facts(tmp_path, origin=locale_facts._babel_origin())
    code = ("import sys; from pathlib import Path; from dateline.locale_facts import "
            f"LocaleFacts; print(LocaleFacts(Path({str(tmp_path)!r})).of('ar', 'ar'), "
            "'babel' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split()[-1] == "False", done.stdout
