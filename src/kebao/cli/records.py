"""Learner records: import a cohort's roster, and show what is stored.

``kebao records roster COHORT FILE`` imports the learners of an XLSX or CSV roster (姓名, 性别, 单位, 职务,
电话, optional 身份证号; Chinese or English headers) into the records database; ``kebao records list
COHORT`` shows them, phones and ID-card numbers masked. COHORT is ``PROGRAMME/COHORT-ID`` (the programme's
own cohort or one of its cohort files, ``cohorts/PROGRAMME/COHORT-ID.yml``) or ``PROGRAMME`` for its own.
The database is SQLite in records/kebao.sqlite under --root unless ``--database URL`` or
``KEBAO_DATABASE_URL`` names another (PostgreSQL: docs/records.md).
Exit code 2 for a bad row (each named ``FILE:row:column``), an unknown programme or cohort, or learners
whose stored fields the file would change without ``--update``; nothing is written then.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

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
    for command in (roster, listing):
        command.add_argument("--root", type=Path, default=Path("."),
                             help="the curriculum repository (default: the current folder)")
        command.add_argument("--database", metavar="URL",
                             help="the records database (default: $KEBAO_DATABASE_URL, else records/kebao.sqlite)")
        command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kebao.records.database import open_database

    programme, code = resolve_cohort(args.root, args.cohort)
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


def _list(database: Database, programme: str, code: str, form: str) -> int:
    from kebao.records.identity import GENDER_WORDS, mask_phone
    from kebao.records.store import learners_of

    learners, imports = learners_of(database, programme, code)
    rows = [{"name": lr.name, "gender": GENDER_WORDS[lr.gender], "organisation": lr.organisation, "post": lr.post,
             "phone": mask_phone(lr.phone), "id_number": lr.id_masked} for lr in learners]
    audit = [{"id": i.id, "kind": i.kind, "file": i.file_name, "sha256": i.sha256, "by": i.imported_by,
              "at": i.imported_at.isoformat(), "added": i.added, "updated": i.updated} for i in imports]
    if form == "json":
        print(json.dumps({"cohort": f"{programme}/{code}", "learners": rows, "imports": audit},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"{programme}/{code}: {len(rows)} learner(s)")
    for number, row in enumerate(rows, start=1):
        print(f"{number:>4}  " + "  ".join(value or "-" for value in row.values()))
    for entry in audit:
        print(f"import {entry['id']}: {entry['kind']} {entry['file']} by {entry['by']} at {entry['at']}: "
              f"{entry['added']} added, {entry['updated']} updated")
    return 0
