"""The credit-bank export (学分银行): each learner's record as JSON and CSV, named or anonymised.

JSON (``creditbank.json``) is one object: ``{"format": "kebao-creditbank", "version": 1, "anonymised", "cohort",
"learners": [...]}``; its JSON Schema is ``records/creditbank.schema.json`` in the package (docs/records.md
explains each field). CSV (``creditbank.csv``) holds the same facts one row per learner and module, the
learner's totals repeated on each of their rows. Numbers of 学时 and 学分 are decimal strings ("4.06"): exact,
and a learner's modules' 学分 add up to their total.

The named form carries name, gender, organisation and post; no phone and no ID number (kebao never holds the
number). The anonymised form (``anonymise=True``), for analytics, drops name, gender and post and the
certificate code (it is on the published verification list with the masked name) and names each learner by a
pseudonym: HMAC-SHA-256 keyed with the database's salt over the learner's ID-number digest (the same person
on every cohort) or, without one, over the learner's row id. The organisation is kept: the office's reports
count learners per organisation. Where an organisation sent one learner, organisation and cohort still point
at that person: the anonymised form is pseudonymous, not anonymous, and is shared as personal data.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .ledger import Course, Ledger

FORMAT = "kebao-creditbank"
VERSION = 1
CSV_COLUMNS = ("learner", "name", "gender", "organisation", "post", "programme", "programme_title", "cohort",
               "first_day", "last_day", "issuer", "module", "module_title", "module_hours", "attended_hours",
               "score", "passed", "module_credits", "total_hours", "attended_total", "total_credits", "completed",
               "certificate")


@dataclass(frozen=True)
class Person:
    """What the named form says of a learner besides their marks; ``key`` makes the pseudonym."""

    gender: str  # '男' / '女'
    key: str  # the ID-number digest, or '' (then the learner's row id is used)


def pseudonym(salt: bytes, learner: int, key: str) -> str:
    """A stable pseudonym: 'P-' and 16 hex digits of HMAC-SHA-256(salt, the learner's key)."""
    message = f"id:{key}" if key else f"learner:{learner}"
    return "P-" + hmac.new(salt, message.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def records(course: Course, ledgers: Sequence[Ledger], people: Mapping[int, Person], codes: Mapping[int, str],
            salt: bytes, anonymise: bool) -> list[dict[str, Any]]:
    """One JSON object per learner (see the schema): in roster order, or by pseudonym when anonymised."""
    out: list[dict[str, Any]] = []
    for led in ledgers:
        learner = led.marks.learner
        person = people[learner]
        who: dict[str, Any] = {"id": pseudonym(salt, learner, person.key), "organisation": led.marks.organisation}
        if not anonymise:
            who.update(name=led.marks.name, gender=person.gender, post=led.marks.post)
        out.append({
            "learner": who,
            "programme": {"id": course.programme, "title": course.title, "title_en": course.title_en,
                          "cohort": course.cohort, "first_day": course.first, "last_day": course.last,
                          "issuer": course.issuer},
            "modules": [{"module": r.module, "title": r.title, "hours": _d(r.hours), "attended": _d(r.attended),
                         "score": None if r.score is None else _d(r.score), "passed": r.passed,
                         "credits": _credits(r.credits)} for r in led.modules],
            "hours": _d(led.hours), "attended": _d(led.attended), "credits": _credits(led.credits),
            "completed": led.completed, "reasons": [check.render() for check in led.reasons],
            "certificate": None if anonymise else codes.get(learner),
        })
    if anonymise:  # by pseudonym: the roster's order would say who is who
        out.sort(key=lambda record: str(record["learner"]["id"]))
    return out


def to_json(course: Course, learners: list[dict[str, Any]], anonymise: bool) -> str:
    document = {"format": FORMAT, "version": VERSION, "anonymised": anonymise,
                "cohort": f"{course.programme}/{course.cohort}", "learners": learners}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_csv(learners: Sequence[Mapping[str, Any]]) -> str:
    """The records one row per learner and module (UTF-8 with a BOM for Excel; formulas neutralised)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in learners:
        who, programme = record["learner"], record["programme"]
        for module in record["modules"]:
            row = [who["id"], who.get("name", ""), who.get("gender", ""), who["organisation"], who.get("post", ""),
                   programme["id"], programme["title"], programme["cohort"], programme["first_day"],
                   programme["last_day"], programme["issuer"], module["module"], module["title"], module["hours"],
                   module["attended"], module["score"] or "", _yes(module["passed"]), module["credits"],
                   record["hours"], record["attended"], record["credits"], _yes(record["completed"]),
                   record["certificate"] or ""]
            writer.writerow([_cell(str(value)) for value in row])
    return "\ufeff" + out.getvalue()


def schema() -> dict[str, Any]:
    """The JSON Schema of ``creditbank.json`` (shipped in the package)."""
    from importlib import resources

    text = resources.files("kebao").joinpath("records/creditbank.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _d(value: Decimal) -> str:
    from .ledger import number

    return number(value)


def _credits(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
