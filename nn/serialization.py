"""``save`` and ``load``: a model as one JSON file holding its architecture and its numbers.

JSON, not pickle: loading a pickle can run any code the file's author wrote, while loading this
format only ever builds one of the known classes (``MLP``, ``Layer``, ``Neuron``) from plain
numbers. A save is atomic: the file is written beside its target, flushed to disk and then
renamed over it, so a crash leaves either the old file or the new one, never half of one.

The file::

    {"format": "autograd-lite.nn", "version": 1,
     "architecture": {"class": "MLP", "config": {"nin": 2, "nouts": [16, 16, 1], ...}},
     "state_dict": {"layers.0.neurons.0.w.0": 0.23, ...},
     "frozen": ["..."]}          # names of parameters with requires_grad=False
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any, Union

from .layers import MLP, Layer, Neuron
from .module import Module

FORMAT = "autograd-lite.nn"
VERSION = 1

#: The classes a file may name; nothing else can be built by ``load``.
MODEL_CLASSES: dict[str, type[MLP] | type[Layer] | type[Neuron]] = {
    "MLP": MLP,
    "Layer": Layer,
    "Neuron": Neuron,
}

PathLike = Union[str, "os.PathLike[str]"]


def to_dict(model: Module) -> dict[str, Any]:
    """The JSON-ready document for ``model`` (what :func:`save` writes)."""
    kind = type(model).__name__
    if MODEL_CLASSES.get(kind) is not type(model):
        raise TypeError(f"nn.save: can save {sorted(MODEL_CLASSES)}, not {kind}")
    assert isinstance(model, (MLP, Layer, Neuron))
    state = model.state_dict()
    for name, x in state.items():
        if not math.isfinite(x):
            raise ValueError(f"nn.save: parameter '{name}' is {x}; only finite numbers are saved")
    frozen = [name for name, p in model.named_parameters() if not p.requires_grad]
    return {
        "format": FORMAT,
        "version": VERSION,
        "architecture": {"class": kind, "config": model.config()},
        "state_dict": state,
        "frozen": frozen,
    }


def save(model: Module, path: PathLike) -> None:
    """Write ``model`` to ``path`` as JSON, atomically.

    The file holds the architecture (``config()``) and every parameter's number by dotted name.
    It is written to a temporary file beside ``path`` and moved into place once complete on
    disk, so an existing file stays whole if anything fails; an existing file keeps its
    permission bits, a new one gets 0o644.

    Args:
        model: an ``nn.Neuron``, ``nn.Layer`` or ``nn.MLP``.
        path: the file to write (str or ``os.PathLike``).

    Raises:
        TypeError: if ``model`` is not one of nn's savable modules.
        ValueError: if a parameter is NaN or infinite (JSON cannot hold it).
        OSError: if the folder cannot be written; the old file is left as it was.

    Example:
        >>> import os, tempfile, nn
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> model = nn.MLP(2, [3, 1], seed=0)
        >>> nn.save(model, path)
        >>> nn.load(path).state_dict() == model.state_dict()
        True
    """
    text = json.dumps(to_dict(model), indent=1, allow_nan=False) + "\n"
    target = Path(path)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_directory(target.parent)


def load(path: PathLike) -> Module:
    """Read a model written by :func:`save`.

    Args:
        path: the JSON file (str or ``os.PathLike``).

    Returns:
        A new module of the saved class (``nn.Neuron``, ``nn.Layer`` or ``nn.MLP``) with the
        saved architecture and numbers.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        ValueError: if the file is truncated, malformed, not UTF-8, or does not match the
            architecture it names; the message names the file and the problem.

    Example:
        >>> import os, tempfile, nn
        >>> path = os.path.join(tempfile.mkdtemp(), "neuron.json")
        >>> nn.save(nn.Neuron(3, seed=1), path)
        >>> nn.load(path).nin
        3
    """
    raw = Path(path).read_bytes()
    try:
        document = json.loads(
            raw.decode("utf-8"),
            parse_constant=_reject_constant,
            object_pairs_hook=_no_duplicate_keys,
        )
    except UnicodeDecodeError as error:
        raise ValueError(f"nn.load: {path} is not UTF-8 text ({error})") from None
    except json.JSONDecodeError as error:
        raise ValueError(
            f"nn.load: {path} is not valid JSON ({error.msg} at line {error.lineno}, column "
            f"{error.colno}); the file may be truncated or corrupt"
        ) from None
    except RecursionError:
        raise ValueError(f"nn.load: {path} is nested too deeply to be a model file") from None
    except ValueError as error:
        raise ValueError(f"nn.load: {path}: {error}") from None
    try:
        return from_dict(document)
    except ValueError as error:
        raise ValueError(f"nn.load: {path}: {error}") from None


def from_dict(document: object) -> Module:
    """Build the model a document describes, checking every part; ValueError if anything is off."""
    if not isinstance(document, dict):
        raise ValueError(f"expected a JSON object, got {type(document).__name__}")
    if document.get("format") != FORMAT:
        raise ValueError(f"not an autograd-lite model (format is {document.get('format')!r})")
    if type(document.get("version")) is not int or document.get("version") != VERSION:
        raise ValueError(
            f"format version {document.get('version')!r} is not supported (this is {VERSION})"
        )
    unknown = set(document) - {"format", "version", "architecture", "state_dict", "frozen"}
    if unknown:
        raise ValueError(f"unexpected fields {sorted(unknown)}")
    architecture = _field(document, "architecture", dict)
    kind = _field(architecture, "class", str)
    if kind not in MODEL_CLASSES:
        raise ValueError(f"unknown model class {kind!r}; known: {sorted(MODEL_CLASSES)}")
    config = _field(architecture, "config", dict)
    state = _field(document, "state_dict", dict)
    frozen = _field(document, "frozen", list)
    model = _build(kind, config)
    names = {name for name, _ in model.named_parameters()}
    for name in frozen:
        if name not in names:
            raise ValueError(f"'frozen' names {name!r}, which is not a parameter of this {kind}")
    try:
        model.load_state_dict(state)
    except ValueError as error:
        raise ValueError(f"the weights do not match the architecture: {error}") from None
    for name, p in model.named_parameters():
        p.requires_grad = name not in frozen
    return model


def _build(kind: str, config: dict[str, Any]) -> Module:
    cls = MODEL_CLASSES[kind]
    allowed = set(cls(**_minimal_args(kind)).config())
    unknown = set(config) - allowed
    missing = allowed - set(config)
    if unknown or missing:
        raise ValueError(
            f"the {kind} config has unknown keys {sorted(unknown)} and lacks {sorted(missing)}"
        )
    for key in ("shared_bias", "bias_requires_grad"):
        if key in config and not isinstance(config[key], bool):
            raise ValueError(f"the {kind} config's {key!r} must be true or false")
    try:
        return cls(**config, init="uniform", seed=0)
    except (TypeError, ValueError) as error:
        raise ValueError(f"the {kind} config {config!r} is invalid: {error}") from None


def _minimal_args(kind: str) -> dict[str, Any]:
    """The fewest arguments that build a ``kind``, to read which config keys it has."""
    minimal: dict[str, dict[str, Any]] = {
        "MLP": {"nin": 1, "nouts": [1]},
        "Layer": {"nin": 1, "nout": 1},
        "Neuron": {"nin": 1},
    }
    return minimal[kind]


def _field(container: dict[str, Any], key: str, kind: type) -> Any:
    if key not in container:
        raise ValueError(f"the field {key!r} is missing")
    value = container[key]
    if not isinstance(value, kind):
        raise ValueError(
            f"the field {key!r} should be a {kind.__name__}, got {type(value).__name__}"
        )
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"the file holds {name}, which is not a finite number")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice")
        result[key] = value
    return result


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable where the platform allows it (POSIX)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
