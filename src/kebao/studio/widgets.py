"""The design studio's ipywidgets: they only wire :mod:`kebao.studio.state`, ``views``, ``save`` and ``pack``.

Every change of a widget makes a new draft and refreshes the preview (the
checks, the chart, the tables). Handlers never let an exception escape into
the notebook: KebaoErrors are shown in plain words, anything else as a short
"internal error" line.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import ipywidgets as w

from ..catalog import Catalog, load_catalog
from ..errors import ContentError, KebaoError
from . import choices, state, views
from .agenda_controls import AgendaEditor
from .controls import STYLE, WIDE, MixEditor, ModuleChecklist, PoolEditor
from .pack import generate_pack
from .preview_pane import PreviewPane
from .save import save_draft
from .state import REMOVE, Draft, Preview, Suggestion
from .suggest import preview

F = TypeVar("F", bound=Callable[..., None])


def _guarded(handler: F) -> F:
    """Show any error of a handler in the studio's message box instead of raising into the notebook."""

    @functools.wraps(handler)
    def run(self: Studio, *args: Any) -> None:
        if self._quiet:
            return
        try:
            handler(self, *args)
        except KebaoError as error:
            self.say(views.error_html(error, self.catalog.root))
        except Exception as error:  # noqa: BLE001 - the studio must not crash on any input; say what happened
            self.say(views.internal_error_html(error))

    return run  # type: ignore[return-value]


class Studio:
    """Open or start a programme, edit it with live preview, save it, and generate a trial pack."""

    def __init__(self, catalog: Catalog, programme: str = "", *, link_base: Path | None = None,
                 pack_out: Path | None = None, pack_notebook: Path | None = None):
        self.catalog = catalog
        self.link_base = link_base if link_base is not None else Path.cwd()
        self.pack_out = pack_out
        self.pack_notebook = pack_notebook
        self._quiet = False
        self.preview = Preview()
        self.history: list[Draft] = []  # earlier drafts of the open programme, for 撤销 (undo)
        self.failure: Exception | None = None  # an internal error of the last refresh (a bug), for open_studio
        self._build()
        ids = sorted(catalog.programmes)
        if programme or ids:
            self.open(programme or ids[0])
        else:
            self.draft = state.new_draft(catalog, "my-programme", "新培训项目")
            self._load_draft()

    # -- layout -----------------------------------------------------------------

    def _build(self) -> None:
        self._make_editor()
        self.pane = PreviewPane()
        # The pane's widgets, as the studio's own (tests and notebooks drive them by these names).
        self.status, self.chart, self.tabs = self.pane.status, self.pane.chart, self.pane.tabs
        self.hours_table, self.modules_table = self.pane.hours_table, self.pane.modules_table
        self.timetable_table = self.pane.timetable_table
        self.widget = self._layout()
        self._wire()

    def _make_editor(self) -> None:
        """The editing widgets, left of the preview."""
        text = functools.partial(w.Text, layout=WIDE, style=STYLE, continuous_update=False)
        self.picker = w.Dropdown(description="打开项目", options=choices.programme_choices(self.catalog), value=None,
                                 layout=WIDE, style=STYLE)
        self.reload_button = w.Button(description="↻ 重新读取", tooltip="重新读取仓库中的全部文件（放弃未保存的修改）")
        self.new_id = text(description="新项目编号", placeholder="例如 nev-class-2027（小写英文、数字、连字符）")
        self.new_title_zh = text(description="中文名称", placeholder="例如 新能源汽车技术专项培训班")
        self.new_title_en = text(description="英文名称", placeholder="e.g. NEV technology class")
        self.new_button = w.Button(description="＋ 新建项目", tooltip="以当前项目的设置为起点新建一个项目")
        self.title_zh = text(description="中文名称")
        self.title_en = text(description="英文名称")
        self.partner_zh = text(description="合作单位")
        self.partner_en = text(description="合作单位（英）")
        self.audience = w.Dropdown(description="培训对象", layout=WIDE, style=STYLE)
        self.days = w.IntText(description="天数", style=STYLE, continuous_update=False,
                              tooltip="日历天数：从第一天到最后一天，含报到、返程日和节假日")
        self.start = w.DatePicker(description="开班日期", style=STYLE)
        self.total_hours = text(description="总学时", placeholder="留空：按天数排满")
        self.mix_editor = MixEditor(self.catalog, self._on_mix)
        self.required = ModuleChecklist(self._on_required)
        self.pool_editor = PoolEditor(self.catalog, self._on_pool, self._on_remove_pool)
        self.add_pool_button = w.Button(description="＋ 添加选修来源")
        self.site_visits = w.HTML()
        self.agenda = AgendaEditor(self.catalog, self._on_agenda)
        self.undo_button = w.Button(description="↶ 撤销", tooltip="撤销上一步修改（可连续撤销）", disabled=True)
        self.save_button = w.Button(description="保存 Save", button_style="primary", icon="save")
        self.pack_button = w.Button(description="生成课包 Generate pack", button_style="success", icon="archive",
                                    layout=w.Layout(width="auto"))
        self.message = w.Output()  # rendered by JupyterLab's rendermime: relative links open files

    def _layout(self) -> Any:
        """The whole studio: the editor's sections beside the preview pane (they wrap on a narrow screen)."""
        def section(title: str, *children: Any) -> Any:
            return w.VBox([w.HTML(f"<h4 style='margin:8px 0 2px'>{title}</h4>"), *children])

        editor = w.VBox([
            section("项目", w.HBox([self.picker, self.reload_button]),
                    w.Accordion(children=[w.VBox([self.new_id, self.new_title_zh, self.new_title_en,
                                                  self.new_button])], titles=("新建项目 New programme",))),
            section("基本信息", self.title_zh, self.title_en, self.partner_zh, self.partner_en),
            section("对象与日程", self.audience, w.HBox([self.days, self.start]), self.total_hours),
            section("主题配比（%，合计始终为 100）", self.mix_editor.box),
            section("课程模块", w.HTML("<b>必修模块 required</b> <small>勾选即为必修；列表只含适合该培训对象的模块。"
                                       "</small>"),
                    self.required.box, w.HTML("<b>选修来源 pools</b>"), self.pool_editor.box, self.add_pool_button,
                    self.site_visits),
            section("阶段、地点与分组", self.agenda.box),
            w.HBox([self.undo_button, self.save_button, self.pack_button]), self.message,
        ], layout=w.Layout(flex="1 1 420px", padding="0 12px 0 0"))
        return w.VBox([w.HTML("<h3 style='margin:4px 0'>课包设计工作室 · Design studio</h3>"),
                       w.Box([editor, self.pane.box], layout=w.Layout(display="flex", flex_flow="row wrap"))])

    def _wire(self) -> None:
        """Each widget's change to its handler (the mix and pool editors call theirs themselves)."""
        self.picker.observe(self._on_pick, names="value")
        self.reload_button.on_click(self._on_reload)
        self.new_button.on_click(self._on_new)
        for widget, path in ((self.title_zh, ("title", "zh")), (self.title_en, ("title", "en")),
                             (self.partner_zh, ("partner", "zh")), (self.partner_en, ("partner", "en"))):
            widget.observe(functools.partial(self._on_text, path), names="value")
        self.audience.observe(self._on_audience, names="value")
        self.days.observe(self._on_days, names="value")
        self.start.observe(self._on_start, names="value")
        self.total_hours.observe(self._on_total_hours, names="value")
        self.add_pool_button.on_click(self._on_add_pool)
        self.undo_button.on_click(self._on_undo)
        self.save_button.on_click(self._on_save)
        self.pack_button.on_click(self._on_pack)

    def say(self, html_text: str) -> None:
        """Show a message (HTML) under the buttons; an output, so JupyterLab resolves its relative links."""
        self.message.outputs = ({"output_type": "display_data", "metadata": {},
                                 "data": {"text/html": html_text, "text/plain": views.plain_text(html_text)}},)

    @property
    def message_html(self) -> str:
        """The message shown under the buttons, as HTML ('' when there is none)."""
        return "".join(str(o.get("data", {}).get("text/html", "")) for o in self.message.outputs)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- opening ------------------------------------------------------------------

    def open(self, programme_id: str) -> None:
        """Open an existing programme (its saved file), discarding unsaved changes."""
        self.draft = state.open_draft(self.catalog, programme_id)
        self.history = []
        self._load_draft()

    def change(self, draft: Draft, *, redraw: bool = False) -> None:
        """Make ``draft`` the studio's, keeping the one before for 撤销; ``redraw`` sets every widget from it."""
        if draft is not self.draft:
            self.history.append(self.draft)
            self.draft = draft
        if redraw:
            self._load_draft()
        else:
            self.refresh()

    @_guarded
    def _on_undo(self, _: Any) -> None:
        if not self.history:
            return
        self.draft = self.history.pop()
        self._load_draft()
        self.say(views.box("info", "已撤销上一步修改。"))

    @_guarded
    def apply(self, suggestion: Suggestion) -> None:
        """Take a suggestion of the preview (its button's click): the draft changes, 撤销 undoes it."""
        self.change(suggestion.draft, redraw=True)
        self.say(views.box("info", f"已采用建议：{html.escape(suggestion.change.render('zh', 'studio'))}。"
                                   "可点击「↶ 撤销」恢复。"))

    def _load_draft(self) -> None:
        """Set every widget from the draft, quietly, then refresh the preview."""
        draft = self.draft
        self.mix_editor.catalog = self.pool_editor.catalog = self.agenda.catalog = self.catalog  # after a save
        self.undo_button.disabled = not self.history
        self._quiet = True
        try:
            self.picker.options = choices.programme_choices(self.catalog)
            self.picker.value = draft.id if draft.id in self.catalog.programmes and not draft.is_new else None
            for widget, path in ((self.title_zh, ("title", "zh")), (self.title_en, ("title", "en")),
                                 (self.partner_zh, ("partner", "zh")), (self.partner_en, ("partner", "en"))):
                widget.value = str(draft.get(*path, default="") or "")
            audience = str(draft.get("audience", default="") or "")
            self.audience.options = choices.audience_choices(self.catalog, audience)
            self.audience.value = audience if audience in [v for _, v in self.audience.options] else None
            self.days.value = state.whole(draft.get("days")) or 1
            self.start.value = state.date_of(draft.get("cohort", "start"))
            total = draft.get("total_hours")
            self.total_hours.value = "" if total is None else str(total)
            self.mix_editor.show(state.weights(draft))
            self._set_module_options()
            self._show_pools()
            self.site_visits.value = views.site_visits_html(draft.get("site_visits", default=[]))
            self.agenda.show(draft)
        finally:
            self._quiet = False
        self.refresh()

    # -- the mix --------------------------------------------------------------------

    @property
    def mix(self) -> dict[str, int]:
        """The weights the sliders show (strands at 0 % included)."""
        return self.mix_editor.mix

    @property
    def sliders(self) -> dict[str, Any]:
        return self.mix_editor.sliders

    @_guarded
    def _on_mix(self, mix: dict[str, int]) -> None:
        self.change(state.with_weights(self.draft, mix))

    # -- modules ----------------------------------------------------------------------

    def _set_module_options(self) -> None:
        audience = self.draft.get("audience")
        required = [str(m) for m in self.draft.get("required", default=[]) or []]
        self.required.show(choices.module_choices(self.catalog, audience, keep=required), required)

    def _show_pools(self) -> None:
        self.pool_editor.show(self.draft.get("pools", default=[]), self.draft.get("audience"))

    @_guarded
    def _on_required(self, ticked: Sequence[str]) -> None:
        self.change(state.with_list(self.draft, ("required",), ticked))

    @_guarded
    def _on_pool(self, index: int, strands: Sequence[str], modules: Sequence[str], formats: Sequence[str]) -> None:
        self.change(state.with_pool(self.draft, index, strands, modules, formats))

    @_guarded
    def _on_agenda(self, draft: Draft) -> None:
        self.change(draft, redraw=True)

    @_guarded
    def _on_add_pool(self, _: Any) -> None:
        self.change(state.with_pool(self.draft, len(self.pool_editor.rows), [s for s, v in self.mix.items() if v],
                                    [], []), redraw=True)

    @_guarded
    def _on_remove_pool(self, index: int) -> None:
        self.change(state.without_pool(self.draft, index), redraw=True)

    # -- simple fields ------------------------------------------------------------------

    @_guarded
    def _on_text(self, path: tuple[str, str], change: dict[str, Any]) -> None:
        self.change(self.draft.with_value(path, str(change["new"])))

    @_guarded
    def _on_audience(self, change: dict[str, Any]) -> None:
        self.change(self.draft.with_value(("audience",), change["new"] if change["new"] is not None else REMOVE),
                    redraw=True)

    @_guarded
    def _on_days(self, change: dict[str, Any]) -> None:
        self.change(self.draft.with_value(("days",), int(change["new"])))

    @_guarded
    def _on_start(self, change: dict[str, Any]) -> None:
        value = change["new"]
        self.change(self.draft.with_value(("cohort", "start"), value if value is not None else REMOVE))

    @_guarded
    def _on_total_hours(self, change: dict[str, Any]) -> None:
        text = str(change["new"]).strip()
        value: Any = REMOVE if not text else state.number_of(text)
        self.change(self.draft.with_value(("total_hours",), value))

    # -- project actions ------------------------------------------------------------------

    @_guarded
    def _on_pick(self, change: dict[str, Any]) -> None:
        if change["new"] is None:
            return
        dropped = self.draft.dirty
        self.open(change["new"])
        self.say(views.box("info", f"已打开 {html.escape(change['new'])}"
                                   + ("（未保存的修改已放弃）" if dropped else "")))

    @_guarded
    def _on_reload(self, _: Any) -> None:
        self.catalog = load_catalog(self.catalog.root)
        current = self.draft.id if self.draft.id in self.catalog.programmes else ""
        ids = sorted(self.catalog.programmes)
        if current or ids:
            self.open(current or ids[0])
        self.say(views.box("info", "已重新读取仓库中的文件。"))

    @_guarded
    def _on_new(self, _: Any) -> None:
        programme_id = self.new_id.value.strip()
        if not programme_id:
            self.say(views.box("error", "请先填写新项目编号"
                                        "（小写英文、数字和连字符，例如 nev-class-2027）。"))
            return
        self.draft = state.new_draft(self.catalog, programme_id, self.new_title_zh.value,
                                     self.new_title_en.value, template=self.draft)
        self.history = []
        self._load_draft()
        self.say(views.box("info", f"新项目 {html.escape(programme_id)}：已沿用原项目的对象、日程、配比、"
                                   "模块和班次；请填写合作单位，检查无误后点击「保存」。"))

    @_guarded
    def _on_save(self, _: Any) -> None:
        result = save_draft(self.catalog, self.draft)
        self.catalog = result.catalog
        self.open(self.draft.id)
        self.say(views.saved_html(result, self.link_base))

    @_guarded
    def _on_pack(self, _: Any) -> None:
        if not self.preview.ok:
            self.say(views.box("error", "当前项目还不能编排课程，请先按预览中的提示修改。"))
            return
        if self.draft.dirty:
            self.say(views.box("error", "有未保存的修改：课包按已保存的文件生成，请先点击「保存」。"))
            return
        self.pack_button.disabled = True
        self.pack_button.description = "生成中…"
        self.say(views.box("busy", "⏳ 正在生成课包（运行课包笔记本、导出 PDF，约需 10–20 秒）…"))
        try:
            pack = generate_pack(self.catalog.root, self.draft.id, out=self.pack_out, notebook=self.pack_notebook,
                                 catalog=self.catalog)
        except KebaoError as error:
            self.say(views.pack_failed_html(error, self.link_base))
            return
        finally:
            self.pack_button.disabled = False
            self.pack_button.description = "生成课包 Generate pack"
        self.say(views.pack_html(pack, self.link_base))

    # -- the preview ------------------------------------------------------------------

    def refresh(self) -> None:
        """Check the draft and redraw the preview (never raises)."""
        self.failure = None
        try:
            self.preview = preview(self.catalog, self.draft)
            self.pane.show(self.preview, self.catalog.root, self.apply)
        except Exception as error:  # noqa: BLE001 - the preview must not crash on any input
            self.failure = error
            self.preview = Preview()
            self.pane.show_failure(error)


def open_studio(root: str | Path = "..", programme: str = "", **options: Any) -> Any:
    """The studio for the repository at ``root`` (relative to the notebook), showing ``programme`` first.

    A repository whose content does not load shows its problems (as ``kebao
    validate`` lists them) instead of the studio; an unknown programme id raises
    UsageError with a did-you-mean. An internal error while showing the saved
    programme is a bug and is raised, so that a notebook run under papermill fails.
    """
    try:
        catalog = load_catalog(root)
    except ContentError as error:
        return w.HTML(views.box("error", "<b>仓库中的内容有错误，设计工作室无法打开。</b>请先修改下列问题（或运行 "
                                         "<code>kebao validate</code>），再重新运行本单元格。")
                      + views.problems_html(error.problems, Path(root)))
    if programme:
        catalog.programme(programme)
    studio = Studio(catalog, programme, **options)
    if studio.failure is not None:  # a saved programme the preview cannot show is a bug: fail the notebook run
        raise studio.failure
    return studio
