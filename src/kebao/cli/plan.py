"""Compose and schedule a programme for a cohort, and show the plan and its timetable.

Prints the modules and why each is in, the 学时 per strand (target vs planned)
and the dated timetable; ``--format json`` prints the same as one JSON object.
Cohort parameters come from the programme's default cohort, changed with
``--start`` and ``--set key=value`` (repeatable; keys: id, start, size, venue,
language, days, mix.<strand>, mix, exclude, extra). Exit code 2 for an unknown
programme, a bad setting or a plan that cannot be made. A cohort on a year
without an official holiday arrangement yet is planned from the statutory
holidays and marked 暂定 (provisional); ``--strict-calendar`` refuses it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from kebao.catalog import Catalog
    from kebao.timetable import Timetable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("programme", help="the programme's id (its file name under curricula/programmes/)")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the curriculum repository (default: the current folder)")
    parser.add_argument("--start", metavar="YYYY-MM-DD", help="the cohort's first day (same as --set start=…)")
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                        help="change a cohort parameter, e.g. --set size=30 --set mix.skills=40 (repeatable)")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="'json' prints one object with the plan, strands and sessions")
    parser.add_argument("--strict-calendar", action="store_true",
                        help="refuse a plan on a year without the official holiday arrangement (暂定, provisional)")


def run(args: argparse.Namespace) -> int:
    from kebao.catalog import load_catalog
    from kebao.cohort import cohort_for
    from kebao.compose import compose
    from kebao.errors import UsageError
    from kebao.holidaydata import require_official
    from kebao.schedule import schedule

    catalog = load_catalog(args.root)
    programme = catalog.programme(args.programme)
    if args.start is not None:
        try:
            dt.date.fromisoformat(args.start)
        except ValueError:
            raise UsageError(f"--start {args.start}: not a date", "write it as YYYY-MM-DD, e.g. 2026-10-08") from None
    cohort = cohort_for(catalog, programme, args.settings, args.start)
    timetable = schedule(catalog, compose(catalog, programme, cohort))
    if args.strict_calendar:
        require_official(timetable.days, catalog.holidays)
    if args.format == "json":
        print(json.dumps(timetable.to_json_dict(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(render(catalog, timetable)))
    return 0


def render(catalog: Catalog, timetable: Timetable) -> list[str]:
    """The plan, hours per strand and timetable as aligned text lines."""
    from kebao.holidaydata import provisional_years
    from kebao.labels import label, provisional_note
    from kebao.packs.rows import timetable_rows

    plan = timetable.plan
    programme = catalog.programmes[plan.programme]
    cohort = plan.cohort
    lines = [f"{programme.title.zh} · {programme.title.en} ({programme.id})",
             f"班次 {cohort.id} · {cohort.start.isoformat()} 起 {plan.days} 天 · {cohort.size} 人 · {cohort.venue} · "
             f"language {plan.language} · {plan.timezone}", ""]
    provisional = provisional_years(timetable.days)
    if provisional:
        lines[-1:-1] = [provisional_note(provisional, "zh")]

    def strand_name(strand: str) -> str:
        found = catalog.strands.get(strand)
        return found.name.zh if found else strand

    lines.append(f"Plan: {len(plan.items)} modules, {plan.total_hours:g} 学时 (target {plan.target_hours:.4g})")
    lines += table(["#", "模块编号", "课程模块", "主题", "学时", "编排理由"],
                   [[str(n), i.module, catalog.modules[i.module].title.zh, strand_name(i.strand), f"{i.hours:g}",
                     i.reason] for n, i in enumerate(plan.items, 1)], right={0, 4})
    lines += ["", "Hours per strand"]
    rows = [[f"{strand_name(s.id)} ({s.id})", f"{s.target_hours:.4g}", f"{s.hours:g}", f"{s.error:+.4g}"]
            for s in plan.strands]
    rows.append(["合计 total", f"{plan.target_hours:.4g}", f"{plan.total_hours:g}",
                 f"{plan.total_hours - plan.target_hours:+.4g}"])
    lines += table(["主题", "目标学时", "计划学时", "差额"], rows, right={1, 2, 3})
    lines += [f"note: {note}" for note in timetable.notes]
    lines += ["", f"Timetable ({timetable.timezone})" + (f" · {label('provisional', 'zh')}" if provisional else "")]
    rows = []
    items = timetable_rows(catalog, programme, cohort.venue, timetable.items, "zh")
    for day in timetable.days:
        weekday = "一二三四五六日"[day.date.weekday()]
        today = [row for row in items if row.date == day.date]
        if not today:
            rows.append([day.date.isoformat(), f"周{weekday}", "", "", "", day.label, "", ""])
        for row in today:
            rows.append([row.date.isoformat(), f"周{weekday}", row.slot, row.start, row.end, row.title,
                         row.strand_label or row.format_label, f"{row.hours:g}" if row.module or row.hours else ""])
    lines += table(["日期", "星期", "时段", "开始", "结束", "课程模块", "主题", "学时"], rows, right={7})
    return lines


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int] | frozenset[int] = frozenset()
          ) -> list[str]:
    """Rows aligned in columns two spaces apart; columns in ``right`` are right-aligned."""
    widths = [max(width(str(r[c])) for r in [headers, *rows]) for c in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        out = []
        for c, cell in enumerate(cells):
            gap = " " * (widths[c] - width(cell))
            out.append(gap + cell if c in right else cell + gap)
        return "  ".join(out).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]
