"""``kebao records status|certificates|export|forget``: the ledger of a cohort and what comes out of it.

``status COHORT`` shows each learner's 学时 attended, 学分 earned, results, and whether they completed and
why not (the programme's ``completion`` rules). ``certificates COHORT`` writes a 结业证书 PDF for each
learner who completed, and the verification list (CSV and HTML, names masked) the site may publish, under
``records/certificates/<programme>/<cohort>/`` unless ``--out``. ``export COHORT --format creditbank`` writes
the credit-bank records (JSON and CSV; ``--anonymise`` for analytics) under ``records/exports/…``.
``forget COHORT LEARNER --yes`` deletes a learner (by name or roster number) and all their marks and
certificate. Phones and ID numbers are never shown. Exit code 2 for an unknown programme or cohort, a cohort
without records, an unknown learner, or ``forget`` without ``--yes``; nothing is written then.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from kebao.records.database import Database
    from kebao.records.ledger import Course, Ledger

COMMANDS = ("status", "certificates", "export", "forget")
WHERE = "PROGRAMME/COHORT-ID, or PROGRAMME for the programme's own cohort"


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> list[argparse.ArgumentParser]:
    """The four commands under ``kebao records``; the caller adds --root and --database to each."""
    status = sub.add_parser("status", help="each learner's 学时, 学分, results, whether they completed and why not",
                            description="The cohort's ledger under the programme's completion rules.")
    status.add_argument("cohort", help=WHERE)
    status.add_argument("--format", choices=("table", "json"), default="table",
                        help="'json' prints one object with every learner's ledger")
    certificates = sub.add_parser("certificates", help="a 结业证书 PDF per completing learner, and the "
                                  "verification list", description="Certificates and the masked verification list.")
    certificates.add_argument("cohort", help=WHERE)
    certificates.add_argument("--out", type=Path, help="the folder (default: records/certificates/PROGRAMME/COHORT)")
    certificates.add_argument("--verify-url", metavar="URL", default="",
                              help="the address of the published verification page the QR codes point to "
                                   "(default: verify/PROGRAMME/COHORT.html on the site)")
    export = sub.add_parser("export", help="the credit-bank records (学分银行) as JSON and CSV",
                            description="Per-learner records for the credit bank; --anonymise for analytics.")
    export.add_argument("cohort", help=WHERE)
    export.add_argument("--format", choices=("creditbank",), required=True, help="the export's form")
    export.add_argument("--anonymise", action="store_true",
                        help="no names, genders, posts or certificate codes; learners by a stable pseudonym")
    export.add_argument("--out", type=Path, help="the folder (default: records/exports/PROGRAMME/COHORT)")
    forget = sub.add_parser("forget", help="delete a learner with their marks and certificate",
                            description="Delete a learner and everything stored about them (asks nothing: "
                                        "--yes is required).")
    forget.add_argument("cohort", help=WHERE)
    forget.add_argument("learner", help="the learner's name as on the roster, or their number (kebao records list)")
    forget.add_argument("--yes", action="store_true", help="really delete (required)")
    return [status, certificates, export, forget]


def run(args: argparse.Namespace, programme: str, code: str) -> int:
    from kebao.errors import UsageError
    from kebao.records.database import open_database

    if args.records_command == "forget" and not args.yes:
        raise UsageError(f"kebao records forget {args.cohort} {args.learner}: nothing was deleted",
                         "add --yes to delete the learner, their marks and their certificate for good")
    database = open_database(args.root, args.database)
    try:
        if args.records_command == "forget":
            return _forget(database, programme, code, args.learner)
        course, ledgers = _ledger(args.root, database, programme, code)
        if args.records_command == "status":
            return _status(course, ledgers, args.format)
        if args.records_command == "certificates":
            return _certificates(args, database, course, ledgers)
        return _export(args, database, course, ledgers)
    finally:
        database.close()


def _ledger(root: Path, database: Database, programme: str, code: str) -> tuple[Course, list[Ledger]]:
    from kebao.catalog import load_catalog
    from kebao.records.course import course_of
    from kebao.records.ledger import cohort_ledger
    from kebao.records.marks import cohort_marks

    marks = cohort_marks(database, programme, code)  # no records: refused before the plan is made
    course = course_of(load_catalog(root), programme, code)
    return course, cohort_ledger(course, marks)


def _status(course: Course, ledgers: list[Ledger], form: str) -> int:
    from kebao.records.ledger import number

    if form == "json":
        print(json.dumps(_status_json(course, ledgers), ensure_ascii=False, indent=2))
        return 0
    rules = course.rules
    done = sum(led.completed for led in ledgers)
    required = "、".join(_title(course, module) for module in rules.required)
    print(f"{course.programme}/{course.cohort} {course.title}: {len(ledgers)} 名学员，{done} 名结业；"
          f"{number(course.hours)} 学时，{number(course.credits)} 学分；结业条件：出勤 ≥ {number(rules.attendance)}%，"
          f"成绩 ≥ {number(rules.score)}" + (f"，必须通过 {required}" if required else ""))
    for led in ledgers:
        print(f"{led.marks.number:>4}  {led.marks.name}  {led.marks.organisation or '-'}  "
              f"{number(led.attended)}/{number(led.hours)} 学时（{number(led.share)}%）  {number(led.credits)} 学分  "
              f"{'结业 ✓' if led.completed else '未结业 ✗'}")
        scored = [f"{r.title} {number(r.score)}" for r in led.modules if r.score is not None]
        if scored:
            print(f"      成绩：{'；'.join(scored)}")
        if not led.completed:
            print(f"      原因：{'；'.join(check.render() for check in led.reasons)}")
    return 0


def _title(course: Course, module: str) -> str:
    found = course.module(module)
    return found.title if found else module


def _status_json(course: Course, ledgers: list[Ledger]) -> dict[str, object]:
    from kebao.records.ledger import number

    return {"cohort": f"{course.programme}/{course.cohort}", "title": course.title, "hours": number(course.hours),
            "credits": str(course.credits), "rules": {"attendance": number(course.rules.attendance),
                                                      "score": number(course.rules.score),
                                                      "required": list(course.rules.required)},
            "learners": [{"number": led.marks.number, "name": led.marks.name,
                          "organisation": led.marks.organisation, "attended": number(led.attended),
                          "leave": number(led.leave), "absent": number(led.absent), "share": number(led.share),
                          "credits": str(led.credits), "completed": led.completed,
                          "checks": [{**c.message.to_json("zh"), "text": c.render(), "met": c.met}
                                     for c in led.checks],
                          "modules": [{"module": r.module, "title": r.title, "hours": number(r.hours),
                                       "attended": number(r.attended),
                                       "score": None if r.score is None else number(r.score),
                                       "assessed": r.assessed, "passed": r.passed, "credits": str(r.credits)}
                                      for r in led.modules]} for led in ledgers]}


def _certificates(args: argparse.Namespace, database: Database, course: Course, ledgers: list[Ledger]) -> int:
    from kebao.records.issue import write_certificates

    completing = [led for led in ledgers if led.completed]
    if not completing:
        print(f"{course.programme}/{course.cohort}: no learner completed yet; no certificate written "
              "(kebao records status says why)")
        return 0
    out = args.out or args.root / _records_folder() / "certificates" / course.programme / course.cohort
    from tqdm import tqdm

    with tqdm(total=len(completing), unit="张", desc="certificates", file=sys.stderr, disable=None) as bar:
        written = write_certificates(database, course, completing, out, args.verify_url, bar.update)
    print(f"{course.programme}/{course.cohort}: {len(written.pdfs)} certificate(s) in {out}"
          f" ({written.new} new code(s)); verification list: {written.csv.name}, {written.html.name}")
    return 0


def _export(args: argparse.Namespace, database: Database, course: Course, ledgers: list[Ledger]) -> int:
    from kebao.atomic import write_atomic
    from kebao.records import export
    from kebao.records.marks import issued_codes, people_of

    codes = {learner: issued.code for learner, issued in issued_codes(database, course.programme,
                                                                         course.cohort).items()}
    people = people_of(database, course.programme, course.cohort)
    records = export.records(course, ledgers, people, codes, database.salt, args.anonymise)
    out = args.out or args.root / _records_folder() / "exports" / course.programme / course.cohort
    stem = "creditbank-anonymised" if args.anonymise else "creditbank"
    write_atomic(out / f"{stem}.json", export.to_json(course, records, args.anonymise))
    write_atomic(out / f"{stem}.csv", export.to_csv(records))
    print(f"{course.programme}/{course.cohort}: {len(records)} learner record(s) in {out / stem}.json and .csv")
    return 0


def _forget(database: Database, programme: str, code: str, who: str) -> int:
    from kebao.records.marks import cohort_marks, find_learner, forget

    learner = find_learner(cohort_marks(database, programme, code), who, f"{programme}/{code}")
    done = forget(database, programme, code, learner.learner)
    print(f"{done.cohort}: learner {learner.number} deleted with {done.attendance} attendance mark(s), "
          f"{done.scores} score(s), {done.answers} survey answer(s)"
          f"{' and their certificate' if done.certificate else ''}; recorded as import {done.audit} (kind forget)")
    return 0


def _records_folder() -> Path:
    from kebao.paths import RECORDS

    return RECORDS
