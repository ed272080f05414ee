"""nn stays light: importing it pulls in neither PyTorch nor tqdm's notebook machinery."""

from __future__ import annotations

import subprocess
import sys


def test_importing_nn_does_not_import_torch() -> None:
    code = "import sys, nn; nn.MLP(2, [3, 1])([1.0, 2.0]); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
