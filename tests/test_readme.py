"""Every Python block of the README runs, and prints what the README says it prints.

The blocks run in the README's order in one namespace, as a reader pasting them one after the
other into one Python session would, in a scratch folder (they write files such as
``moons.json``). Each block is compiled as ``example.py``, the name the README's tracebacks show.
What a block claims is checked against what it does:

- ``print(...)  # 4.38905609893065 2.0``: a top-level ``print`` (or a bare expression, whose
  ``repr`` counts as printed) whose comment begins like printed output (a number, a bracket,
  ``True``/``False``/``None`` or a quote) prints exactly that, up to the first ``": "``; a
  number written ``0.298371109...`` stands for any number that rounds to it.
- A ``text`` block right after a Python block (one that does not start with ``$ ``: those are
  command-line transcripts, checked in ``test_cli_readme.py``) holds lines of what that block
  printed, in order; a line ``...`` stands for lines left out and ``(...)`` for the rest of a line.

New README sections are picked up as they are written: nothing here lists them.
"""

from __future__ import annotations

import ast
import contextlib
import io
import linecache
import os
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", flags=re.MULTILINE | re.DOTALL)
FILENAME = "example.py"
CLAIM_START = re.compile(r"""^(-?\d|[\[({'"]|True\b|False\b|None\b)""")


@dataclass
class Block:
    """One fenced block: its language, its text and where it starts in the README."""

    language: str
    code: str
    line: int
    printed: str = ""
    error: str = ""
    claims: list[tuple[int, str, str]] = field(default_factory=list)  # (line, claim, shown)


def readme_blocks(text: str) -> list[Block]:
    """Every fenced block of ``text`` in order, with the README line its code starts on."""
    return [
        Block(match.group(1), match.group(2), text.count("\n", 0, match.start()) + 2)
        for match in FENCE.finditer(text)
    ]


def claim_of(comment: str) -> str | None:
    """The output a comment claims (``# 0.918...: a float``), or None if it only describes."""
    text = comment.lstrip("#").strip()
    if not CLAIM_START.match(text):
        return None
    depth, quote = 0, ""
    for index, char in enumerate(text):  # the claim ends at a ": " outside brackets and quotes
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith(": ", index):
            return text[:index].strip()
    return text


def matches(claim: str, shown: str) -> bool:
    """``shown`` is ``claim``, where a number written ``0.298371109...`` stands for any number
    that rounds to it (``0.2983711087600027``)."""
    parts = re.split(r"(-?\d+\.\d+)\.\.\.", claim)
    pattern = "".join(
        r"(-?\d+(?:\.\d*)?(?:e[-+]?\d+)?)" if odd else re.escape(part)
        for odd, part in ((i % 2 == 1, part) for i, part in enumerate(parts))
    )
    found = re.fullmatch(pattern, shown.strip())
    if found is None:
        return False
    about = parts[1::2]
    return all(
        f"{float(number):.{len(rounded.split('.')[1])}f}" == rounded
        for number, rounded in zip(found.groups(), about)
    )


def comments(code: str) -> dict[int, str]:
    """Line number -> the comment ending that line (Python's own tokenizer finds them)."""
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    return {token.start[0]: token.string for token in tokens if token.type == tokenize.COMMENT}


def run_block(block: Block, namespace: dict[str, Any]) -> None:
    """Run ``block`` statement by statement in ``namespace``; record its output and claims."""
    remarks = comments(block.code)
    linecache.cache[FILENAME] = (len(block.code), None, block.code.splitlines(True), FILENAME)
    buffer = io.StringIO()
    for node in ast.parse(block.code, FILENAME).body:
        comment = remarks.get(node.lineno)
        claim = claim_of(comment) if comment else None
        is_print = (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                    and isinstance(node.value.func, ast.Name) and node.value.func.id == "print")
        statement = io.StringIO()
        with contextlib.redirect_stdout(statement):
            if isinstance(node, ast.Expr) and not is_print:
                value = eval(compile(ast.Expression(node.value), FILENAME, "eval"), namespace)
                shown = ", ".join(map(repr, value)) if isinstance(value, tuple) else repr(value)
            else:
                exec(compile(ast.Module([node], type_ignores=[]), FILENAME, "exec"), namespace)
                shown = statement.getvalue()
        buffer.write(statement.getvalue())
        if claim is not None and (is_print or isinstance(node, ast.Expr)):
            block.claims.append((block.line + node.lineno - 1, claim, shown))
    block.printed = buffer.getvalue()


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> list[Block]:
    """The README's blocks after running every Python block in order, in a scratch folder."""
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    namespace: dict[str, Any] = {"__name__": "__main__"}
    folder = tmp_path_factory.mktemp("readme")
    before = Path.cwd()
    os.chdir(folder)
    try:
        for block in blocks:
            if block.language == "python":
                try:
                    run_block(block, namespace)
                except Exception as error:  # reported by the block's own test
                    block.error = f"{type(error).__name__}: {error}"
    finally:
        os.chdir(before)
        linecache.cache.pop(FILENAME, None)
    return blocks


def _python_lines() -> list[int]:
    return [b.line for b in readme_blocks(README.read_text(encoding="utf-8"))
            if b.language == "python"]


def test_the_readme_has_python_blocks() -> None:
    assert len(_python_lines()) >= 10


@pytest.mark.parametrize("line", _python_lines(), ids=lambda line: f"README line {line}")
def test_each_python_block_runs_and_prints_what_it_claims(ran: list[Block], line: int) -> None:
    (block,) = [b for b in ran if b.line == line and b.language == "python"]
    assert not block.error, f"the block at README line {line} raised {block.error}"
    for where, claim, shown in block.claims:
        assert matches(claim, shown), (
            f"README line {where} says it prints {claim!r}; it printed {shown.strip()!r}"
        )


def _output_blocks() -> list[int]:
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    return [
        after.line for before, after in zip(blocks, blocks[1:])
        if before.language == "python" and after.language == "text"
        and not after.code.startswith("$ ")
    ]


@pytest.mark.parametrize("line", _output_blocks(), ids=lambda line: f"README line {line}")
def test_each_output_block_is_what_the_code_above_printed(ran: list[Block], line: int) -> None:
    index = next(i for i, b in enumerate(ran) if b.line == line)
    text, code = ran[index], ran[index - 1]
    assert not code.error, f"the block above README line {line} raised {code.error}"
    pattern = "^" + "".join(
        r"(?:.*\n)*?" if shown == "..." else
        re.escape(shown.split("(...)")[0].rstrip()) + (r".*" if "(...)" in shown else "")
        + r"[ \t]*\n"
        for shown in text.code.rstrip("\n").split("\n")
    )
    assert re.search(pattern, code.printed, flags=re.MULTILINE), (
        f"README line {line} shows:\n{text.code}\nthe code above it printed:\n{code.printed}"
    )


@pytest.mark.parametrize(
    ("comment", "claim"),
    [
        ("# 4.38905609893065 2.0", "4.38905609893065 2.0"),
        ("# 0.9182168195493894: a float for a float", "0.9182168195493894"),
        ("# [[4.0, 2.0], [2.0, 7.38905609893065]]", "[[4.0, 2.0], [2.0, 7.38905609893065]]"),
        ("# False", "False"),
        ("# {'b': -0.55, 'w': [-0.45]}: a dict", "{'b': -0.55, 'w': [-0.45]}"),
        ("# -0.5766", "-0.5766"),
        ("# every operation is recorded", None),
        ("# f''(x) = 2 cos x", None),
        ("# -- a note", None),
    ],
)
def test_what_counts_as_a_claim(comment: str, claim: str | None) -> None:
    assert claim_of(comment) == claim


def test_a_wrong_claim_fails_and_digits_may_be_elided() -> None:
    assert matches("0.298371109..., 0.082167041...", "0.2983711087600027, 0.0821670405642")
    assert not matches("0.298371109...", "0.298371108")
    assert not matches("0.298371109...", "0.2983711084")
    assert not matches("4.38905609893065 2.0", "4.38905609893065 2.5")
    block = Block("python", "x = 2\nprint(x * 2)  # 5\nx * 3  # 6\n", 10)
    run_block(block, {})
    assert block.claims == [(11, "5", "4\n"), (12, "6", "6")]
    assert not matches(*block.claims[0][1:]) and matches(*block.claims[1][1:])
