"""What the course-pack notebook shows: headings, tables, figures, module pages and case readings.

Each function takes a PackContext and returns something a notebook displays
(Markdown text, a DataFrame, a matplotlib Figure, PNG bytes); the notebook
itself holds no decisions and writes no files (the pack's files are written
from the decided pack and the executed notebook: :mod:`kebao.packs.files`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .. import charts
from ..compose import number
from ..content import for_edition
from ..credits import credits_for
from ..labels import FORMATS, label, pick
from ..sanitize import escape_markdown as _t
from ..timetable import Session
from .context import PackContext
from .rows import credit_rows, timetable_rows

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    from matplotlib.figure import Figure

# Outputs carrying this tag are left out of the participant handbook (templates/nbconvert/kebao-pack marks them).
TRAINER_TAG = "trainer"
# Output metadata naming a displayed figure: the pack's figures/<name>.png is that output's PNG (packs/files.py).
FIGURE_KEY = "kebao-figure"
_CODE_CELL = re.compile(r"^```\{code-cell\}.*?^```[ \t]*$\n?", re.M | re.S)
_MYST_DIRECTIVE_LINE = re.compile(r"^:{3,}\s*$|^:{3,}\{[^}]*\}.*$", re.M)


def _l(ctx: PackContext, key: str) -> str:
    return label(key, ctx.language)


def heading(ctx: PackContext, section: str) -> str:
    """A section heading in the pack's language (sections: strands, timetable, coverage, modules, cases, credits)."""
    return f"# {_l(ctx, 'section_' + section)}"


def html_table(frame: pandas.DataFrame, kind: str = "") -> str:
    """A plain, deterministic HTML table (pandas' Styler adds random ids); ``kind`` adds a CSS class."""
    classes = ["kebao-table", kind] if kind else ["kebao-table"]
    return str(frame.to_html(index=False, border=0, classes=classes, escape=True))


def credit_table(ctx: PackContext) -> pandas.DataFrame:
    """Module, 学时 and 学分 as the credit record lists them."""
    import pandas as pd

    planned = [(item.module, item.hours) for item in ctx.plan.items]
    rows = credit_rows(ctx.catalog, ctx.programme, planned, ctx.language)
    return pd.DataFrame([[r.title, r.strand_label, number(r.hours), f"{r.credits}"] for r in rows],
                        columns=[_l(ctx, c) for c in ("title", "strand", "hours", "credits")])


def overview(ctx: PackContext) -> str:
    """The pack's cover: programme, partner, audience, dates, venue, hours and credits."""
    p, c, lang = ctx.programme, ctx.cohort, ctx.language
    audience = ctx.catalog.audiences[p.audience].name.in_language(lang)
    hours = ctx.timetable.total_hours
    rows = [(_l(ctx, "partner"), _t(p.partner.in_language(lang))), (_l(ctx, "audience"), _t(audience)),
            (_l(ctx, "cohort"), _t(ctx.cohort_label)), (_l(ctx, "size"), str(c.size)),
            (_l(ctx, "hours"), f"{number(hours)}"),
            (_l(ctx, "credits"), f"{credits_for(hours, p.hours_per_credit)}")]
    facts = "\n".join(f"- **{k}**：{v}" for k, v in rows)
    summary = f"\n{_t(p.summary.strip())}\n" if p.summary.strip() else ""
    outcomes = ""
    if p.outcomes:
        outcomes = f"\n**{_l(ctx, 'outcomes')}**\n\n" + "\n".join(
            f"{n}. {_t(o.text)}" for n, o in enumerate(p.outcomes, start=1)) + "\n"
    return f"# {_t(ctx.title)}\n{summary}\n{facts}\n{outcomes}"


def strand_table(ctx: PackContext) -> pandas.DataFrame:
    """Target vs planned 学时 per strand."""
    import pandas as pd

    rows = [{_l(ctx, "strand"): ctx.catalog.strands[s.id].name.in_language(ctx.language),
             _l(ctx, "target"): number(s.target_hours), _l(ctx, "planned"): number(s.hours)}
            for s in ctx.plan.strands]
    return pd.DataFrame(rows)


def timetable_table(ctx: PackContext) -> pandas.DataFrame:
    """The timetable as trainers read it."""
    import pandas as pd

    rows = timetable_rows(ctx.catalog, ctx.programme, ctx.cohort.venue, ctx.timetable.items, ctx.language)
    columns = ("date", "weekday", "slot", "start", "end", "title", "strand", "hours", "location")
    return pd.DataFrame([[r.date.isoformat(), r.weekday, r.slot, r.start, r.end, r.title, r.strand_label,
                          number(r.hours) if r.module or r.hours else "", r.location] for r in rows],
                        columns=[_l(ctx, c) for c in columns])


def hours_figure(ctx: PackContext) -> Figure:
    rows = [(s.id, ctx.catalog.strands[s.id].name.in_language(ctx.language), s.target_hours, s.hours)
            for s in ctx.plan.strands]
    return charts.hours_chart(rows, {s.id: s.colour for s in ctx.catalog.strands.values()}, ctx.language)


def timetable_figure(ctx: PackContext) -> Figure:
    def hour(text: str) -> float:
        hh, mm = text.split(":")
        return int(hh) + int(mm) / 60

    items = [(f"{s.date:%m-%d} {pick(_weekday(s.date.weekday()), ctx.language)}", hour(s.start), hour(s.end),
              s.strand if isinstance(s, Session) else "event", s.module if isinstance(s, Session) else s.event)
             for s in ctx.timetable.items]
    return charts.timetable_chart(items, {s.id: s.colour for s in ctx.catalog.strands.values()},
                                  {"event": _l(ctx, "event"),
                                   **{s.id: s.name.in_language(ctx.language) for s in ctx.catalog.strands.values()}},
                                  ctx.language)


def coverage_figure(ctx: PackContext) -> Figure | None:
    """Programme outcomes against the planned modules that address them (None without outcomes)."""
    outcomes = ctx.programme.outcomes
    if not outcomes:
        return None
    modules = list(ctx.plan.modules)
    covered = {(row, modules.index(m)) for row, o in enumerate(outcomes) for m in o.modules if m in modules}
    labels = [f"{n}. {o.text[:14]}…" if len(o.text) > 15 else f"{n}. {o.text}"
              for n, o in enumerate(outcomes, start=1)]
    return charts.coverage_chart(labels, modules, covered, ctx.language)


def _weekday(index: int) -> tuple[str, str]:
    from ..labels import WEEKDAYS

    return WEEKDAYS[index]


def module_page(ctx: PackContext, module_id: str) -> tuple[str, str | None]:
    """A module's page for participants, and its trainer notes (None when it has none or in the participant edition)."""
    module = ctx.catalog.modules[module_id]
    lang = ctx.language
    head = (f"## {_t(module.title.in_language(lang))}\n\n"
            f"{_t(ctx.catalog.strands[module.strand].name.in_language(lang))} · "
            f"{pick(FORMATS[module.format], lang)} · {number(ctx.plan.item(module_id).hours)} {_l(ctx, 'hours')}\n\n"
            f"**{_l(ctx, 'outcomes')}**\n\n" + "\n".join(f"- {_t(o)}" for o in module.outcomes) + "\n\n"
            f"**{_l(ctx, 'assessment')}**：{_t(module.assessment)}\n")
    body = _plain_markdown(_drop_title(for_edition(module.body, "participant")))
    notes = _trainer_notes(module.body) if ctx.edition == "trainer" else None
    return head + "\n" + _demote(body), notes


def case_readings(ctx: PackContext) -> list[tuple[str, str | None]]:
    """The cases the planned modules use, as readings (code cells left out), with trainer notes apart."""
    seen: list[str] = []
    for module_id in ctx.plan.modules:
        for case_id in ctx.catalog.modules[module_id].cases:
            if case_id not in seen:
                seen.append(case_id)
    readings = []
    for case_id in seen:
        case = ctx.catalog.cases[case_id]
        text = _CODE_CELL.sub("", case.body)
        body = _plain_markdown(_drop_title(for_edition(text, "participant")))
        notes = _trainer_notes(text) if ctx.edition == "trainer" else None
        readings.append((f"## {_t(case.title.in_language(ctx.language))}\n\n" + _demote(body), notes))
    return readings


def _trainer_notes(body: str) -> str | None:
    from ..content import trainer_note_blocks

    blocks = [inner for _, _, inner in trainer_note_blocks(body)]
    if not blocks:
        return None
    return "> **给培训师**\n>\n" + "\n>\n".join(
        "\n".join(f"> {line}" if line.strip() else ">" for line in inner.splitlines()) for inner in blocks) + "\n"


def _drop_title(body: str) -> str:
    lines = body.lstrip("\n").splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines).strip() + "\n"


def _demote(body: str) -> str:
    """Headings one level down, so they sit under the module's '##'."""
    return re.sub(r"^(#{1,5}) ", lambda m: "#" + m[1] + " ", body, flags=re.M)


def _plain_markdown(body: str) -> str:
    """Drop MyST-only fence lines (``:::{note}`` …) that plain Markdown renderers would print."""
    return _MYST_DIRECTIVE_LINE.sub("", body)


def figure_metadata(name: str) -> dict[str, str]:
    """Output metadata for displaying figure ``name``, so the pack stores exactly the PNG shown."""
    return {FIGURE_KEY: name}


def figures(ctx: PackContext) -> dict[str, bytes]:
    """The pack's charts as PNG bytes, rendered once: shown by the notebook and saved in figures/."""
    made = {"hours-per-strand": hours_figure(ctx), "timetable": timetable_figure(ctx),
            "outcome-coverage": coverage_figure(ctx)}
    return {name: charts.png(figure) for name, figure in made.items() if figure is not None}
