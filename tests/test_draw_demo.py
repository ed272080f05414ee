"""examples/draw_demo.py writes every picture it promises, with the worked example's numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from svg_helpers import all_texts, parse

DEMO = Path(__file__).resolve().parent.parent / "examples" / "draw_demo.py"


def test_demo_writes_the_pictures(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(DEMO), str(tmp_path)], capture_output=True,
                         text=True, check=True, timeout=300)
    assert "0.0000351085 at step 10,000" in run.stdout  # the original's figure, reproduced
    expected = ["expression.svg", "backward_stepper.html", "worked_example_network_initial.svg",
                "worked_example_network.svg", "worked_example_module.svg",
                "worked_example_loss.png", "worked_example_gradient_norms.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)
    initial = all_texts(parse((tmp_path / "worked_example_network_initial.svg").read_text()))
    for text in ("w1 = 0.15", "w5 = 0.4", "w8 = 0.55", "b1 = 0.35", "b2 = 0.6", "= 0.7514"):
        assert text in initial
    trained = all_texts(parse((tmp_path / "worked_example_module.svg").read_text()))
    assert "w.0 w5" in trained and "0.4" not in trained  # w5 has moved from 0.4
    page = (tmp_path / "backward_stepper.html").read_text(encoding="utf-8")
    assert "grad(E_total) = 1" in page and "net_o1" in page
    for png in ("worked_example_loss.png", "worked_example_gradient_norms.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"
