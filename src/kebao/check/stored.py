"""Notebooks are committed without outputs: no code cell keeps outputs or an execution count.

A stored output goes stale, bloats diffs and may leak a cohort's data; the
notebooks in ``notebooks/`` are templates that papermill runs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from . import CheckResult, Item, first_line, result


def notebooks(root: Path) -> list[Path]:
    """Every ``.ipynb`` under ``notebooks/`` (checkpoints and other hidden folders left out), sorted."""
    folder = root / "notebooks"
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob("*.ipynb")
                  if not any(part.startswith(".") for part in path.relative_to(folder).parts))


def cell_problems(document: dict[str, object]) -> list[str]:
    """One line per code cell that carries outputs or an execution count; cells counted from 1."""
    problems = []
    cells = document.get("cells", [])
    for number, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        outputs = cell.get("outputs") or []
        count = cell.get("execution_count")
        found = ([f"{len(outputs)} output(s)"] if outputs else []) + \
                ([f"execution_count {count}"] if count is not None else [])
        if found:
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            problems.append(f"cell {number} (`{first_line(text, 80)}`): {' and '.join(found)} stored")
    return problems


def check_outputs(root: Path) -> CheckResult:
    started = time.perf_counter()
    items = []
    for path in notebooks(root):
        name = path.relative_to(root).as_posix()
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            items.append(Item(name, "failed", f"{name}: not a readable notebook: {error}"))
            continue
        problems = cell_problems(document if isinstance(document, dict) else {})
        if problems:
            text = "\n".join(f"{name}: {line}" for line in problems)
            items.append(Item(name, "failed", f"{name}: {problems[0]}" + (f" (and {len(problems) - 1} more)"
                                                                           if len(problems) > 1 else ""),
                              text + "\n(clear them: in JupyterLab, Edit > Clear Outputs of All Cells, then save;"
                                     " or `jupyter nbconvert --clear-output --inplace " + name + "`)"))
        else:
            items.append(Item(name, "passed"))
    return result("outputs", items, time.perf_counter() - started,
                  f"{len(items)} notebook(s) stored without outputs", "{failed} of {total} notebook(s) keep outputs")
