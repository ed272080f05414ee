"""examples/draw_demo.py writes every picture it promises, with the worked example's numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.svg_helpers import all_texts, parse

DEMO = Path(__file__).resolve().parent.parent / "examples" / "draw_demo.py"


def test_demo_writes_the_pictures(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(DEMO), str(tmp_path)], capture_output=True,
                         text=True, check=True, timeout=300)
    assert "test accuracy" in run.stdout
    expected = ["expression.svg", "backward_stepper.html", "worked_example_network.svg",
                "model_module.svg", "model_network.svg", "decision_boundary.png",
                "training_history.png", "gradient_norms.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)
    network = all_texts(parse((tmp_path / "worked_example_network.svg").read_text()))
    for text in ("w1 = 0.15", "w5 = 0.4", "grad 0.08217", "w8 = 0.55", "b1 = 0.35", "b2 = 0.6",
                 "= 0.7514"):
        assert text in network  # the published numbers: dE/dw5 = 0.082167041, out_o1 = 0.75136507
    module = parse((tmp_path / "model_module.svg").read_text())
    clusters = sorted(e.texts[0] for e in module.values() if "cluster" in e.classes)
    assert clusters == ["layers.0: 2 → 8, relu", "layers.1: 8 → 8, relu", "layers.2: 8 → 1, linear"]
    page = (tmp_path / "backward_stepper.html").read_text(encoding="utf-8")
    assert "∂E_total/∂E_total = 1" in page and "net_o1" in page
    for png in ("decision_boundary.png", "training_history.png", "gradient_norms.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"
