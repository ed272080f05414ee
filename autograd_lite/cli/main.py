"""The ``autograd-lite`` command line: argument parsing, dispatch, and how failures are shown.

Exit status: 0 on success, 2 for a usage error (argparse's own, or options that contradict each
other), 1 when a command fails (a bad
model file, an expression that does not parse, a domain error ...). A failure is one line on
standard error, ``autograd-lite: error: ...``, with no traceback; an expression error adds the
expression and a caret under the column at fault.

Each subcommand lives in its own module and is imported only when it runs, so ``render`` never
loads ``nn``.
"""

from __future__ import annotations

import argparse
import importlib
import shlex
import sys
from collections.abc import Sequence

from autograd_lite import __version__

from .output import CommandError, Reporter, UsageError

PROG = "autograd-lite"

#: Subcommand name -> the module that defines it (``add_parser`` and ``run``).
COMMANDS = {
    "worked-example": "worked",
    "train": "train",
    "predict": "predict",
    "render": "render",
    "explain": "explain",
}


def build_parser(commands: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser with every subcommand (or only ``commands``, to avoid importing the rest)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Scalar autodiff from the shell: the textbook worked example, training a small "
            "network, predicting with it, and drawing the graph of any expression. "
            "Run 'autograd-lite COMMAND --help' for each command's options."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_output_modes(parser, default=False)
    # The same options after the command name; SUPPRESS keeps a subcommand from resetting a
    # mode given before it (autograd-lite --json render ...).
    common = argparse.ArgumentParser(add_help=False)
    _add_output_modes(common, default=argparse.SUPPRESS)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in commands or COMMANDS:
        module = importlib.import_module(f"{__package__}.{COMMANDS[name]}")
        module.add_parser(subparsers, common)
    return parser


def _add_output_modes(parser: argparse.ArgumentParser, default: object) -> None:
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("-q", "--quiet", action="store_true", default=default,
                       help="print only the results (no tables, progress or file lists)")
    modes.add_argument("--json", action="store_true", default=default,
                       help="print one JSON object and nothing else (for scripts)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``) and return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_only_needed(arguments))
    try:
        args = parser.parse_args(arguments)
    except SystemExit as stop:
        if stop.code == 2:
            _hint_dash(parser, arguments)
        raise
    out = Reporter(quiet=args.quiet, json_output=args.json)
    try:
        args.handler(args, out)
    except UsageError as error:
        _fail(error.message, error.detail)
        return 2
    except CommandError as error:
        _fail(error.message, error.detail)
        return 1
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except BrokenPipeError:  # the reader went away (| head): nothing left to say
        sys.stderr.close()
        return 1
    return 0


def _only_needed(arguments: list[str]) -> list[str] | None:
    """The one subcommand named on the command line, so only its module is imported (and
    ``render`` never loads nn); None (all of them) for the top-level help and errors."""
    for argument in arguments:
        if argument in COMMANDS:
            return [argument]
        if not argument.startswith("-"):
            return None
    return None


def _hint_dash(parser: argparse.ArgumentParser, arguments: list[str]) -> None:
    """After a usage error: if an argument begins with '-' but is no option of the command
    (an expression such as "-x**3", a number such as -1e-3), argparse took it for an option;
    say to put '--' before it, which ends the options."""
    command = next((a for a in arguments if a in COMMANDS), None)
    if command is None or "--" in arguments:
        return
    subparser = _subparser(parser, command)
    positionals = [a for a in subparser._actions if not a.option_strings] if subparser else []
    if subparser is None or not positionals:
        return  # the command takes no positional arguments
    options = {s for a in subparser._actions for s in a.option_strings}
    after = arguments[arguments.index(command) + 1:]
    suspects = [  # "--name" is a mistyped option rather than an expression
        a for a in after
        if a.startswith("-") and not a.startswith("--") and len(a) > 1 and a not in options
    ]
    if suspects:
        names = [str(a.metavar or a.dest) + (" ..." if a.nargs in ("*", "+") else "")
                 for a in positionals]
        example = shlex.quote(suspects[0]) if names == ["expression"] else " ".join(names)
        print(
            f"hint: {suspects[0]!r} begins with '-', so it was read as an option; put '--' "
            f"after the options: {PROG} {command} [OPTIONS] -- {example}",
            file=sys.stderr,
        )


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found: argparse.ArgumentParser | None = action.choices.get(command)
            return found
    return None


def _fail(message: str, detail: str = "") -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    if detail:
        print(detail, file=sys.stderr)
