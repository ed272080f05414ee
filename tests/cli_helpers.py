"""Run the command line as a user would: a fresh ``python -m autograd_lite`` process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_cli(*args: str, cwd: Path, stdin: str | None = "",
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m autograd_lite ARGS`` in ``cwd``, reading ``stdin`` (empty by default)."""
    return subprocess.run(
        [sys.executable, "-m", "autograd_lite", *args],
        cwd=cwd, input=stdin, env=env, capture_output=True, text=True, timeout=600, check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str,
                          status: int = 1) -> str:
    """A failure: the status, nothing on stdout, no traceback, a first line naming the problem."""
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith("autograd-lite: error: "), result.stderr
    for word in words:
        assert word in first, (word, first)
    return first
