"""The command as a whole: help, version, usage errors, the installed script, and layering."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autograd_lite import __version__
from tests.cli_helpers import run_cli

COMMANDS = ["worked-example", "train", "predict", "render"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_has_help(tmp_path: Path, command: str) -> None:
    result = run_cli(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: autograd-lite {command} ")
    assert "--json" in result.stdout and "--quiet" in result.stdout


def test_top_level_help_lists_the_commands(tmp_path: Path) -> None:
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


def test_version(tmp_path: Path) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"autograd-lite {__version__}\n")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["fly"], "invalid choice: 'fly'"),
        (["render", "x", "--json", "--quiet"], "not allowed with argument"),
    ],
)
def test_usage_errors(tmp_path: Path, args: list[str], words: str) -> None:
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert words in result.stderr


@pytest.mark.parametrize("mode", [["--json"], ["--quiet"]])
def test_output_modes_also_before_the_command(tmp_path: Path, mode: list[str]) -> None:
    before = run_cli(*mode, "render", "x * 2", "--at", "x=1", cwd=tmp_path)
    after = run_cli("render", "x * 2", "--at", "x=1", *mode, cwd=tmp_path)
    assert before.returncode == after.returncode == 0
    assert before.stdout == after.stdout != ""


def test_the_installed_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "autograd-lite"
    assert script.exists(), "make setup installs the autograd-lite script into .venv/bin"
    result = subprocess.run([str(script), "render", "x ** 3", "--at", "x=2", "--quiet"],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["value = 8.0", "  df/dx = 12.0"]


def _modules_after(code: str, cwd: Path) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"],
        cwd=cwd, capture_output=True, text=True, check=True,
    )
    return set(result.stdout.split())


def test_importing_autograd_lite_loads_neither_the_cli_nor_nn(tmp_path: Path) -> None:
    modules = _modules_after("import autograd_lite", tmp_path)
    assert "nn" not in modules
    assert not any(name.startswith("autograd_lite.cli") for name in modules)


def test_render_never_loads_nn(tmp_path: Path) -> None:
    code = (
        "from autograd_lite.cli.main import main\n"
        "assert main(['render', 'x * x', '--at', 'x=2', '--quiet']) == 0"
    )
    modules = _modules_after(code, tmp_path)
    assert "autograd_lite.cli.render" in modules
    assert "nn" not in modules and not any(name.startswith("nn.") for name in modules)
