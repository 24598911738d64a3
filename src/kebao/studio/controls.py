"""Compound controls of the studio: the strand-mix sliders, the required modules' checkboxes, the pool rows.

Each holds its widgets in ``.box`` and reports a designer's change through a
callback; :meth:`show` redraws it from data without reporting anything.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as w

from ..catalog import Catalog
from . import choices, state

WIDE = w.Layout(width="100%")
STYLE = {"description_width": "7em"}


class MixEditor:
    """One slider per strand of the mix, always summing to 100 (see :func:`kebao.studio.state.rebalance`)."""

    def __init__(self, catalog: Catalog, on_change: Callable[[dict[str, int]], None]):
        self.catalog = catalog
        self.on_change = on_change
        self.mix: dict[str, int] = {}
        self.sliders: dict[str, Any] = {}
        self._quiet = False
        self.slider_box = w.VBox()
        self.total = w.HTML()
        self.add_strand = w.Dropdown(description="添加主题", style=STYLE)
        self.add_button = w.Button(description="添加", tooltip="把一个主题加入配比（从 0% 开始）")
        self.add_button.on_click(self._on_add)
        self.box = w.VBox([self.slider_box, self.total, w.HBox([self.add_strand, self.add_button])])

    def show(self, mix: Mapping[str, int]) -> None:
        """Redraw the sliders for ``mix`` (no callback)."""
        self.mix = dict(mix)
        self._quiet = True
        try:
            self.sliders = {}
            for strand, weight in self.mix.items():
                found = self.catalog.strands.get(strand)
                slider = w.IntSlider(value=weight, min=0, max=100, step=1, continuous_update=False, layout=WIDE,
                                     description=found.name.zh if found else f"⚠ {strand}", style=STYLE,
                                     tooltip=strand)
                slider.observe(functools.partial(self._on_slider, strand), names="value")
                self.sliders[strand] = slider
            self.slider_box.children = list(self.sliders.values())
            self.add_strand.options = [(label, s) for label, s in choices.strand_choices(self.catalog)
                                       if s not in self.mix]
            self.add_strand.value = None
        finally:
            self._quiet = False
        self.total.value = f"<small>合计 {sum(self.mix.values())}%</small>"

    def _on_slider(self, strand: str, change: Mapping[str, Any]) -> None:
        if self._quiet:
            return
        self._set(state.rebalance(self.mix, strand, int(change["new"])))

    def _set(self, mix: dict[str, int]) -> None:
        self.mix = mix
        self._quiet = True
        try:
            for strand, slider in self.sliders.items():
                slider.value = mix[strand]
        finally:
            self._quiet = False
        self.total.value = f"<small>合计 {sum(mix.values())}%</small>"
        self.on_change(mix)

    def _on_add(self, _: Any) -> None:
        strand = self.add_strand.value
        if not strand or strand in self.mix:
            return
        mix = {**self.mix, strand: 0} if self.mix else {strand: 100}
        self.show(mix)
        self.on_change(mix)


class PoolEditor:
    """One row per pool entry: strands, formats and listed modules, with a remove button."""

    def __init__(self, catalog: Catalog, on_change: Callable[[int, Sequence[str], Sequence[str], Sequence[str]], None],
                 on_remove: Callable[[int], None]):
        self.catalog = catalog
        self.on_change = on_change
        self.on_remove = on_remove
        self.rows: list[dict[str, Any]] = []
        self._quiet = False
        self.box = w.VBox()

    def show(self, pools: Any, audience: str | None) -> None:
        """Redraw the rows for the draft's ``pools`` (no callback); module lists suit ``audience``."""
        self._quiet = True
        try:
            self.rows = [self._row(index, pool if isinstance(pool, dict) else {}, audience)
                         for index, pool in enumerate(pools if isinstance(pools, list) else [])]
            self.box.children = [row["box"] for row in self.rows]
        finally:
            self._quiet = False

    def _row(self, index: int, pool: Mapping[str, Any], audience: str | None) -> dict[str, Any]:
        strands, modules, formats = ([str(v) for v in pool.get(key, []) or []]
                                     for key in ("strands", "modules", "formats"))
        strand_options = choices.strand_choices(self.catalog)
        strand_options += [(f"⚠ 未知主题 · {s}", s) for s in strands if s not in {v for _, v in strand_options}]
        format_options = choices.format_choices()
        format_options += [(f"⚠ {f}", f) for f in formats if f not in {v for _, v in format_options}]
        row: dict[str, Any] = {
            "strands": w.SelectMultiple(description="按主题", options=strand_options, value=tuple(strands),
                                        rows=5, style=STYLE),
            "formats": w.SelectMultiple(description="限定形式", options=format_options, value=tuple(formats),
                                        rows=5, style=STYLE, tooltip="不选：全部形式"),
            "modules": w.SelectMultiple(description="指定模块", rows=6, layout=WIDE, style=STYLE,
                                        options=choices.module_choices(self.catalog, audience, keep=modules),
                                        value=tuple(modules)),
            "remove": w.Button(description="删除此来源", button_style="warning", icon="trash"),
        }
        for key in ("strands", "formats", "modules"):
            row[key].observe(functools.partial(self._on_change, index), names="value")
        row["remove"].on_click(lambda _: self.on_remove(index))
        row["box"] = w.VBox([w.HTML(f"<small>选修来源 {index + 1}：按主题选入该主题下全部合适的模块，"
                                    "或指定模块（选修模块只能指定）</small>"),
                             w.HBox([row["strands"], row["formats"]]), row["modules"], row["remove"]],
                            layout=w.Layout(border="1px solid #ddd", padding="4px", margin="2px 0"))
        return row

    def _on_change(self, index: int, _: Mapping[str, Any]) -> None:
        if self._quiet:
            return
        row = self.rows[index]
        self.on_change(index, row["strands"].value, row["modules"].value, row["formats"].value)


class ModuleChecklist:
    """The required modules as checkboxes: a click adds or removes that module and no other.

    (A multiple-selection list dropped every other selection on a plain click.)
    ``value`` is the ticked ids, in the order the draft lists them and then in
    the order they were ticked; setting it ticks those and reports the change,
    as a designer's clicks would.
    """

    def __init__(self, on_change: Callable[[tuple[str, ...]], None]):
        self.on_change = on_change
        self.checkboxes: dict[str, Any] = {}
        self.order: list[str] = []  # the ticked ids in their order
        self._quiet = False
        self.box = w.VBox(layout=w.Layout(max_height="20em", overflow="auto", border="1px solid #ddd",
                                          padding="2px 4px"))

    @property
    def options(self) -> list[tuple[str, str]]:
        return [(box.description, module) for module, box in self.checkboxes.items()]

    def show(self, options: Sequence[tuple[str, str]], ticked: Sequence[str]) -> None:
        """Redraw the checkboxes for ``options`` (label, id), ``ticked`` ticked (no callback)."""
        self._quiet = True
        try:
            self.checkboxes = {}
            self.order = list(ticked)
            for label, module in options:
                box = w.Checkbox(value=module in ticked, description=label, indent=False,
                                 layout=w.Layout(width="100%"))
                box.observe(functools.partial(self._on_click, module), names="value")
                self.checkboxes[module] = box
            self.box.children = list(self.checkboxes.values())
        finally:
            self._quiet = False

    @property
    def value(self) -> tuple[str, ...]:
        return tuple(module for module in self.order if module in self.checkboxes and self.checkboxes[module].value)

    @value.setter
    def value(self, modules: Sequence[str]) -> None:
        self._quiet = True
        try:
            for module, box in self.checkboxes.items():
                box.value = module in modules
        finally:
            self._quiet = False
        self.order = [*(m for m in self.order if m in modules), *(m for m in modules if m not in self.order)]
        self.on_change(self.value)

    def _on_click(self, module: str, change: Mapping[str, Any]) -> None:
        if change["new"] and module not in self.order:
            self.order.append(module)
        elif not change["new"] and module in self.order:
            self.order.remove(module)
        if not self._quiet:
            self.on_change(self.value)

