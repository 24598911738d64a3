"""What the handbook and the trainer guide say, decided without a kernel: front matter, module pages with their
materials, case readings with their evidence, the two editions, contents and large print."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from nbformat.v4 import new_notebook

from kebao.catalog import Catalog, load_catalog
from kebao.packs import export, frontmatter, page
from kebao.packs.context import PackContext, decide
from kebao.packs.files import PackBuild

from .paths import REPO

CASE = "red-date-live-commerce"


@cache
def catalog() -> Catalog:
    return load_catalog(REPO)


@cache
def xpcc() -> PackContext:
    return decide(catalog(), "xpcc-cadres")


def fake_run(tmp_path: Path, cells: int) -> Path:
    """An executed case with ``cells`` code cells: a table, a chart, printed text and noise in turn."""
    outputs = [
        [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
          "data": {"text/html": "<table><tr><td>职工净收益 7.0</td></tr></table>", "text/plain": "df"}}],
        [{"output_type": "display_data", "metadata": {},
          "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}}],
        [{"output_type": "stream", "name": "stdout", "text": ["全年直播销售额 205.1 万元\n"]},
         {"output_type": "stream", "name": "stderr", "text": ["a warning\n"]}],
    ]
    code = [{"cell_type": "code", "metadata": {"tags": ["kebao-case-cwd"]}, "source": "import os",
             "outputs": [], "execution_count": 1}]
    code += [{"cell_type": "code", "metadata": {}, "source": "x", "execution_count": n + 2,
              "outputs": outputs[n % 3]} for n in range(cells)]
    path = tmp_path / f"{CASE}-0123456789abcdef.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": "# t"}, *code]}), encoding="utf-8")
    return path


def test_the_overview_and_front_matter_come_from_programme_and_cohort() -> None:
    ctx = xpcc()
    overview = frontmatter.overview(ctx)
    assert "2026年12月6日—12月15日" in overview and "党建 23 学时" in overview
    assert "xpcc-2026-12" not in overview and "目标学时" not in overview  # no cohort code, no target hours
    check_in = frontmatter.check_in(ctx)
    assert check_in is not None and "2026年12月6日（星期日） 14:00—18:00" in check_in and "身份证、工作证" in check_in
    day = frontmatter.day_schedule(ctx)
    assert "| 上午 | 08:30—12:00 |" in day and "| 晚上 | 19:00—21:00 |" in day and "每学时 45 分钟" in day
    contacts = frontmatter.contacts(ctx)
    assert contacts is not None and "| 班主任 | 王老师 | 010\\-0000 0101 |" in contacts  # plain text, escaped
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    assert "<td>010-0000 0101</td>" in markdown2html_mistune(contacts)
    rules = frontmatter.rules(ctx)
    assert rules is not None and "### 请假制度" in rules and "不颁发结业证书" in rules
    visits = frontmatter.site_visits(ctx)
    assert visits is not None and "07:30 · 培训中心正门，统一乘车" in visits
    assert "手机或相机（拍照前须征得接待方同意）" in visits  # the module's bring, beside the visit's


def test_sections_with_nothing_to_say_are_left_out() -> None:
    ctx = decide(catalog(), "veterans-transition")  # a schema-1 programme: no handbook texts, contacts or visits
    assert frontmatter.contacts(ctx) is None and frontmatter.rules(ctx) is None
    assert frontmatter.day_schedule(ctx).startswith("# 作息时间")


def test_cover_names_the_edition_and_only_the_trainer_s_has_the_cohort_code() -> None:
    ctx = xpcc()
    handbook, guide = frontmatter.cover(ctx, "participant"), frontmatter.cover(ctx, "trainer")
    for cover in (handbook, guide):
        assert "学校继续教育学院社会培训部" in cover and "新疆生产建设兵团第十四师" in cover
    assert "学员手册" in handbook and "xpcc-2026-12" not in handbook
    assert "培训师指南" in guide and "xpcc-2026-12 · 50 人" in guide


def test_handouts_are_numbered_once_participants_first_and_named_where_they_are_used() -> None:
    ctx = xpcc()
    made = frontmatter.handouts(ctx)
    assert [(h.id, h.number, h.trainer) for h in made] == [
        ("value-added-sheet", 1, False), ("agri-visit-task-sheet", 2, False), ("party-spirit-plan", 3, False),
        ("rapid-test-record", 4, False), ("party-spirit-plan-rubric", 1, True)]
    text, trainer = page.module_page(ctx, "party-spirit-grassroots")
    assert "**请携带**：本单位近一年组织生活记录" in text
    assert "**本课印发**：个人党性修养提升计划模板（见附录 3）" in text
    assert "个人党性修养提升计划评分表" not in text and "party-spirit-grassroots" not in text
    assert trainer is not None and "`party-spirit-grassroots`" in trainer and "（见培训师附录 1）" in trainer
    appendix = frontmatter.appendix(ctx)
    assert [trainer_only for _, trainer_only in appendix] == [False] * 5 + [True] * 2
    assert "## 附录 1　增值额计算表" in appendix[1][0] and "| 种植 |" in appendix[1][0]


def test_participant_module_pages_have_no_ids_and_trainer_parts_only_in_the_trainer_edition() -> None:
    participant = replace(xpcc(), edition="participant")
    for module in participant.plan.modules:
        text, trainer = page.module_page(participant, module)
        assert trainer is None
        assert module not in text and "给培训师" not in text, module


def test_the_materials_checklist_lists_every_material_by_kind() -> None:
    checklist = frontmatter.materials_checklist(xpcc())
    assert checklist is not None
    assert "| 学员自带 | 本单位近一年组织生活记录 |" in checklist
    assert "| 印发（培训师） | 个人党性修养提升计划评分表（见培训师附录 1） |" in checklist
    assert "| 培训师准备 | 讲义《新时代基层党组织建设要点》 |" in checklist


def test_case_readings_show_outputs_between_the_text_and_keep_teaching_notes_for_trainers(tmp_path: Path) -> None:
    ctx = xpcc()
    cells = catalog().cases[CASE].body.count("```{code-cell}")
    run = fake_run(tmp_path, cells)
    readings = {r.case: r for r in page.case_readings(replace(ctx, case_runs={CASE: str(run)}))}
    assert list(readings) == ["red-date-live-commerce", "party-branch-three-meetings"]
    reading = readings[CASE]
    kinds = [kind for kind, _ in reading.parts]
    assert kinds.count("output") == cells  # one bundle a cell: stderr is dropped, stdout kept
    first_output = kinds.index("output")
    assert "职工每公斤" in "".join(part for kind, part in reading.parts[:first_output + 3] if kind == "markdown")
    text = "".join(part for kind, part in reading.parts if kind == "markdown")
    assert "```" not in text and "read_csv" not in text  # no code
    assert "教学说明" not in text and "培训师运行代码" not in text  # teaching notes are trainer material
    bundles = [part for kind, part in reading.parts if kind == "output"]
    assert {"image/png"} in [set(b["data"]) for b in bundles]
    assert {"text/plain": "全年直播销售额 205.1 万元\n"} in [b["data"] for b in bundles]
    assert reading.notes is not None and reading.notes.startswith("**给培训师：教学说明**")
    assert "培训师运行代码" in reading.notes
    participant = page.case_readings(replace(ctx, edition="participant", case_runs={CASE: str(run)}))
    assert all(r.notes is None for r in participant)


def test_a_run_that_does_not_match_its_case_is_refused(tmp_path: Path) -> None:
    from kebao.errors import PackError

    with pytest.raises(PackError, match="has 1 code cells"):
        page.case_readings(replace(xpcc(), case_runs={CASE: str(fake_run(tmp_path, 1))}))


def test_a_pack_prints_only_the_cases_written_for_its_audience() -> None:
    seniors = decide(catalog(), "seniors-society-classroom")
    used = {case for module in seniors.plan.modules for case in catalog().modules[module].cases}
    assert "seniors-phone-photography" in used  # its modules list it, for the trainers who plan them
    assert seniors.cases == []
    pupils = decide(catalog(), "career-enlightenment-schools")
    assert "primary-career-week-robotics" not in pupils.cases  # written for school leaders


def editions(ctx: PackContext, tmp_path: Path) -> tuple[str, str]:
    """Both editions' pages of ``ctx`` around a body with a trainer-only output, without running the notebook."""
    build = PackBuild(ctx, new_notebook(), tmp_path, {})
    build.__dict__["body"] = export.Body("<h1>课程表</h1><p>表</p><!--kebao:trainer:t--><div class=\"trainer-only\">"
                                         "<h1>学时分布</h1><p>目标学时</p></div><!--/kebao:trainer:t--><h2>模块 A</h2>",
                                         "t")
    return build.page("participant"), build.page("trainer")


def test_the_editions_have_their_cover_contents_and_running_header(tmp_path: Path) -> None:
    handbook, guide = editions(xpcc(), tmp_path)
    contents = handbook[handbook.index('<nav class="contents">'):handbook.index("</nav>")]
    assert re.findall(r'<a href="#(s\d)">([^<]*)</a>', contents) == [("s1", "课程表"), ("s2", "模块 A")]
    assert '<h1 id="s1">课程表</h1>' in handbook and "目标学时" not in handbook
    assert "学时分布" in guide[guide.index('<nav class="contents">'):guide.index("</nav>")]
    assert '@top-right { content: "新疆生产建设兵团第十四师基层党员干部能力提升培训班";' in handbook
    title = "新疆生产建设兵团第十四师基层党员干部能力提升培训班"
    assert f'@top-right {{ content: "培训师指南 · {title} · xpcc-2026-12";' in guide
    assert "xpcc-2026-12" not in handbook
    assert 'class="large-print"' not in handbook


def test_large_print_is_chosen_by_the_audience(tmp_path: Path) -> None:
    handbook, guide = editions(decide(catalog(), "seniors-society-classroom"), tmp_path)
    assert '<html lang="zh-CN" class="large-print">' in handbook and 'class="large-print"' in guide
    css = export._css()
    assert re.search(r"html\.large-print \{ font-size: 14pt;", css)
