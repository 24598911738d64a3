"""One pack folder, one cohort: a pack's cohort id never stands for two different cohorts.

A pack lives in ``<packs>/<programme>/<cohort id>/`` (:class:`kebao.paths.PackAddress`). ``--set`` settings that
change a cohort give it a derived id (:func:`kebao.cohort.cohort_for`), so they build a pack of their own;
:func:`require_own_folder` refuses the rest before anything is built: an id that names one of the programme's
cohorts (its own, or a cohort file's) asked for with other parameters, or an id whose pack in the packs folder
was built for other parameters (its ``manifest.json`` records them). Editing a cohort file is not refused: the
catalogue is where that cohort is defined, and its pack is rebuilt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import paths
from ..cohort import cohorts_of
from ..errors import UsageError
from ..model import Cohort
from .bundle import read_manifest
from .context import PackContext


def require_own_folder(ctx: PackContext, out: Path) -> None:
    """UsageError (exit code 2) when the pack of ``ctx`` would take the folder of another cohort's pack."""
    programme, requested = ctx.programme, ctx.requested
    known = {cohort.id: cohort for cohort in cohorts_of(ctx.catalog, programme.id)}
    folder = ctx.address.folder(out)
    defined = known.get(requested.id)
    if defined is not None:
        other, where = defined, _defined_in(ctx, defined)
    else:
        manifest = read_manifest(folder) or {}
        recorded = (manifest.get("parameters") or {}).get("cohort")
        where = f"the pack in {folder.as_posix()}"
        found = _cohort(recorded) if recorded is not None else requested
        if found is None:  # a manifest kebao cannot read back: the pack may be anyone's
            raise UsageError(f"cohort '{requested.id}' of '{programme.id}': {where} was built for a cohort this "
                             "kebao cannot read back", _advice(programme.id, requested.id, None))
        other = found
    changes = _differences(other, requested)
    if changes:
        raise UsageError(f"cohort '{requested.id}' of '{programme.id}' is already {where}, with other parameters: "
                         f"{'; '.join(changes)}; this run would replace its pack",
                         _advice(programme.id, requested.id, where if defined is not None else None))


def _defined_in(ctx: PackContext, cohort: Cohort) -> str:
    if cohort is ctx.programme.cohort or cohort.id == ctx.programme.cohort.id:
        return f"the programme's own cohort ({(paths.PROGRAMMES / ctx.programme.id).as_posix()}.yml)"
    return f"defined in {(paths.COHORTS / ctx.programme.id / cohort.id).as_posix()}.yml"


def _advice(programme: str, cohort: str, file: str | None) -> str:
    advice = f"give this cohort its own id, e.g. --set id={cohort}-2, or leave id out and kebao derives one"
    if file is not None and "cohorts/" in file:
        advice += f"; to change cohort '{cohort}' itself, edit {file.removeprefix('defined in ')}"
    return advice


def _cohort(recorded: Any) -> Cohort | None:
    try:
        return Cohort.model_validate(recorded)
    except ValueError:  # pydantic's ValidationError is a ValueError
        return None


def _differences(before: Cohort, after: Cohort) -> list[str]:
    """``start 2026-12-06 -> 2026-12-07`` for each field (but the id) whose value differs."""
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    return [f"{key} {_shown(old[key])} -> {_shown(new[key])}" for key in new
            if key != "id" and old.get(key) != new[key]]


def _shown(value: Any) -> str:
    if value is None or value == []:
        return "(none)"
    if isinstance(value, list):  # ids, dates, or contacts (shown by role and name)
        return ",".join(f"{item.get('role', '')} {item.get('name', '')}" if isinstance(item, dict) else str(item)
                        for item in value)
    if isinstance(value, dict):
        return ",".join(f"{key}:{item}" for key, item in value.items())
    return str(value)
