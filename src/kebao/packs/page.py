"""What the course-pack notebook shows of the plan: headings, tables, figures, module pages and case readings.

Each function takes a PackContext and returns something a notebook displays
(Markdown text, a DataFrame, a matplotlib Figure, PNG bytes); the notebook
itself holds no decisions and writes no files (the pack's files are written
from the decided pack and the executed notebook: :mod:`kebao.packs.files`).
The handbook's other sections (报到须知, 作息时间, contacts…) are
:mod:`.frontmatter`'s. What only trainers read (target 学时, outcome coverage,
module ids, trainer notes) the notebook displays tagged :data:`TRAINER_TAG`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import charts
from ..content import for_edition
from ..labels import FORMATS, label, pick
from ..plan import number
from ..sanitize import escape_markdown as _t
from ..timetable import Session
from .context import PackContext
from .frontmatter import NEW_PAGE, day_text, handouts, module_materials
from .rows import credit_rows, self_paced_rows, slot_label, timetable_rows

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


def title(ctx: PackContext, section: str) -> str:
    """A section's name in the pack's language (sections: strands, timetable, coverage, modules, cases, credits…)."""
    return _l(ctx, "section_" + section)


def heading(ctx: PackContext, section: str, new_page: bool = False) -> str:
    """A section heading (Markdown), optionally starting a new printed page."""
    return (NEW_PAGE if new_page else "") + f"# {title(ctx, section)}"


def html_table(frame: pandas.DataFrame, kind: str = "") -> str:
    """A plain, deterministic HTML table (pandas' Styler adds random ids); ``kind`` adds a CSS class."""
    classes = ["kebao-table", kind] if kind else ["kebao-table"]
    return str(frame.to_html(index=False, border=0, classes=classes, escape=True))


def credit_table(ctx: PackContext) -> pandas.DataFrame:
    """Module, 学时 and 学分 as the credit record lists them."""
    import pandas as pd

    planned = ctx.plan.module_hours
    rows = credit_rows(ctx.catalog, ctx.programme, planned, ctx.language)
    return pd.DataFrame([[r.title, r.strand_label, number(r.hours), f"{r.credits}"] for r in rows],
                        columns=[_l(ctx, c) for c in ("title", "strand", "hours", "credits")])


def strand_table(ctx: PackContext) -> pandas.DataFrame:
    """Target vs planned 学时 per strand (the trainer guide's: participants read the planned 学时 in the overview)."""
    import pandas as pd

    rows = [{_l(ctx, "strand"): ctx.catalog.strands[s.id].name.in_language(ctx.language),
             _l(ctx, "target"): number(s.target_hours), _l(ctx, "planned"): number(s.hours)}
            for s in ctx.plan.strands]
    return pd.DataFrame(rows)


def timetable_table(ctx: PackContext) -> pandas.DataFrame:
    """The timetable as learners read it: day, session, time, what, 学时, where (the year is on the cover)."""
    import pandas as pd

    rows = timetable_rows(ctx.catalog, ctx.programme, ctx.cohort.venue, ctx.timetable.items, ctx.language,
                          phases=ctx.timetable.phases)
    columns = ("date", "weekday", "slot", "when", "title", "hours", "location")
    return pd.DataFrame([[f"{r.date.month}月{r.date.day}日" if ctx.language == "zh" else f"{r.date:%d %b}",
                          r.weekday, r.slot, f"{r.start}—{r.end}", r.title,
                          number(r.hours) if r.module or r.hours else "", r.location] for r in rows],
                        columns=[_l(ctx, c) for c in columns])


def self_paced_table(ctx: PackContext) -> pandas.DataFrame | None:
    """The self-paced modules (线上自学): what, 学时, when it opens and falls due (None when there are none)."""
    import pandas as pd

    rows = self_paced_rows(ctx.catalog, ctx.programme, ctx.timetable.self_paced, ctx.language)
    if not rows:
        return None

    def day(date: dt.date) -> str:
        return f"{date.month}月{date.day}日" if ctx.language == "zh" else f"{date:%d %b}"

    return pd.DataFrame([[r.title, r.strand_label, number(r.hours), day(r.opens), day(r.due)] for r in rows],
                        columns=[_l(ctx, c) for c in ("title", "strand", "hours", "opens", "due")])


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
    """A module's page for participants, and the trainer's part (None in the participant edition).

    The page: strand, format, 学时, when it is on, outcomes, assessment, what to bring and its handouts, and
    the session plan without trainer notes. The trainer's part: the module id, what to prepare, trainer notes.
    """
    module = ctx.catalog.modules[module_id]
    lang = ctx.language
    when = "、".join(dict.fromkeys(f"{day_text(ctx, s.date)} {slot_label(s.slot, lang)}"
                                   for s in ctx.timetable.sessions if s.module == module_id))
    bring, prepare = module_materials(ctx, module, handouts(ctx))
    head = (f"## {_t(module.title.in_language(lang))}\n\n"
            f"{_t(ctx.catalog.strands[module.strand].name.in_language(lang))} · "
            f"{pick(FORMATS[module.format], lang)} · {number(ctx.plan.item(module_id).hours)} {_l(ctx, 'hours')}\n\n"
            + (f"**{_l(ctx, 'when')}**：{when}\n\n" if when else "")
            + f"**{_l(ctx, 'outcomes')}**\n\n" + "\n".join(f"- {_t(o)}" for o in module.outcomes) + "\n\n"
            f"**{_l(ctx, 'assessment')}**：{_t(module.assessment)}\n" + (f"\n{bring}\n" if bring else ""))
    body = _plain_markdown(_drop_title(for_edition(module.body, "participant")))
    if ctx.edition != "trainer":
        return head + "\n" + _demote(body), None
    trainer = [f"**{_l(ctx, 'module_id')}**：`{module.id}`", prepare, _trainer_notes(module.body) or ""]
    return head + "\n" + _demote(body), "\n\n".join(part for part in trainer if part) + "\n"


@dataclass(frozen=True)
class Reading:
    """A case as the pack prints it: Markdown text and the outputs of its code between, then trainer notes.

    ``parts`` are ``("markdown", text)`` or ``("output", {"data": …, "metadata": …})`` (a display bundle, see
    :func:`kebao.packs.caseruns.outputs`); ``notes`` is None in the participant edition or without notes.
    """

    case: str
    parts: tuple[tuple[str, Any], ...]
    notes: str | None


def case_readings(ctx: PackContext) -> list[Reading]:
    """The cases the pack prints (see PackContext.cases) with their evidence: text, then each code cell's outputs.

    A case's code is never shown; its outputs come from its run (``ctx.case_runs``). A case with code but no
    run (a notebook run on its own, outside ``kebao pack``) is printed without its outputs.
    """
    from .caseruns import outputs

    readings = []
    for case_id in ctx.cases:
        case = ctx.catalog.cases[case_id]
        chunks = _CODE_CELL.split(case.body)
        run = ctx.case_runs.get(case_id)
        shown = outputs(run) if run else []
        if run and len(shown) != len(chunks) - 1:
            from ..errors import PackError

            raise PackError(f"the run of case '{case_id}' has {len(shown)} code cells, its file {len(chunks) - 1}",
                            f"delete {run}; the next `kebao pack` runs the case again")
        parts: list[tuple[str, Any]] = []
        for index, chunk in enumerate(chunks):
            text = _plain_markdown(for_edition(_drop_title(chunk) if index == 0 else chunk, "participant"))
            if index == 0:
                text = f"## {_t(case.title.in_language(ctx.language))}\n\n" + _demote(text)
            else:
                text = _demote(text)
            if text.strip():
                parts.append(("markdown", text))
            if index < len(shown):
                parts.extend(("output", bundle) for bundle in shown[index])
        notes = _trainer_notes(case.body) if ctx.edition == "trainer" else None
        readings.append(Reading(case_id, tuple(parts), notes))
    return readings


def _trainer_notes(body: str) -> str | None:
    """The body's trainer notes as Markdown headed "给培训师" (a note's title, e.g. 教学说明, heads its part).

    Plain Markdown, not a quote (tables inside quotes are not rendered): the pack's template boxes every
    trainer-only output.
    """
    from ..content import TRAINER_NOTE_TITLE, trainer_note_blocks

    lines = body.splitlines()
    parts = []
    for first, _last, inner in trainer_note_blocks(body):
        title = lines[first].split("}", 1)[1].strip()
        heading = f"{TRAINER_NOTE_TITLE}：{title}" if title else TRAINER_NOTE_TITLE
        parts.append(f"**{heading}**\n\n{_plain_markdown(inner).strip()}\n")
    return "\n".join(parts) if parts else None


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
