"""YAML read strictly, and a pydantic model's validation error told as file:line: field: problem.

`harness.suites` turns the data into typed objects; this module only reads the text and locates
errors in it (the node tree keeps every key's line).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from harness.errors import HarnessError


class FieldError(ValueError):
    """A validation problem located at a path below the model that raises it (inside validators)."""

    def __init__(self, loc: tuple[Any, ...], message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


class _StrictLoader(yaml.SafeLoader):
    """safe_load, plus: a repeated key is an error (not a silent overwrite), and floats written
    without a dot (3e-5) are floats, as in YAML 1.2, not strings."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f'duplicate key "{key}"', key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def read_yaml(path: Path, what: str) -> tuple[Any, yaml.Node | None]:
    """The file's data and its node tree (for `line_of`); a HarnessError naming the file (and the
    line, for malformed YAML) when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
        tree = yaml.compose(text, Loader=_StrictLoader)
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise HarnessError(f"{path}{line}: malformed YAML: {problem}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HarnessError(f"{path}: cannot read {what}: {exc}") from None
    return data, tree


def located_error(
    path: Path, tree: yaml.Node | None, exc: ValidationError, model: type[BaseModel]
) -> HarnessError:
    """The first error of validating `model` from the file, as file:line: field.path: message."""
    error = exc.errors()[0]
    loc: tuple[Any, ...] = tuple(error["loc"])
    message = error["msg"]
    inner = error.get("ctx", {}).get("error")
    if isinstance(inner, FieldError):
        # the model that raised sits at `loc`; the field error's own path is relative to it
        loc, message = (*loc, *inner.loc), inner.message
    else:
        message = message.removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f'unknown field "{loc[-1]}"' + _allowed_fields(model, loc)
        elif error["type"] == "missing":
            message = f'missing required field "{loc[-1]}"'
    field = ".".join(str(p) for p in loc) or "(top level)"
    return HarnessError(f"{path}:{line_of(tree, loc)}: {field}: {message}")


def _allowed_fields(root: type[BaseModel], loc: tuple[Any, ...]) -> str:
    model: type[BaseModel] | None = root
    for part in loc[:-1]:
        if model is None:
            return ""
        if isinstance(part, int) or part not in model.model_fields:
            # a dict key (task or dataset name): step into the dict's value model
            continue
        annotation = model.model_fields[part].annotation
        model = _model_in(annotation)
    if model is None:
        return ""
    # fields excluded from the model's dump are set by code, never by the file
    names = [n for n, f in model.model_fields.items() if not f.exclude]
    return f"; allowed: {', '.join(names)}"


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def line_of(tree: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """1-based line of the deepest key or item on the path `loc` that exists (best effort)."""
    node = tree
    line = 1 if tree is None else tree.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
