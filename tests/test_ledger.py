"""The ledger, certificates, the credit-bank export and forgetting a learner, on SQLite and PostgreSQL.

A cohort of xpcc-cadres (its own cohort, 65 学时, 4.06 学分; completion: 90 % attendance, the final assessment
at 60) is made by :func:`make_cohort`: a roster imported as ``kebao records roster`` does, then attendance per
session of the real timetable and scores inserted through the models (the workbook importer is another part).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import select

from kebao.catalog import Catalog, load_catalog
from kebao.packs.context import decide
from kebao.records.database import open_database, transaction
from kebao.records.models import Attendance, Certificate, Cohort, Import, Learner, Score
from kebao.records.roster import read_roster
from kebao.records.store import import_roster

from .paths import REPO
from .test_records import kebao

pytestmark = pytest.mark.database

PROGRAMME, CODE = "xpcc-cadres", "xpcc-2026-12"
FINAL = "xpcc-cadre-final-assessment"
PHONES = ("13800138000", "13800138001", "13900139000", "13700137000", "13600136000")


@dataclass
class Someone:
    """A made-up learner: who, which sessions (by index in the timetable) went otherwise, which scores."""

    name: str
    organisation: str = "示例县农业农村局"
    sessions: Mapping[int, str] = field(default_factory=dict)  # index -> status (default: present)
    scores: Mapping[str, str] = field(default_factory=dict)


@cache
def catalog() -> Catalog:
    return load_catalog(REPO)


def sessions() -> list[tuple[str, str, Decimal]]:
    """(session key, module, 学时) of every teaching session of the cohort's timetable, in time order."""
    timetable = decide(catalog(), PROGRAMME).timetable
    return [(f"{s.date.isoformat()}T{s.start}" + (f"/{s.group}" if s.group else ""), s.module,
             Decimal(str(s.hours))) for s in timetable.sessions]


def make_cohort(url: str, folder: Path, people: list[Someone]) -> None:
    """The roster (through import_roster), then attendance and scores (through the models) of ``people``."""
    lines = ["姓名,性别,单位,职务,电话"] + [f"{p.name},女,{p.organisation},科员,{PHONES[i]}"
                                       for i, p in enumerate(people)]
    path = folder / "roster.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    database = open_database(REPO, url)
    try:
        import_roster(database, PROGRAMME, CODE, path, read_roster(path))
        with transaction(database) as session:
            cohort = session.scalars(select(Cohort)).one()
            audit = Import(cohort=cohort, kind="attendance", file_name="签到表.xlsx", sha256="0" * 64,
                           imported_by="test")
            session.add(audit)
            session.flush()
            for learner, someone in zip(cohort.learners, people, strict=True):
                for index, (key, module, hours) in enumerate(sessions()):
                    session.add(Attendance(cohort_id=cohort.id, learner_id=learner.id, session=key, module=module,
                                           hours=hours, status=someone.sessions.get(index, "present"),
                                           import_id=audit.id))
                for module, score in someone.scores.items():
                    session.add(Score(cohort_id=cohort.id, learner_id=learner.id, module=module,
                                      score=Decimal(score), import_id=audit.id))
    finally:
        database.close()


def missing(hours: Decimal, status: str = "absent") -> dict[int, str]:
    """Sessions (indexes) to mark ``status`` so that exactly ``hours`` 学时 are missed (whole sessions, fewest)."""
    candidates = [(i, length) for i, (_, module, length) in enumerate(sessions()) if module != FINAL]

    def pick(left: Decimal, start: int, depth: int) -> list[int] | None:
        if not left:
            return []
        if depth == 0:
            return None
        for n in range(start, len(candidates)):
            index, length = candidates[n]
            if length <= left:
                rest = pick(left - length, n + 1, depth - 1)
                if rest is not None:
                    return [index, *rest]
        return None

    for depth in range(1, 5):
        found = pick(hours, 0, depth)
        if found is not None:
            return dict.fromkeys(found, status)
    raise AssertionError(f"no sessions make {hours} 学时")


def status_json(url: str) -> dict[str, object]:
    code, out, err = kebao(url, "records", "status", PROGRAMME, "--format", "json")
    assert (code, err) == (0, ""), err
    loaded: dict[str, object] = json.loads(out)
    return loaded


def learners(report: Mapping[str, object]) -> dict[str, dict[str, object]]:
    rows = report["learners"]
    assert isinstance(rows, list)
    return {row["name"]: row for row in rows}


def at_the_line() -> dict[int, str]:
    """58.5 of 65 学时 (exactly 90 %): 5 学时 missed whole and a 3-学时 session left early (half counts)."""
    chosen = missing(Decimal(5))
    early = next(i for i, (_, module, hours) in enumerate(sessions())
                 if hours == 3 and i not in chosen and module != FINAL)
    return {**chosen, early: "left-early"}


def test_status_says_who_completed_and_why_not_at_each_threshold(database_url: str, tmp_path: Path) -> None:
    make_cohort(database_url, tmp_path, [
        Someone("测试甲", scores={FINAL: "85"}),
        Someone("测试乙", sessions=missing(Decimal(7)), scores={FINAL: "85"}),  # 58/65 = 89.2 %
        Someone("测试丙", scores={FINAL: "59.5"}),
        Someone("测试丁", sessions=missing(Decimal(6), "leave")),  # 59/65 attended, no final score
        Someone("测试戊", sessions=at_the_line(), scores={FINAL: "60"}),  # exactly at both lines
    ])
    report = learners(status_json(database_url))
    assert report["测试甲"]["completed"] is True and report["测试甲"]["attended"] == "65"
    assert report["测试乙"]["completed"] is False
    assert [c["text"] for c in report["测试乙"]["checks"] if not c["met"]] == ["出勤 58/65 学时（89.2%）< 90% ✗"]
    assert [c["text"] for c in report["测试丙"]["checks"] if not c["met"]] == [
        "结业测评：党建理论测试与微党课展示 59.5 < 60 ✗"]
    ding = report["测试丁"]
    assert ding["leave"] == "6" and ding["attended"] == "59" and ding["completed"] is False
    assert [c["text"] for c in ding["checks"]] == ["出勤 59/65 学时（90.7%）≥ 90% ✓",
                                                   "结业测评：党建理论测试与微党课展示 无成绩 ✗"]
    line = report["测试戊"]
    assert (line["attended"], line["share"], line["completed"]) == ("58.5", "90", True)
    code, out, _ = kebao(database_url, "records", "status", PROGRAMME)
    assert code == 0
    assert "5 名学员，2 名结业；65 学时，4.06 学分；结业条件：出勤 ≥ 90%，成绩 ≥ 60" in out
    assert "原因：出勤 58/65 学时（89.2%）< 90% ✗" in out
    assert not any(phone in out for phone in PHONES) and "138****" not in out


def test_credits_add_up_exactly_and_are_earned_module_by_module(database_url: str, tmp_path: Path) -> None:
    make_cohort(database_url, tmp_path, [Someone("测试甲", scores={FINAL: "60"}),
                                         Someone("测试乙", sessions=missing(Decimal(4)), scores={FINAL: "90"})])
    report = status_json(database_url)
    assert report["credits"] == "4.06"
    for row in learners(report).values():
        modules = row["modules"]
        assert sum(Decimal(m["credits"]) for m in modules) == Decimal(row["credits"])
    full, short = learners(report)["测试甲"], learners(report)["测试乙"]
    assert full["credits"] == "4.06" and all(m["passed"] for m in full["modules"])
    failed = [m for m in short["modules"] if not m["passed"]]
    assert len(failed) == 1 and failed[0]["attended"] == "0" and failed[0]["credits"] == "0.00"
    assert Decimal(short["credits"]) == Decimal("4.06") - sum(
        Decimal(m["credits"]) for m in full["modules"] if m["module"] == failed[0]["module"])


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_certificates_for_completing_learners_same_bytes_and_codes_again(database_url: str, tmp_path: Path) -> None:
    make_cohort(database_url, tmp_path, [Someone("测试甲", scores={FINAL: "85"}),
                                         Someone("测试乙", scores={FINAL: "40"}),
                                         Someone("欧阳测试", organisation="示例团场", scores={FINAL: "70"})])
    out = tmp_path / "certificates"
    code, text, err = kebao(database_url, "records", "certificates", PROGRAMME, "--out", str(out))
    assert code == 0, err
    pdfs = sorted(out.glob("*.pdf"))
    assert [p.name[:4] for p in pdfs] == ["001-", "003-"]  # 测试乙 did not complete
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no temporary file is left
    page = pdf_text(pdfs[1])
    certificate_code = pdfs[1].stem[4:]
    for shown in ("结 业 证 书", "欧阳测试", "新疆生产建设兵团第十四师", "65 学时", "4.06 学分", certificate_code,
                  "学校继续教育学院社会培训部", "2026年12月6日"):
        assert shown in page.replace("\n", ""), shown
    assert "2 certificate(s)" in text and "2 new code(s)" in text
    code, text, _ = kebao(database_url, "records", "certificates", PROGRAMME, "--out", str(out))
    assert code == 0 and "0 new code(s)" in text
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first  # same names (codes) and same bytes
    listing = (out / "verification.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(listing)))
    assert rows[0][:2] == ["证书编号", "姓名"] and sorted(r[1] for r in rows[1:]) == ["欧**试", "测*甲"]
    published = listing + (out / "verification.html").read_text(encoding="utf-8")
    for name in ("测试甲", "测试乙", "欧阳测试", *PHONES, "示例县农业农村局"):
        assert name not in published
    database = open_database(REPO, database_url)
    try:
        with database.engine.connect() as connection:
            assert sorted(connection.execute(select(Certificate.code)).scalars()) == sorted(r[0] for r in rows[1:])
    finally:
        database.close()


def test_credit_bank_export_matches_its_schema_named_and_anonymised(database_url: str, tmp_path: Path) -> None:
    import jsonschema

    from kebao.records.export import schema

    make_cohort(database_url, tmp_path, [Someone("测试甲", scores={FINAL: "85"}),
                                         Someone("测试乙", sessions=missing(Decimal(8)), scores={FINAL: "61"})])
    out = tmp_path / "export"
    for extra in ((), ("--anonymise",)):
        code, _, err = kebao(database_url, "records", "export", PROGRAMME, "--format", "creditbank", "--out",
                             str(out), *extra)
        assert code == 0, err
    named = json.loads((out / "creditbank.json").read_text(encoding="utf-8"))
    anonymised_text = (out / "creditbank-anonymised.json").read_text(encoding="utf-8")
    anonymised = json.loads(anonymised_text)
    for document in (named, anonymised):
        jsonschema.validate(document, schema())
        for record in document["learners"]:
            assert sum(Decimal(m["credits"]) for m in record["modules"]) == Decimal(record["credits"])
    assert [r["learner"]["name"] for r in named["learners"]] == ["测试甲", "测试乙"]
    assert [r["completed"] for r in named["learners"]] == [True, False]
    assert sorted(r["learner"]["id"] for r in named["learners"]) == [r["learner"]["id"] for r in anonymised["learners"]]
    anonymised_csv = (out / "creditbank-anonymised.csv").read_text(encoding="utf-8-sig")
    for secret in ("测试甲", "测试乙", "科员", *PHONES, "138****"):
        assert secret not in anonymised_text and secret not in anonymised_csv
    rows = list(csv.DictReader(io.StringIO((out / "creditbank.csv").read_text(encoding="utf-8-sig"))))
    by_learner: dict[str, Decimal] = {}
    for row in rows:
        by_learner[row["name"]] = by_learner.get(row["name"], Decimal(0)) + Decimal(row["module_credits"])
        assert row["total_credits"] == next(r["credits"] for r in named["learners"]
                                            if r["learner"]["name"] == row["name"])
    assert by_learner["测试甲"] == Decimal("4.06")
    assert not any(phone in (out / "creditbank.csv").read_text(encoding="utf-8-sig") for phone in PHONES)


def test_forget_deletes_a_learner_with_marks_and_certificate_and_audits_it(database_url: str, tmp_path: Path) -> None:
    make_cohort(database_url, tmp_path, [Someone("测试甲", scores={FINAL: "85"}), Someone("测试乙")])
    assert kebao(database_url, "records", "certificates", PROGRAMME, "--out", str(tmp_path / "c"))[0] == 0
    code, _, err = kebao(database_url, "records", "forget", PROGRAMME, "测试甲")
    assert code == 2 and "--yes" in err  # nothing deleted without --yes
    code, out, err = kebao(database_url, "records", "forget", PROGRAMME, "测试甲", "--yes")
    assert code == 0, err
    assert "and their certificate" in out and "测试甲" not in out
    database = open_database(REPO, database_url)
    try:
        with database.engine.connect() as connection:
            names = connection.execute(select(Learner.name)).scalars().all()
            assert names == ["测试乙"]
            assert connection.execute(select(Certificate)).all() == []
            kept = connection.execute(select(Attendance.learner_id).distinct()).scalars().all()
            assert len(kept) == 1 and connection.execute(select(Score)).all() == []
            audit = connection.execute(select(Import).where(Import.kind == "forget")).one()
            assert "测试甲" not in str(tuple(audit))
    finally:
        database.close()
    code, _, err = kebao(database_url, "records", "forget", PROGRAMME, "测试甲", "--yes")
    assert code == 2 and "no learner '测试甲'" in err


def test_bad_requests_exit_2_and_name_the_cohort(database_url: str, tmp_path: Path) -> None:
    code, _, err = kebao(database_url, "records", "status", PROGRAMME)
    assert code == 2 and f"no records for cohort {PROGRAMME}/{CODE}" in err and "records roster" in err
    code, _, err = kebao(database_url, "records", "status", "xpcc-cadre")
    assert code == 2 and "xpcc-cadres" in err  # did you mean
    make_cohort(database_url, tmp_path, [Someone("测试甲")])
    code, _, err = kebao(database_url, "records", "status", f"{PROGRAMME}/xpcc-2026-12-2")
    assert code == 2 and f"no records for cohort {PROGRAMME}/xpcc-2026-12-2" in err
    code, _, err = kebao(database_url, "records", "export", PROGRAMME, "--format", "creditbank", "--out",
                         str(tmp_path / "x"))
    assert code == 0, err
    code, _, err = kebao(database_url, "records", "status", f"{PROGRAMME}/test-2026")
    assert code == 2 and "programme 'xpcc-cadres' has no cohort 'test-2026'" in err
    assert "cohorts/xpcc-cadres/test-2026.yml" in err  # where a new cohort goes
