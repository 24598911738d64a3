"""Compose and schedule a programme for a cohort, and show the plan and its timetable.

Prints the modules and why each is in, the 学时 per strand (target vs planned)
and the dated timetable; ``--format json`` prints the same as one JSON object.
Cohort parameters come from the programme's default cohort, changed with
``--start`` and ``--set key=value`` (repeatable; keys: id, start, size, venue,
language, days, dates, mix.<strand>, mix, exclude, extra). Exit code 2 for an unknown
programme, a bad setting or a plan that cannot be made. A cohort on a year
without an official holiday arrangement yet is planned from the statutory
holidays and marked 暂定 (provisional); ``--strict-calendar`` refuses it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from kebao.catalog import Catalog
    from kebao.labels import Language
    from kebao.model import Programme
    from kebao.timetable import PhaseSpan, Timetable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("programme", help="the programme's id (its file name under curricula/programmes/)")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the curriculum repository (default: the current folder)")
    parser.add_argument("--start", metavar="YYYY-MM-DD", help="the cohort's first day (same as --set start=…)")
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                        help="change a cohort parameter, e.g. --set size=30 --set mix.skills=40 (repeatable)")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="'json' prints one object with the plan, strands and sessions")
    parser.add_argument("--lang", choices=("zh", "en"),
                        help="the language of the plan's words (default: the cohort's, else the programme's)")
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
    settings = [*args.settings, *([f"language={args.lang}"] if args.lang else [])]
    cohort = cohort_for(catalog, programme, settings, args.start)
    timetable = schedule(catalog, compose(catalog, programme, cohort))
    if args.strict_calendar:
        require_official(timetable.days, catalog.holidays, timetable.plan.language)
    if args.format == "json":
        print(json.dumps(timetable.to_json_dict(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(render(catalog, timetable)))
    return 0


def render(catalog: Catalog, timetable: Timetable) -> list[str]:
    """The plan, hours per strand and timetable as aligned text lines, in the plan's language."""
    from kebao.holidaydata import provisional_years
    from kebao.labels import label, provisional_note
    from kebao.plan import span_of

    plan = timetable.plan
    lang = plan.language
    programme = catalog.programmes[plan.programme]
    cohort = plan.cohort
    words = {key: label(key, lang) for key in ("module", "title", "strand", "hours", "reason", "target", "planned",
                                               "difference", "total", "date", "weekday", "slot", "start", "end")}
    other: Language = "en" if lang == "zh" else "zh"
    lines = [f"{programme.title.in_language(lang)} · {programme.title.in_language(other)} ({programme.id})",
             label("plan_cohort", lang).format(cohort=cohort.id, span=span_of(programme, plan).render(lang),
                                               size=cohort.size, venue=cohort.venue, timezone=plan.timezone), ""]
    provisional = provisional_years(timetable.days)
    if provisional:
        lines[-1:-1] = [provisional_note(provisional, lang)]

    def strand_name(strand: str) -> str:
        found = catalog.strands.get(strand)
        return found.name.in_language(lang) if found else strand

    lines.append(label("plan_summary", lang).format(modules=len(plan.taught), hours=f"{plan.total_hours:g}",
                                                    target=f"{plan.target_hours:.4g}"))
    lines += table(["#", words["module"], words["title"], words["strand"], words["hours"], words["reason"]],
                   [[str(n), i.module, catalog.modules[i.module].title.in_language(lang), strand_name(i.strand),
                     f"{i.hours:g}", i.reason.render(lang)] for n, i in enumerate(plan.taught, 1)], right={0, 4})
    lines += ["", label("section_strands", lang)]
    rows = [[f"{strand_name(s.id)} ({s.id})", f"{s.target_hours:.4g}", f"{s.hours:g}", f"{s.error:+.4g}"]
            for s in plan.strands]
    rows.append([words["total"], f"{plan.target_hours:.4g}", f"{plan.total_hours:g}",
                 f"{plan.total_hours - plan.target_hours:+.4g}"])
    lines += table([words["strand"], words["target"], words["planned"], words["difference"]], rows, right={1, 2, 3})
    lines += [label("plan_note", lang).format(note=note.render(lang)) for note in timetable.notes]
    lines += ["", label("plan_timetable", lang).format(timezone=timetable.timezone)
              + (f" · {label('provisional', lang)}" if provisional else "")]
    lines += _timetable_lines(catalog, timetable, words, strand_name)
    return lines


def _timetable_lines(catalog: Catalog, timetable: Timetable, words: dict[str, str],
                     strand_name: Callable[[str], str]) -> list[str]:
    """The dated timetable (a row where each phase begins) and the self-paced items with their dates."""
    from kebao.labels import WEEKDAYS, label, pick
    from kebao.packs.rows import timetable_rows

    plan = timetable.plan
    lang = plan.language
    programme = catalog.programmes[plan.programme]
    lines: list[str] = []
    rows = []
    items = timetable_rows(catalog, programme, plan.cohort.venue, timetable.items, lang, phases=timetable.phases)
    spans = list(timetable.phases)
    for day in timetable.days:
        while spans and spans[0].first <= day.date:  # a phase begins: its name, dates and venue
            rows.append(["", "", "", "", "", _phase_line(programme, spans.pop(0), lang), "", ""])
        weekday = pick(WEEKDAYS[day.date.weekday()], lang)
        today = [row for row in items if row.date == day.date]
        if not today:
            rows.append([day.date.isoformat(), weekday, "", "", "", day.label_in(lang), "", ""])
        for row in today:
            rows.append([row.date.isoformat(), weekday, row.slot, row.start, row.end, row.title,
                         row.strand_label or row.format_label, f"{row.hours:g}" if row.module or row.hours else ""])
    rows += [["", "", "", "", "", _phase_line(programme, span, lang), "", ""] for span in spans]
    lines += table([words[k] for k in ("date", "weekday", "slot", "start", "end", "title", "strand", "hours")], rows,
                   right={7})
    if timetable.self_paced:
        lines += ["", label("plan_self_paced", lang)]
        lines += table([words["module"], words["title"], words["strand"], words["hours"], label("opens", lang),
                        label("due", lang)],
                       [[s.module, catalog.modules[s.module].title.in_language(lang), strand_name(s.strand),
                         f"{s.hours:g}", s.opens.isoformat(), s.due.isoformat()] for s in timetable.self_paced],
                       right={3})
    return lines


def _phase_line(programme: Programme, span: PhaseSpan, language: Language) -> str:
    """'【基地研修】2026-10-19 至 2026-10-30 · 面授 · 基地学校' for the row where a phase begins."""
    from kebao.labels import PHASE_MODES, label, pick

    phase = next(p for p in programme.phases if p.id == span.phase)
    venue = next((v for v in programme.venues if v.id == span.venue), None)
    where = f" · {pick(PHASE_MODES[span.mode], language)}" + (f" · {venue.name.in_language(language)}" if venue
                                                              else "")
    return label("phase_line", language).format(phase=phase.title.in_language(language), first=span.first.isoformat(),
                                                last=span.last.isoformat(), where=where)


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
