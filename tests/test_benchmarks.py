"""The benchmark suite runs end to end on tiny sizes: every engine agrees before anything is timed.

No timing is asserted here (the machines are shared and noisy); this guards the suite's
correctness checks, which compare every engine's loss and gradients with micrograd's.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_suite_runs_and_every_engine_agrees() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "suite.py"), "--tiny"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for workload in ("W1:", "W2:", "W3:"):
        assert workload in result.stdout
    engines = ["autograd-lite eager", "autograd-lite tape", "vectorised tape", "micrograd 0.1.0",
               "PyTorch 2.13, batched", "NumPy matrices, by hand"]  # fmt: skip
    for engine in engines:
        assert engine in result.stdout, engine


def test_the_training_step_benchmark_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "training_step.py"),
         "--rounds", "1", "--steps", "1", "--points", "8"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "autograd-lite, fused linear" in result.stdout


def test_the_tape_set_up_benchmark_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "tape_setup.py"), "--tiny", "--markdown"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for graph in ("chain", "sum of products", "W1 step, examples"):
        assert f"| {graph} |" in result.stdout
