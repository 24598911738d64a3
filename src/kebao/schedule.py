"""Schedule: a :class:`~kebao.compose.Plan` -> a :class:`Timetable` of dated half-day sessions.

The days are the plan's layout, made by compose with :func:`kebao.calendar.build_layout` (travel days, statutory
holidays, 调休 working weekends, weekends per the programme, slots per the
audience, site visits on their day). The rest of the plan is filled into the
free slots in time order:

* a slot holds at most the audience's 学时 per session, a day its 学时 per day;
* a module is kept whole in one slot unless it is longer than a session; then it
  is split into as few, even parts as the sessions allow, in consecutive slots
  (part 1/2…): the first part ends its slot, the others take the next slots;
* a module starts only after all its prerequisites have ended (site visits included),
  and prerequisites of a site visit are placed before it;
* closing modules (format ``assessment``: final assessments, showcases, defences)
  come after every other module except site visits and the modules that need them,
  unless a site visit needs them first;
* when the days hold more than the plan, sessions are spread evenly over the teaching
  days (a module goes on a day while the plan's 学时 up to its middle stay within the
  days' share so far), not packed into the first days;
* strands are interleaved: the next module is preferably of a strand not yet
  taught that day, then of the strand with most 学时 left, then in plan order;
* in a programme with phases, a phase's modules go only on that phase's days (spread
  over them alone), sessions carry the phase's mode and venue, and self-paced modules
  take no slot: they are listed with the dates their phase opens and closes.

Several strategies are tried in a fixed order, from the tidiest (spread, closing
modules last) to the most packed (the longest module that fits first, the same
packing that :meth:`kebao.calendar.Layout.leftover` checks for compose); the
first that places every 学时 wins. If none does, the same are tried letting a
closing module come earlier; failing that, modules are cut at slot edges (the
last resort). Either way a note in :attr:`Timetable.notes` says which module and
why. A plan that fits in no way is a :class:`PlanError` saying how many 学时 are
left over.
"""
# size: one algorithm (slots, strategies, phases) whose helpers share the filler's state; split by phase it
# would pass that state through every call.

from __future__ import annotations

import collections
import datetime as dt
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from .calendar import phase_spans
from .catalog import Catalog
from .compose import EPSILON, Plan, number
from .errors import PlanError
from .labels import SLOTS, Word
from .layout import Layout, clock, minutes_of, split_part
from .messages import Message, say
from .model import Programme
from .timetable import EventItem, Mode, PhaseSpan, SelfPaced, Session, Timetable


def schedule(catalog: Catalog, plan: Plan) -> Timetable:
    """Dated sessions for ``plan``; PlanError if it does not fit its teaching days."""
    programme = catalog.programmes[plan.programme]
    layout = plan.layout
    missing = [v.module for v in layout.visits if v.module not in plan.modules]
    if missing:
        raise PlanError(say("error-plan-lacks-visit", modules=tuple(missing), programme=programme.id),
                        [say("advice-compose-first")], plan.language)
    filler = _Filler(catalog, plan, layout)
    failure: Message | None = None
    for strategy in _strategies(bool(filler.closing)):
        pieces, failure = filler.run(strategy)
        if failure is None:
            sessions = side_by_side(catalog, plan, filler.sessions(pieces))
            return Timetable(plan, layout.days, sessions, tuple(filler.notes(pieces, strategy)),
                             filler.events(programme, sessions), filler.self_paced_items(programme),
                             _spans(programme, plan, layout))
    assert failure is not None
    raise PlanError(failure, [say("advice-some-days"), say("advice-plan-fewer")], plan.language)


@dataclass(frozen=True)
class _Strategy:
    spread: bool  # spread the sessions evenly over the days
    order: _Order  # which ready module first
    closing_last: bool  # closing modules after every other
    tidy: bool = True  # False: cut modules at slot edges (the last resort)


def _strategies(closing: bool) -> Iterator[_Strategy]:
    """Tidiest first; the last cuts modules at any slot edge and always packs. Made as they are tried."""
    lasts = (True, False) if closing else (True,)
    yield from (_Strategy(spread, order, last) for last in lasts for spread, order in _TIDY)
    yield from (_Strategy(False, "deadline", last, tidy=False) for last in lasts)


_Order = Literal["interleave", "deadline", "longest"]
_TIDY: tuple[tuple[bool, _Order], ...] = ((True, "interleave"), (True, "deadline"), (False, "interleave"),
                                         (False, "deadline"), (False, "longest"))


@dataclass(frozen=True)
class _Piece:
    module: str
    day: int
    slot: int
    offset: float  # 学时 after the slot's start
    hours: float


class _Filler:
    """Fills a layout's free slots with a plan's modules; one ``run`` per strategy."""

    def __init__(self, catalog: Catalog, plan: Plan, layout: Layout):
        programme = catalog.programmes[plan.programme]
        self.plan = plan
        self.layout = layout
        self.visits = {v.module: v for v in layout.visits}  # site visits and pinned modules, placed already
        self.self_paced = [i for i in plan.items if catalog.modules[i.module].delivery == "self-paced"]
        online = {i.key for i in plan.items if catalog.modules[i.module].delivery == "live-online"}
        self.teaching = [i for i in plan.items if i.module not in self.visits and i not in self.self_paced]
        # Keys: a module's id, with ~N for the N-th time of a repeated one (PlanItem.key).
        self.index = {item.key: n for n, item in enumerate(self.teaching)}
        self.module_of = {item.key: item.module for item in plan.items}
        self.occurrence = {item.key: (item.occurrence, item.times) for item in plan.items}
        self.strand = {item.key: item.strand for item in plan.items}
        self.reason = {item.key: item.reason for item in plan.items}
        self.hours = {item.key: item.hours for item in plan.items}
        sessionless = {i.key for i in self.self_paced}  # open from the start: nothing waits for them
        self.prerequisites = {item.key: [p for p in catalog.modules[item.module].prerequisites
                                         if p in self.strand and p not in sessionless] for item in plan.items}
        for item in plan.items:  # a repeated module's times in order
            if item.occurrence > 1 and item.key not in sessionless:
                self.prerequisites[item.key].append(replace(item, occurrence=item.occurrence - 1).key)
        self.slot_only: dict[str, str] = {}  # placements without a day: this session only
        self.phase_only: dict[str, str] = {}  # listed in a phase: there only (a repeated module: once in each)
        for phase in programme.phases:
            for m in phase.modules:
                times = sum(1 for key in self.phase_only if self.module_of.get(key) == m)
                key = m if not times else f"{m}~{times + 1}"
                self.phase_only[key] = phase.id
        for item in plan.items:  # a repeated module listed in one phase: every time in it
            if item.module in self.phase_only and item.key not in self.phase_only:
                self.phase_only[item.key] = self.phase_only[item.module]
        self.open_phases = {phase.id for phase in programme.phases if not phase.modules}  # they take the rest
        self.day_phase = [d.phase for d in layout.days if d.kind == "teaching"]  # by teaching day
        phases = {phase.id: phase for phase in programme.phases}
        self.day_mode: list[Mode] = ["live-online" if day is not None and phases[day].mode == "live-online"
                                     else "face-to-face" for day in self.day_phase]
        self.day_venue = [phases[day].venue if day is not None else None for day in self.day_phase]
        self.online = online
        for placement in programme.placements:
            if placement.after in self.strand and placement.module in self.strand \
                    and placement.after not in self.prerequisites[placement.module]:
                self.prerequisites[placement.module].append(placement.after)  # an order: like a prerequisite
            if placement.slot is not None and not placement.pinned:
                self.slot_only[placement.module] = placement.slot
        self.evening = {item.key for item in plan.items if catalog.modules[item.module].evening}
        self.may_hold = {(phase, slot): [m for m in self.index if (m in self.evening) != spec.daytime
                                         and self.slot_only.get(m, spec.key) == spec.key and self._in(m, phase)]
                         for phase in set(self.day_phase) for slot, spec in enumerate(layout.slots)}  # by phase, slot
        self.multi_strand = len({item.strand for item in plan.items}) > 1
        self.deadline: dict[str, tuple[int, int]] = {}  # module -> position of the first visit needing it
        for visit in sorted(layout.visits, key=lambda v: (v.day, v.slots[0])):
            for module in self._needed_by(visit.module):
                self.deadline.setdefault(module, (visit.day, visit.slots[0]))
        self.closing = [m for m in self.index if catalog.modules[self.module_of[m]].format == "assessment"
                        and m not in self.deadline]
        self.waits = {m: [o for o in self.index if o not in self.closing and o not in self.evening
                          and m not in self._needed_by(o)]
                      for m in self.closing}  # what a closing module waits for: all but what needs it

    def _needed_by(self, module: str) -> list[str]:
        """The teaching modules ``module`` needs first, directly or not."""
        found: list[str] = []
        stack = list(self.prerequisites[module])
        while stack:
            current = stack.pop()
            if current not in found and current in self.index:
                found.append(current)
                stack.extend(self.prerequisites[current])
        return found

    # The agenda model (issue 13) replaces this filling with placements.
    # size: one pass over the days and slots; its state (what is left, the split in progress) is its locals.
    def run(self, strategy: _Strategy) -> tuple[list[_Piece], Message | None]:
        """Pieces placed, and why not everything fits (None when it does)."""
        layout = self.layout
        remaining = {item.key: item.hours for item in self.teaching}
        strand_left: dict[str, float] = {}
        for item in self.teaching:
            strand_left[item.strand] = strand_left.get(item.strand, 0.0) + item.hours
        pieces: list[_Piece] = []
        free = [layout.free_hours(d) for d in range(len(layout.teaching))]
        shares = self._phase_shares({m: h for m, h in remaining.items() if m not in self.evening}, free)
        evening_shares = _shares(sum(h for m, h in remaining.items() if m in self.evening),
                                 [layout.evening_room(d) for d in range(len(layout.teaching))])
        placed = {False: 0.0, True: 0.0}  # 学时 placed so far, by day and evening
        ongoing: str | None = None  # a split module whose next part takes the next daytime slot

        def place(module: str, day: int, slot: int, offset: float, hours: float) -> None:
            pieces.append(_Piece(module, day, slot, offset, hours))
            remaining[module] -= hours
            strand_left[self.strand[module]] -= hours
            placed[module in self.evening] += hours

        for day in range(len(layout.teaching)):
            used = 0.0
            today = {self.strand[v.module] for v in layout.visits if v.day == day}
            for slot, spec in enumerate(layout.slots):
                visit = layout.reserved(day, slot)
                if visit is not None:
                    late = [m for m in self._needed_by(visit.module) if remaining[m] > EPSILON]
                    if late:
                        return pieces, say("error-visit-prerequisite-late", modules=tuple(late), module=visit.module,
                                           date=layout.teaching[day].isoformat())
                    continue
                capacity = layout.capacity_at(day, slot)  # less than the session's beside an event
                evening = not spec.daytime
                budget = math.inf if evening else free[day] - used  # evening activities come on top of the day
                offset = 0.0
                if ongoing is not None and not evening:  # its next part: even (tidy) where it fits, or what fits
                    left, room = remaining[ongoing], min(capacity, budget)
                    part = split_part(left, spec.capacity) if strategy.tidy else min(left, room)
                    if EPSILON < part <= room + EPSILON:
                        place(ongoing, day, slot, 0.0, part)
                        offset, used = part, used + part
                        budget -= part
                        if remaining[ongoing] > EPSILON:
                            continue
                        ongoing = None
                tail: tuple[str, float] | None = None  # a split's first part: it ends the slot
                while True:
                    room = min(capacity - offset - (tail[1] if tail else 0.0), budget)
                    if room < EPSILON:
                        break
                    share = ((evening_shares if evening else shares)[day] - placed[evening]
                             if strategy.spread else math.inf)
                    choice = self._pick(remaining, strand_left, today, day, slot, room, share, ongoing, tail is None,
                                        strategy)
                    if choice is None:
                        break
                    module, hours = choice
                    today.add(self.strand[module])
                    if not evening:
                        used += hours
                        budget -= hours
                    if hours < remaining[module] - EPSILON and strategy.tidy:
                        tail = (module, hours)
                        remaining[module] -= hours  # placed below, once the slot is full
                        strand_left[self.strand[module]] -= hours
                        placed[False] += hours
                        continue
                    place(module, day, slot, offset, hours)
                    offset += hours
                    if remaining[module] > EPSILON:  # cut (the last resort): the rest takes the next slot
                        ongoing = module
                        break
                if tail is not None:
                    pieces.append(_Piece(tail[0], day, slot, offset, tail[1]))
                    ongoing = tail[0]
        left = sum(remaining.values())
        if left > EPSILON:
            waiting = sorted(self.module_of[m] for m, h in remaining.items() if h > EPSILON and any(
                p in self.visits for p in self.prerequisites[m]))
            return pieces, say("error-plan-too-big", left=number(left), planned=number(self.plan.total_hours),
                               teaching=len(layout.teaching), capacity=number(layout.capacity),
                               waiting=say("waiting-for-visit", modules=tuple(waiting)) if waiting else "")
        return pieces, None

    def _pick(self, remaining: dict[str, float], strand_left: dict[str, float], today: set[str], day: int,
              slot: int, room: float, share: float, ongoing: str | None, may_split: bool,
              strategy: _Strategy) -> tuple[str, float] | None:
        """The next module for this slot and the 学时 it takes here (less than its rest: a first part)."""
        spec = self.layout.slots[slot]
        capacity = spec.capacity  # a module is split only when it is longer than a whole session
        ready = [m for m in self.may_hold[(self.day_phase[day], slot)] if remaining[m] > EPSILON and m != ongoing
                 and self._ready(m, remaining, day, slot, strategy)]
        day_left = min(room, share)

        def key(module: str) -> tuple[Any, ...]:
            strand = self.strand[module]
            lonely = self.multi_strand and today <= {strand} and remaining[module] >= day_left - EPSILON
            interleave = (strand in today, lonely)
            deadline = self.deadline.get(module, (math.inf, math.inf))
            rest = (-strand_left[strand], self.index[module])
            if strategy.order == "longest":
                return (deadline, -remaining[module], self.index[module])
            if not strategy.tidy:
                return (deadline, remaining[module] > room + EPSILON, *interleave, *rest)
            return (deadline, *interleave, *rest) if strategy.order == "deadline" else (*interleave, deadline, *rest)

        def takes(module: str) -> float | None:
            """The 学时 ``module`` would take here; None if it does not go here now."""
            hours = remaining[module]
            if hours <= room + EPSILON:
                return hours if hours / 2 <= share + EPSILON else None
            if not strategy.tidy:
                return room
            if may_split and ongoing is None and hours > capacity + EPSILON:
                part = split_part(hours, capacity)
                if part <= room + EPSILON and part / 2 <= share + EPSILON:
                    return part
            return None

        fitting = {m: hours for m in ready if (hours := takes(m)) is not None}
        if not fitting:
            return None
        module = min(fitting, key=key)  # the first in the order: every key differs (it ends with the plan order)
        return module, fitting[module]

    def _phase_shares(self, hours: dict[str, float], rooms: list[float]) -> list[float]:
        """:func:`_shares` phase by phase: each phase's modules spread over its own days."""
        if not any(self.day_phase):
            return _shares(sum(hours.values()), rooms)
        result: list[float] = []
        before = 0.0
        for _, group in itertools.groupby(range(len(rooms)), key=lambda d: self.day_phase[d]):
            days = list(group)
            total = sum(h for m, h in hours.items() if self._in_phase(m, days[0]))
            result += [before + share for share in _shares(total, [rooms[d] for d in days])]
            before += total
        return result

    def _in_phase(self, module: str, day: int) -> bool:
        """Whether ``module`` may be taught on teaching day ``day``: in its phase, or in a phase listing none."""
        return self._in(module, self.day_phase[day])

    def _in(self, module: str, phase: str | None) -> bool:
        """Whether ``module`` may be taught on a day of ``phase`` (None: a programme without phases)."""
        if phase is None:
            return True
        listed = self.phase_only.get(module)
        return phase == listed if listed is not None else phase in self.open_phases

    def _ready(self, module: str, remaining: dict[str, float], day: int, slot: int, strategy: _Strategy) -> bool:
        for prerequisite in self.prerequisites[module]:
            visit = self.visits.get(prerequisite)
            if visit is not None:
                if (visit.day, visit.slots[-1]) >= (day, slot):
                    return False
            elif remaining[prerequisite] > EPSILON:
                return False
        if strategy.closing_last and module in self.waits:
            return all(remaining[other] <= EPSILON for other in self.waits[module])
        return True

    def notes(self, pieces: list[_Piece], strategy: _Strategy) -> list[Message]:
        """Why a module is in more parts than its length needs, or a closing module is not last."""
        notes = []
        layout = self.layout
        by_module: dict[str, list[_Piece]] = {}
        for piece in pieces:
            by_module.setdefault(piece.module, []).append(piece)
        for module in self.index:
            parts = by_module.get(module, [])
            hours = self.hours[module]
            if len(parts) <= math.ceil(hours / layout.session_hours - EPSILON):
                continue
            where = tuple(say("split-at", date=layout.teaching[p.day].isoformat(),
                              slot=Word(*SLOTS[layout.slots[p.slot].key]), hours=number(p.hours)) for p in parts)
            why = say("why-split-cut") if not strategy.tidy else say("why-split-uneven")
            notes.append(say("note-split", module=self.module_of[module], hours=number(hours), parts=len(parts),
                             where=where, why=why))
        if not strategy.closing_last:
            ends = {p.module: (p.day, p.slot, p.offset) for p in pieces}
            for module in self.closing:
                after = [o for o in self.waits[module] if ends[o] > ends[module]]
                if after:
                    notes.append(say("note-closing-early", module=self.module_of[module],
                                     modules=tuple(self.module_of[o] for o in after)))
        return notes

    def sessions(self, pieces: list[_Piece]) -> tuple[Session, ...]:
        layout = self.layout
        timezone = self.plan.timezone
        placed: list[tuple[str, int, int, float, float]] = [(p.module, p.day, p.slot, p.offset, p.hours)
                                                            for p in pieces]
        for visit in layout.visits:
            placed += [(visit.module, visit.day, slot, visit.offset if index == 0 else 0.0, hours)
                       for index, (slot, hours) in enumerate(zip(visit.slots, visit.hours, strict=True))]
        placed.sort(key=lambda p: (p[1], p[2], p[3]))
        parts = collections.Counter(p[0] for p in placed)
        seen: dict[str, int] = {}
        sessions = []
        for module, day, slot, offset, hours in placed:
            base = layout.teaching_start(day, slot)
            seen[module] = seen.get(module, 0) + 1
            start = base + layout.clock.start(offset)
            end = base + layout.clock.end(offset + hours)
            mode: Mode = "live-online" if module in self.online else self.day_mode[day]
            occurrence, times = self.occurrence[module]
            sessions.append(Session(layout.teaching[day], layout.slots[slot].key, clock(start), clock(end),
                                    self.module_of[module], self.strand[module], hours, seen[module], parts[module],
                                    self.reason[module], timezone, self.day_phase[day], mode,
                                    None if mode == "live-online" else self.day_venue[day],
                                    occurrence=occurrence, times=times))
        return tuple(sessions)

    def _earlier_end(self, date: dt.date, slot: int, ends: dict[tuple[dt.date, str], int], minutes: int
                     ) -> tuple[str, int] | None:
        """(slot key, start) right after the last item of the latest earlier session of ``date`` that holds
        ``minutes`` more before it ends; None if no earlier session has items or room."""
        for earlier in range(slot - 1, -1, -1):
            spec = self.layout.slots[earlier]
            last = ends.get((date, spec.key))
            if last is not None:
                start = last + self.layout.clock.break_minutes
                return (spec.key, start) if start + minutes <= spec.end else None
        return None

    def self_paced_items(self, programme: Programme) -> tuple[SelfPaced, ...]:
        """Each self-paced module between the dates of its phase: the one it is placed in, else the first
        self-paced phase, else the whole programme."""
        spans = {span.phase: span for span in _spans(programme, self.plan, self.layout)}
        first_self_paced = next((span for span in spans.values() if span.mode == "self-paced"), None)
        days = self.layout.days
        items = []
        for item in self.self_paced:
            span = spans.get(self.phase_only.get(item.key, "")) or first_self_paced
            opens, due = (span.first, span.last) if span else (days[0].date, days[-1].date)
            items.append(SelfPaced(item.module, item.strand, item.hours, opens, due, item.reason,
                                   span.phase if span else None, occurrence=item.occurrence, times=item.times))
        return tuple(sorted(items, key=lambda i: (i.opens, i.due, i.module, i.occurrence)))

    def events(self, programme: Programme, sessions: tuple[Session, ...]) -> tuple[EventItem, ...]:
        """The layout's events; one at a session's end follows the session's last item (after a break)."""
        kinds = {event.key: event.kind for event in programme.timetable_events}
        ends: dict[tuple[dt.date, str], int] = {}
        for session in sessions:
            where = (session.date, session.slot)
            ends[where] = max(ends.get(where, 0), minutes_of(session.end))
        items = []
        layout = self.layout
        for event in layout.events:
            start, end = event.start, event.end
            key: str = event.slot
            if event.at == "end" and event.day is not None:  # right after the session's teaching, or at its start
                slot = next(index for index, spec in enumerate(layout.slots) if spec.key == event.slot)
                lead = layout.margins.get((event.day, slot), (0, 0))[0]
                follows = ends.get((event.date, event.slot))
                start = min(start, follows + layout.clock.break_minutes if follows else layout.slots[slot].start + lead)
                earlier = self._earlier_end(event.date, slot, ends, event.end - event.start)
                if follows is None and earlier is not None:  # its session is empty: after the day's last item
                    key, start = earlier
                end = start + (event.end - event.start)
                ends[(event.date, key)] = end
            items.append(EventItem(event.date, key, clock(start), clock(end), event.event, kinds[event.event],
                                   event.hours, self.plan.timezone))
        return tuple(sorted(items, key=lambda item: (item.date, item.start)))


def side_by_side(catalog: Catalog, plan: Plan, sessions: tuple[Session, ...]) -> tuple[Session, ...]:
    """The sessions with each split's other groups beside its first group: in the same sessions, at the same
    times, their modules in order (one cut across two sessions becomes parts); each at its group's venue."""
    programme = catalog.programmes[plan.programme]
    if not programme.splits:
        return sessions
    grouped = programme.grouped
    shown = [replace(s, group=grouped[s.module][1].id, venue=grouped[s.module][1].venue or s.venue)
             if s.module in grouped else s for s in sessions]
    clock_ = plan.layout.clock
    for split in programme.splits:
        lead = [s for s in shown if s.module in split.groups[0].modules]
        for group in split.groups[1:]:
            left = [(m, catalog.modules[m].hours) for m in group.modules]
            pieces: list[tuple[Session, str, float, float]] = []  # (lead session, module, offset, hours)
            for session in lead:
                offset = 0.0
                while offset < session.hours - EPSILON and left:
                    module, hours = left[0]
                    taken = min(hours, session.hours - offset)
                    pieces.append((session, module, offset, taken))
                    offset += taken
                    left[0] = (module, hours - taken)
                    if left[0][1] < EPSILON:
                        left.pop(0)
            parts = {m: sum(1 for p in pieces if p[1] == m) for m in group.modules}
            seen: dict[str, int] = {}
            for session, module, offset, hours in pieces:
                seen[module] = seen.get(module, 0) + 1
                begin = minutes_of(session.start)
                shown.append(replace(session, start=clock(begin + clock_.start(offset)),
                                     end=clock(begin + clock_.end(offset + hours)), module=module,
                                     strand=catalog.modules[module].strand, hours=hours, part=seen[module],
                                     parts=parts[module], reason=plan.item(module).reason,
                                     venue=group.venue or session.venue, group=group.id))
    order = {group.id: index for split in programme.splits for index, group in enumerate(split.groups)}
    return tuple(sorted(shown, key=lambda s: (s.date, s.start, order.get(s.group or "", -1))))


def _spans(programme: Programme, plan: Plan, layout: Layout) -> tuple[PhaseSpan, ...]:
    """The programme's phases with their dates (none without phases)."""
    return tuple(PhaseSpan(phase.id, phase.mode, first, last, phase.venue, phase.teaches)
                 for phase, first, last in phase_spans(plan.cohort.start, programme.phases))


def _shares(total: float, rooms: list[float]) -> list[float]:
    """The 学时 of ``total`` due by the end of each day when spread over the days' ``rooms``."""
    room_in_all = sum(rooms)
    return [total * sum(rooms[:day + 1]) / room_in_all if room_in_all else 0.0 for day in range(len(rooms))]
