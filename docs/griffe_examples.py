"""A Griffe extension for the API reference: this project's docstrings head their doctests
"Example:" (Google style allows both spellings); Griffe reads only "Examples:" as doctests and
would render the singular as prose, where ">>>" turns into nested quotes."""

from __future__ import annotations

import re
from typing import Any

import griffe

_HEADING = re.compile(r"^(\s*)Example:\s*$", flags=re.MULTILINE)


class DoctestExamples(griffe.Extension):
    """Reads a docstring's "Example:" section as its examples (code, not prose)."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _HEADING.sub(r"\1Examples:", obj.docstring.value)
