"""Example learner records: fake rosters and filled-in workbooks for two example cohorts (issue 17).

    .venv/bin/python examples/records.py [--root .] [--out records/example]

For each example cohort (:data:`COHORTS`, each its programme's own cohort) this writes, under
``records/example/<programme>/<cohort>/`` (git-ignored: ``records/`` is never committed or published):

* ``roster.csv``: clearly fake learners (测试学员01, 测试学员02…, organisations named 示例…, phones
  138000000NN, no ID-card numbers);
* the cohort's sign-in, score and survey workbooks, as ``kebao records sheets`` writes them for that roster,
  filled in as a trainer would: most learners at every session, one late, one on leave for two sessions,
  one absent from three (below full attendance), scores of 60-98 with one failed module, the pre/post
  questionnaires and one anonymous satisfaction form per learner.

Everything comes from a seeded random generator and fixed file dates: the same repository gives the
same bytes. The records loop then runs on these files (docs/records.md, "Example data")::

    kebao records roster xpcc-cadres records/example/xpcc-cadres/xpcc-2026-12/roster.csv
    kebao records import records/example/xpcc-cadres/xpcc-2026-12/xpcc-cadres-xpcc-2026-12-签到表.xlsx
    …
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kebao.packs.sheetmeta import WorkbookMeta

COHORTS = (("xpcc-cadres", 20), ("college-managers-study-tour", 12))  # (programme, learners): its own cohort
SEED = 17
ORGANISATIONS = ("示例团场一连", "示例团场二连", "示例团场机关", "示例镇人民政府", "示例职业学院", "示例县农业农村局")
POSTS = ("连长", "指导员", "科员", "副科长", "教师", "")
COMMENTS = ("安排紧凑，收获很大", "希望增加现场教学", "", "案例贴近工作", "")


def roster(count: int) -> list[dict[str, str]]:
    """``count`` fake learners: 测试学员NN of 示例 organisations."""
    return [{"姓名": f"测试学员{n:02d}", "性别": "男" if n % 3 else "女", "单位": ORGANISATIONS[n % len(ORGANISATIONS)],
             "职务": POSTS[n % len(POSTS)], "电话": f"138000000{n:02d}"} for n in range(1, count + 1)]


def write_roster(learners: list[dict[str, str]], path: Path) -> Path:
    header = list(learners[0])
    lines = [",".join(header), *(",".join(learner[column] for column in header) for learner in learners)]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def status(rng: random.Random, learner: int, session: int) -> str:
    """A learner's mark at a session: learner 3 misses three, learner 5 takes leave twice, learner 8 is late."""
    if learner == 3 and session in (2, 5, 9):
        return "缺勤"
    if learner == 5 and session in (4, 6):
        return "请假"
    if learner == 8 and session == 1:
        return "迟到"
    return "√" if rng.random() < 0.6 else "到"


def fill_attendance(path: Path, rng: random.Random, groups: list[str]) -> None:
    """Marks for every session; on a group's sheet only that group's learners (learner n is in group n mod k)."""
    from kebao.packs.sheetmeta import FIRST_ROW, SIGN_IN_COLUMN, SIGN_OUT_COLUMN

    book, meta = _open(path)
    for number, session in enumerate(meta.sessions):
        sheet = book[session.sheet]
        for row in range(FIRST_ROW, sheet.max_row + 1):
            learner = row - FIRST_ROW + 1
            if session.group and groups[(learner - 1) % len(groups)] != session.group:
                continue  # another group's learner: left unmarked
            mark = status(rng, learner, number)
            sheet.cell(row=row, column=SIGN_IN_COLUMN, value=mark)
            if mark in ("√", "到") and learner == 11 and number == 3:
                sheet.cell(row=row, column=SIGN_OUT_COLUMN, value="早退")
    _save(book, path)


def fill_assessment(path: Path, rng: random.Random, groups: list[str], grouped: dict[str, str]) -> None:
    """A score per module (learner 7 fails one; another group's module: none), and the pre (1-3) and post (3-5)
    questionnaires."""
    from kebao.packs.sheetmeta import FIRST_ROW

    book, meta = _open(path)
    scores = book[meta.score_sheet]
    for row in range(FIRST_ROW, scores.max_row + 1):
        learner = row - FIRST_ROW + 1
        for index, module in enumerate(meta.modules):
            if module.id in grouped and grouped[module.id] != groups[(learner - 1) % len(groups)]:
                continue
            score = 55 if (learner, index) == (7, 0) else rng.randint(60, 98)
            scores.cell(row=row, column=module.column, value=score)
    for survey in meta.surveys:
        sheet = book[survey.sheet]
        low, high = (1, 3) if survey.survey == "pre" else (3, 5)
        for row in range(FIRST_ROW, sheet.max_row + 1):
            for item in survey.items:
                sheet.cell(row=row, column=item.column, value=rng.randint(low, high))
    _save(book, path)


def fill_survey(path: Path, rng: random.Random) -> None:
    """One anonymous satisfaction form per row: answers 3-5, now and then a comment."""
    from kebao.packs.sheetmeta import FIRST_ROW

    book, meta = _open(path)
    survey = meta.surveys[0]
    sheet = book[survey.sheet]
    for row in range(FIRST_ROW, sheet.max_row + 1):
        for item in survey.items:
            sheet.cell(row=row, column=item.column, value=rng.choice((3, 4, 4, 5, 5, 5)))
        comment = rng.choice(COMMENTS)
        if comment:
            sheet.cell(row=row, column=survey.items[-1].column + 1, value=comment)
    _save(book, path)


def _open(path: Path) -> tuple[Any, WorkbookMeta]:
    import openpyxl

    from kebao.packs.sheetmeta import read_meta

    book = openpyxl.load_workbook(path)
    return book, read_meta(book, path.name)


def _save(book: Any, path: Path) -> None:
    """Saved dated as kebao dates its workbooks (openpyxl would stamp the time of saving): the same bytes."""
    from kebao.packs.writers import FIXED_TIME, _save

    book.properties.modified = FIXED_TIME.replace(tzinfo=None)
    _save(book, path, FIXED_TIME)


def example(root: Path, out: Path, programme: str, count: int) -> list[Path]:
    """One cohort's roster and filled workbooks in ``out/<programme>/<cohort>/``."""
    from kebao.records.prefill import decide_cohort, prefilled

    catalog_cohort = decide_cohort(root, programme, _own_cohort(root, programme))
    folder = out / programme / catalog_cohort.cohort.id
    folder.mkdir(parents=True, exist_ok=True)
    learners = roster(count)
    written = [write_roster(learners, folder / "roster.csv")]
    rng = random.Random(f"{SEED}/{programme}")
    attendance, assessment, survey = prefilled(catalog_cohort, folder,
                                               [(learner["姓名"], learner["单位"]) for learner in learners])
    split = next(iter(catalog_cohort.programme.splits), None)
    groups = [group.id for group in split.groups] if split else []
    grouped = {module: group.id for module, (_, group) in catalog_cohort.programme.grouped.items()}
    fill_attendance(attendance, rng, groups)
    fill_assessment(assessment, rng, groups, grouped)
    fill_survey(survey, rng)
    return [*written, attendance, assessment, survey]


def _own_cohort(root: Path, programme: str) -> str:
    from kebao.catalog import load_catalog

    return load_catalog(root).programme(programme).cohort.id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="the curriculum repository")
    parser.add_argument("--out", type=Path, help="where to write (default: ROOT/records/example)")
    args = parser.parse_args(argv)
    out = args.out or args.root / "records" / "example"
    for programme, count in COHORTS:
        for path in example(args.root, out, programme, count):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
