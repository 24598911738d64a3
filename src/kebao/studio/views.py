"""What the studio shows, as HTML text and PNG bytes: pure functions of a Preview, a save or a pack (no widgets).

Problems are listed as ``kebao validate`` finds them, led by the field's
Chinese name and said in Chinese; a plan that cannot be made shows the engine's
reason and advice, and which plan the preview shows instead.
The messages under the buttons (saved, pack generated, errors) are made here too.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..catalog import Catalog
from ..compose import Plan
from ..credits import credits_for
from ..errors import ContentError, KebaoError, PlanError, Problem
from ..holidaydata import provisional_years
from ..labels import REASON_KINDS, WEEKDAYS, label, provisional_note
from ..messages import Message
from ..model import Programme
from ..packs.rows import self_paced_rows, timetable_rows
from ..plan import span_of
from ..timetable import Timetable
from .state import Preview, field_label

if TYPE_CHECKING:  # pragma: no cover
    from .pack import StudioPack
    from .save import SaveResult

_TABLE = "border-collapse:collapse;font-size:13px;margin:4px 0"
_CELL = "border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top"
_NUMBER = "border:1px solid #ccc;padding:2px 6px;text-align:right"


def _e(text: object) -> str:
    return html.escape(str(text))


def plain_text(html_text: str) -> str:
    """The text of some HTML, tags dropped (a message's text/plain form)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", html_text)).strip()


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
    """'<b>天数 days</b>：应为整数，现在是“三十”（建议：填一个整数）· curricula/programmes/x.yml'.

    Said in Chinese from the problem's messages (the studio's words, no command-line flags); a problem
    without them (a YAML syntax error…) keeps the English of ``kebao validate``.
    """
    where = problem.location.file
    if root is not None:
        try:
            where = where.resolve().relative_to(Path(root).resolve())
        except ValueError:
            pass
    message, hint = problem.said("zh", "studio")
    text = f"<b>{_e(field_label(problem.field) or '文件')}</b>：{_e(message)}"
    if hint:
        text += f"（建议：{_e(hint)}）"
    return text + f' <span style="color:#777">· {_e(where.as_posix())}</span>'


def problems_html(problems: Sequence[Problem], root: Path | None = None) -> str:
    items = "".join(f"<li>{problem_line(p, root)}</li>" for p in problems)
    return box("error", f"<b>✖ 还有 {len(problems)} 处需要修改</b>（与 <code>kebao validate</code> 的检查相同）"
                        f"<ul style='margin:4px 0'>{items}</ul>")


def error_text(error: KebaoError) -> tuple[str, str]:
    """(message, hint) of an error: where and what, and what to do next."""
    where = f"{error.location}: " if error.location else ""
    return where + error.message + "".join(f"\n{line}" for line in error.details), error.hint


def error_html(error: KebaoError, root: Path | None = None) -> str:
    """A designer's action that failed: a content error's problems, or the message and its hint."""
    if isinstance(error, ContentError):
        return problems_html(error.problems, root)
    message, hint = error_text(error)
    return box("error", f"<b>✖</b> {_e(message)}" + (f"<br>建议：{_e(hint)}" if hint else ""))


def internal_error_html(error: BaseException) -> str:
    """An error that is a bug in kebao, named so that it can be reported."""
    return box("error", f"<b>内部错误（请报告）：</b>{_e(type(error).__name__)}: {_e(error)}")


def plan_error_html(error: KebaoError, nearest: Message | None = None) -> str:
    """Why the draft cannot be planned, what would help, and which plan the preview shows instead."""
    message, hint = error.render("zh", "studio") if isinstance(error, PlanError) else error_text(error)
    advice = f"<br>建议：{_e(hint)}" if hint else ""
    shown = f"<br><b>{_e(nearest.render('zh', 'studio'))}</b>" if nearest is not None else ""
    return box("warning", f"<b>⚠ 内容有效，但按当前设置无法编排课程：</b>{_e(message)}{advice}{shown}")


def preview_status_html(preview: Preview, root: Path | None = None) -> str:
    """The box above the preview: problems, the plan error, or a one-line summary with the plan's notes."""
    if preview.problems:
        return problems_html(preview.problems, root)
    if preview.plan_error is not None:
        return plan_error_html(preview.plan_error, preview.nearest)
    if preview.plan is None or preview.programme is None:
        return box("info", "（无预览）")
    text = "<b>✔ 校验通过。</b>" + _e(summary(preview.programme, preview.plan))
    if preview.plan.provisional:  # a year without the official holiday arrangement yet
        text += f"<br><b>{_e(provisional_note(provisional_years(preview.plan.layout.days), 'zh'))}</b>"
    notes = preview.timetable.notes if preview.timetable is not None else preview.plan.notes
    if notes:
        text += "<ul style='margin:4px 0'>" + "".join(f"<li>提示：{_e(n.render('zh', 'studio'))}</li>"
                                                      for n in notes) + "</ul>"
    return box("ok", text)


def summary(programme: Programme, plan: Plan) -> str:
    credits = credits_for(plan.total_hours, programme.hours_per_credit)
    return (f"计划 {len(plan.items)} 个模块，共 {plan.total_hours:g} 学时（目标 {plan.target_hours:.4g} 学时，"
            f"日程最多可排 {plan.capacity:g} 学时），约 {credits} 学分；班次 {plan.cohort.id}，"
            f"{span_of(programme, plan).render('zh', 'studio')}。")


def hours_rows(plan: Plan) -> list[tuple[str, str, float, float]]:
    """(strand id, label, target, planned) per strand, for the chart."""
    return [(s.id, s.name, s.target_hours, s.hours) for s in plan.strands]


def hours_png(catalog: Catalog, plan: Plan, mark_short: float | None = None) -> bytes:
    """The 'planned vs target 学时 per strand' chart as PNG bytes (kebao.charts); ``mark_short``: mark a
    strand more than this many 学时 short of its target (the nearest plan of a draft that cannot plan)."""
    from ..charts import hours_chart, png

    colours = {s.id: s.colour for s in catalog.strands.values()}
    return png(hours_chart(hours_rows(plan), colours, "zh", mark_short))


def hours_table_html(plan: Plan) -> str:
    rows: list[list[object]] = [[f"{s.name} ({s.id})", f"{s.target_hours:.4g}", f"{s.hours:g}", f"{s.error:+.4g}"]
                                for s in plan.strands]
    rows.append(["合计", f"{plan.target_hours:.4g}", f"{plan.total_hours:g}",
                 f"{plan.total_hours - plan.target_hours:+.4g}"])
    return table(["主题", "目标学时", "计划学时", "差额"], rows, frozenset({1, 2, 3}))


def modules_html(catalog: Catalog, plan: Plan) -> str:
    rows = []
    for number, item in enumerate(plan.taught, 1):
        module = catalog.modules[item.module]
        strand = catalog.strands.get(item.strand)
        rows.append([number, module.title.zh, item.module, strand.name.zh if strand else item.strand,
                     f"{item.hours:g}", REASON_KINDS[item.kind][0], item.reason.render("zh", "studio")])
    return table(["#", "课程模块", "编号", "主题", "学时", "类别", "编排理由"], rows, frozenset({0, 4}))


def timetable_html(catalog: Catalog, timetable: Timetable) -> str:
    programme = catalog.programmes[timetable.plan.programme]
    items = timetable_rows(catalog, programme, timetable.plan.cohort.venue, timetable.items, "zh",
                           phases=timetable.phases)
    rows: list[list[object]] = []
    for day in timetable.days:
        weekday = WEEKDAYS[day.date.weekday()][0]
        today = [row for row in items if row.date == day.date]
        if not today:
            rows.append([day.date.isoformat(), weekday, "", "", day.label, "", "", ""])
        for row in today:
            rows.append([row.date.isoformat(), weekday, row.slot, f"{row.start}–{row.end}", row.title,
                         row.strand_label or row.format_label, f"{row.hours:g}" if row.module or row.hours else "",
                         row.location])
    shown = table(["日期", "星期", "时段", "时间", "课程模块", "主题", "学时", "地点"], rows, frozenset({6}))
    self_paced = self_paced_rows(catalog, programme, timetable.self_paced, "zh")
    if self_paced:
        shown += f"<h4>{_e(label('section_self_paced', 'zh'))}</h4>" + table(
            ["课程模块", "主题", "学时", "开放", "截止"],
            [[r.title, r.strand_label, f"{r.hours:g}", r.opens.isoformat(), r.due.isoformat()] for r in self_paced],
            frozenset({2}))
    return shown


def link(path: Path, base: Path, text: str) -> str:
    """An HTML link to ``path`` relative to ``base`` (the notebook's folder), so JupyterLab opens it."""
    relative = Path(os.path.relpath(Path(path).resolve(), Path(base).resolve())).as_posix()
    download = " download" if relative.endswith(".zip") else ""
    return f'<a href="{_e(relative)}" target="_blank"{download}>{_e(text)}</a> <code>{_e(relative)}</code>'


def site_visits_html(visits: Any) -> str:
    """The draft's site visits and their days, read-only ('' when there are none)."""
    if not visits:
        return ""
    days = "、".join(f"{v.get('module')}（{_visit_day(v.get('day'))}）" for v in visits if isinstance(v, Mapping))
    return f"<small>现场教学（在文件的 site_visits 中编辑）：{_e(days)}</small>"


def _visit_day(day: Any) -> str:
    """'last' -> 最后一个教学日, 3 -> 第 3 个教学日 (as compose places it)."""
    if day is None or day == "last":
        return "最后一个教学日"
    return "第一个教学日" if day == "first" else f"第 {day} 个教学日"


def saved_html(result: SaveResult, base: Path) -> str:
    """What Save did, with a link to the file: created, saved (and the diff) or unchanged, and any warning."""
    relative = link(result.file, base, result.file.name)
    if result.changed and result.created:
        text = f"<b>✔ 已新建</b> {relative}（带字段说明注释）"
    elif result.changed:
        diff = _e("\n".join(result.diff))
        text = (f"<b>✔ 已保存</b> {relative}（只改动了变化的字段，注释和顺序保持不变）"
                f"<details><summary>查看改动</summary><pre>{diff}</pre></details>")
    else:
        text = f"<b>✔ 没有改动</b>，文件保持原样：{relative}"
    for warning in result.warnings:
        text += f"<br>⚠ {_e(warning)}"
    return box("warning" if result.warnings else "ok", text)


def pack_html(pack: StudioPack, base: Path) -> str:
    """Links to a generated pack's zip, handbook and trainer guide."""
    fresh = "（内容未变，沿用已有课包）" if pack.outcome.status == "fresh" else ""
    return box("ok", f"<b>✔ 课包已生成{fresh}</b><br>"
                     f"压缩包：{link(pack.zip, base, pack.zip.name)}<br>"
                     f"学员手册：{link(pack.handbook, base, '学员手册')}<br>"
                     f"培训师指南：{link(pack.trainer_guide, base, '培训师指南')}")


def pack_failed_html(error: KebaoError, base: Path) -> str:
    """Why a pack failed, with a link to the failed notebook when one was kept for debugging."""
    message, hint = error_text(error)
    kept = getattr(error, "output", None)
    return box("error", f"<b>✖ 课包生成失败：</b>{_e(message)}" + (f"<br>建议：{_e(hint)}" if hint else "")
               + (f"<br>失败的笔记本：{link(kept, base, kept.name)}" if isinstance(kept, Path) else ""))
