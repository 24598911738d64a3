"""The studio's preview pane: the verdict of the checks above tabs with the hours chart, the modules and the timetable.

It only draws a :class:`kebao.studio.state.Preview` with :mod:`kebao.studio.views`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ipywidgets as w

from . import views
from .state import Preview, Suggestion
from .suggest import SHORT

PENDING = "<i>（修改上面的问题后显示）</i>"  # in a tab while the draft has problems


class PreviewPane:
    """The right-hand side of the studio, in ``.box``."""

    def __init__(self) -> None:
        self.status = w.HTML()
        self.suggestions = w.VBox()  # one button per suggestion, when the draft cannot be planned
        self.suggestion_buttons: list[w.Button] = []
        self.chart = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.hours_table = w.HTML()
        self.modules_table = w.HTML()
        self.timetable_table = w.HTML()
        self.tabs = w.Tab(children=[w.VBox([self.chart, self.hours_table]), self.modules_table,
                                    self.timetable_table])
        for index, title in enumerate(("学时 Hours", "模块 Modules", "课表 Timetable")):
            self.tabs.set_title(index, title)
        self.box = w.VBox([w.HTML("<h4 style='margin:8px 0 2px'>实时预览</h4>"), self.status, self.suggestions,
                           self.tabs],
                          layout=w.Layout(flex="1 1 480px"))

    def show(self, preview: Preview, root: Path, apply: Callable[[Suggestion], None] = lambda _: None) -> None:
        """Draw ``preview``: its problems or summary, its suggestions (a click calls ``apply``), and the
        chart and tables it has (a nearest plan's shortfall marked on the chart)."""
        self.status.value = views.preview_status_html(preview, root)
        self.suggestion_buttons = []
        for suggestion in preview.suggestions:
            button = w.Button(description=f"采用：{suggestion.change.render('zh', 'studio')}", icon="magic",
                              layout=w.Layout(width="auto", max_width="100%"), button_style="info")
            button.on_click(lambda _, chosen=suggestion: apply(chosen))
            self.suggestion_buttons.append(button)
        self.suggestions.children = self.suggestion_buttons
        if preview.plan is not None and preview.catalog is not None:
            mark = SHORT if preview.plan_error is not None else None
            self.chart.value = views.hours_png(preview.catalog, preview.plan, mark)
            self.hours_table.value = views.hours_table_html(preview.plan)
            self.modules_table.value = views.modules_html(preview.catalog, preview.plan)
        else:
            self.chart.value = b""
            self.hours_table.value = self.modules_table.value = PENDING
        if preview.timetable is not None and preview.catalog is not None:
            self.timetable_table.value = views.timetable_html(preview.catalog, preview.timetable)
        else:
            self.timetable_table.value = PENDING

    def show_failure(self, error: Exception) -> None:
        """Say that drawing failed (a bug): the rest of the pane is left as it was."""
        self.status.value = views.internal_error_html(error)
