"""Pydantic validation errors as Problems: located at the offending line, worded for content authors.

Shared by the catalogue loader, cohort files and ``--set`` settings, and the
design studio, so that a mistake reads the same wherever it is made.

Each Problem keeps the English that ``kebao validate`` prints (pydantic's own
wording for its checks, kebao's for the rest) and says it as messages too
(``why`` and ``advice``, :mod:`kebao.messages`), which the studio renders in
Chinese: by pydantic's error type with the numbers of its context, and for a
model's own rule the :class:`~kebao.errors.ContentRule` it raised.
"""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .errors import ContentRule, Problem, suggest
from .messages import Message, say
from .yamlio import Document, PathKey, dotted

# Advice per pydantic error type, shared by content files and --set cohort settings.
VALIDATION_ADVICE = {
    "bool_type": "advice-true-or-false",
    "int_from_float": "advice-whole-number",
    "date_from_datetime_inexact": "advice-real-date",
    "bool_parsing": "advice-true-or-false",
    "date_from_datetime_parsing": "advice-real-date",
    "date_parsing": "advice-real-date",
    "int_parsing": "advice-whole-number",
    "float_parsing": "advice-number",
    "string_type": "advice-quote-text",
    "list_type": "advice-list",
    "dict_type": "advice-mapping",
    "model_type": "advice-mapping",
}
# The same advice in English, as kebao validate and --set print it.
VALIDATION_HINTS = {kind: say(code).render("en") for kind, code in VALIDATION_ADVICE.items()}

# What is wrong per pydantic error type: the message code and the names of pydantic's context it says.
VALIDATION_MESSAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "int_type": ("problem-not-whole-number", ()),
    "int_parsing": ("problem-not-whole-number", ()),
    "int_from_float": ("problem-fraction", ()),
    "float_type": ("problem-not-number", ()),
    "float_parsing": ("problem-not-number", ()),
    "finite_number": ("problem-not-finite", ()),
    "greater_than_equal": ("problem-at-least", ("ge",)),
    "greater_than": ("problem-above", ("gt",)),
    "less_than_equal": ("problem-at-most", ("le",)),
    "less_than": ("problem-below", ("lt",)),
    "multiple_of": ("problem-multiple-of", ("multiple_of",)),
    "string_too_short": ("problem-text-too-short", ("min_length",)),
    "string_too_long": ("problem-text-too-long", ("max_length",)),
    "too_short": ("problem-too-few", ("min_length", "actual_length")),
    "too_long": ("problem-too-many", ("max_length", "actual_length")),
    "string_pattern_mismatch": ("problem-pattern", ("pattern",)),
    "date_type": ("problem-not-date", ()),
    "date_parsing": ("problem-not-date", ()),
    "date_from_datetime_parsing": ("problem-not-date", ()),
    "date_from_datetime_inexact": ("problem-not-date", ()),
    "bool_type": ("problem-not-bool", ()),
    "bool_parsing": ("problem-not-bool", ()),
    "string_type": ("problem-not-text", ()),
    "list_type": ("problem-not-list", ()),
    "dict_type": ("problem-not-mapping", ()),
    "model_type": ("problem-not-mapping", ()),
    "model_attributes_type": ("problem-not-mapping", ()),
}


def problems_from_validation(error: ValidationError, cls: type[BaseModel], data: Any, doc: Document,
                             base: PathKey = ()) -> list[Problem]:
    """Every pydantic error of validating ``data`` (read from ``doc``) as located Problems."""
    return [_problem_from(detail, cls, data, doc, base) for detail in error.errors(include_url=False)]


def _problem_from(detail: Any, cls: type[BaseModel], data: Any, doc: Document, base: PathKey) -> Problem:
    """Turn one pydantic error into a Problem at the right line, in plain words."""
    path: list[str | int] = []
    node = data
    rule = (detail.get("ctx") or {}).get("error")
    for part in (*detail["loc"], *(rule.at if isinstance(rule, ContentRule) else ())):
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and detail["type"] in ("missing", "extra_forbidden") and isinstance(part, str):
            path.append(part)
            break
    location = doc.locate(base + tuple(path))
    field = dotted(base + tuple(path))
    kind, name = detail["type"], str(path[-1]) if path else ""
    if kind == "missing":
        return Problem.from_message(location, field, say("problem-missing", field=name), say("advice-add-field"))
    if kind == "extra_forbidden":
        allowed = _fields_at(cls, path[:-1])
        advice = suggest(name, allowed) or (say("advice-allowed-fields", fields=sorted(allowed)) if allowed else None)
        return Problem.from_message(location, field, say("problem-unknown-field", field=name), advice)
    message, got = detail["msg"], None
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif isinstance(node, str) and kind.endswith(("_parsing", "_type", "_from_datetime_parsing")):
        message, got = f"{message}, got '{node}'", node
    advice = say(VALIDATION_ADVICE[kind]) if kind in VALIDATION_ADVICE else None
    return Problem(location, field, message, advice.render("en") if advice else "", _why(detail, cls, got), advice)


def _why(detail: Any, cls: type[BaseModel], got: str | None) -> Message | None:
    """What pydantic found wrong, as a message (None for an error type kebao does not word).

    ``got``: the text written, said after the message as kebao validate says it.
    """
    kind, context = detail["type"], detail.get("ctx") or {}
    if kind == "value_error":
        rule = context.get("error")
        return rule.why if isinstance(rule, ContentRule) else None
    if kind == "literal_error":
        allowed = _literals(_annotation_at(cls, detail["loc"]))
        return say("problem-one-of", allowed=[f"'{value}'" for value in allowed]) if allowed else None
    if kind not in VALIDATION_MESSAGES:
        return None
    code, names = VALIDATION_MESSAGES[kind]
    params = {name: context[name] for name in names if name in context}
    return say(code, **params, **({"got": say("problem-got", value=got)} if got is not None else {}))


def _annotation_at(cls: type[BaseModel], loc: Any) -> Any:
    """The annotation of the field at pydantic's ``loc`` (list indexes and union members' tags skipped)."""
    current: Any = cls
    for part in loc:
        model = _model_in(current) if isinstance(part, str) else None
        info = None if model is None else next((f for n, f in model.model_fields.items() if (f.alias or n) == part),
                                               None)
        if info is not None:
            current = info.annotation
    return current


def _literals(annotation: Any) -> list[str]:
    """The values the Literals in an annotation allow (``Literal['a'] | int`` -> ['a'])."""
    if get_origin(annotation) is Literal:
        return [str(value) for value in get_args(annotation)]
    return list(dict.fromkeys(value for arg in get_args(annotation) for value in _literals(arg)))


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
