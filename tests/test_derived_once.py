"""What compose and schedule derive once per catalogue and per layout is tied to that object: a changed copy
(``dataclasses.replace``) derives its own, and two programmes never share an answer."""

from __future__ import annotations

import dataclasses

from kebao.compose import compose
from kebao.layout import EPSILON

from . import catalog_factory as cf


def test_a_changed_catalogue_has_its_own_modules_by_strand() -> None:
    catalog = cf.build(cf.Spec(modules=[cf.module("a", "skills", 2), cf.module("b", "industry", 2)],
                               programmes=[cf.programme("p", mix={"skills": 100}, total_hours=4)]))
    assert [m.id for m in catalog.strand_modules["skills"]] == ["a"]
    moved = catalog.modules["b"].model_copy(update={"strand": "skills"})
    changed = dataclasses.replace(catalog, modules={**catalog.modules, "b": moved})
    assert [m.id for m in changed.strand_modules["skills"]] == ["a", "b"]
    assert [m.id for m in catalog.strand_modules["skills"]] == ["a"]  # the first one's answer is its own
    plan = compose(changed, changed.programmes["p"])  # the pool of skills now offers b as well
    assert [i.module for i in plan.items] == ["a", "b"]


def test_two_programmes_never_share_a_layout_answer() -> None:
    spec = cf.Spec(modules=[cf.module("a", "skills", 2), cf.module("b", "skills", 2),
                            cf.module("visit", "skills", 4, duration="whole-day")],
                   programmes=[cf.programme("short", mix={"skills": 100}, days=2, total_hours=4),
                               cf.programme("long", mix={"skills": 100}, days=5, total_hours=8,
                                            site_visits=[{"module": "visit", "day": 2}])])
    catalog = cf.build(spec)
    short = compose(catalog, catalog.programmes["short"]).layout
    long = compose(catalog, catalog.programmes["long"]).layout
    assert (len(short.teaching), len(long.teaching)) == (2, 5)
    assert long.reserved(1, 0) is not None and short.reserved(1, 0) is None
    assert short.capacity < long.capacity
    # each layout's derived values answer for its own days: the sessions the visit takes are not free
    for layout in (short, long):
        assert abs(layout.capacity - sum(sum(v.hours) for v in layout.visits)
                   - sum(layout.free_hours(d) for d in range(len(layout.teaching)))) < EPSILON
    assert long.free_hours(1) == 0.0 < long.free_hours(0)
    emptied = dataclasses.replace(long, visits=())  # a new layout: nothing carried over from the first
    assert emptied.reserved(1, 0) is None
    assert emptied.free_hours(1) == long.free_hours(0)
    whole_days = [emptied.session_hours] * round(emptied.capacity / emptied.session_hours)  # every session full
    assert emptied.leftover(whole_days) < EPSILON < long.leftover(whole_days)
