"""A notebook's parameters: what its ``parameters`` cell declares, and checking values before a kernel starts.

papermill never validates parameter names (a name with a newline injects code)
and only warns about unknown ones, so every value passed to a notebook goes
through :func:`check_parameters` first.
"""

from __future__ import annotations

import ast
import difflib
import json
import keyword
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import NotebookError, ParameterError

_MAX_DEPTH = 32


def declared_parameters(notebook_path: Path) -> dict[str, Any]:
    """Names and default values assigned in the notebook's cell tagged ``parameters``.

    The cell may hold ``name = literal`` and ``name: type = literal`` lines,
    comments, imports and blank lines; a default that is not a literal (a call,
    a name) is an error, because papermill can only inject literals.
    """
    notebook_path = Path(notebook_path)
    try:
        document = json.loads(notebook_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise NotebookError(f"cannot read notebook {notebook_path}: {error}") from error
    cell = next((cell for cell in document.get("cells", [])
                 if "parameters" in cell.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return {}
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise NotebookError(f"{notebook_path}: the parameters cell is not valid Python "
                        f"(line {error.lineno}: {error.msg})") from error
    defaults: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value = node.target.id, node.value
        elif isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr, ast.Pass)):
            continue
        else:
            raise NotebookError(f"{notebook_path}: line {node.lineno} of the parameters cell is not a "
                            "'name = literal' assignment; keep logic out of the parameters cell")
        try:
            defaults[name] = ast.literal_eval(value)
        except ValueError:
            raise NotebookError(f"{notebook_path}: parameter {name!r} (line {node.lineno} of the parameters cell) "
                            "needs a literal default such as a string, number, list or None") from None
    return defaults


def check_parameters(notebook_path: Path, values: Mapping[str, Any]) -> dict[str, Any]:
    """The ``values`` that ``notebook_path`` declares, checked; raise ParameterError otherwise.

    Names must be Python identifiers declared in the parameters cell (papermill
    would inject any text as code); values must be JSON-like: str, int, finite
    float, bool, None, and lists and str-keyed dicts of those. A value must
    also be of the same kind as a non-None default (text, number, true/false,
    list, table). Returns the values in the order the notebook declares them.
    """
    notebook_path = Path(notebook_path)
    declared = declared_parameters(notebook_path)
    for name in values:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ParameterError(notebook_path, str(name), "is not a Python identifier",
                                 "parameter names are letters, digits and underscores")
        if name not in declared:
            close = difflib.get_close_matches(name, list(declared), n=1)
            hint = f"did you mean {close[0]!r}?" if close else ""
            known = ", ".join(sorted(declared)) or "none"
            raise ParameterError(notebook_path, name, "is not declared in the notebook's parameters cell",
                                 (hint + " " if hint else "") + f"declared: {known}")
    for name, value in values.items():
        problem = _value_problem(value, 0)
        if problem:
            raise ParameterError(notebook_path, name, problem,
                                 "pass text, numbers, true/false, null, lists or tables; dates as 'YYYY-MM-DD'")
        default = declared[name]
        if default is not None and value is not None and _kind(default) != _kind(value):
            raise ParameterError(notebook_path, name, f"expects {_kind(default)} like its default "
                                 f"{default!r}, not {_kind(value)} {value!r}")
    return {name: values[name] for name in declared if name in values}


def _value_problem(value: object, depth: int) -> str | None:
    if depth > _MAX_DEPTH:
        return f"is nested more than {_MAX_DEPTH} levels deep"
    kind = type(value)  # exact types: a subclass could repr itself as code
    if value is None or kind in (str, bool, int):
        return None
    if kind is float:
        return None if math.isfinite(value) else f"{value!r} is not a finite number"  # type: ignore[arg-type]
    if kind is list:
        return next((p for item in value if (p := _value_problem(item, depth + 1))), None)  # type: ignore[attr-defined]
    if kind is dict:
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str:
                return f"has a non-text key {key!r}"
            problem = _value_problem(item, depth + 1)
            if problem:
                return problem
        return None
    return f"has a value of type {kind.__name__}, which a notebook parameter cannot hold"


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "a table" if isinstance(value, dict) else type(value).__name__
