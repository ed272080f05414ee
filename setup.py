"""The build: pure Python by default; ``AUTOGRAD_LITE_COMPILE=1`` compiles the engine with mypyc.

The pure-Python source is the reference and works wherever Python does. The compiled engine is
the same source (``value``, ``graph``, ``math_methods``, ``forward``) turned into C extension
modules by mypyc, which needs mypy and a C compiler at build time:

    AUTOGRAD_LITE_COMPILE=1 pip install --no-build-isolation .

Everything else is configured in ``pyproject.toml``.
"""

import os

from setuptools import Extension, setup

ENGINE = [
    "autograd_lite/value.py",
    "autograd_lite/graph.py",
    "autograd_lite/math_methods.py",
    "autograd_lite/forward.py",
]


def ext_modules() -> list[Extension]:
    """The engine's modules compiled by mypyc when AUTOGRAD_LITE_COMPILE=1, else none."""
    if os.environ.get("AUTOGRAD_LITE_COMPILE", "0") != "1":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        raise SystemExit(
            "AUTOGRAD_LITE_COMPILE=1 compiles the engine with mypyc, which comes with mypy: "
            "install mypy (pip install mypy==2.4.1) and build with --no-build-isolation, as "
            "`make compiled` does, or leave AUTOGRAD_LITE_COMPILE unset for the pure-Python engine"
        ) from None
    return mypycify(ENGINE, opt_level="3")


setup(ext_modules=ext_modules())
