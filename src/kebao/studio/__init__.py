"""The design studio (设计工作室): edit a programme in JupyterLab and watch it take shape.

    state.py    drafts, the strand mix, validation and the preview (no widgets)
    choices.py  what the lists offer: programmes, audiences, strands, formats, modules
    suggest.py  a draft that cannot plan: the nearest workable plan and one-click suggestions
    save.py     round-trip YAML saving that keeps comments and key order, atomically
    views.py    the preview and the messages as HTML, the chart as PNG (no widgets)
    pack.py     a trial course pack from the saved programme
    controls.py the strand-mix sliders, the required modules' checkboxes, the pool rows (widgets)
    agenda.py   phases, venues and a split's groups edited as entries of a draft (no widgets)
    agenda_controls.py  a row per phase, venue and group (widgets)
    preview_pane.py  the preview pane: checks, chart, modules and timetable tabs (widgets)
    widgets.py  the ipywidgets UI that wires the above; ``open_studio`` is what the notebook calls

``notebooks/design_studio.ipynb`` calls ``open_studio(root, programme)``. The
widgets are imported only when the studio is opened, so the logic can be used
and tested without ipywidgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Studio", "open_studio"]

if TYPE_CHECKING:  # pragma: no cover
    from .widgets import Studio, open_studio


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'kebao.studio' has no attribute '{name}'")
