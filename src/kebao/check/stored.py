"""Notebooks are committed without outputs: no code cell keeps outputs or an execution count.

A stored output goes stale, bloats diffs and may leak a cohort's data; the
notebooks in ``notebooks/`` are templates that papermill runs.

The same rule, applied when JupyterLab saves (``.jupyter/jupyter_server_config.py``,
which ``make lab`` uses, installs :func:`contents_manager_class`):

* :func:`strip_outputs_before_save`, a Jupyter pre-save hook: a notebook under
  ``notebooks/`` is written without outputs, execution counts, widget state and
  the running Python's version, so a save (JupyterLab autosaves every two
  minutes) never makes this check fail and running the studio changes no byte;
* a notebook stored as text (a case, a module) that JupyterLab saves unchanged
  keeps its bytes, and one whose cells changed keeps its front matter as
  written while the notebook metadata is the same (:func:`keep_unchanged_text`).
"""

from __future__ import annotations

import json
import os
import time
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from ..yamlio import keep_front_matter
from . import CheckResult, Item, first_line, result


def notebooks(root: Path) -> list[Path]:
    """Every ``.ipynb`` under ``notebooks/`` (checkpoints and other hidden folders left out), sorted."""
    folder = root / "notebooks"
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob("*.ipynb") if not _hidden(path.relative_to(folder)))


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def kept_without_outputs(path: Path) -> bool:
    """Whether :func:`check_outputs` looks at the notebook ``path``: an ``.ipynb`` under the ``notebooks/`` folder
    of a curriculum repository (a folder with ``curricula/``), hidden folders (checkpoints) left out."""
    path = Path(os.path.abspath(path))
    if path.suffix != ".ipynb":
        return False
    for folder in path.parents:
        if folder.name == "notebooks" and (folder.parent / "curricula").is_dir():
            return not _hidden(path.relative_to(folder))
    return False


def strip_outputs(document: dict[str, Any]) -> None:
    """Make a notebook (nbformat 4, as a dict) what ``notebooks/`` stores, in place: no outputs or execution
    counts in code cells, no timings JupyterLab may record in cell metadata, no saved widget state, and of
    ``language_info`` only the language's name (not the version of the Python that ran it last)."""
    cells = document.get("cells")
    for cell in cells if isinstance(cells, list) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            if isinstance(cell.get("metadata"), dict):
                cell["metadata"].pop("execution", None)
    metadata = document.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("widgets", None)
        language = metadata.get("language_info")
        if isinstance(language, dict) and "name" in language:
            metadata["language_info"] = {"name": language["name"]}


def strip_outputs_before_save(model: dict[str, Any], path: str, contents_manager: Any, **_: Any) -> None:
    """Jupyter server pre-save hook: a notebook that :func:`check_outputs` looks at is saved by
    :func:`strip_outputs`; every other file is saved as it is."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    if kept_without_outputs(Path(contents_manager.root_dir, *path.strip("/").split("/"))):
        strip_outputs(model["content"])


def keep_unchanged_text(old: str, new: str, extension: str = ".md") -> str:
    """What to write when jupytext turned a notebook that JupyterLab saves into ``new``, over the file ``old``.

    For a text whose jupytext header names its format (a case): ``old`` itself if jupytext reads both as the
    same notebook (nothing changed: not a byte moves); else ``new`` with ``old``'s front matter as written
    (:func:`kebao.yamlio.keep_front_matter`) if jupytext reads that as it reads ``new``; else ``new``. Any other
    text (a module: jupytext keeps it verbatim already), or one jupytext cannot read, gets ``new``; a save is
    never refused here.
    """
    if old == new:
        return new
    import jupytext  # type: ignore[import-untyped, unused-ignore]

    try:
        name = jupytext.formats.read_format_from_metadata(new, extension)
        if not name:
            return new
        fmt = {"extension": extension, "format_name": name}
        saved = _cells_without_ids(jupytext.reads(new, fmt=fmt))
        if _cells_without_ids(jupytext.reads(old, fmt=fmt)) == saved:
            return old
        kept = keep_front_matter(old, new)
        if kept != new and _cells_without_ids(jupytext.reads(kept, fmt=fmt)) == saved:
            return kept
    except Exception:  # jupytext raises many kinds for text it cannot read; then it writes its own text
        return new
    return new


def _cells_without_ids(notebook: Any) -> dict[str, Any]:
    """The notebook as a dict whose cells have no ``id`` (nbformat makes up a new one at each read)."""
    return {**notebook, "cells": [{k: v for k, v in cell.items() if k != "id"} for cell in notebook["cells"]]}


_SAVING_A_NOTEBOOK: ContextVar[bool] = ContextVar("kebao_saving_a_notebook", default=False)


def contents_manager_class() -> type:
    """jupytext's contents manager (as its server extension derives it) that saves as this module says.

    A notebook that jupytext stores as text reaches the base class as a text file, as a file saved from
    JupyterLab's text editor does; only the first kind is rewritten by :func:`keep_unchanged_text` (a context
    variable tells them apart), so whatever a designer types in the text editor is saved as typed.
    """
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
    from jupytext import build_async_jupytext_contents_manager_class  # type: ignore[import-untyped, unused-ignore]

    base: Any = build_async_jupytext_contents_manager_class(AsyncLargeFileManager)

    class KebaoContentsManager(base):  # type: ignore[misc]
        """Notebooks under notebooks/ without outputs; notebooks stored as text keep what JupyterLab did not change."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.register_pre_save_hook(strip_outputs_before_save)

        async def save(self, model: dict[str, Any], path: str = "") -> Any:
            token = _SAVING_A_NOTEBOOK.set(model.get("type") == "notebook")
            try:
                return await super().save(model, path)
            finally:
                _SAVING_A_NOTEBOOK.reset(token)

        def run_pre_save_hooks(self, model: dict[str, Any], path: str, **kwargs: Any) -> None:
            if _SAVING_A_NOTEBOOK.get() and model.get("type") == "file" and isinstance(model.get("content"), str):
                os_path = Path(self._get_os_path(path.strip("/")))
                try:
                    old = os_path.read_bytes().decode("utf-8")
                except (OSError, UnicodeDecodeError):
                    old = None
                if old is not None:
                    model["content"] = keep_unchanged_text(old, model["content"], os_path.suffix)
            super().run_pre_save_hooks(model, path, **kwargs)

    return KebaoContentsManager


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
                              text + "\n(clear them: open and save it in the JupyterLab of `make lab`, which saves"
                                     " notebooks/ without outputs; or `jupyter nbconvert --clear-output --inplace "
                                     + name + "`)"))
        else:
            items.append(Item(name, "passed"))
    return result("outputs", items, time.perf_counter() - started,
                  f"{len(items)} notebook(s) stored without outputs", "{failed} of {total} notebook(s) keep outputs")
