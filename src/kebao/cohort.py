"""Cohort parameters from ``key=value`` settings (``kebao plan --set``, ``kebao pack``, notebooks).

Keys are the fields of :class:`~kebao.model.Cohort`::

    id=2026-10            start=2026-10-08        size=30         venue=培训中心
    language=zh|en        days=8                  exclude=a,b     extra=c
    mix.skills=40         mix=party-building:30,industry:40,skills:30

``mix.<strand>=N`` changes one weight of the cohort's mix (or the programme's, if
the cohort has none); the weights must still add up to 100 once every setting
is applied. ``exclude`` and ``extra`` replace the lists (an empty value clears
them); an empty ``language``, ``days`` or ``mix`` falls back to the programme's.
Bad settings raise :class:`~kebao.errors.UsageError` with a did-you-mean hint.

Settings that change a cohort make another cohort, with its own id and pack (:func:`cohort_for`): unless
``id=`` is set, the id is derived from the one it was changed from, ``<id>-<start as YYYYMMDD>`` when the start
moved, with a short digest of the other changed fields when others changed, so the same settings always give
the same id and a changed cohort never takes the place of another's pack. A programme's cohorts are its own
(``cohort:`` in its file) and the cohort files ``cohorts/<programme>/<id>.yml`` (:func:`cohorts_of`,
:func:`cohort_of`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import paths
from .catalog import Catalog
from .errors import UsageError, did_you_mean
from .model import ID_MAX_LENGTH, Cohort, Programme
from .validation import VALIDATION_HINTS

KEYS = tuple(name for name in Cohort.model_fields)  # id, start, size, venue, language, days, dates, mix, exclude…
LIST_KEYS = ("exclude", "extra", "dates")
OPTIONAL_KEYS = ("language", "days", "mix")


def parse_settings(settings: Iterable[str]) -> list[tuple[str, str]]:
    """``["size=30", "mix.skills=40"]`` -> ``[("size", "30"), ("mix.skills", "40")]``; UsageError if malformed."""
    pairs = []
    for setting in settings:
        key, equals, value = setting.partition("=")
        key = key.strip()
        if not equals or not key:
            raise UsageError(f"--set {setting!r}: expected key=value", "e.g. --set size=30 or --set mix.skills=40")
        pairs.append((key, value.strip()))
    return pairs


def apply_settings(cohort: Cohort, settings: Iterable[str], base_mix: Mapping[str, float] | None = None,
                   catalog: Catalog | None = None) -> Cohort:
    """``cohort`` with ``settings`` applied and validated.

    ``base_mix`` is the mix that ``mix.<strand>=N`` starts from when the cohort has
    none (the programme's). With ``catalog``, strand and module ids are checked too.
    """
    settings = list(settings)
    strands = sorted(catalog.strands) if catalog is not None else None
    data: dict[str, Any] = cohort.model_dump()
    mix_changes: list[tuple[str, str, str]] = []  # (strand, value, setting as written)
    for key, value in parse_settings(settings):
        written = f"--set {key}={value}"
        if key.startswith("mix."):
            strand = key.removeprefix("mix.")
            _check_id(strand, strands, "strand", written)
            mix_changes.append((strand, value, written))
            continue
        if key not in KEYS:
            known = [*KEYS, *(f"mix.{s}" for s in strands or ())]
            raise UsageError(f"{written}: unknown cohort setting '{key}'",
                             did_you_mean(key, known) or f"settings: {', '.join(KEYS)}, mix.<strand>")
        if key in LIST_KEYS:
            ids = [part.strip() for part in value.split(",") if part.strip()]
            if key == "dates":  # the cohort's own dates: it starts on the first
                data["start"] = ids[0] if ids else data["start"]
            else:
                for module in ids:
                    _check_id(module, sorted(catalog.modules) if catalog is not None else None, "module", written)
            data[key] = ids
        elif key == "mix":
            data["mix"] = _parse_mix(value, written, strands) if value else None
            mix_changes = []  # a whole mix replaces earlier mix.<strand> settings
        elif key in OPTIONAL_KEYS and not value:
            data[key] = None
        else:
            data[key] = value
    if mix_changes:
        mix = dict(data["mix"] or base_mix or {})
        for strand, value, written in mix_changes:
            mix[strand] = _weight(value, written)
        total = sum(mix.values())
        if abs(total - 100) > 0.01:
            weights = ", ".join(f"{s} {w:g}" for s, w in mix.items())
            raise UsageError(f"{' '.join(w for *_, w in mix_changes)}: the strand weights add up to {total:g}, "
                             f"not 100 ({weights})",
                             f"change other weights by {100 - total:+g} in all, e.g. --set mix.<strand>=N")
        data["mix"] = mix
    try:
        return Cohort.model_validate(data)
    except ValidationError as error:
        raise _usage_error(error, settings) from None


def cohort_for(catalog: Catalog, programme: Programme, settings: Sequence[str] = (),
               start: str | None = None, base: Cohort | None = None) -> Cohort:
    """``base`` (default: the programme's cohort) with ``start`` (YYYY-MM-DD) and ``settings`` applied.

    Ids are checked against ``catalog``; with no settings, or settings that change nothing the pack depends
    on, ``base`` is returned as it is. A changed cohort gets a derived id (:func:`derived_id`) unless the
    settings give one (``id=``).
    """
    settings = [*([f"start={start}"] if start is not None else []), *settings]
    cohort = base if base is not None else programme.cohort
    if not settings:
        return cohort
    changed = apply_settings(cohort, settings, programme.mix, catalog)
    if any(key == "id" for key, _ in parse_settings(settings)):
        return changed
    if _effective(changed, programme) == _effective(cohort, programme):
        return cohort
    return changed.model_copy(update={"id": derived_id(cohort, changed, programme)})


def derived_id(base: Cohort, changed: Cohort, programme: Programme) -> str:
    """The id of ``changed``, made from ``base``: ``<base id>-<start as YYYYMMDD>`` when the start moved, and
    ``-<digest>`` (6 hex digits of the other changed fields' values) when anything else changed."""
    before, after = _effective(base, programme), _effective(changed, programme)
    others = {key: value for key, value in after.items() if key != "start" and before.get(key) != value}
    suffix = f"-{changed.start:%Y%m%d}" if changed.start != base.start else ""
    if others:
        text = json.dumps(others, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        suffix += "-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]
    return base.id[:ID_MAX_LENGTH - len(suffix)].rstrip("-") + suffix


def _effective(cohort: Cohort, programme: Programme) -> dict[str, Any]:
    """The cohort's fields but its id, with what it leaves to the programme (language, days, mix) filled in."""
    data = cohort.model_dump(mode="json", exclude={"id"})
    data["language"] = data["language"] or programme.language
    data["days"] = data["days"] or (None if cohort.dates else programme.days)
    data["mix"] = data["mix"] or (dict(programme.mix) if programme.mix else None)
    return data


def cohorts_of(catalog: Catalog, programme_id: str) -> list[Cohort]:
    """Every cohort of a programme: its own (``cohort:`` in its file) first, then its cohort files' in order
    of start and id. UsageError for an unknown programme."""
    programme = catalog.programme(programme_id)
    files = sorted(catalog.cohorts.get(programme.id, {}).values(), key=lambda c: (c.start, c.id))
    return [programme.cohort, *files]


def cohort_of(catalog: Catalog, programme_id: str, cohort_id: str) -> Cohort:
    """The cohort ``cohort_id`` of a programme (its own, or a cohort file's); UsageError with a did-you-mean
    for an unknown programme or cohort."""
    known = {cohort.id: cohort for cohort in cohorts_of(catalog, programme_id)}
    if cohort_id not in known:
        folder = (paths.COHORTS / programme_id).as_posix()
        raise UsageError(f"programme '{programme_id}' has no cohort '{cohort_id}'",
                         did_you_mean(cohort_id, known) or f"its cohorts: {', '.join(known)}; a new cohort is "
                         f"a file {folder}/{cohort_id}.yml")
    return known[cohort_id]


def read_cohort(path: Path) -> Cohort:
    """A cohort file (YAML: id, start, size, venue and optional overrides), read strictly and validated.

    Mistakes are a ContentError naming the file, line and field.
    """
    from .errors import ContentError
    from .validation import problems_from_validation
    from .yamlio import read_yaml

    doc = read_yaml(path)
    try:
        return Cohort.model_validate(doc.data)
    except ValidationError as error:
        raise ContentError(problems_from_validation(error, Cohort, doc.data, doc)) from None


MIX_SYNTAX = "mix=strand:weight,strand:weight, e.g. --set mix=party-building:30,industry:40,skills:30"
_MIX = re.compile(r"\s*[^\s:,]+\s*:\s*[^\s:,]+\s*(?:,\s*[^\s:,]+\s*:\s*[^\s:,]+\s*)*")


def _parse_mix(value: str, written: str, strands: Sequence[str] | None) -> dict[str, float]:
    if not _MIX.fullmatch(value) or "{" in value:
        raise UsageError(f"{written}: write the mix as strand:weight pairs", MIX_SYNTAX)
    mix: dict[str, float] = {}
    for part in value.split(","):
        strand, _, weight = part.partition(":")
        strand = strand.strip()
        _check_id(strand, strands, "strand", written)
        mix[strand] = _weight(weight.strip(), written)
    return mix


def _weight(value: str, written: str) -> float:
    try:
        weight = float(value)
    except ValueError:
        raise UsageError(f"{written}: '{value}' is not a weight", "write a percentage such as 40") from None
    if not 0 <= weight <= 100:
        raise UsageError(f"{written}: a weight is a percentage from 0 to 100, not {value}")
    return weight


def _check_id(value: str, known: Sequence[str] | None, kind: str, written: str) -> None:
    if known is not None and value not in known:
        raise UsageError(f"{written}: unknown {kind} '{value}'",
                         did_you_mean(value, known) or f"known {kind}s: {', '.join(known[:12])}")



def _usage_error(error: ValidationError, settings: Iterable[str]) -> UsageError:
    detail = error.errors(include_url=False)[0]
    field = str(detail["loc"][0]) if detail["loc"] else ""
    written = next((f"--set {s}" for s in reversed(list(settings)) if s.partition("=")[0].strip() == field),
                   f"cohort {field}")
    message = str(detail["msg"]).removeprefix("Value error, ")
    return UsageError(f"{written}: {field}: {message}", VALIDATION_HINTS.get(str(detail["type"]), ""))
