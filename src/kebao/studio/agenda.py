"""The studio's agenda edits, without widgets: phases, venues and a split's groups as list entries of a draft.

Each function returns a new :class:`~kebao.studio.state.Draft` (the same one when nothing changes). An
entry keeps its keys' order; a field set to ``""``, ``None`` or an empty list is left out, so a saved file
says only what the designer gave. A programme in phases takes its days from them: a draft that gives
``days`` beside phases gets the phases' sum, as ``kebao validate`` would ask.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .state import REMOVE, Draft, canonical

AGENDA_FIELDS = ("phases", "venues", "splits")
MODES = (("面授", "face-to-face"), ("线上直播", "live-online"), ("线上自学", "self-paced"), ("返岗实践", "at-work"))


def entries(draft: Draft, key: str) -> list[dict[str, Any]]:
    """The draft's list at ``key`` as mappings (anything else as an empty mapping)."""
    found = draft.get(key, default=[])
    return [dict(e) if isinstance(e, Mapping) else {} for e in (found if isinstance(found, list) else [])]


def _merged(entry: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    new = dict(entry)
    for name, value in changes.items():
        if value in ("", None) or (isinstance(value, list | tuple) and not value):
            new.pop(name, None)
        else:
            new[name] = list(value) if isinstance(value, tuple) else value
    return new


def _with_list(draft: Draft, key: str, items: list[dict[str, Any]]) -> Draft:
    if canonical(items) == canonical(draft.get(key)):
        return draft
    changed = draft.with_value((key,), items if items else REMOVE)
    schema = str(changed.get("schema", default=1))
    if items and schema.isdigit() and int(schema) < 2:
        changed = changed.with_value(("schema",), 2)  # phases, venues and splits are schema-2 fields
    if key == "phases" and items and changed.get("days") is not None:
        total = sum(int(days) for p in items if (days := str(p.get("days", ""))).isdigit())
        changed = changed.with_value(("days",), total)
    return changed


def with_entry(draft: Draft, key: str, index: int, changes: Mapping[str, Any]) -> Draft:
    """The draft with entry ``index`` of ``key`` (phases, venues) changed; an index past the end adds one."""
    items = entries(draft, key)
    if 0 <= index < len(items):
        items[index] = _merged(items[index], changes)
    else:
        items.append(_merged({}, changes))
    return _with_list(draft, key, items)


def without_entry(draft: Draft, key: str, index: int) -> Draft:
    items = entries(draft, key)
    if not 0 <= index < len(items):
        return draft
    del items[index]
    return _with_list(draft, key, items)


def new_id(draft: Draft, key: str, prefix: str) -> str:
    """An id for a new entry of ``key`` that no entry has: ``prefix-1``, ``prefix-2``…"""
    taken = {str(e.get("id")) for e in entries(draft, key)}
    return next(f"{prefix}-{n}" for n in range(1, len(taken) + 2) if f"{prefix}-{n}" not in taken)


def new_phase(draft: Draft) -> Draft:
    """A phase added at the end: a face-to-face day (its title for the designer to change)."""
    number = len(entries(draft, "phases")) + 1
    return with_entry(draft, "phases", number, {"id": new_id(draft, "phases", "phase"),
                                                "title": {"zh": f"第{number}阶段", "en": f"Phase {number}"},
                                                "days": 1})


def new_venue(draft: Draft) -> Draft:
    number = len(entries(draft, "venues")) + 1
    return with_entry(draft, "venues", number, {"id": new_id(draft, "venues", "venue"),
                                                "name": {"zh": f"地点{number}", "en": f"Venue {number}"}})


def with_group(draft: Draft, split: int, index: int, changes: Mapping[str, Any]) -> Draft:
    """The draft with group ``index`` of split ``split`` changed (an index past the end adds a group)."""
    splits = entries(draft, "splits")
    if not 0 <= split < len(splits):
        return draft
    groups = [dict(g) if isinstance(g, Mapping) else {} for g in splits[split].get("groups", []) or []]
    if 0 <= index < len(groups):
        groups[index] = _merged(groups[index], changes)
    else:
        taken = {str(g.get("id")) for g in groups}
        number = next(n for n in range(len(groups) + 1, 2 * len(groups) + 3) if f"group-{n}" not in taken)
        groups.append(_merged({"id": f"group-{number}", "title": {"zh": f"第{number}组", "en": f"Group {number}"}},
                              changes))
    splits[split] = {**splits[split], "groups": groups}
    return _with_list(draft, "splits", copy.deepcopy(splits))


def without_group(draft: Draft, split: int, index: int) -> Draft:
    splits = entries(draft, "splits")
    if not 0 <= split < len(splits):
        return draft
    groups = list(splits[split].get("groups", []) or [])
    if not 0 <= index < len(groups):
        return draft
    del groups[index]
    splits[split] = {**splits[split], "groups": groups}
    return _with_list(draft, "splits", splits)


def new_split(draft: Draft) -> Draft:
    """A split of two empty groups (the designer ticks each group's modules)."""
    split_id = new_id(draft, "splits", "split")
    groups = [{"id": f"group-{n}", "title": {"zh": f"第{n}组", "en": f"Group {n}"}, "modules": []} for n in (1, 2)]
    return _with_list(draft, "splits", [*entries(draft, "splits"),
                                        {"id": split_id, "title": {"zh": "分组", "en": "Groups"}, "groups": groups}])


def with_title(entry: Mapping[str, Any], zh: str) -> dict[str, Any]:
    """The entry's ``title`` (or a venue's ``name``) mapping with its Chinese changed, the English kept."""
    return {**(dict(entry) if isinstance(entry, Mapping) else {}), "zh": zh}
