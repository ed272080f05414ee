"""Which build of the engine is running: the pure-Python source, or the same source compiled.

``AUTOGRAD_LITE_COMPILE=1 pip install --no-build-isolation .`` compiles the engine modules
(``value``, ``graph``, ``math_methods``, ``forward``) into C extension modules with
mypyc (see ``setup.py``); every other install runs the source as it reads.
"""

from __future__ import annotations

from importlib.machinery import ExtensionFileLoader

from . import graph, value


def is_compiled() -> bool:
    """Whether the engine runs as C extension modules compiled by mypyc, not as Python source.

    Both builds are the same source and give the same numbers; the compiled one records and
    differentiates a graph about twice as fast (see the README's speed table, and its section
    on the compiled engine for the little it does differently: no subclasses of ``Value``,
    type-checked attribute assignments, no docstrings at run time).

    Returns:
        True when ``autograd_lite.value`` and ``autograd_lite.graph`` were loaded from
        extension modules.

    Raises:
        Nothing: it only looks at how two modules were loaded.

    Example:
        >>> is_compiled() in (True, False)
        True
    """
    return all(isinstance(m.__loader__, ExtensionFileLoader) for m in (value, graph))
