"""``kebao pack --all`` with nothing changed: the last successful batch's results, from a stamp (:mod:`kebao.stamps`).

The sources of a batch are everything its packs' cache keys are made of (:mod:`.freshness`), by file size and
time rather than content: the catalogue (``curricula/``), the cases (``cases/``), the cohort files
(``cohorts/``: adding or editing one makes the next batch decide again), the notebook, kebao's code,
the fonts and tools (:mod:`.environment`) and the batch's options (programmes, settings, the cohort file, the
notebook, strict calendar). Its outputs are every file under the packs folder. When both match the stamp that
the last batch without a failure left (``.kebao-pack-stamp.json`` in the packs folder), every pack is as
fresh as that batch left it, so the catalogue need not even be loaded; any other change goes through the
cache keys as before. ``--force`` and ``--dry-run`` never use the stamp.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .. import paths
from ..stamps import Stamp, digest, kebao_code, stat_line, tree

STAMP = ".kebao-pack-stamp.json"


def sources_fingerprint(root: Path, options: dict[str, Any], notebook: Path, cohort_file: Path | None) -> str:
    """The catalogue, cases, notebook, cohort file, kebao's code, fonts, tools and the batch's options."""
    from .environment import environment

    root = Path(root).resolve()

    def lines() -> Iterator[str]:
        yield "kebao-pack-sources\0" + json.dumps(options, sort_keys=True, ensure_ascii=False, default=str)
        yield from (f"{name}\0{value}" for name, value in sorted(environment().items()))
        for folder in (paths.CURRICULA, paths.CASES, paths.COHORTS):
            yield f"({folder.as_posix()})"
            yield from tree(root / folder, under=root)
        yield stat_line(Path(notebook).resolve())
        if cohort_file is not None:
            yield stat_line(Path(cohort_file).resolve())
        yield from kebao_code()

    return digest(lines())


class PacksStamp(Stamp):
    """A batch's sources as they were when it started, against the last successful batch's stamp."""

    def __init__(self, root: Path, out: Path, *, programmes: Sequence[str] | None, settings: Sequence[str],
                 notebook: Path | None, cohort_file: Path | None, strict_calendar: bool):
        options = {"programmes": list(programmes) if programmes is not None else None, "settings": list(settings),
                   "strict_calendar": strict_calendar, "out": str(Path(out).resolve())}
        notebook = notebook if notebook is not None else Path(root) / paths.PACK_NOTEBOOK
        folder = Path(out)
        super().__init__(folder / STAMP, sources_fingerprint(root, options, notebook, cohort_file),
                         lambda: digest(tree(folder)))
        self.folder = folder

    def unchanged(self) -> dict[str, Any] | None:
        """As :meth:`Stamp.unchanged`, but never while an interrupted run's leftovers (hidden ``.building-*``
        or ``.old-*`` folders, which the stamp's file walk does not see) wait to be swept by a real run."""
        patterns = ("*/.*.building-*", "*/.*.old-*", f"{paths.FAILED}/*/.*.building-*", f"{paths.FAILED}/*/.*.old-*")
        if any(next(self.folder.glob(pattern), None) is not None for pattern in patterns):
            return None
        return super().unchanged()
