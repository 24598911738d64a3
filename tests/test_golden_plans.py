"""Golden plans: the example programmes that need the agenda model plan exactly as reviewed.

Each file in tests/golden/ is ``kebao plan PROGRAMME`` as a designer reads it (modules and why, strand hours,
the dated timetable with check-in, opening, phases, groups, visits and travel, closing). A change to the engine
or the content that moves a session shows here as a diff. When the change is intended, review the diff and
write the files again::

    KEBAO_GOLDEN=update .venv/bin/pytest tests/test_golden_plans.py
"""

from __future__ import annotations

import difflib
import os

import pytest

from kebao.cli import main

from .paths import REPO

GOLDEN = REPO / "tests" / "golden"
PROGRAMMES = ("seniors-photo-term", "shadow-principal-placement", "veterans-blended-transition",
              "college-managers-study-tour", "xpcc-cadres")


@pytest.mark.parametrize("programme", PROGRAMMES)
def test_the_example_programme_plans_as_reviewed(programme: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", programme, "--root", str(REPO)]) == 0
    text = capsys.readouterr().out
    golden = GOLDEN / f"{programme}.txt"
    if os.environ.get("KEBAO_GOLDEN") == "update":
        golden.write_text(text, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True), str(golden), "now"))
    assert text == expected, f"the plan of {programme} changed (if intended: KEBAO_GOLDEN=update):\n{diff}"
