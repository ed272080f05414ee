"""The README's command-line section says what the command really does, and what make demo runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
SECTION = ROOT.joinpath("README.md").read_text().split("## The command line: `autograd-lite`")[1]
SECTION = SECTION.split("\n## ")[0]


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", SECTION, flags=re.DOTALL)


def _transcripts() -> list[tuple[str, list[str]]]:
    """Each ``$ autograd-lite ...`` line of the text blocks, with the output shown under it."""
    found: list[tuple[str, list[str]]] = []
    for block in _blocks("text"):
        for chunk in block.split("$ autograd-lite ")[1:]:
            command, *output = chunk.rstrip("\n").split("\n")
            while output and not output[-1]:
                output.pop()
            found.append((command, output))
    return found


@pytest.mark.parametrize(("command", "expected"), _transcripts(), ids=lambda x: str(x)[:40])
def test_each_transcript_is_what_the_command_prints(tmp_path: Path, command: str,
                                                    expected: list[str]) -> None:
    result = run_cli(*shlex.split(command), cwd=tmp_path)
    shown = result.stdout + result.stderr
    # "..." in the README stands for lines left out; everything else must appear, in order.
    pattern = "".join(
        r"(?:.*\n)*?" if line == "..." else re.escape(line) + r"\n" for line in expected
    )
    assert re.search(pattern, shown), shown


def test_make_demo_runs_the_commands_the_readme_shows() -> None:
    makefile = ROOT.joinpath("Makefile").read_text()
    recipe = makefile.split("\ndemo:")[1].split("\n\n")[0]
    demo = [line.strip() for line in recipe.replace("\\\n", " ").splitlines()[1:]]
    readme = _blocks("bash")[0].replace("\\\n", " ").strip().splitlines()
    assert [" ".join(line.split()) for line in demo] == [
        " ".join(line.replace("autograd-lite", "$(CLI)", 1).split()) for line in readme
    ]
