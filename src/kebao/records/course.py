"""What a cohort's plan offers a learner, from kebao's engine: the ledger's :class:`~.ledger.Course`.

The plan is decided as a pack is (``packs.context.decide``: compose, then schedule) for the cohort, so the
modules, their 学时 and the dates are those of the cohort's pack; 学分 are the pack's credit record
(``credits.credit_record``: the programme's 学分 shared over the modules by largest remainder). The rules
are the programme's ``completion`` (schema 2; the defaults otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ..catalog import Catalog
from ..errors import RecordsError
from ..model import Cohort, Group, Programme, Split
from .ledger import Course, PlannedModule, Rules


def cohort_spec(catalog: Catalog, programme: Programme, code: str) -> Cohort:
    """The cohort ``code`` of ``programme``: the programme's own, or one of its cohort files (the catalogue's)."""
    from ..cohort import cohort_of

    return cohort_of(catalog, programme.id, code)


def course_of(catalog: Catalog, programme_id: str, code: str) -> Course:
    """The plan of cohort ``programme_id/code`` as the ledger needs it."""
    from ..credits import credit_record, credits_for
    from ..packs.context import decide

    programme = catalog.programme(programme_id)
    ctx = decide(catalog, programme.id, cohort=cohort_spec(catalog, programme, code))
    plan, timetable = ctx.plan, ctx.timetable
    lines = credit_record(catalog, programme, [(item.module, item.hours) for item in plan.taught])
    grouped = programme.grouped
    modules = tuple(PlannedModule(line.module, line.title_zh, line.title_en, Decimal(str(line.hours)),
                                  line.credits, _group(grouped, line.module)) for line in lines)
    completion = programme.completion
    missing = [m for m in completion.required if m not in plan.modules]
    if missing:
        raise RecordsError(f"{programme.id}: completion.required names {', '.join(missing)}, which the plan of "
                           f"cohort {code} does not hold", "list only planned modules in completion.required, "
                           "or make them required in the programme")
    days = timetable.days
    first = days[0].date if days else plan.cohort.start
    last = days[-1].date if days else plan.cohort.start
    one_learner = sum(item.hours for item in plan.items) + plan.event_hours
    return Course(programme.id, code, programme.title.zh, programme.title.en,
                  programme.organiser.zh if programme.organiser else "", first.isoformat(), last.isoformat(),
                  Decimal(str(one_learner)), credits_for(sum(item.hours for item in plan.items),
                                                         programme.hours_per_credit), modules,
                  Rules(Decimal(str(completion.attendance)), Decimal(str(completion.score)),
                        tuple(completion.required)))


def _group(grouped: Mapping[str, tuple[Split, Group]], module: str) -> tuple[str, str] | None:
    found = grouped.get(module)
    return None if found is None else (found[0].id, found[1].id)
