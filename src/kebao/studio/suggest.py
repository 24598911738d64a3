"""When a draft cannot be planned: the nearest workable plan, and changes that would make it plan.

:func:`preview` is :func:`kebao.studio.state.check` plus, for a draft that is
valid but cannot be planned, two kinds of help:

* the **nearest plan**: what the modules allow when a strand is short of them
  (``compose(..., what_fits=True)``: every module the short strands have, their
  shortfall in the plan's notes and on the chart), or else the plan of the first
  suggestion;
* **suggestions**: the engine's advice (a PlanError's advice codes: lower a
  weight, add a pool, raise days, lower the total…) turned into concrete
  changes of the draft, each tried and kept only when the draft then plans. The
  studio applies one with a click.

The searches are bounded (:data:`TRIES` drafts per piece of advice); a check
takes 2–30 ms, one that fails early (a short strand) about 2 ms.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import replace

from ..catalog import Catalog
from ..compose import compose
from ..errors import KebaoError, PlanError
from ..labels import Word
from ..messages import Message, say
from ..plan import Plan
from ..schedule import schedule
from . import state
from .state import Draft, Preview, Suggestion

TRIES = 100  # drafts tried per piece of advice, at most
SHOWN = 3  # suggestions offered, at most
SHORT = 0.5  # 学时 below its target a strand is marked short on the chart (compose.SHORT_TOLERANCE)


def preview(catalog: Catalog, draft: Draft) -> Preview:
    """The draft's preview; one that cannot be planned also gets the nearest plan and suggestions."""
    found = state.check(catalog, draft)
    if not isinstance(found.plan_error, PlanError) or found.programme is None or found.catalog is None:
        return found
    fixes = tuple(suggestions(catalog, draft, found.plan_error))
    try:
        plan = compose(found.catalog, found.programme, what_fits=True)
        timetable = schedule(found.catalog, plan)
    except KebaoError:
        pass
    else:
        fixes = (*fixes, *_mix_of(catalog, draft, plan))[:SHOWN]
        return replace(found, plan=plan, timetable=timetable, suggestions=fixes, nearest=say("nearest-what-fits"))
    if fixes:
        fixed = state.check(catalog, fixes[0].draft)
        return replace(found, plan=fixed.plan, timetable=fixed.timetable, suggestions=fixes,
                       nearest=say("nearest-after-fix", fix=fixes[0].change))
    return replace(found, nearest=say("nearest-none"))


def suggestions(catalog: Catalog, draft: Draft, error: PlanError) -> list[Suggestion]:
    """Up to :data:`SHOWN` changes, one per piece of the error's advice, that each make the draft plan."""
    found: list[Suggestion] = []
    seen: set[str] = set()
    for advice in error.advice:
        for change, candidate in itertools.islice(_changes(catalog, draft, advice), TRIES):
            if state.check(catalog, candidate).ok:
                if change.code not in seen:
                    found.append(Suggestion(change, candidate))
                    seen.add(change.code)
                break
        if len(found) == SHOWN:
            break
    return found


def _changes(catalog: Catalog, draft: Draft, advice: Message) -> Iterator[tuple[Message, Draft]]:
    """The drafts that would follow ``advice``, nearest first, each with what it changes."""
    code = advice.code
    days = state.whole(draft.get("days"))
    total = draft.get("total_hours")
    if code == "advice-lower-weight":
        strand = str(advice["strand_id"])
        mix = state.weights(draft)
        for weight in range(mix.get(strand, 0) - 1, -1, -1):
            yield (say("fix-weight", strand=_name(catalog, strand), weight=weight),
                   state.with_weights(draft, state.rebalance(mix, strand, weight)))
    elif code == "advice-add-pool":
        strand = str(advice["strand_id"])
        yield say("fix-add-pool", strand=_name(catalog, strand)), _with_pool(draft, {"strands": [strand]})
    elif code == "advice-list-electives":
        modules = list(advice["modules"])
        yield say("fix-list-electives", modules=tuple(modules)), _with_pool(draft, {"modules": modules})
    elif code in ("advice-more-days", "advice-more-days-programme", "advice-some-days") and days:
        least = int(advice.get("days", days + 1))  # what the advice needed; more when other rules need more
        for more in range(least, least + 14):
            yield say("fix-days", days=more), draft.with_value(("days",), more)
    elif code == "advice-fewer-days" and days:
        for fewer in range(days - 1, 0, -1):
            yield say("fix-days", days=fewer), draft.with_value(("days",), fewer)
    elif code == "advice-lower-total":
        yield say("fix-total", hours=advice["hours"]), draft.with_value(("total_hours",), advice["hours"])
    elif code in ("advice-lower-total-plain", "advice-plan-fewer") and state.whole(total):
        for hours in range(state.whole(total) - 1, 0, -1):
            yield say("fix-total", hours=hours), draft.with_value(("total_hours",), hours)
    elif code in ("advice-weekends", "advice-evenings"):
        setting = code.removeprefix("advice-")
        yield say(f"fix-{setting}"), draft.with_value((setting,), state.REMOVE)
    elif code in ("advice-other-start", "advice-other-start-plain"):
        first = state.date_of(draft.get("cohort", "start"))
        later = [first + dt.timedelta(weeks=weeks) for weeks in range(1, 9)] if first is not None else []
        for start in later:
            yield say("fix-start", start=start.isoformat()), draft.with_value(("cohort", "start"), start)


def _mix_of(catalog: Catalog, draft: Draft, plan: Plan) -> list[Suggestion]:
    """The mix a what-fits plan gives (its 学时 per strand, in whole percentages), if the draft then plans."""
    hours = {s.id: s.hours for s in plan.strands if s.id in state.weights(draft)}
    total = sum(hours.values())
    if not total:
        return []
    shares = {strand: 100 * h / total for strand, h in hours.items()}
    mix = {strand: int(share) for strand, share in shares.items()}
    for strand in sorted(shares, key=lambda s: mix[s] - shares[s])[:100 - sum(mix.values())]:
        mix[strand] += 1  # largest remainders first, so the mix adds up to 100
    candidate = state.with_weights(draft, mix)
    if candidate is draft or not state.check(catalog, candidate).ok:
        return []
    parts = tuple(say("mix-part", strand=_name(catalog, s), weight=w) for s, w in mix.items())
    return [Suggestion(say("fix-mix", mix=parts), candidate)]


def _with_pool(draft: Draft, pool: dict[str, list[str]]) -> Draft:
    pools = draft.get("pools", default=[])
    return draft.with_value(("pools",), [*(pools if isinstance(pools, list) else []), pool])


def _name(catalog: Catalog, strand: str) -> object:
    found = catalog.strands.get(strand)
    return found.name if found is not None else Word(strand, strand)
