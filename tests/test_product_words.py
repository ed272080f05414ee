"""The product speaks of itself only: no document it does not ship, no folder a user lacks.

"seed" means the random seed and nothing else, in the code, the command line's help, the docs
and the notebooks; the worked example names its public source instead.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
#: Written in pieces so that this file does not match itself.
FORBIDDEN = re.compile(
    "|".join([
        r"seed" + r" doc", r"the seed" + r"'s", r"seed" + r"[-_]order", r"seed" + r"s/",
        r"(?<![\w.])(?:\.\./)?" + r"shared" + r"/",
    ]),
    flags=re.IGNORECASE,
)
KINDS = (".py", ".md", ".ipynb", ".yml", ".yaml", ".toml", ".js", ".html", ".j2", ".txt", ".cfg")


def product_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.split()
    return [ROOT / name for name in listed
            if name.endswith(KINDS) or Path(name).name in {"Makefile", "package.json"}]


def test_no_file_speaks_of_documents_the_product_does_not_ship() -> None:
    files = product_files()
    assert len(files) > 50
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if FORBIDDEN.search(line)
    ]
    assert found == []


@pytest.mark.parametrize(
    "text", ["the seed" + "'s 2-2-2 network", "--seed" + "-order", "seed" + " document 000",
             "shared" + "/" + "seed" + "s/"]
)
def test_the_check_catches_each_phrase(text: str) -> None:
    assert FORBIDDEN.search(text)


@pytest.mark.parametrize("text", ["--seed 0", "random seed", "seed=0", "data shared by"])
def test_the_random_seed_and_plain_words_are_fine(text: str) -> None:
    assert not FORBIDDEN.search(text)


def test_the_help_says_seed_only_for_the_random_seed(tmp_path: Path) -> None:
    commands = [[]] + [[name] for name in ("worked-example", "train", "predict", "render")]
    for command in commands:
        text = run_cli(*command, "--help", cwd=tmp_path).stdout
        for line in text.lower().splitlines():
            if "seed" in line:
                assert "--seed" in line or "random seed" in line, (command, line)
