"""Issuing a cohort's certificates: codes stored first, then the PDFs and the verification list written.

Order matters: the codes are stored (one transaction) before anything is printed, so a run killed while
printing leaves codes that the next run reuses, never a PDF whose code the database does not know. Each file
is written atomically; a PDF of a learner who no longer completes (marks corrected) is removed only after
every new file is in place, so a failed run never leaves less than the last good one did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import RecordsError
from .certificates import (
    certificate_page,
    verification_csv,
    verification_html,
    verification_rows,
    verify_address,
)
from .database import Database
from .ledger import Course, Ledger
from .marks import issue_codes, issued_codes


@dataclass(frozen=True)
class Written:
    """What a run wrote: the PDFs (in roster order), the verification list, how many codes were new."""

    pdfs: tuple[Path, ...]
    csv: Path
    html: Path
    new: int


def write_certificates(database: Database, course: Course, completing: Sequence[Ledger], out: Path,
                       verify_url: str = "", progress: Callable[[int], object] = lambda _n: None) -> Written:
    """A PDF per learner of ``completing`` under ``out``, and ``verification.csv`` / ``verification.html``."""
    from ..atomic import write_atomic
    from ..packs.export import pdf_bytes
    from ..system import require_pack_tools

    if not course.issuer:
        raise RecordsError(f"{course.programme}: the programme names no organiser (主办单位), which issues the "
                           "certificates", f"add organiser: {{zh: …, en: …}} to curricula/programmes/"
                           f"{course.programme}.yml (a schema: 2 field)")
    require_pack_tools()
    known = set(issued_codes(database, course.programme, course.cohort))
    issued = issue_codes(database, course.programme, course.cohort, [led.marks.learner for led in completing],
                         dt.date.fromisoformat(course.first).year)
    base = verify_url or f"verify/{course.programme}/{course.cohort}.html"
    out.mkdir(parents=True, exist_ok=True)
    pdfs = []
    for led in completing:
        code = issued[led.marks.learner].code
        path = out / f"{led.marks.number:03d}-{code}.pdf"
        page = certificate_page(course, led, code, verify_address(base, code))
        write_atomic(path, pdf_bytes(page))
        pdfs.append(path)
        progress(1)
    rows = verification_rows(course, completing, {learner: i.code for learner, i in issued.items()})
    csv_path = write_atomic(out / "verification.csv", verification_csv(rows))
    html_path = write_atomic(out / "verification.html", verification_html(course, rows))
    keep = {path.name for path in pdfs}
    for stale in out.glob("[0-9][0-9][0-9]-*.pdf"):
        if stale.name not in keep:
            stale.unlink()
    return Written(tuple(pdfs), csv_path, html_path, len(set(issued) - known))
