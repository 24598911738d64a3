"""Learner records: import a cohort's roster, write its pre-filled sheets, import them filled, show what is stored.

``kebao records roster COHORT FILE`` imports the learners of an XLSX or CSV roster (姓名, 性别, 单位, 职务,
电话, optional 身份证号; Chinese or English headers) into the records database; ``kebao records sheets
COHORT`` writes the cohort's sign-in, score and survey workbooks with the roster's names (under
records/sheets/, never into a pack); ``kebao records import FILE`` reads a filled workbook back (attendance,
scores, questionnaire answers); ``kebao records list COHORT`` shows the learners, phones and ID-card numbers
masked, and every import; ``status``, ``certificates``, ``export`` and ``forget`` (kebao.cli.ledger) work on
the cohort's ledger. COHORT is ``PROGRAMME/COHORT-ID`` (the programme's own cohort or one of its cohort
files, ``cohorts/PROGRAMME/COHORT-ID.yml``) or just ``PROGRAMME`` for its own. The database is SQLite in
records/kebao.sqlite under --root unless ``--database URL`` or ``KEBAO_DATABASE_URL`` names another
(PostgreSQL: docs/records.md).
Exit code 2 for a bad row (each named ``FILE:row:column``) or cell (``sheet!D7``), an unknown programme or
cohort, a workbook without kebao's metadata, changed, or another cohort's, or learners or marks whose stored
values the file would change without ``--update``; nothing is written then.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

LEDGER_COMMANDS = ("status", "certificates", "export", "forget")  # in kebao.cli.ledger

if TYPE_CHECKING:  # pragma: no cover
    from kebao.records.database import Database
    from kebao.records.roster import RosterRow


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="records_command", metavar="ACTION", required=True)
    roster = sub.add_parser("roster", help="import a cohort's learners from an XLSX or CSV roster",
                            description="Import a cohort's learners; a file imported again changes nothing.")
    roster.add_argument("cohort", help="PROGRAMME/COHORT-ID, or PROGRAMME for the programme's own cohort")
    roster.add_argument("file", type=Path, help="the roster: .xlsx or .csv with a header row")
    roster.add_argument("--update", action="store_true",
                        help="apply changes to learners already stored (without it they are listed and refused)")
    listing = sub.add_parser("list", help="show a cohort's stored learners (phones and ID numbers masked)",
                             description="Show a cohort's learners and its imports; personal numbers masked.")
    listing.add_argument("cohort", help="PROGRAMME/COHORT-ID, or PROGRAMME for the programme's own cohort")
    listing.add_argument("--format", choices=("table", "json"), default="table",
                         help="'json' prints one object with the learners and the imports")
    sheets = sub.add_parser("sheets", help="write a cohort's sign-in, score and survey workbooks with its names",
                            description="Write the cohort's workbooks pre-filled with names and organisations "
                                        "(never phones or ID numbers), to records/sheets/ unless --out.")
    sheets.add_argument("cohort", help="PROGRAMME/COHORT-ID, or PROGRAMME for the programme's own cohort")
    sheets.add_argument("--out", type=Path, help="the folder (default: records/sheets/PROGRAMME/COHORT-ID/)")
    sheets.add_argument("--force", action="store_true", help="replace workbooks there that differ (filled in?)")
    marks = sub.add_parser("import", help="read a filled sign-in, score or survey workbook back into the records",
                           description="Import a filled workbook; the same file again changes nothing.")
    marks.add_argument("file", type=Path, help="the filled workbook (.xlsx) kebao wrote (pack or records sheets)")
    marks.add_argument("--cohort", help="refuse the workbook unless it is this cohort's (PROGRAMME/COHORT-ID)")
    marks.add_argument("--update", action="store_true",
                       help="apply marks that differ from earlier imports (without it they are listed and refused)")
    from kebao.cli.ledger import add_commands

    for command in (roster, listing, sheets, marks, *add_commands(sub)):
        command.add_argument("--root", type=Path, default=Path("."),
                             help="the curriculum repository (default: the current folder)")
        command.add_argument("--database", metavar="URL",
                             help="the records database (default: $KEBAO_DATABASE_URL, else records/kebao.sqlite)")
        command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kebao.records.database import open_database

    if args.records_command == "import":
        return _import(args)
    programme, code = resolve_cohort(args.root, args.cohort)
    if args.records_command == "sheets":
        return _sheets(args, programme, code)
    if args.records_command in LEDGER_COMMANDS:
        from kebao.cli.ledger import run as ledger_run

        return ledger_run(args, programme, code)
    if args.records_command == "roster":
        from kebao.records.roster import read_roster

        rows = read_roster(args.file)  # every row checked before the database is opened
        database = open_database(args.root, args.database)
        try:
            return _roster(database, programme, code, args.file, rows, args.update)
        finally:
            database.close()
    database = open_database(args.root, args.database)
    try:
        return _list(database, programme, code, args.format)
    finally:
        database.close()


def resolve_cohort(root: Path, written: str) -> tuple[str, str]:
    """'programme/cohort' or 'programme' -> (programme, cohort id): the programme's own cohort or one of its
    cohort files' (cohorts/PROGRAMME/ID.yml); UsageError with a did-you-mean for an unknown programme or cohort."""
    from kebao.catalog import load_catalog
    from kebao.cohort import cohort_of

    programme_id, _, code = written.partition("/")
    catalog = load_catalog(root)
    programme = catalog.programme(programme_id)
    return programme.id, cohort_of(catalog, programme.id, code or programme.cohort.id).id


def _roster(database: Database, programme: str, code: str, file: Path, rows: Sequence[RosterRow],
            update: bool) -> int:
    from kebao.records.store import import_roster

    report = import_roster(database, programme, code, file, rows, update=update)
    print(f"{report.cohort}: {len(report.added)} added, {len(report.changes)} changed, "
          f"{report.unchanged} unchanged")
    for change in report.changes:
        print(f"  changed {change}")
    if report.missing:
        print(f"  kept {len(report.missing)} learner(s) this file does not list: {'、'.join(report.missing)}")
    print(f"  recorded as import {report.audit}" if report.audit else "  nothing changed: already imported")
    return 0


def _sheets(args: argparse.Namespace, programme: str, code: str) -> int:
    from kebao.paths import RECORDS
    from kebao.records.database import open_database
    from kebao.records.prefill import decide_cohort, write_prefilled
    from kebao.records.store import learners_of

    database = open_database(args.root, args.database)
    try:
        learners = [(lr.name, lr.organisation) for lr in learners_of(database, programme, code)[0]]
    finally:
        database.close()
    folder = args.out or args.root / RECORDS / "sheets" / programme / code
    written = write_prefilled(decide_cohort(args.root, programme, code), folder, learners, args.force)
    print(f"{programme}/{code}: {len(learners)} learner(s) in {len(written)} workbook(s) in {folder}")
    for path in written:
        print(f"  {path.name}")
    return 0


def _import(args: argparse.Namespace) -> int:
    import sys

    from kebao.records.database import open_database
    from kebao.records.marks_store import import_marks
    from kebao.records.readback import read_marks

    marks = read_marks(args.file)  # every cell checked before the database is opened
    given = None
    if args.cohort:
        given = "/".join(resolve_cohort(args.root, args.cohort))
    database = open_database(args.root, args.database)
    try:
        report = import_marks(database, marks, update=args.update, cohort_given=given,
                              progress=_progress(marks.count) if sys.stderr.isatty() and marks.count > 500 else None)
    finally:
        database.close()
    print(f"{report.cohort}: {report.kind}: {report.added} added, {report.updated} updated, "
          f"{report.unchanged} unchanged")
    for conflict in report.conflicts:
        print(f"  updated {conflict}")
    if report.not_recorded:
        print(f"  not recorded yet (no marks, skipped): {'、'.join(report.not_recorded)}")
    if report.audit:
        print(f"  recorded as import {report.audit}")
    elif report.earlier:
        print("  nothing changed: already imported as " + ", ".join(f"import {i} ({at})" for i, at in report.earlier))
    else:
        print("  nothing changed: every mark is stored as the file says")
    return 0


def _progress(total: int) -> Callable[[int, int], None]:
    """A progress bar on stderr (a terminal's: tqdm shows none elsewhere)."""
    import sys

    from tqdm import tqdm

    bar = tqdm(total=total, unit="mark", desc="import", file=sys.stderr, disable=None)

    def update(done: int, _total: int) -> None:
        bar.n = done
        bar.refresh()
        if done >= _total:
            bar.close()

    return update


WORKBOOK_KINDS = ("attendance", "assessment", "survey")  # imports of filled workbooks (kebao records import)


def _list(database: Database, programme: str, code: str, form: str) -> int:
    from kebao.records.identity import GENDER_WORDS, mask_phone
    from kebao.records.marks_store import imports_of
    from kebao.records.store import learners_of

    learners, _ = learners_of(database, programme, code)
    rows = [{"name": lr.name, "gender": GENDER_WORDS[lr.gender], "organisation": lr.organisation, "post": lr.post,
             "phone": mask_phone(lr.phone), "id_number": lr.id_masked} for lr in learners]
    audit = [{"id": i.id, "kind": i.kind, "file": i.file, "sha256": i.sha256, "by": i.by, "at": i.at,
              "added": i.added, "updated": i.updated, "marks": i.holds} for i in imports_of(database, programme, code)]
    if form == "json":
        print(json.dumps({"cohort": f"{programme}/{code}", "learners": rows, "imports": audit},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"{programme}/{code}: {len(rows)} learner(s)")
    for number, row in enumerate(rows, start=1):
        print(f"{number:>4}  " + "  ".join(value or "-" for value in row.values()))
    for entry in audit:
        print(f"import {entry['id']}: {entry['kind']} {entry['file']} by {entry['by']} at {entry['at']}: "
              f"{entry['added']} added, {entry['updated']} updated"
              + (f", holds {entry['marks']} mark(s)" if entry["kind"] in WORKBOOK_KINDS else ""))
    return 0
