"""The design studio, driven headlessly: real widgets, real files, one real pack, one real papermill kernel."""

from __future__ import annotations

import datetime as dt
import difflib
import html
import io
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from kebao.catalog import load_catalog
from kebao.compose import compose
from kebao.errors import ContentError, PlanError
from kebao.model import Programme
from kebao.studio import choices, save, state, suggest, views
from kebao.studio.save import merge_text
from kebao.studio.widgets import Studio, open_studio
from kebao.yamlio import read_yaml

from .paths import FIXTURES, REPO

NOTEBOOK = REPO / "notebooks" / "design_studio.ipynb"
PACK_NOTEBOOK = REPO / "notebooks" / "course_pack.ipynb"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def repo_root(tmp_path: Path) -> Path:
    """A private copy of the repository's content (the example programmes and their modules)."""
    root = tmp_path / "repo"
    for folder in ("curricula", "cases"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def studio(root: Path, programme: str) -> Studio:
    return Studio(load_catalog(root), programme, link_base=root / "notebooks")


def text(widget_html: str) -> str:
    return html.unescape(widget_html)


# -- the strand mix ----------------------------------------------------------------


def test_rebalance_scales_the_others_in_proportion() -> None:
    assert state.rebalance({"a": 30, "b": 40, "c": 30}, "a", 50) == {"a": 50, "b": 29, "c": 21}
    assert state.rebalance({"a": 100, "b": 0, "c": 0}, "a", 40) == {"a": 40, "b": 30, "c": 30}
    assert state.rebalance({"a": 100}, "a", 30) == {"a": 100}
    assert list(state.rebalance({"x": 10, "y": 90}, "y", 95)) == ["x", "y"]  # order kept


@given(st.lists(st.integers(0, 100), min_size=1, max_size=9), st.integers(0, 8), st.integers(-5, 110))
def test_rebalance_always_sums_to_100(raw: list[int], which: int, value: int) -> None:
    mix = {f"s{i}": w for i, w in enumerate(raw)}
    strand = f"s{which % len(raw)}"
    result = state.rebalance(mix, strand, value)
    assert sum(result.values()) == 100 and set(result) == set(mix)
    assert all(isinstance(w, int) and 0 <= w <= 100 for w in result.values())
    if len(mix) > 1:
        assert result[strand] == max(0, min(100, value))


def test_moving_a_slider_rebalances_and_changes_the_preview(repo_root: Path) -> None:
    s = studio(repo_root, "school-leaders-seminar")
    assert s.preview.ok, text(s.status.value)
    chart, hours, modules = s.chart.value, s.hours_table.value, s.modules_table.value
    assert "政策 (policy)" in text(hours) and "按配比选入" in modules and "编排理由" in modules
    s.sliders["policy"].value = 30
    assert {strand: slider.value for strand, slider in s.sliders.items()} == {
        "policy": 30, "industry": 26, "leadership": 18, "pedagogy": 17, "party-building": 9}
    assert state.weights(s.draft) == s.mix and sum(s.mix.values()) == 100
    assert s.preview.ok, text(s.status.value)
    assert s.hours_table.value != hours and s.chart.value != chart and s.chart.value[:4] == b"\x89PNG"
    policy = next(row for row in s.preview.plan.strands if row.id == "policy") if s.preview.plan else None
    assert policy is not None and policy.target_hours == pytest.approx(9)  # 30 % of 30 学时
    assert "课表" in s.tabs.titles[2] and "2026-12-14" in s.timetable_table.value


@pytest.mark.slow  # pure, but ~1.3 s of previews and charts: make test (not test-fast) runs it
def test_modules_pools_and_strands_edit_the_draft(repo_root: Path) -> None:
    s = studio(repo_root, "school-leaders-seminar")
    required = list(s.required.value)
    s.required.value = tuple(m for m in required if m != "zone-industry-plan-analysis")
    assert s.draft.get("required") == [m for m in required if m != "zone-industry-plan-analysis"]
    assert "zone-industry-plan-analysis" not in s.modules_table.value or "按配比选入" in s.modules_table.value
    s.required.value = tuple(required)
    assert s.draft.get("required") == [*(m for m in required if m != "zone-industry-plan-analysis"),
                                       "zone-industry-plan-analysis"]  # kept order, the new one last
    assert s.draft.changed_keys() == ["required"]
    pools = s.draft.get("pools")
    s.add_pool_button.click()
    assert len(s.pool_editor.rows) == len(pools) + 1 and s.draft.get("pools")[-1]["strands"] == list(s.mix)
    row = s.pool_editor.rows[-1]
    row["strands"].value = ()
    assert "选修来源 pools[2]" in text(s.status.value) and "选修来源要列出模块" in text(s.status.value)
    row["modules"].value = ("education-evaluation-reform",)
    assert s.draft.get("pools")[-1] == {"modules": ["education-evaluation-reform"]} and s.preview.valid
    s.pool_editor.rows[-1]["remove"].click()
    assert s.draft.get("pools") == pools and s.draft.changed_keys() == ["required"]
    s.mix_editor.add_strand.value = "skills"
    s.mix_editor.add_button.click()
    assert s.sliders["skills"].value == 0 and sum(s.mix.values()) == 100 and "skills" not in state.weights(s.draft)
    s.sliders["skills"].value = 10
    assert state.weights(s.draft)["skills"] == 10 and sum(state.weights(s.draft).values()) == 100


# -- validation: the same problems as kebao validate ----------------------------------


def test_an_invalid_value_shows_the_validate_error_naming_the_field(repo_root: Path) -> None:
    s = studio(repo_root, "nev-technicians")
    s.days.value = 0
    assert not s.preview.valid
    shown = text(s.status.value)
    assert "天数 days" in shown and "kebao validate" in shown
    # kebao validate finds the same problem in the file; the studio says it in Chinese, validate in English
    file = repo_root / "curricula" / "programmes" / "nev-technicians.yml"
    file.write_text(file.read_text(encoding="utf-8").replace("days: 5", "days: 0"), encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_catalog(repo_root)
    (expected,) = error.value.problems
    assert expected.field == "days" and expected.message == "Input should be greater than or equal to 1"
    assert "天数 days</b>：不能小于 1" in shown and expected.message not in shown
    assert s.chart.value == b"" and "修改上面的问题" in s.timetable_table.value


def test_text_in_a_number_field_and_a_cross_check_are_shown(repo_root: Path) -> None:
    s = studio(repo_root, "nev-technicians")
    s.total_hours.value = "三十"
    assert "总学时 total_hours" in text(s.status.value) and "应为数字，现在是“三十”" in text(s.status.value)
    s.total_hours.value = ""  # empty: fill the days; the key leaves the file
    assert s.draft.get("total_hours") is None and "total_hours" in s.draft.changed_keys()
    s.total_hours.value = "30"
    assert s.preview.ok and not s.draft.dirty
    s.audience.value = "senior-citizens"  # the required modules are for technicians
    shown = text(s.status.value)
    assert "必修模块 required[0]" in shown
    assert "模块 nev-hv-safety-protection 不适合培训对象 senior-citizens" in shown
    assert any("⚠" in label for label, _ in s.required.options)  # kept, marked, not dropped silently


def test_a_plan_that_cannot_be_made_shows_the_reason_and_hint(repo_root: Path) -> None:
    s = studio(repo_root, "nev-technicians")
    s.start.value = dt.date(2027, 3, 1)  # no official arrangement yet: planned from the statutory holidays
    assert s.preview.ok and "暂定：2027 年的节假日调休安排尚未公布" in text(s.status.value)
    s.start.value = dt.date(2101, 3, 1)  # past every holiday table, official or statutory (2100)
    assert s.preview.valid and s.preview.plan_error is not None
    assert "无法编排课程" in text(s.status.value) and "2101" in text(s.status.value)
    s.start.value = None
    assert "开班日期 cohort.start" in text(s.status.value)


def test_odd_values_never_break_the_preview(repo_root: Path) -> None:
    s = studio(repo_root, "veterans-transition")
    for days in (-3, 0, 400, 1):
        s.days.value = days
        assert "内部错误" not in s.status.value and s.failure is None
    for total in ("nan", "inf", "-4", "1e9", "2.25", " ", "１２"):
        s.total_hours.value = total
        assert "内部错误" not in s.status.value and s.failure is None, total
    for start in (dt.date(2004, 1, 1), dt.date(2003, 12, 31), dt.date(2026, 10, 1)):
        s.start.value = start
        assert "内部错误" not in s.status.value and s.failure is None, start
    s.title_zh.value = ""
    s.sliders["policy"].value = 100
    assert "内部错误" not in s.status.value and "中文名称 title.zh" in text(s.status.value)
    assert s.message_html == ""  # nothing raised into a handler


def test_every_example_programme_previews_cleanly() -> None:
    catalog = load_catalog(REPO)
    for programme in sorted(catalog.programmes):
        preview = state.check(catalog, state.open_draft(catalog, programme))
        assert preview.ok, (programme, preview.problems, preview.plan_error)


def test_module_lists_hold_only_modules_for_the_audience(repo_root: Path) -> None:
    catalog = load_catalog(repo_root)
    ids = [value for _, value in choices.module_choices(catalog, "senior-citizens")]
    assert "senior-anti-fraud" in ids
    assert "nev-power-battery" not in ids  # for enterprise technicians
    assert all(catalog.modules[m].format != "site-visit" for m in ids)


# -- a studio that helps: the nearest plan, one-click suggestions, undo -------------------------------------

ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,;:'()]+[A-Za-z]{2,}")


def red_pixels(png: bytes) -> int:
    """Pixels of the chart's shortfall red (#C62828), give or take anti-aliasing."""
    from matplotlib.image import imread

    pixels = imread(io.BytesIO(png), format="png")[..., :3]
    red = (abs(pixels[..., 0] - 0xC6 / 255) < 0.06) & (pixels[..., 1] < 0.3) & (pixels[..., 2] < 0.3)
    return int(red.sum())


@pytest.mark.slow  # pure, but ~2 s of previews, searches and charts
def test_an_infeasible_mix_shows_the_nearest_plan_a_chinese_explanation_and_fixes_a_click_applies(
        repo_root: Path) -> None:
    s = studio(repo_root, "xpcc-cadres")
    original = state.weights(s.draft)
    assert s.preview.ok and s.undo_button.disabled
    s.sliders["party-building"].value = 20  # industry and skills then lack modules
    wanted = state.weights(s.draft)
    assert wanted["party-building"] == 20 and not s.preview.ok and s.preview.plan_error is not None
    # not a blank preview: the nearest plan, its chart with the shortfall in red, its modules and timetable
    assert s.preview.plan is not None and s.preview.timetable is not None
    assert s.chart.value and red_pixels(s.chart.value) > 200
    assert red_pixels(views.hours_png(s.preview.catalog, s.preview.plan)) == 0  # red only marks shortfall
    assert "编排理由" in s.modules_table.value and "结业式" in s.timetable_table.value
    short = {n.get("strand").zh for n in s.preview.plan.notes if n.code == "note-strand-under"}
    assert short == {"产业", "技能"}
    shown = text(s.status.value)
    assert "无法编排课程" in shown and "产业差" in shown and "最接近的计划" in shown
    ids = {*s.preview.catalog.modules, *s.preview.catalog.strands, *s.preview.catalog.audiences, "xpcc-cadres"}
    said = " ".join([views.plain_text(s.status.value), *(b.description for b in s.pane.suggestion_buttons)])
    for name in sorted(ids, key=len, reverse=True):
        said = said.replace(name, " ")
    assert ENGLISH.findall(said) == [] and "--set" not in said and "pools:" not in said
    # every suggestion is a change that plans, said in Chinese; a click applies it, 撤销 takes it back
    assert s.pane.suggestion_buttons and all(b.description.startswith("采用：") for b in s.pane.suggestion_buttons)
    for suggestion in s.preview.suggestions:
        assert state.check(s.catalog, suggestion.draft).ok, suggestion.change
    first = s.preview.suggestions[0]
    s.pane.suggestion_buttons[0].click()
    assert s.preview.ok and s.draft is first.draft and "已采用建议" in text(s.message_html)
    assert [b.value for b in s.sliders.values()] == list(state.weights(s.draft).values())  # widgets follow
    s.undo_button.click()
    assert state.weights(s.draft) == wanted and s.preview.plan_error is not None
    s.undo_button.click()
    assert state.weights(s.draft) == original and s.preview.ok and s.undo_button.disabled


@pytest.mark.slow  # pure, but ~1.5 s of previews
def test_ticking_required_modules_changes_one_module_and_undo_restores(repo_root: Path) -> None:
    s = studio(repo_root, "xpcc-cadres")
    required = list(s.required.value)
    assert len(required) >= 2 and required == s.draft.get("required")
    first = s.required.checkboxes[required[0]]
    first.value = False  # one click on one checkbox
    assert s.draft.get("required") == required[1:]
    spare = next(m for m, box in s.required.checkboxes.items() if not box.value and m != required[0])
    s.required.checkboxes[spare].value = True
    assert s.draft.get("required") == [*required[1:], spare]
    s.undo_button.click()
    s.undo_button.click()
    assert s.draft.get("required") == required and s.required.value == tuple(required)
    assert s.required.checkboxes[required[0]].value and not s.required.checkboxes[spare].value
    assert not s.draft.dirty and s.undo_button.disabled


@pytest.mark.slow  # pure, but ~4 s of searches
def test_suggestions_for_every_example_programme_pushed_off_its_mix_all_plan() -> None:
    catalog = load_catalog(REPO)
    offered = 0
    for programme in sorted(catalog.programmes):
        draft = state.open_draft(catalog, programme)
        mix = state.weights(draft)
        for strand in list(mix)[:2]:
            pushed = state.with_weights(draft, state.rebalance(mix, strand, min(100, mix[strand] + 25)))
            found = suggest.preview(catalog, pushed)
            if found.ok or not isinstance(found.plan_error, PlanError):
                continue
            assert found.nearest is not None and CJK.search(found.nearest.render("zh", "studio"))
            for suggestion in found.suggestions:
                offered += 1
                assert state.check(catalog, suggestion.draft).ok, (programme, suggestion.change)
    assert offered >= 5


def test_what_fits_changes_nothing_for_a_plan_that_can_be_made() -> None:
    catalog = load_catalog(REPO)
    for programme in catalog.programmes.values():
        assert compose(catalog, programme, what_fits=True) == compose(catalog, programme), programme.id


# -- saving ------------------------------------------------------------------------------


@pytest.mark.slow  # pure, but ~1.5 s of previews and charts: make test (not test-fast) runs it
def test_save_changes_only_the_edited_keys_and_keeps_comments(repo_root: Path) -> None:
    file = repo_root / "curricula" / "programmes" / "xpcc-cadres.yml"
    before = file.read_text(encoding="utf-8")
    file.write_text("# 兵团班：设计组审定稿\n" + before.replace("days: 10", "days: 10  # 含报到日"), encoding="utf-8")
    before = file.read_text(encoding="utf-8")
    keys_before = list(read_yaml(file).data)
    s = studio(repo_root, "xpcc-cadres")
    s.days.value = 11
    s.sliders["skills"].value = 36
    assert s.draft.changed_keys() == ["days", "mix"]
    s.save_button.click()
    assert "已保存" in s.message_html, s.message_html
    after = file.read_text(encoding="utf-8")
    for comment in ("# 兵团班：设计组审定稿", "# 含报到日", "# 党建 23 学时为必修课"):
        assert comment in after
    changed = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed and all(line[1:].lstrip().startswith(("days:", "party-building:", "industry:", "skills:"))
                           for line in changed), changed
    assert list(read_yaml(file).data) == keys_before
    programme = load_catalog(repo_root).programme("xpcc-cadres")
    assert programme.days == 11 and sum(programme.mix.values()) == 100 and programme.mix["skills"] == 36
    assert not s.draft.dirty  # reopened from the saved file


def test_save_refuses_a_programme_that_does_not_validate(repo_root: Path) -> None:
    file = repo_root / "curricula" / "programmes" / "nev-technicians.yml"
    before = file.read_bytes()
    s = studio(repo_root, "nev-technicians")
    s.title_zh.value = ""
    s.save_button.click()
    assert file.read_bytes() == before
    assert "中文名称 title.zh" in text(s.message_html) and "需要修改" in s.message_html


def test_saving_a_draft_that_cannot_plan_warns_in_chinese_and_a_vanished_file_is_said_in_chinese(
        repo_root: Path) -> None:
    catalog = load_catalog(repo_root)
    draft = state.open_draft(catalog, "xpcc-cadres")
    infeasible = state.with_weights(draft, state.rebalance(state.weights(draft), "party-building", 20))
    result = save.save_draft(catalog, infeasible)
    (warning,) = result.warnings
    assert result.changed and "达不到主题配比" in warning and "建议：" in warning
    assert "--set" not in warning and not ENGLISH.search(warning.replace("xpcc-cadres", "").replace(
        "grassroots-cadres", ""))
    draft.file.unlink()
    with pytest.raises(ContentError) as gone:
        save.save_draft(result.catalog, state.with_weights(infeasible, state.weights(draft)))
    (problem,) = gone.value.problems
    assert problem.message == "the programme's file has disappeared"  # kebao's English for logs and the CLI
    assert "项目文件已经不在了" in views.problems_html(gone.value.problems, repo_root)


@pytest.mark.slow  # pure, but ~1.3 s of previews and charts: make test (not test-fast) runs it
def test_a_new_programme_gets_a_clean_commented_file(repo_root: Path) -> None:
    s = studio(repo_root, "nev-technicians")
    s.new_id.value, s.new_title_zh.value, s.new_title_en.value = "nev-class-2027", "新能源汽车二期班", "NEV class 2"
    s.new_button.click()
    assert s.draft.is_new and "合作单位" in text(s.status.value)  # the partner is the new programme's own
    s.partner_zh.value, s.partner_en.value = "某汽车企业", "A car maker"
    assert s.preview.ok, text(s.status.value)
    s.save_button.click()
    assert "已新建" in s.message_html, s.message_html
    saved = (repo_root / "curricula" / "programmes" / "nev-class-2027.yml").read_text(encoding="utf-8")
    assert saved.startswith("# 培训项目 nev-class-2027") and "# 培训对象" in saved and "'" not in saved
    programme = load_catalog(repo_root).programme("nev-class-2027")
    assert programme.partner.zh == "某汽车企业" and programme.audience == "enterprise-technicians"
    assert s.picker.value == "nev-class-2027"
    s.new_button.click()  # the same id again
    assert "项目 nev-class-2027 已经存在" in text(s.status.value)


def test_a_new_programme_takes_every_field_but_its_own_from_the_template() -> None:
    fields = [info.alias or name for name, info in Programme.model_fields.items()]
    assert state.OWN_FIELDS <= set(fields)
    template = state.Draft("old", {key: {"from": key} for key in fields if key != "id"}, Path("old.yml"))
    new = state.new_draft(load_catalog(FIXTURES / "catalog"), "new", "新项目", "New", template=template)
    carried = [key for key in fields if key in new.data and new.data[key] == template.data.get(key)]
    assert carried == [key for key in fields if key not in state.OWN_FIELDS]  # a field added to the model too
    assert new.data["title"] == {"zh": "新项目", "en": "New"} and new.data["partner"] == {"zh": "", "en": ""}
    assert list(new.data) == [key for key in state.FIELD_ORDER if key in new.data]


def test_the_studio_field_tables_name_fields_of_a_programme() -> None:
    def exists(path: str) -> bool:
        model: type[BaseModel] | None = Programme
        for part in path.split("."):
            info = {i.alias or n: i for n, i in model.model_fields.items()}.get(part) if model else None
            if info is None:
                return False
            annotation = info.annotation
            model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        return True

    named = [*state.FIELD_LABELS, *save.COMMENTS, *save.FLOW_KEYS]
    assert [path for path in named if not exists(path)] == []


def test_merge_keeps_untouched_files_byte_identical() -> None:
    for file in sorted((REPO / "curricula" / "programmes").glob("*.yml")):
        original = file.read_text(encoding="utf-8")
        assert merge_text(original, read_yaml(file).data, []) == original


def test_merge_moves_trailing_comments_and_orders_new_keys() -> None:
    original = ("days: 5\nmix:\n  a: 50\n  b: 50\n# 下一段：必修\nrequired:\n  - x   # 核心\n  - y\n"
                "# 来源说明\npools:\n  - strands: [a]\n")
    data = {"days": 5, "total_hours": 30, "mix": {"a": 100}, "required": ["x", "z"],
            "pools": [{"strands": ["a"]}]}
    merged = merge_text(original, data, ["total_hours", "mix", "required"])
    assert merged == ("days: 5\ntotal_hours: 30\nmix:\n  a: 100\n# 下一段：必修\nrequired:\n  - x   # 核心\n  - z\n"
                      "# 来源说明\npools:\n  - strands: [a]\n")


# -- the trial pack -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.kernel
def test_generate_pack_builds_a_zip_and_links_it(catalog_root: Path) -> None:
    s = Studio(load_catalog(catalog_root), "nev-class", link_base=catalog_root / "notebooks",
               pack_notebook=PACK_NOTEBOOK)
    s.days.value = 3
    s.pack_button.click()  # unsaved changes: the pack would not show them
    assert "请先点击「保存」" in s.message_html and not (catalog_root / "build").exists()
    s.days.value = 2
    s.pack_button.click()
    zip_path = catalog_root / "build" / "studio-packs" / "nev-class" / "2026-11" / "nev-class-2026-11.zip"
    assert zip_path.is_file(), s.message_html
    assert 'href="../build/studio-packs/nev-class/2026-11/nev-class-2026-11.zip"' in s.message_html
    assert "nev-class-2026-11-学员手册.html" in s.message_html and not s.pack_button.disabled
    assert (zip_path.parent / "nev-class-2026-11-课表.xlsx").is_file()


# -- the notebook --------------------------------------------------------------------------


def test_notebook_is_committed_clean_with_parameters() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert 'root = ".."' in code[0].source and "programme = " in code[0].source
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


@pytest.mark.kernel
def test_notebook_runs_under_papermill(tmp_path: Path) -> None:
    import papermill  # here, not at the top: only the kernel lane needs it (make test-fast stays quick)

    output = tmp_path / "design_studio.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(output), cwd=str(NOTEBOOK.parent), kernel_name="python3",
                               progress_bar=False)
    nb = json.loads(output.read_text(encoding="utf-8"))
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    assert all(cell["execution_count"] for cell in code)
    assert not [o for cell in code for o in cell["outputs"] if o["output_type"] == "error"]
    widgets = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    shown = " ".join(str(m["state"].get("value", "")) for m in widgets.values())
    assert "校验通过" in shown and "课包设计工作室" in shown


def test_open_studio_shows_content_problems_instead_of_failing(catalog_root: Path) -> None:
    file = catalog_root / "curricula" / "programmes" / "nev-class.yml"
    file.write_text(file.read_text(encoding="utf-8").replace("days: 2", "days: two"), encoding="utf-8")
    shown = open_studio(catalog_root)
    assert "无法打开" in shown.value and "days" in shown.value


# -- phases, venues and groups (schema 2) -------------------------------------------------------------------


def test_phases_and_venues_are_edited_with_a_live_preview_and_saved_keeping_other_comments(repo_root: Path) -> None:
    file = repo_root / "curricula" / "programmes" / "shadow-principal-placement.yml"
    s = studio(repo_root, "shadow-principal-placement")
    agenda = s.agenda
    assert [row["title"].value for row in agenda.phases] == ["集中培训", "基地研修", "返岗实践", "总结交流"]
    assert [row["mode"].value for row in agenda.phases][2] == "at-work" and s.preview.ok
    agenda.phases[3]["days"].value = 3  # the review phase gets a day more
    assert s.draft.get("phases", 3, "days") == 3 and s.draft.get("days") is None and s.preview.ok
    assert s.preview.timetable is not None and s.preview.timetable.phases[-1].last == dt.date(2026, 12, 2)
    agenda.add_venue.click()
    assert s.draft.get("venues", 2) == {"id": "venue-1", "name": {"zh": "地点3", "en": "Venue 3"}}
    agenda.venues[2]["name"].value = "县教师发展中心"
    agenda.venues[2]["address"].value = "县城人民路 8 号"
    agenda.phases[3]["venue"].value = "venue-1"
    assert s.draft.get("phases", 3, "venue") == "venue-1" and s.preview.ok
    assert "县教师发展中心" in text(s.timetable_table.value)
    agenda.venues[2]["closed"].value = ("mon", "tue")  # the review (Mon 11-30 to Wed 12-02) keeps one day
    assert s.draft.get("venues", 2, "closed") == ["mon", "tue"] and not s.preview.ok
    assert "阶段 总结交流 (review) 列出的模块需要" in text(s.status.value)  # said before any timetable
    agenda.venues[2]["closed"].value = ("mon",)
    assert s.preview.ok and s.preview.timetable is not None
    assert all(x.date.weekday() != 0 for x in s.preview.timetable.sessions if x.phase == "review")
    agenda.phases[1]["modules"].value = ("shadow-principal-placement",)  # no phase left for the diagnosis
    assert s.draft.get("phases", 1, "modules") == ["shadow-principal-placement"] and not s.preview.ok
    assert "未列入任何阶段的模块需要" in text(s.status.value)
    s.undo_button.click()
    assert s.draft.get("phases", 1, "modules") == ["shadow-principal-placement", "shadow-principal-diagnosis"]
    s.save_button.click()
    assert "已保存" in s.message_html, s.message_html
    after = file.read_text(encoding="utf-8")
    assert "县教师发展中心" in after and "closed:" in after
    programme = load_catalog(repo_root).programme("shadow-principal-placement")
    assert programme.phases[3].days == 3 and programme.phases[3].venue == "venue-1"
    assert programme.venues[2].closed == ["mon"] and programme.venues[2].address == "县城人民路 8 号"
    assert after.startswith("schema: 2\ntitle:") and "outcomes:\n  - id: policy-and-leadership" in after
    assert "gap: 2                      # 周末之后开始" in after and "# 四个阶段（days 省略" in after  # comments kept


def test_groups_are_edited_and_unequal_groups_are_said_in_the_preview(repo_root: Path) -> None:
    s = studio(repo_root, "college-managers-study-tour")
    rows = s.agenda.groups[0]
    assert [row["title"].value for row in rows] == ["党政办组", "教务组", "学工组"] and s.preview.ok
    rows[1]["venue"].value = "student-affairs"
    assert s.draft.get("splits", 0, "groups", 1, "venue") == "student-affairs" and s.preview.ok
    assert s.preview.timetable is not None
    assert {x.venue for x in s.preview.timetable.sessions if x.group == "academic"} == {"student-affairs"}
    s.agenda.group_box.children[0].children[-1].click()  # ＋ 添加一组: a group with no modules yet
    assert s.draft.get("splits", 0, "groups", 3, "id") == "group-4" and not s.preview.valid
    s.agenda.groups[0][3]["remove"].click()
    assert len(s.draft.get("splits", 0, "groups")) == 3 and s.preview.ok
    rows = s.agenda.groups[0]
    rows[0]["title"].value = "办公室组"
    assert s.draft.get("splits", 0, "groups", 0, "title") == {"zh": "办公室组", "en": "President's office group"}
    rows = s.agenda.groups[0]
    rows[2]["modules"].value = ("shadow-student-affairs", "host-college-briefing")
    assert not s.preview.ok and "模块 host-college-briefing 在分组 students 中" in text(s.status.value)


def test_agenda_edits_upgrade_a_schema_1_draft_and_keep_days_the_phases_sum(repo_root: Path) -> None:
    from kebao.studio import agenda

    draft = state.open_draft(load_catalog(repo_root), "veterans-transition")
    assert draft.get("schema") in (None, 1, "1") and draft.get("days") is not None
    phased = agenda.new_phase(agenda.new_phase(draft))
    assert phased.get("schema") == 2 and [p["id"] for p in phased.get("phases")] == ["phase-1", "phase-2"]
    assert phased.get("days") == 2  # the phases' days, as validate asks
    longer = agenda.with_entry(phased, "phases", 1, {"days": 4, "mode": "at-work", "venue": ""})
    assert longer.get("phases", 1) == {"id": "phase-2", "title": {"zh": "第2阶段", "en": "Phase 2"}, "days": 4,
                                       "mode": "at-work"} and longer.get("days") == 5
    assert agenda.with_entry(longer, "phases", 1, {"days": 4}) is longer  # nothing changed: the same draft
    assert agenda.without_entry(agenda.without_entry(longer, "phases", 0), "phases", 0).get("phases") is None
    split = agenda.new_split(draft)
    grown = agenda.with_group(split, 0, 99, {"modules": ["a"]})
    assert [g["id"] for g in grown.get("splits", 0, "groups")] == ["group-1", "group-2", "group-3"]
    assert agenda.without_group(grown, 0, 0).get("splits", 0, "groups", 0, "id") == "group-2"
