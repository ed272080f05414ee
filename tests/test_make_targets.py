"""The Makefile's promises: ``make demo`` needs only its light extra, ``make lab`` serves the
notebooks with this checkout's kernel."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = (ROOT / "Makefile").read_text()
#: What the full set-up installs and the demo must not need.
HEAVY = ["torch", "playwright", "nbformat", "nbclient", "ipykernel", "jupyterlab", "mkdocs",
         "micrograd", "pytest"]


def recipe(target: str) -> list[str]:
    """The command lines of a Makefile target, continuation lines joined."""
    block = MAKEFILE.split(f"\n{target}:")[1].split("\n\n")[0]
    return [line.strip() for line in block.replace("\\\n", " ").splitlines()[1:] if line.strip()]


def test_the_demo_installs_only_its_own_extra() -> None:
    prerequisites = MAKEFILE.split("\ndemo:")[1].split("\n")[0].split()
    assert "setup" not in prerequisites and "$(DEMO_STAMP)" in prerequisites
    install = recipe("$(DEMO_STAMP)")
    assert any(re.search(r'pip install .*-e "\.\[demo\]"', line) for line in install), install
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    demo = " ".join(extras["demo"])
    assert not [name for name in HEAVY if name in demo]
    assert "matplotlib" in demo  # the training pictures


def test_the_demo_runs_without_the_heavy_extras(tmp_path: Path) -> None:
    """Every command of ``make demo`` runs, and draws every picture, with the packages only
    the tests, notebooks and docs need made impossible to import."""
    blockers = tmp_path / "blockers"
    for name in HEAVY:
        (blockers / name).mkdir(parents=True)
        (blockers / name / "__init__.py").write_text(
            f"raise ImportError('{name} is not part of the demo')\n"
        )
    env = {**os.environ, "PYTHONPATH": str(blockers)}
    for line in recipe("demo"):
        assert line.startswith("$(CLI) "), line
        command = [sys.executable, "-m", "autograd_lite", *shlex.split(line)[1:]]
        result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                                timeout=600, check=False)
        assert result.returncode == 0, (line, result.stderr)
        assert "skipped" not in result.stderr and "Traceback" not in result.stderr
    written = {path.name for path in (tmp_path / "out").rglob("*") if path.is_file()}
    assert {"history.png", "decision_boundary.png", "network.svg", "module.svg",
            "worked_example_network.svg", "neuron.svg", "model.json"} <= written


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _request(url: str, token: str, method: str, body: object = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read()
        return json.loads(text) if text else None


def test_make_lab_serves_the_notebooks_with_this_checkout_s_kernel() -> None:
    port, token = _free_port(), "autograd-lite-test"
    arguments = (f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
                 f"--ServerApp.port_retries=0 --IdentityProvider.token={token}")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_ARGS={arguments}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        contents: object = None
        deadline = time.monotonic() + 120
        while contents is None and time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"make lab stopped: {server.stdout.read() if server.stdout else ''}")
            try:
                contents = _get(f"{base}/api/contents?token={token}")
            except OSError:
                time.sleep(0.5)
        assert isinstance(contents, dict), "JupyterLab did not answer within two minutes"
        names = {item["name"] for item in contents["content"]}
        assert {p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")} <= names
        specs = _get(f"{base}/api/kernelspecs?token={token}")
        assert isinstance(specs, dict)
        # ipykernel's spec: its "python" is replaced by the server's interpreter, the venv's
        command = specs["kernelspecs"]["python3"]["spec"]["argv"][0]
        assert command == "python" or Path(command).resolve() == (
            ROOT / ".venv" / "bin" / "python").resolve()
        kernel = _request(f"{base}/api/kernels", token, method="POST", body={"name": "python3"})
        assert isinstance(kernel, dict) and kernel["name"] == "python3"
        _request(f"{base}/api/kernels/{kernel['id']}", token, method="DELETE")
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as page:
            assert b"JupyterLab" in page.read()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # make, JupyterLab and its kernels: ours
        server.wait(timeout=60)
