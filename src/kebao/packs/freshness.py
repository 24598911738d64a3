"""What a pack depends on, as named parts of its cache key, and why a pack would be rebuilt.

A pack depends on exactly what can change its bytes (issue 18):

* the whole files it is made of (:func:`pack_inputs`): the strands, the audiences, the holidays file, the
  programme, the modules in its plan (their bodies are printed), the handouts they name, the cases it prints
  and their data files;
* the *front matter* of every module the composer considered for it (:func:`considered_modules`): named
  modules, pooled modules and the modules of a pooled strand that the programme's audience may take, with
  their prerequisites. A change there can change the choice, so it counts; a change to such a module's
  body cannot, until the module is chosen (then its whole file is an input). A module of a pooled strand
  written only for another audience is left out: it cannot be chosen, and an edit that lets it be chosen
  (its ``audiences``) brings it into the set, which changes the key;
* the front matter of the cases its modules name but that do not suit its audience (whether they suit);
* the notebook, the parameters (the cohort) and where each year's days off come from, kebao's own code
  (:func:`kebao.packs.build.engine_digest`), and the fonts and tools (:mod:`.environment`).

Each part is a name and a digest (:func:`key_parts`); the key hashes them all (:func:`kebao.packs.cache.key_of`)
and the manifest records them, so :func:`explain` can say which part changed since a pack was built.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import paths
from ..catalog import Catalog
from ..model import Cohort, Programme
from .bundle import read_manifest
from .cache import canonical_json, file_digest, is_fresh
from .context import PackContext

FRONT_MATTER = " (front matter)"  # the suffix of a part that is a file's front matter only


def considered_modules(catalog: Catalog, programme: Programme, cohort: Cohort) -> set[str]:
    """The modules whose front matter can change the plan of ``programme`` for ``cohort``.

    A superset of what :mod:`kebao.compose` reads: fixed modules (site visits, placements, phases, required,
    the cohort's extra), pooled modules, every module of a pooled strand open to the programme's audience,
    and all their prerequisites. Membership depends only on the programme, the cohort and each module's own
    front matter (or a member's prerequisites), so an edit that changes it changes the key.
    """
    audience = programme.audience
    named = {*(v.module for v in programme.site_visits), *(p.module for p in programme.placements),
             *(m for phase in programme.phases for m in phase.modules), *programme.required, *cohort.extra,
             *(m for pool in programme.pools for m in pool.modules)}
    pooled = {s for pool in programme.pools for s in pool.strands}
    found = {m for m in named if m in catalog.modules}
    found.update(m.id for m in catalog.modules.values()
                 if m.strand in pooled and (not m.audiences or audience in m.audiences))
    todo = list(found)
    while todo:
        for prerequisite in catalog.modules[todo.pop()].prerequisites:
            if prerequisite in catalog.modules and prerequisite not in found:
                found.add(prerequisite)
                todo.append(prerequisite)
    return found


def _relative(path: Path, root: Path) -> str:
    """``path``'s name relative to the repository ``root`` (resolving only when it is not plainly under it)."""
    try:
        if ".." not in path.parts:
            return path.relative_to(root).as_posix()
    except ValueError:
        pass
    return path.resolve().relative_to(root.resolve()).as_posix()


def pack_inputs(ctx: PackContext) -> dict[str, Path]:
    """Every file whose bytes the pack is made of, by repository-relative name (the manifest's ``inputs``)."""
    catalog, programme = ctx.catalog, ctx.programme
    root = catalog.root
    files = [root / paths.STRANDS, root / paths.AUDIENCES, catalog.locate(programme).file,
             *(catalog.locate(catalog.modules[m]).file for m in ctx.plan.modules)]
    if catalog.holidays is not None:  # the dates of every pack may depend on it
        files.append(root / paths.HOLIDAYS)
    for module_id in ctx.plan.modules:
        for material in catalog.modules[module_id].handouts:
            files.append(catalog.handout_file(str(material.handout)))
    for case_id in ctx.cases:
        case = catalog.cases[case_id]
        files.append(catalog.locate(case).file)
        files.extend(root / paths.CASES / name for name in case.data)
    return {_relative(path, root): path for path in sorted(set(files))}


def _front_matter_digest(model: Any) -> str:
    data = model.model_dump(mode="json", by_alias=True, exclude={"body"})
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def front_matter_parts(ctx: PackContext, inputs: Mapping[str, Path]) -> dict[str, str]:
    """``<file> (front matter)`` -> digest for considered modules and named cases not already whole inputs."""
    catalog = ctx.catalog
    parts: dict[str, str] = {}
    cases = {c for m in ctx.plan.modules for c in catalog.modules[m].cases if c in catalog.cases}
    models = [*(catalog.modules[m] for m in considered_modules(catalog, ctx.programme, ctx.cohort)),
              *(catalog.cases[c] for c in cases)]
    for model in models:
        name = _relative(catalog.locate(model).file, catalog.root)
        if name not in inputs:
            parts[name + FRONT_MATTER] = _front_matter_digest(model)
    return parts


def key_parts(ctx: PackContext, inputs: Mapping[str, Path], *, notebook: Path, parameters: Mapping[str, Any],
              engine: str, environment: Mapping[str, str]) -> dict[str, str]:
    """Every named part of a pack's cache key and its digest (see the module's docstring)."""
    parts = {"(notebook)": file_digest(notebook),
             "(parameters)": hashlib.sha256(canonical_json(dict(parameters)).encode("utf-8")).hexdigest(),
             "(kebao)": engine, **{f"({name})": value for name, value in environment.items()}}
    parts.update((name, file_digest(path)) for name, path in inputs.items())
    parts.update(front_matter_parts(ctx, inputs))
    return parts


def explain(folder: Path, key: str, parts: Mapping[str, str], *, require: tuple[Path, ...] = ()) -> list[str]:
    """Why the pack in ``folder`` would be rebuilt for ``key`` (made of ``parts``); empty when it is fresh."""
    if is_fresh(folder, key, require=require):
        return []
    manifest = read_manifest(folder)
    if manifest is None:
        return ["not built yet"]
    if manifest.get("cache_key") == key:
        return ["an output was edited, removed or is missing"]
    recorded = manifest.get("key_parts")
    if not isinstance(recorded, dict):
        return ["built by a kebao that did not record its inputs"]
    reasons = [f"changed: {name}" for name in sorted(parts) if name in recorded and recorded[name] != parts[name]]
    reasons += [f"new input: {name}" for name in sorted(parts) if name not in recorded]
    reasons += [f"no longer an input: {name}" for name in sorted(recorded) if name not in parts]
    return reasons or ["the cache key changed"]
