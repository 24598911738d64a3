"""Content fields for handbooks (schema 2): organiser, 报到须知, contacts, site-visit logistics, materials and
handouts, case audiences, large print; and teaching notes that must be trainer notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from kebao.catalog import load_catalog
from kebao.content import open_trainer_sections
from kebao.errors import ContentError
from kebao.model import Material

from .paths import REPO


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as raised:
        load_catalog(root)
    return [f"{p.location.file.name}:{p.location.line}: {p.message}" for p in raised.value.problems]


PROGRAMME_EXTRAS = """organiser: {zh: 某职业技术学院社会培训部, en: The college's social-training office}
handbook:
  check_in: 请于报到当天下午到培训中心一楼大厅报到。
  rules: 按时上课，手机静音。
  leave: 请假须经班主任同意。
  bring: [身份证, 笔记本]
"""


def test_schema_2_fields_load(catalog_root: Path) -> None:
    nev = catalog_root / "curricula/programmes/nev-class.yml"
    replace(nev, "schema: 1\n", "schema: 2\n")
    replace(nev, "audience: technicians\n", "audience: technicians\n" + PROGRAMME_EXTRAS)
    replace(nev, "  venue: 实训车间\n", "  venue: 实训车间\n  contacts:\n"
            "    - {role: 班主任, name: 王老师, phone: 010-12345678}\n")
    hv = catalog_root / "curricula/modules/hv-safety.md"
    replace(hv, "---\ntitle:", "---\nschema: 2\ntitle:")
    replace(hv, "prerequisites: []\n", "prerequisites: []\nmaterials:\n  - 讲义\n  - {name: 绝缘手套, bring: true}\n"
            "  - {name: 操作单, handout: hv-sheet}\n  - {name: 评分表, handout: hv-rubric, trainer: true}\n")
    (catalog_root / "curricula/handouts").mkdir()
    (catalog_root / "curricula/handouts/hv-sheet.md").write_text("# 高压操作单\n\n1. 断电\n", encoding="utf-8")
    (catalog_root / "curricula/handouts/hv-rubric.md").write_text("# 评分表\n", encoding="utf-8")
    catalog = load_catalog(catalog_root)
    programme = catalog.programmes["nev-class"]
    assert programme.organiser is not None and programme.organiser.zh == "某职业技术学院社会培训部"
    assert programme.handbook is not None and programme.handbook.bring == ["身份证", "笔记本"]
    assert programme.cohort.contacts[0].phone == "010-12345678"  # text, never a number
    module = catalog.modules["hv-safety"]
    assert module.to_bring == ["绝缘手套"]
    assert [m.handout for m in module.handouts] == ["hv-sheet", "hv-rubric"]
    assert module.prepared == ["讲义", "操作单", "评分表"]
    assert catalog.handouts["hv-sheet"].startswith("# 高压操作单")


def test_schema_1_files_say_to_write_schema_2(catalog_root: Path) -> None:
    replace(catalog_root / "curricula/programmes/nev-class.yml", "audience: technicians\n",
            "audience: technicians\norganiser: {zh: 培训部, en: Office}\n")
    replace(catalog_root / "curricula/modules/hv-safety.md", "prerequisites: []\n",
            "prerequisites: []\nmaterials:\n  - {name: 绝缘手套, bring: true}\n")
    replace(catalog_root / "curricula/audiences.yml", "    max_hours_per_session: 4\n    evenings: true\n",
            "    max_hours_per_session: 4\n    large_print: true\n    evenings: true\n")
    replace(catalog_root / "cases/red-dates.md", "  strands: [industry]\n", "  strands: [industry]\n"
            "  audiences: [cadres]\n")
    found = "\n".join(problems(catalog_root))
    assert "'organiser' is a schema-2 field" in found
    assert "'materials (bring, handout)' is a schema-2 field" in found
    assert "'large_print' is a schema-2 field" in found
    assert "'audiences' is a schema-2 field; write 'schema: 2' under 'kebao:'" in found


def test_a_missing_handout_and_an_unknown_case_audience_are_named(catalog_root: Path) -> None:
    hv = catalog_root / "curricula/modules/hv-safety.md"
    replace(hv, "---\ntitle:", "---\nschema: 2\ntitle:")
    replace(hv, "prerequisites: []\n",
            "prerequisites: []\nmaterials:\n  - {name: 增值额计算表, handout: value-added}\n")
    case = catalog_root / "cases/red-dates.md"
    replace(case, "kebao:\n", "kebao:\n  schema: 2\n")
    replace(case, "  strands: [industry]\n", "  strands: [industry]\n  audiences: [cadre]\n")
    found = problems(catalog_root)
    assert ("hv-safety.md:12: the handout '增值额计算表' is missing: curricula/handouts/value-added.md "
            "does not exist") in found
    assert any("unknown audience 'cadre'" in line for line in found)


def test_a_material_is_brought_or_printed_not_both() -> None:
    with pytest.raises(ValueError, match="printed by the office, not brought"):
        Material.model_validate({"name": "表", "bring": True, "handout": "sheet"})
    with pytest.raises(ValueError, match="marks a handout for trainers only"):
        Material.model_validate({"name": "表", "trainer": True})


def test_teaching_notes_outside_a_trainer_note_are_refused(catalog_root: Path) -> None:
    case = catalog_root / "cases/red-dates.md"
    case.write_text(case.read_text(encoding="utf-8") + "\n## 教学说明\n\n建议时长 2 学时。\n", encoding="utf-8")
    found = problems(catalog_root)
    line = case.read_text(encoding="utf-8").splitlines().index("## 教学说明") + 1
    assert f"red-dates.md:{line}: the '教学说明' section is for trainers, but participants would read it" in found


def test_trainer_sections_inside_notes_or_code_are_fine() -> None:
    body = ("# 案例\n\n```python\n## 教学说明\n```\n\n:::{trainer-note} 教学说明\n### 教学说明\n:::\n\n"
            "## Teaching notes\n")
    assert open_trainer_sections(body) == [(len(body.splitlines()) - 1, "Teaching notes")]


def test_every_example_case_keeps_its_teaching_notes_for_trainers() -> None:
    catalog = load_catalog(REPO)
    for case in catalog.cases.values():
        assert ":::{trainer-note} 教学说明" in case.body, case.id
    seniors = catalog.programmes["seniors-society-classroom"].audience
    assert not catalog.cases["seniors-phone-photography"].suits(seniors)  # written for the course's organisers
    assert catalog.audiences[seniors].large_print
