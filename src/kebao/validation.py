"""Pydantic validation errors as Problems: located at the offending line, worded for content authors.

Shared by the catalogue loader, cohort files and ``--set`` settings, and the
design studio, so that a mistake reads the same wherever it is made.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Problem, did_you_mean
from .yamlio import Document, PathKey, dotted

# Advice per pydantic error type, shared by content files and --set cohort settings.
VALIDATION_HINTS = {
    "bool_type": "write true or false",
    "int_from_float": "write a whole number",
    "date_from_datetime_inexact": "write a real date as YYYY-MM-DD",
    "bool_parsing": "write true or false",
    "date_from_datetime_parsing": "write a real date as YYYY-MM-DD",
    "date_parsing": "write a real date as YYYY-MM-DD",
    "int_parsing": "write a whole number",
    "float_parsing": "write a number",
    "string_type": "put the text in quotes",
    "list_type": "write a list, e.g. [a, b] or one '- item' per line",
    "dict_type": "write a mapping of 'key: value' lines",
    "model_type": "write a mapping of 'key: value' lines",
}


def problems_from_validation(error: ValidationError, cls: type[BaseModel], data: Any, doc: Document,
                             base: PathKey = ()) -> list[Problem]:
    """Every pydantic error of validating ``data`` (read from ``doc``) as located Problems."""
    return [_problem_from(detail, cls, data, doc, base) for detail in error.errors(include_url=False)]


def _problem_from(detail: Any, cls: type[BaseModel], data: Any, doc: Document, base: PathKey) -> Problem:
    """Turn one pydantic error into a Problem at the right line, in plain words."""
    path: list[str | int] = []
    node = data
    for part in detail["loc"]:
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and detail["type"] in ("missing", "extra_forbidden") and isinstance(part, str):
            path.append(part)
            break
    kind, message, hint = detail["type"], detail["msg"], ""
    name = path[-1] if path else ""
    if kind == "missing":
        message = f"missing required field '{name}'"
        hint = "add it; see docs/content.md"
    elif kind == "extra_forbidden":
        allowed = _fields_at(cls, path[:-1])
        message = f"unknown field '{name}'"
        hint = did_you_mean(str(name), allowed) or (f"allowed: {', '.join(sorted(allowed))}" if allowed else "")
    elif kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif isinstance(node, str) and kind.endswith(("_parsing", "_type", "_from_datetime_parsing")):
        message = f"{message}, got '{node}'"
    hint = hint or VALIDATION_HINTS.get(kind, "")
    location_path = base + tuple(path)
    return Problem(doc.locate(location_path), dotted(location_path), message, hint)


def _fields_at(cls: type[BaseModel], path: list[str | int]) -> list[str]:
    """Field names (as written in YAML) of the model found at ``path`` inside ``cls``."""
    current: Any = cls
    for part in path:
        current = _model_in(current)
        if current is None:
            return []
        if isinstance(part, str):
            info = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
            if info is None:
                return []
            current = info.annotation
    model = _model_in(current)
    if model is None:
        return []
    return [f.alias or n for n, f in model.model_fields.items() if n not in ("id", "body")]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model in a field's annotation (``Site | None`` -> Site, ``list[PoolEntry]`` -> PoolEntry)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
