"""One fixture per kind of bad input: each names the exact file, line, field and message.

Each folder in tests/fixtures/bad/ is laid over a copy of the good fixture
catalogue; loading it must report exactly the problems listed here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kebao.catalog import load_catalog
from kebao.errors import ContentError

BAD = Path(__file__).parent / "fixtures" / "bad"

# folder -> [(file, line, field, words the message must contain)]
EXPECTED: dict[str, list[tuple[str, int, str, str]]] = {
    "duplicate-key": [("curricula/programmes/nev-class.yml", 8, "days",
                       "duplicate key 'days' (first given on line 5)")],
    "tab": [("curricula/modules/hv-safety.md", 5, "", "tab character in YAML")],
    "anchor-alias": [("curricula/strands.yml", 4, "strands[0].name", "anchor '&party' is not allowed"),
                     ("curricula/strands.yml", 10, "strands[2].name", "alias '*party' is not allowed")],
    "python-tag": [("curricula/audiences.yml", 5, "audiences[0].max_hours_per_day",
                    "YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed")],
    "bool-no": [("curricula/modules/smartphone-tools.md", 8, "elective", "valid boolean, got 'no'")],
    "bad-date": [("curricula/programmes/nev-class.yml", 11, "cohort.start", "got '2026-02-30'")],
    "unknown-field": [("curricula/modules/smartphone-tools.md", 2, "hours", "missing required field 'hours'"),
                      ("curricula/modules/smartphone-tools.md", 5, "hour", "unknown field 'hour'")],
    "unknown-strand": [("curricula/modules/hv-safety.md", 3, "strand", "unknown strand 'skils'")],
    "unknown-module": [("curricula/programmes/nev-class.yml", 8, "required[0]",
                        "unknown module 'battery-practicun'")],
    "prerequisite-cycle": [("curricula/modules/battery-practicum.md", 9, "prerequisites",
                            "prerequisite cycle: battery-practicum -> hv-safety -> battery-practicum")],
    "unsafe-id": [("curricula/modules/High_Voltage.md", 1, "id", "'High_Voltage.md' is not a valid id"),
                  ("curricula/modules/con.md", 1, "id", "'con' is a reserved file name on Windows")],
    "bad-mix": [("curricula/programmes/cadres-course.yml", 8, "mix", "must add up to 100, not 90")],
    "zero-hours": [("curricula/modules/hv-safety.md", 5, "hours", "greater than 0")],
    "duplicate-id": [("curricula/strands.yml", 12, "strands[3].id",
                      "duplicate id 'industry' (first defined on line 6)")],
    "site-missing": [("curricula/modules/industry-visit.md", 2, "", "a site-visit module needs 'site'")],
    "data-escape": [("cases/red-dates.md", 17, "data[0]", "'../secrets.csv' must be a path inside cases/")],
    "schema-too-new": [("curricula/programmes/nev-class.yml", 1, "schema", "written for content schema 3")],
    "syntax-error": [("curricula/programmes/nev-class.yml", 8, "", "YAML syntax error")],
    "no-front-matter": [("curricula/modules/smartphone-tools.md", 1, "", "missing YAML front matter")],
    "id-in-front-matter": [("curricula/modules/hv-safety.md", 3, "id", "the id is the file name")],
    "unclosed-trainer-note": [("curricula/modules/party-theory.md", 21, "body", "trainer note is never closed")],
    "case-yaml11": [("cases/red-dates.md", 12, "kebao.sector", "'012' would be saved as '10' by JupyterLab"),
                    ("cases/red-dates.md", 17, "kebao.questions[1]", "'1:30' would be saved as '90'")],
    "holidays": [("curricula/holidays.yml", 3, "years[0]", "workday 2027-02-10 is a Wednesday"),
                 ("curricula/holidays.yml", 9, "years[1].holidays[0]", "'元旦' ends (2027-12-31) before it starts")],
    "not-a-site-visit": [("curricula/programmes/cadres-course.yml", 13, "site_visits[0].module",
                          "module 'industry-plan' is a lecture, not a site-visit")],
}

HINTS = {
    "unknown-field": "did you mean 'hours'?",
    "unknown-strand": "did you mean 'skills'?",
    "unknown-module": "did you mean 'battery-practicum'?",
    "unsafe-id": "try 'high-voltage'",
    "bool-no": "write true or false",
    "case-yaml11": 'quote it: "012"',
}


def test_every_bad_fixture_has_expectations() -> None:
    assert sorted(p.name for p in BAD.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_bad_input_is_reported_exactly(case: str, catalog_root: Path) -> None:
    shutil.copytree(BAD / case, catalog_root, dirs_exist_ok=True)
    with pytest.raises(ContentError) as raised:
        load_catalog(catalog_root)
    found = [(p.location.file.relative_to(catalog_root).as_posix(), p.location.line, p.field, p.message)
             for p in raised.value.problems]
    expected = EXPECTED[case]
    assert len(found) == len(expected), found
    for (file, line, field, message), (want_file, want_line, want_field, words) in zip(found, expected, strict=True):
        assert (file, line, field) == (want_file, want_line, want_field)
        assert words in message
    if case in HINTS:
        assert any(HINTS[case] in p.hint for p in raised.value.problems)
