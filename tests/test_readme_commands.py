"""The README's two commands are what newcomers and CI run: keep them in step."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    blocks, inside = [], False
    for line in lines:
        if line.startswith("```"):
            inside = not inside
        elif inside and line.strip():
            blocks.append(line.strip())
    return blocks[:2]


def test_ci_runs_exactly_the_readme_test_command():
    build_command, test_command = readme_commands()
    assert "python build.py" in build_command and "pip install" in build_command
    assert "pytest" in test_command
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in [line.strip() for line in ci_lines]
