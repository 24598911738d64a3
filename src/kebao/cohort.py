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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .catalog import Catalog
from .errors import UsageError, did_you_mean
from .model import Cohort, Programme
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

    Ids are checked against ``catalog``; with no settings the cohort is returned as it is.
    """
    settings = [*([f"start={start}"] if start is not None else []), *settings]
    cohort = base if base is not None else programme.cohort
    return apply_settings(cohort, settings, programme.mix, catalog) if settings else cohort


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
