"""What a handbook says besides the plan: cover, 报到须知, 作息时间, contacts, rules, site visits, materials.

Pure functions from a decided pack to Markdown (the cover: HTML) in the pack's
language. The notebook displays the sections (:mod:`.page` for the plan's
parts); the cover is added by the writers to each edition's page
(:mod:`.export`), because it names the edition. A section with nothing to say
(no contacts given, no site visit…) is None and is left out. What the trainer
alone needs (the materials checklist, module ids, the cohort code) is in the
functions the notebook tags ``trainer``.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from dataclasses import dataclass

from ..credits import credits_for
from ..labels import PHASE_MODES, SLOTS, WEEKDAYS, label, pick
from ..model import Material, Module
from ..plan import number
from ..sanitize import escape_markdown as _t
from ..timetable import Session
from .context import PackContext

NEW_PAGE = '<div class="new-page"></div>\n\n'  # Markdown that starts a new printed page (templates/pack.css)


def _l(ctx: PackContext, key: str, **values: object) -> str:
    text = label(key, ctx.language)
    return text.format(**values) if values else text


def _md(text: str) -> str:
    """Handbook texts (报到须知, rules, leave, visit notes) inside Markdown: kept as written (the designers'
    Markdown; raw HTML in them is cleaned with the rest of the page by :mod:`.export`)."""
    return text.strip()


def day_text(ctx: PackContext, day: dt.date, weekday: bool = True) -> str:
    """2026年12月6日（星期日） or Sun 6 Dec 2026."""
    name = pick(WEEKDAYS[day.weekday()], ctx.language)
    if ctx.language == "zh":
        return f"{day.year}年{day.month}月{day.day}日" + (f"（{name}）" if weekday else "")
    return (f"{name} " if weekday else "") + f"{day.day} {day:%b} {day.year}"


def date_range(ctx: PackContext) -> str:
    """The cohort's first to last day: 2026年12月6日—12月15日."""
    first = ctx.timetable.days[0].date if ctx.timetable.days else ctx.cohort.start
    last = ctx.timetable.days[-1].date if ctx.timetable.days else ctx.cohort.start
    if ctx.language == "zh":
        end = f"{last.month}月{last.day}日" if last.year == first.year else f"{last.year}年{last.month}月{last.day}日"
        return day_text(ctx, first, weekday=False) + ("" if last == first else f"—{end}")
    return day_text(ctx, first, weekday=False) + ("" if last == first else f" – {day_text(ctx, last, False)}")


# -- the cover (HTML; one per edition) ----------------------------------------------------------------


def cover(ctx: PackContext, edition: str) -> str:
    """The cover page: programme, edition, dates, venue, organiser, partner (the trainer's: the cohort code)."""
    p, lang = ctx.programme, ctx.language
    rows = [(_l(ctx, "dates"), date_range(ctx)), (_l(ctx, "venue"), ctx.cohort.venue)]
    if p.organiser is not None:
        rows.append((_l(ctx, "organiser"), p.organiser.in_language(lang)))
    rows.append((_l(ctx, "partner"), p.partner.in_language(lang)))
    if edition == "trainer":
        rows.append((_l(ctx, "cohort_code"), f"{ctx.cohort.id} · {_l(ctx, 'people', n=ctx.cohort.size)}"))
    facts = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    other = p.title.en if lang == "zh" else p.title.zh
    name = _l(ctx, "handbook" if edition == "participant" else "trainer_guide")
    note = f'<p class="provisional">{html.escape(ctx.provisional_note)}</p>' if ctx.provisional_note else ""
    return (f'<section class="cover"><p class="edition">{html.escape(name)}</p>'
            f"<h1 class=\"cover-title\">{html.escape(ctx.title)}</h1>"
            f'<p class="cover-other">{html.escape(other)}</p>{note}'
            f'<table class="cover-facts">{facts}</table></section>\n')


# -- front-matter sections (Markdown) -----------------------------------------------------------------


def overview(ctx: PackContext) -> str:
    """培训概况: summary, audience, dates, venue, hours and credits, hours per strand, outcomes."""
    p, lang = ctx.programme, ctx.language
    hours = ctx.timetable.total_hours
    audience = ctx.catalog.audiences[p.audience].name.in_language(lang)
    strands = " · ".join(f"{_t(ctx.catalog.strands[s.id].name.in_language(lang))} {number(s.hours)} "
                         f"{_l(ctx, 'hours')}" for s in ctx.plan.strands if s.hours)
    rows = [(_l(ctx, "audience"), _t(audience)), (_l(ctx, "dates"), date_range(ctx)),
            (_l(ctx, "venue"), _t(ctx.cohort.venue)),
            (_l(ctx, "hours"), _l(ctx, "hours_total", hours=number(hours),
                                 credits=credits_for(hours, p.hours_per_credit))),
            (_l(ctx, "section_strands"), strands)]
    facts = "\n".join(f"- **{k}**：{v}" for k, v in rows)
    summary = f"{_t(p.summary.strip())}\n\n" if p.summary.strip() else ""
    outcomes = ""
    if p.outcomes:
        outcomes = f"\n\n**{_l(ctx, 'outcomes')}**\n\n" + "\n".join(
            f"{n}. {_t(o.text)}" for n, o in enumerate(p.outcomes, start=1))
    return f"# {_l(ctx, 'section_overview')}\n\n{summary}{facts}{_phases(ctx)}{outcomes}\n"


def _phases(ctx: PackContext) -> str:
    """培训阶段: each phase's dates, how it is delivered and where ('' for a programme without phases)."""
    from .rows import phase_title, place

    lines = []
    for n, span in enumerate(ctx.timetable.phases, start=1):
        first, last = (day_text(ctx, d, weekday=False) for d in (span.first, span.last))
        when = first if first == last else f"{first}—{last}"
        where = place(ctx.programme, "", span.venue, ctx.language) if span.teaches and span.mode != "live-online" \
            else ""
        parts = [when, pick(PHASE_MODES[span.mode], ctx.language), *([_t(where)] if where else [])]
        lines.append(f"{n}. **{_t(phase_title(ctx.programme, span.phase, ctx.language))}**：" + " · ".join(parts))
    return f"\n\n**{_l(ctx, 'section_phases')}**\n\n" + "\n".join(lines) if lines else ""


def check_in(ctx: PackContext) -> str | None:
    """报到须知: when and where (the check-in on the timetable), the programme's text, what to bring."""
    book = ctx.programme.handbook
    event = next((e for e in ctx.timetable.events if e.event_kind == "check-in"), None)
    lines = []
    if event is not None:
        lines.append(f"- **{_l(ctx, 'check_in_time')}**：{day_text(ctx, event.date)} {event.start}—{event.end}")
        lines.append(f"- **{_l(ctx, 'check_in_place')}**：{_t(ctx.cohort.venue)}")
    if book is not None and book.bring:
        lines.append(f"- **{_l(ctx, 'bring_course')}**：" + "、".join(map(_t, book.bring)))
    parts = ["\n".join(lines)] if lines else []
    if book is not None and book.check_in.strip():
        parts.append(_md(book.check_in))
    if not parts:
        return None
    return f"# {_l(ctx, 'section_check_in')}\n\n" + "\n\n".join(parts) + "\n"


def day_schedule(ctx: PackContext) -> str:
    """作息时间: each session's window (as the programme gives it, or as the timetable uses it), 学时 and breaks."""
    windows: dict[str, tuple[str, str]] = {}
    day = ctx.programme.day
    used = {item.slot for item in ctx.timetable.items}
    for key in SLOTS:
        if key not in used:
            continue
        if day is not None:
            window = getattr(day, key)
            windows[key] = (window.start, window.end)
        else:
            items = [i for i in ctx.timetable.items if i.slot == key and isinstance(i, Session)]
            if items:
                windows[key] = (min(i.start for i in items), max(i.end for i in items))
    rows = "\n".join(f"| {pick(SLOTS[key], ctx.language)} | {start}—{end} |" for key, (start, end) in windows.items())
    clock = ctx.plan.layout.clock
    note = _l(ctx, "day_note", minutes=clock.minutes_per_hour, pause=clock.break_minutes)
    return (f"# {_l(ctx, 'section_day')}\n\n| {_l(ctx, 'slot')} | {_l(ctx, 'when')} |\n|---|---|\n{rows}\n\n"
            f"{note}\n")


def contacts(ctx: PackContext) -> str | None:
    """联系方式: the cohort's class teacher and other contacts."""
    people = ctx.cohort.contacts
    if not people:
        return None
    head = f"| {_l(ctx, 'role')} | {_l(ctx, 'name')} | {_l(ctx, 'phone')} | {_l(ctx, 'remarks')} |\n|---|---|---|---|\n"
    rows = "\n".join(f"| {_cell(c.role)} | {_cell(c.name)} | {_cell(c.phone)} | {_cell(c.note)} |" for c in people)
    return f"# {_l(ctx, 'section_contacts')}\n\n{head}{rows}\n"


def rules(ctx: PackContext) -> str | None:
    """学习纪律与请假制度, as the programme writes them."""
    book = ctx.programme.handbook
    if book is None or not (book.rules.strip() or book.leave.strip()):
        return None
    parts = [f"### {_l(ctx, key)}\n\n{_md(text)}" for key, text in (("rules", book.rules), ("leave", book.leave))
             if text.strip()]
    return f"# {_l(ctx, 'section_rules')}\n\n" + "\n\n".join(parts) + "\n"


@dataclass(frozen=True)
class Visit:
    """One site visit on the timetable: its module, day, times, and what the programme says of its logistics."""

    module: Module
    date: dt.date
    start: str
    end: str


def visits(ctx: PackContext) -> list[Visit]:
    """The site-visit modules on the timetable, one per module and day (its sessions joined)."""
    found: dict[tuple[str, dt.date], Visit] = {}
    for session in ctx.timetable.sessions:
        module = ctx.catalog.modules[session.module]
        if module.site is None:
            continue
        key = (module.id, session.date)
        seen = found.get(key)
        found[key] = Visit(module, session.date, seen.start if seen else session.start, session.end)
    return list(found.values())


def site_visits(ctx: PackContext) -> str | None:
    """现场教学安排: for each visit, when and where to meet, where it goes, what to bring, notes."""
    shown = visits(ctx)
    if not shown:
        return None
    spec = {visit.module: visit for visit in ctx.programme.site_visits}
    parts = []
    for visit in shown:
        module, lang = visit.module, ctx.language
        assert module.site is not None
        given = spec.get(module.id)
        meet = (f"{given.meet.time} · {_t(given.meet.place)}" if given is not None and given.meet is not None
                else _l(ctx, "meet_default", venue=_t(ctx.cohort.venue)))
        lines = [f"- **{_l(ctx, 'when')}**：{day_text(ctx, visit.date)} {visit.start}—{visit.end}",
                 f"- **{_l(ctx, 'meet')}**：{meet}",
                 f"- **{_l(ctx, 'destination')}**：{_t(module.site.location.in_language(lang))}"]
        bring = [*(given.bring if given is not None else []), *module.to_bring]
        if bring:
            lines.append(f"- **{_l(ctx, 'bring')}**：" + "、".join(map(_t, dict.fromkeys(bring))))
        if given is not None and given.notes.strip():
            lines.append(f"- **{_l(ctx, 'visit_notes')}**：{_md(given.notes)}")
        parts.append(f"### {_t(module.title.in_language(lang))}\n\n" + "\n".join(lines))
    return f"# {_l(ctx, 'section_visits')}\n\n" + "\n\n".join(parts) + "\n"


# -- materials and handouts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Handout:
    """A handout the pack prints: its number in its appendix, title, Markdown, and who it is for."""

    id: str
    number: int
    title: str
    body: str
    trainer: bool

    def reference(self, ctx: PackContext) -> str:
        return _l(ctx, "trainer_appendix_ref" if self.trainer else "appendix_ref", n=self.number)


def handouts(ctx: PackContext) -> list[Handout]:
    """The handouts of the planned modules, once each: the participants' numbered first, then the trainers'."""
    seen: dict[str, Material] = {}
    for module_id in ctx.plan.modules:
        for material in ctx.catalog.modules[module_id].handouts:
            seen.setdefault(str(material.handout), material)
    made = []
    for trainer in (False, True):
        chosen = [(key, m) for key, m in seen.items() if m.trainer == trainer]
        for number_, (key, material) in enumerate(chosen, start=1):
            title, body = _split_title(ctx.catalog.handouts.get(key, ""), material.name)
            made.append(Handout(key, number_, title, body, trainer))
    return made


def _split_title(text: str, fallback: str) -> tuple[str, str]:
    lines = text.strip().splitlines()
    if lines and lines[0].startswith("# "):
        return lines[0][2:].strip(), "\n".join(lines[1:]).strip()
    return fallback, text.strip()


def handout_page(ctx: PackContext, handout: Handout, new_page: bool = True) -> str:
    """A handout as an appendix page (of its own unless ``new_page`` is false; its headings one level down)."""
    import re

    key = "trainer_appendix_title" if handout.trainer else "appendix_title"
    body = re.sub(r"^(#{1,5}) ", lambda m: "#" + m[1] + " ", handout.body, flags=re.M)
    start = NEW_PAGE if new_page else ""
    return (f'{start}<div class="handout">\n\n## {_l(ctx, key, n=handout.number, title=_t(handout.title))}\n\n'
            f"{body}\n\n</div>\n")


def appendix(ctx: PackContext) -> list[tuple[str, bool]]:
    """The appendices as (Markdown, for trainers only): a heading, then a page per handout."""
    made = handouts(ctx)
    shown = []
    for trainer, key in ((False, "section_appendix"), (True, "section_trainer_appendix")):
        pages = [h for h in made if h.trainer == trainer]
        if pages:
            shown.append((f"{NEW_PAGE}# {_l(ctx, key)}", trainer))
            shown += [(handout_page(ctx, h, new_page=index > 0), trainer) for index, h in enumerate(pages)]
    return shown


def module_materials(ctx: PackContext, module: Module, made: Iterable[Handout]) -> tuple[str, str]:
    """A module's materials: (for participants: what to bring, its handouts; for trainers: what to prepare)."""
    by_id = {h.id: h for h in made}
    participant, trainer = [], []
    if module.to_bring:
        participant.append(f"**{_l(ctx, 'bring')}**：" + "、".join(map(_t, module.to_bring)))
    printed = [f"{_t(m.name)}（{by_id[str(m.handout)].reference(ctx)}）" for m in module.handouts
               if not m.trainer and str(m.handout) in by_id]
    if printed:
        participant.append(f"**{_l(ctx, 'handouts')}**：" + "、".join(printed))
    prepared = [_t(str(m)) if not (isinstance(m, Material) and m.handout and str(m.handout) in by_id)
                else f"{_t(m.name)}（{by_id[str(m.handout)].reference(ctx)}）"
                for m in module.materials if not (isinstance(m, Material) and m.bring)]
    if prepared:
        trainer.append(f"**{_l(ctx, 'prepared')}**：" + "、".join(prepared))
    return "\n\n".join(participant), "\n\n".join(trainer)


def materials_checklist(ctx: PackContext) -> str | None:
    """The trainer's checklist: every planned module's materials, by kind (prepare, print, learners bring)."""
    made = {h.id: h for h in handouts(ctx)}
    rows = []
    for module_id in ctx.plan.modules:
        module = ctx.catalog.modules[module_id]
        for material in module.materials:
            if isinstance(material, Material) and material.bring:
                kind = "kind_bring"
            elif isinstance(material, Material) and material.handout is not None:
                kind = "kind_trainer_handout" if material.trainer else "kind_handout"
            else:
                kind = "kind_prepared"
            name = str(material)
            if isinstance(material, Material) and str(material.handout) in made:
                name += f"（{made[str(material.handout)].reference(ctx)}）"
            rows.append(f"| {_cell(module.title.in_language(ctx.language))} | `{module.id}` | {_l(ctx, kind)} | "
                        f"{_cell(name)} |")
    if not rows:
        return None
    head = (f"| {_l(ctx, 'title')} | {_l(ctx, 'module_id')} | {_l(ctx, 'material_kind')} | {_l(ctx, 'material')} |\n"
            "|---|---|---|---|\n")
    return f"# {_l(ctx, 'section_materials')}\n\n{head}" + "\n".join(rows) + "\n"


def assessment(ctx: PackContext) -> str:
    """考核与结业: the programme's assessment rules (the credit table follows)."""
    text = f"\n\n{_t(ctx.programme.assessment.strip())}" if ctx.programme.assessment.strip() else ""
    return f"# {_l(ctx, 'section_assessment')}{text}\n"


def _cell(text: str) -> str:
    """Plain text for a Markdown table cell."""
    return _t(text.replace("\n", " "))
