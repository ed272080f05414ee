"""The jacfwd / jacrev benchmark runs end to end on tiny sizes (it checks both modes agree first).

No timing is asserted (speed is measured by the script and recorded in benchmarks/RESULTS.md).
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_jacobian_modes_benchmark_runs_and_reports_the_crossing() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "jacobian_modes.py"), "--tiny"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "| n \\ m | 1 | 2 | 4 |" in result.stdout
    for m in (1, 2, 4):
        assert f"m = {m}: jacrev is faster" in result.stdout
