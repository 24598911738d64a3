"""What the studio shows, as HTML text and PNG bytes: pure functions of a Preview (no widgets).

Problems are listed the way ``kebao validate`` words them, led by the field's
Chinese name; a plan that cannot be made shows the engine's reason and hint.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..catalog import Catalog
from ..compose import Plan
from ..credits import credits_for
from ..errors import KebaoError, Problem
from ..labels import SLOTS, WEEKDAYS
from ..model import Programme
from ..schedule import Timetable
from .state import Preview, field_label

REASON_KINDS = {"site-visit": "现场教学", "required": "必修", "extra": "班次加选", "prerequisite": "先修",
                "chosen": "按配比选入"}
_TABLE = "border-collapse:collapse;font-size:13px;margin:4px 0"
_CELL = "border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top"
_NUMBER = "border:1px solid #ccc;padding:2px 6px;text-align:right"


def _e(text: object) -> str:
    return html.escape(str(text))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], numbers: frozenset[int] = frozenset()) -> str:
    head = "".join(f'<th style="{_CELL}">{_e(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f'<td style="{_NUMBER if i in numbers else _CELL}">{_e(c)}</td>'
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f'<table style="{_TABLE}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def box(kind: str, inner: str) -> str:
    """A coloured message box: kind is ok, error, warning, busy or info."""
    colours = {"ok": ("#E8F5E9", "#2E7D32"), "error": ("#FDECEA", "#B71C1C"), "warning": ("#FFF8E1", "#8D6E00"),
               "busy": ("#E3F2FD", "#0D47A1"), "info": ("#F5F5F5", "#424242")}
    background, border = colours.get(kind, colours["info"])
    return (f'<div class="kebao-studio-{kind}" style="background:{background};border-left:4px solid {border};'
            f'padding:6px 10px;margin:4px 0">{inner}</div>')


def problem_line(problem: Problem, root: Path | None = None) -> str:
    """'<b>天数 days</b>：Input should be …（建议：write a whole number）· curricula/programmes/x.yml'."""
    where = problem.location.file
    if root is not None:
        try:
            where = where.resolve().relative_to(Path(root).resolve())
        except ValueError:
            pass
    text = f"<b>{_e(field_label(problem.field) or '文件')}</b>：{_e(problem.message)}"
    if problem.hint:
        text += f"（建议：{_e(problem.hint)}）"
    return text + f' <span style="color:#777">· {_e(where.as_posix())}</span>'


def problems_html(problems: Sequence[Problem], root: Path | None = None) -> str:
    items = "".join(f"<li>{problem_line(p, root)}</li>" for p in problems)
    return box("error", f"<b>✖ 还有 {len(problems)} 处需要修改</b>（与 <code>kebao validate</code> 的检查相同）"
                        f"<ul style='margin:4px 0'>{items}</ul>")


def error_text(error: KebaoError) -> tuple[str, str]:
    """(message, hint) of an error: where and what, and what to do next."""
    where = f"{error.location}: " if error.location else ""
    return where + error.message + "".join(f"\n{line}" for line in error.details), error.hint


def plan_error_html(error: KebaoError) -> str:
    message, hint = error_text(error)
    advice = f"<br>建议：{_e(hint)}" if hint else ""
    return box("warning", f"<b>⚠ 内容有效，但无法编排课程：</b>{_e(message)}{advice}")


def preview_status_html(preview: Preview, root: Path | None = None) -> str:
    """The box above the preview: problems, the plan error, or a one-line summary with the plan's notes."""
    if preview.problems:
        return problems_html(preview.problems, root)
    if preview.plan_error is not None:
        return plan_error_html(preview.plan_error)
    if preview.plan is None or preview.programme is None:
        return box("info", "（无预览）")
    text = "<b>✔ 校验通过。</b>" + _e(summary(preview.programme, preview.plan))
    notes = preview.timetable.notes if preview.timetable is not None else preview.plan.notes
    if notes:
        text += "<ul style='margin:4px 0'>" + "".join(f"<li>提示：{_e(n)}</li>" for n in notes) + "</ul>"
    return box("ok", text)


def summary(programme: Programme, plan: Plan) -> str:
    credits = credits_for(plan.total_hours, programme.hours_per_credit)
    return (f"计划 {len(plan.items)} 个模块，共 {plan.total_hours:g} 学时（目标 {plan.target_hours:.4g} 学时，"
            f"日程最多可排 {plan.capacity:g} 学时），约 {credits} 学分；班次 {plan.cohort.id}，"
            f"{plan.cohort.start.isoformat()} 开班，{plan.days} 天。")


def hours_rows(catalog: Catalog, plan: Plan) -> list[tuple[str, str, float, float]]:
    """(strand id, label, target, planned) per strand, for the chart."""
    return [(s.id, s.name, s.target_hours, s.hours) for s in plan.strands]


def hours_png(catalog: Catalog, plan: Plan) -> bytes:
    """The 'planned vs target 学时 per strand' chart as PNG bytes (kebao.charts)."""
    from ..charts import hours_chart, png

    colours = {s.id: s.colour for s in catalog.strands.values()}
    return png(hours_chart(hours_rows(catalog, plan), colours, plan.language))


def hours_table_html(plan: Plan) -> str:
    rows: list[list[object]] = [[f"{s.name} ({s.id})", f"{s.target_hours:.4g}", f"{s.hours:g}", f"{s.error:+.4g}"]
                                for s in plan.strands]
    rows.append(["合计", f"{plan.target_hours:.4g}", f"{plan.total_hours:g}",
                 f"{plan.total_hours - plan.target_hours:+.4g}"])
    return table(["主题", "目标学时", "计划学时", "差额"], rows, frozenset({1, 2, 3}))


def modules_html(catalog: Catalog, plan: Plan) -> str:
    rows = []
    for number, item in enumerate(plan.items, 1):
        module = catalog.modules[item.module]
        strand = catalog.strands.get(item.strand)
        rows.append([number, module.title.zh, item.module, strand.name.zh if strand else item.strand,
                     f"{item.hours:g}", REASON_KINDS.get(item.kind, item.kind), item.reason])
    return table(["#", "课程模块", "编号", "主题", "学时", "类别", "编排理由"], rows, frozenset({0, 4}))


def timetable_html(catalog: Catalog, timetable: Timetable) -> str:
    rows: list[list[object]] = []
    for day in timetable.days:
        weekday = WEEKDAYS[day.date.weekday()][0]
        sessions = timetable.sessions_on(day.date)
        if not sessions:
            rows.append([day.date.isoformat(), weekday, "", "", day.label, "", ""])
        for session in sessions:
            title = catalog.modules[session.module].title.zh
            if session.parts > 1:
                title += f"（{session.part}/{session.parts}）"
            strand = catalog.strands.get(session.strand)
            rows.append([session.date.isoformat(), weekday, SLOTS[session.slot][0], f"{session.start}–{session.end}",
                         title, strand.name.zh if strand else session.strand, f"{session.hours:g}"])
    return table(["日期", "星期", "时段", "时间", "课程模块", "主题", "学时"], rows, frozenset({6}))


def link(path: Path, base: Path, text: str) -> str:
    """An HTML link to ``path`` relative to ``base`` (the notebook's folder), so JupyterLab opens it."""
    relative = Path(os.path.relpath(Path(path).resolve(), Path(base).resolve())).as_posix()
    download = " download" if relative.endswith(".zip") else ""
    return f'<a href="{_e(relative)}" target="_blank"{download}>{_e(text)}</a> <code>{_e(relative)}</code>'
