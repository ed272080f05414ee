"""Every public name documents its contract: arguments, result, errors and a runnable example.

The API reference on the documentation site is rendered from these docstrings, so they are the
reference users read. The examples themselves run as doctests (``--doctest-modules``).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import autograd_lite
import nn
from autograd_lite import Operation


def _public_names() -> Iterator[tuple[str, Any]]:
    for package in (autograd_lite, nn):
        for name in package.__all__:
            obj = getattr(package, name)
            if isinstance(obj, ModuleType):
                continue  # a module's own page documents it
            if isinstance(obj, Operation) or not callable(obj):
                continue  # operations are rows of the operation table; data has a #: comment
            yield f"{package.__name__}.{name}", obj


def _takes_arguments(obj: Any) -> bool:
    if inspect.isclass(obj) and obj.__init__ is object.__init__:
        return False
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        parameters = list(inspect.signature(target).parameters.values())
    except (TypeError, ValueError):
        return False
    return any(p.name not in ("self", "cls") for p in parameters)


def _missing(name: str, obj: Any) -> list[str]:
    doc = inspect.getdoc(obj) or ""
    if not doc:
        return ["a docstring"]
    exception = inspect.isclass(obj) and issubclass(obj, BaseException)
    wanted = {"an example (a doctest)": ">>>"}
    if not exception:
        wanted["its errors (Raises:)"] = "Raises:"
    if _takes_arguments(obj) and not exception:
        wanted["its arguments (Args: or Attributes:)"] = (
            "Args:" if "Args:" in doc else "Attributes:"
        )
    if inspect.isfunction(obj) and inspect.signature(obj).return_annotation not in ("None", None):
        wanted["its result (Returns: or Yields:)"] = (
            "Yields:" if "Yields:" in doc else "Returns:"
        )
    return [what for what, marker in wanted.items() if marker not in doc]


PUBLIC = sorted(_public_names())


def test_the_public_api_is_not_empty() -> None:
    assert len(PUBLIC) > 40


@pytest.mark.parametrize(("name", "obj"), PUBLIC, ids=[name for name, _ in PUBLIC])
def test_every_public_name_documents_its_contract(name: str, obj: Any) -> None:
    missing = _missing(name, obj)
    assert not missing, f"{name}'s docstring lacks {', '.join(missing)}"
