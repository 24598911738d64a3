"""Completion rules in the programme (schema 2) and the ledger's pure arithmetic (no database here)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kebao.catalog import load_catalog
from kebao.errors import ContentError
from kebao.model import Completion
from kebao.records.certificates import verification_csv, verification_rows
from kebao.records.export import pseudonym
from kebao.records.identity import mask_name
from kebao.records.ledger import Course, Mark, Marks, PlannedModule, Rules, cohort_ledger, number

from . import catalog_factory as cf


def spec_with(**fields: object) -> cf.Spec:
    modules = [cf.module("party-theory", "party-building", 4), cf.module("farm-skills", "skills", 4)]
    programme = cf.programme("course", mix={"party-building": 50, "skills": 50},
                             required=["party-theory", "farm-skills"], **fields)
    return cf.Spec(modules=modules, programmes=[programme])


def test_completion_defaults_are_80_percent_and_60_with_nothing_required() -> None:
    assert (Completion().attendance, Completion().score, Completion().required) == (80, 60, [])
    catalog = load_catalog(Path(__file__).parent.parent)
    assert catalog.programmes["xpcc-cadres"].completion.required == ["xpcc-cadre-final-assessment"]
    assert catalog.programmes["nev-technicians"].completion == Completion()


def test_completion_is_a_schema_2_field(tmp_path: Path) -> None:
    cf.write(tmp_path, spec_with(completion={"attendance": 90}))
    with pytest.raises(ContentError) as caught:
        load_catalog(tmp_path)
    assert "completion" in str(caught.value) and "schema: 2" in str(caught.value)


def test_an_unknown_module_in_completion_is_located_with_a_suggestion(tmp_path: Path) -> None:
    cf.write(tmp_path, spec_with(schema=2, completion={"required": ["party-theroy"], "score": 101}))
    with pytest.raises(ContentError) as caught:
        load_catalog(tmp_path)
    text = str(caught.value)
    assert "course.yml" in text and "completion.score" in text  # 101 is over 100
    cf.write(tmp_path, spec_with(schema=2, completion={"required": ["party-theroy"]}))
    with pytest.raises(ContentError) as caught:
        load_catalog(tmp_path)
    problem = caught.value.problems[0]
    assert problem.field == "completion.required[0]" and problem.location is not None
    assert problem.location.line is not None and "party-theory" in str(caught.value)


def course(*modules: PlannedModule, hours: str = "8", credits: str = "0.50", required: tuple[str, ...] = ()) -> Course:
    return Course("p", "c", "培训班", "Course", "培训部", "2026-12-06", "2026-12-08", Decimal(hours),
                  Decimal(credits), modules, Rules(Decimal(80), Decimal(60), required))


A = PlannedModule("a", "模块甲", "A", Decimal(4), Decimal("0.25"))
B = PlannedModule("b", "模块乙", "B", Decimal(4), Decimal("0.25"))


def marks(number_: int, *statuses: str, scores: dict[str, str] | None = None) -> Marks:
    sessions = [Mark(f"s{i}", "a" if i < 2 else "b", Decimal(2), status) for i, status in enumerate(statuses)]
    return Marks(number_, number_, f"测试{number_}", "示例县农业局", "", tuple(sessions),
                 {k: Decimal(v) for k, v in (scores or {}).items()})


def test_late_counts_in_full_left_early_half_leave_and_absence_not() -> None:
    led = cohort_ledger(course(A, B), [marks(1, "late", "left-early", "leave", "absent")])[0]
    assert (led.attended, led.leave, led.absent) == (Decimal(3), Decimal(2), Decimal(3))
    assert number(led.share) == "37.5" and not led.completed


def test_a_module_is_passed_by_score_when_assessed_else_by_attendance() -> None:
    cohort = [marks(1, "present", "present", "present", "absent", scores={"a": "59"}),
              marks(2, "absent", "absent", "present", "present", scores={"a": "60"})]
    first, second = cohort_ledger(course(A, B, required=("a",)), cohort)
    assert [(r.module, r.assessed, r.passed) for r in first.modules] == [("a", True, False), ("b", False, False)]
    assert first.credits == Decimal(0) and [c.render() for c in first.reasons] == [
        "出勤 6/8 学时（75%）< 80% ✗", "模块甲 59 < 60 ✗"]
    assert [(r.passed, r.credits) for r in second.modules] == [(True, Decimal("0.25")), (True, Decimal("0.25"))]
    assert second.credits == Decimal("0.50") and not second.completed  # attended 4 of 8


def test_a_split_learner_takes_the_group_the_records_put_them_in() -> None:
    g1 = PlannedModule("g1", "甲组", "G1", Decimal(4), Decimal("0.25"), ("track", "one"))
    g2 = PlannedModule("g2", "乙组", "G2", Decimal(4), Decimal("0.25"), ("track", "two"))
    two = Marks(1, 1, "测试", "单位", "", (Mark("s0", "a", Decimal(4), "present"), Mark("s1", "g2", Decimal(4),
                                                                                     "present")), {})
    led = cohort_ledger(course(A, g1, g2), [two])[0]
    assert [r.module for r in led.modules] == ["a", "g2"] and led.completed and led.credits == Decimal("0.50")


def test_names_are_masked_and_the_list_shows_nothing_else() -> None:
    assert [mask_name(n) for n in ("张三", "张小三", "欧阳小明", "王")] == ["张*", "张*三", "欧**明", "*"]
    led = cohort_ledger(course(A, B), [marks(1, "present", "present", "present", "present")])[0]
    text = verification_csv(verification_rows(course(A, B), [led], {1: "2026-AAAA-BBBB-CCCC"}))
    assert "测*1" in text and "测试1" not in text and "示例县农业局" not in text and ",0.50," in text


def test_pseudonyms_are_stable_and_keyed_by_the_database_salt() -> None:
    assert pseudonym(b"salt", 7, "") == pseudonym(b"salt", 7, "")
    assert pseudonym(b"salt", 7, "") != pseudonym(b"other", 7, "")
    assert pseudonym(b"salt", 7, "digest") == pseudonym(b"salt", 9, "digest")  # one person, two cohorts


def test_certificates_need_an_issuer_and_say_where_to_add_it(tmp_path: Path) -> None:
    from typing import cast

    from kebao.errors import RecordsError
    from kebao.records.database import Database
    from kebao.records.issue import write_certificates

    led = cohort_ledger(course(A, B), [marks(1, "present", "present", "present", "present")])[0]
    nameless = Course("p", "c", "培训班", "Course", "", "2026-12-06", "2026-12-08", Decimal(8), Decimal("0.50"),
                      (A, B))
    with pytest.raises(RecordsError) as caught:  # refused before the database is asked anything
        write_certificates(cast(Database, None), nameless, [led], tmp_path / "out")
    assert "organiser" in str(caught.value) and "curricula/programmes/p.yml" in str(caught.value)
    assert caught.value.exit_code == 2 and not (tmp_path / "out").exists()
