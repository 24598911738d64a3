"""The studio's agenda controls: a row per phase, per venue and per group of a split (ipywidgets).

:class:`AgendaEditor` holds them in ``.box`` and reports each change as a new draft through one callback
(the studio then redraws from it); :meth:`AgendaEditor.show` redraws from a draft without reporting.
The edits themselves are :mod:`kebao.studio.agenda`'s.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w

from ..catalog import Catalog
from ..labels import WEEKDAYS
from ..model import WEEKDAYS as WEEKDAY_IDS
from . import agenda, choices
from .controls import STYLE, WIDE
from .state import Draft

_BOX = w.Layout(border="1px solid #ddd", padding="4px", margin="2px 0")
_NONE = ("（班次地点）", "")


class AgendaEditor:
    """Phases (title, days, gap, mode, venue, modules), venues (name, address, closed weekdays) and groups."""

    def __init__(self, catalog: Catalog, on_change: Callable[[Draft], None]):
        self.catalog = catalog
        self.on_change = on_change
        self.draft: Draft | None = None
        self.phases: list[dict[str, Any]] = []
        self.venues: list[dict[str, Any]] = []
        self.groups: list[list[dict[str, Any]]] = []  # per split, per group
        self._quiet = False
        self.phase_box, self.venue_box, self.group_box = w.VBox(), w.VBox(), w.VBox()
        self.add_phase = w.Button(description="＋ 添加阶段")
        self.add_venue = w.Button(description="＋ 添加地点")
        self.add_split = w.Button(description="＋ 添加分组", tooltip="学员分成几组同时上各自的课，之后再合班")
        self.add_phase.on_click(lambda _: self._report(agenda.new_phase))
        self.add_venue.on_click(lambda _: self._report(agenda.new_venue))
        self.add_split.on_click(lambda _: self._report(agenda.new_split))
        self.box = w.VBox([w.HTML("<b>培训阶段 phases</b> <small>依次进行；列出模块的阶段只上这些模块，"
                                  "其余模块放在不列模块的阶段。</small>"), self.phase_box, self.add_phase,
                           w.HTML("<b>地点 venues</b>"), self.venue_box, self.add_venue,
                           w.HTML("<b>分组 splits</b> <small>各组学时相同，同时上课。</small>"), self.group_box,
                           self.add_split])

    def _report(self, edit: Callable[[Draft], Draft]) -> None:
        if self.draft is not None and not self._quiet:
            self.on_change(edit(self.draft))

    def show(self, draft: Draft) -> None:
        """Redraw every row from ``draft`` (no callback)."""
        self.draft = draft
        self._quiet = True
        try:
            audience = draft.get("audience")
            venues = [(str(v.get("name", {}).get("zh", v.get("id"))) if isinstance(v.get("name"), Mapping)
                       else str(v.get("id")), str(v.get("id"))) for v in agenda.entries(draft, "venues")]
            modules = choices.module_choices(self.catalog, audience if isinstance(audience, str) else None,
                                             keep=[str(m) for p in agenda.entries(draft, "phases")
                                                   for m in p.get("modules", []) or []])
            self.phases = [self._phase(i, p, venues, modules) for i, p in enumerate(agenda.entries(draft, "phases"))]
            self.venues = [self._venue(i, v) for i, v in enumerate(agenda.entries(draft, "venues"))]
            self.groups = [[self._group(s, g, group, venues, modules) for g, group in enumerate(
                split.get("groups", []) or []) if isinstance(group, Mapping)]
                for s, split in enumerate(agenda.entries(draft, "splits"))]
            self.phase_box.children = [row["box"] for row in self.phases]
            self.venue_box.children = [row["box"] for row in self.venues]
            self.group_box.children = [w.VBox([row["box"] for row in rows] + [self._add_group(s)], layout=_BOX)
                                       for s, rows in enumerate(self.groups)]
        finally:
            self._quiet = False

    # -- rows --------------------------------------------------------------------------

    def _phase(self, index: int, phase: Mapping[str, Any], venues: list[tuple[str, str]],
               modules: list[tuple[str, str]]) -> dict[str, Any]:
        title = _mapping(phase.get("title"))
        venue = str(phase.get("venue") or "")
        row: dict[str, Any] = {
            "title": w.Text(description="阶段名称", value=str(title.get("zh", "")), style=STYLE,
                            continuous_update=False),
            "days": w.IntText(description="天数", value=_whole(phase.get("days"), 1), style=STYLE,
                              continuous_update=False),
            "gap": w.IntText(description="间隔天数", value=_whole(phase.get("gap"), 0), style=STYLE,
                             continuous_update=False, tooltip="与上一阶段之间的日历天数"),
            "mode": w.Dropdown(description="方式", options=agenda.MODES, style=STYLE,
                               value=phase.get("mode") if phase.get("mode") in dict(agenda.MODES).values()
                               else "face-to-face"),
            "venue": w.Dropdown(description="地点", options=[_NONE, *venues], style=STYLE,
                                value=venue if venue in {v for _, v in venues} else ""),
            "modules": w.SelectMultiple(description="本阶段模块", rows=5, layout=WIDE, style=STYLE,
                                        options=modules, value=tuple(m for m in phase.get("modules", []) or []
                                                                     if m in {v for _, v in modules})),
            "remove": w.Button(description="删除此阶段", button_style="warning", icon="trash"),
        }
        fields = {"days": "days", "gap": "gap", "mode": "mode", "venue": "venue", "modules": "modules"}
        for key, name in fields.items():
            row[key].observe(functools.partial(self._on_field, "phases", index, name), names="value")
        row["title"].observe(functools.partial(self._on_title, "phases", index, "title", title), names="value")
        row["remove"].on_click(lambda _: self._report(lambda d: agenda.without_entry(d, "phases", index)))
        row["box"] = w.VBox([w.HBox([row["title"], row["mode"]]), w.HBox([row["days"], row["gap"], row["venue"]]),
                             row["modules"], row["remove"]], layout=_BOX)
        return row

    def _venue(self, index: int, venue: Mapping[str, Any]) -> dict[str, Any]:
        name = _mapping(venue.get("name"))
        closed = [d for d in venue.get("closed", []) or [] if d in WEEKDAY_IDS]
        row: dict[str, Any] = {
            "name": w.Text(description="名称", value=str(name.get("zh", "")), style=STYLE, continuous_update=False),
            "address": w.Text(description="地址", value=str(venue.get("address", "") or ""), layout=WIDE,
                              style=STYLE, continuous_update=False),
            "closed": w.SelectMultiple(description="闭馆日", rows=7, style=STYLE, value=tuple(closed),
                                       options=[(WEEKDAYS[i][0], day) for i, day in enumerate(WEEKDAY_IDS)]),
            "remove": w.Button(description="删除此地点", button_style="warning", icon="trash"),
        }
        row["name"].observe(functools.partial(self._on_title, "venues", index, "name", name), names="value")
        for key in ("address", "closed"):
            row[key].observe(functools.partial(self._on_field, "venues", index, key), names="value")
        row["remove"].on_click(lambda _: self._report(lambda d: agenda.without_entry(d, "venues", index)))
        row["box"] = w.VBox([w.HTML(f"<small>编号 {venue.get('id', '')}</small>"), row["name"], row["address"],
                             row["closed"], row["remove"]], layout=_BOX)
        return row

    def _group(self, split: int, index: int, group: Mapping[str, Any], venues: list[tuple[str, str]],
               modules: list[tuple[str, str]]) -> dict[str, Any]:
        title = _mapping(group.get("title"))
        venue = str(group.get("venue") or "")
        mine = [str(m) for m in group.get("modules", []) or []]
        options = [*modules, *((f"⚠ {m}", m) for m in mine if m not in {v for _, v in modules})]
        row: dict[str, Any] = {
            "title": w.Text(description="组名", value=str(title.get("zh", "")), style=STYLE, continuous_update=False),
            "venue": w.Dropdown(description="地点", options=[_NONE, *venues], style=STYLE,
                                value=venue if venue in {v for _, v in venues} else ""),
            "modules": w.SelectMultiple(description="本组模块", rows=5, layout=WIDE, style=STYLE, options=options,
                                        value=tuple(mine)),
            "remove": w.Button(description="删除此组", button_style="warning", icon="trash"),
        }

        def edit(changes: dict[str, Any]) -> None:
            self._report(lambda d: agenda.with_group(d, split, index, changes))

        row["title"].observe(lambda c: edit({"title": agenda.with_title(title, str(c["new"]))}), names="value")
        row["venue"].observe(lambda c: edit({"venue": c["new"]}), names="value")
        row["modules"].observe(lambda c: edit({"modules": list(c["new"])}), names="value")
        row["remove"].on_click(lambda _: self._report(lambda d: agenda.without_group(d, split, index)))
        row["box"] = w.VBox([w.HBox([row["title"], row["venue"]]), row["modules"], row["remove"]])
        return row

    def _add_group(self, split: int) -> Any:
        button = w.Button(description="＋ 添加一组")
        button.on_click(lambda _: self._report(lambda d: agenda.with_group(d, split, 10**6, {})))
        return button

    # -- changes ----------------------------------------------------------------------

    def _on_field(self, key: str, index: int, name: str, change: Mapping[str, Any]) -> None:
        value = change["new"]
        self._report(lambda d: agenda.with_entry(d, key, index, {name: list(value) if isinstance(value, tuple)
                                                                 else value}))

    def _on_title(self, key: str, index: int, name: str, before: Mapping[str, Any],
                  change: Mapping[str, Any]) -> None:
        self._report(lambda d: agenda.with_entry(d, key, index, {name: agenda.with_title(before, str(change["new"]))}))


def _whole(value: Any, default: int) -> int:
    return int(str(value)) if str(value).isdigit() else default


def _mapping(value: Any) -> dict[str, Any]:
    """A title or name mapping as written, or an empty one."""
    return dict(value) if isinstance(value, Mapping) else {}
