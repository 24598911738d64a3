"""`kebao new module|case|programme ID`: a valid, commented starting file; never over an existing one."""

from __future__ import annotations

import dataclasses
import shutil
from functools import cache
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kebao.catalog import Catalog, load_catalog
from kebao.cli import main
from kebao.compose import compose
from kebao.errors import UsageError
from kebao.model import Module, Programme
from kebao.scaffold import create, draft, write_new
from kebao.schedule import schedule
from kebao.yamlio import parse, read_front_matter

from .paths import FIXTURES, REPO


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A private copy of the repository's real content."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("curricula", "cases"):
        shutil.copytree(REPO / name, root / name)
    return root


@cache
def real_catalog() -> Catalog:
    return load_catalog(REPO)


def new(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main(["new", *args, "--root", str(root)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("source", [pytest.param("repository", marks=pytest.mark.slow), "fixture"])  # real: ~1.2 s
def test_each_kind_is_valid_at_once_and_the_programme_plans(source: str, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    if source == "fixture":
        shutil.copytree(FIXTURES / "catalog", root)
    else:
        root.mkdir()
        for name in ("curricula", "cases"):
            shutil.copytree(REPO / name, root / name)
    before = load_catalog(root)

    code, out, _ = new(capsys, root, "module", "hv-tools-basics", "--strand", "skills", "--title", "高压绝缘工具的使用")
    assert code == 0
    module_path = root / "curricula/modules/hv-tools-basics.md"
    assert f"已创建 created: {module_path}" in out
    assert f"下一步 next: 编辑 {module_path}" in out and "kebao validate" in out

    code, out, _ = new(capsys, root, "case", "hv-incident-review", "--strand", "industry")
    assert code == 0 and "cases/hv-incident-review.md" in out

    code, out, _ = new(capsys, root, "programme", "hv-refresher", "--strand", "skills", "--title", "高压安全复训班")
    assert code == 0 and "kebao plan hv-refresher" in out
    assert "已按默认班次试排通过" in out

    after = load_catalog(root)  # the whole catalogue still validates
    assert set(after.modules) - set(before.modules) == {"hv-tools-basics"}
    assert set(after.cases) - set(before.cases) == {"hv-incident-review"}
    assert set(after.programmes) - set(before.programmes) == {"hv-refresher"}
    module = after.modules["hv-tools-basics"]
    assert (module.title.zh, module.strand, module.format) == ("高压绝缘工具的使用", "skills", "lecture")
    assert module.outcomes[0].startswith("能够")  # the convention the template teaches
    assert "trainer-note" in module.body
    case = after.cases["hv-incident-review"]
    assert case.strands == ["industry"] and case.illustrative and "虚构" in case.body

    programme = after.programmes["hv-refresher"]
    assert programme.title.zh == "高压安全复训班" and programme.mix == {"skills": 100}
    assert programme.required and all(after.modules[m].strand == "skills" for m in programme.required)
    timetable = schedule(after, compose(after, programme))
    largest = max(after.modules[m].hours for m in timetable.plan.modules)
    assert programme.total_hours and abs(timetable.plan.total_hours - programme.total_hours) <= largest
    assert timetable.sessions

    code, out, _ = new(capsys, root, "programme", "hv-refresher")
    assert code == 2  # and the second time it refuses


def test_templates_explain_the_fields_in_chinese_with_the_choices_from_the_catalogue(
        repo_copy: Path) -> None:
    module = create(repo_copy, "module", "drone-safety", strand="career", audience="school-pupils")
    text = module.text
    for words in ("# 标题 title", "# 主题 strand", "# 形式 format", "# 学时 hours", "# 适用对象 audiences",
                  "# 学习成果 outcomes", "# 考核方式 assessment", "## 教学流程", ":::{trainer-note}"):
        assert words in text, words
    for strand in real_catalog().strands.values():  # every strand offered, with its Chinese name
        assert f"{strand.id} {strand.name.zh}" in text
    assert "audiences: [school-pupils]" in text
    assert "hours: 2\n" in text  # one half-day session of this audience

    programme = create(repo_copy, "programme", "drone-camp", strand="career", audience="school-pupils").text
    assert "# 培训对象 audience" in programme and "# 主题比例 mix" in programme
    career = [m for m in real_catalog().modules.values()
              if m.strand == "career" and not m.elective and m.format != "site-visit"]
    assert career and all(f"#   {m.id}  " in programme for m in career)  # the modules to choose from, listed


def test_every_strand_and_audience_gives_a_programme_that_plans_or_says_why(repo_copy: Path) -> None:
    catalog = load_catalog(repo_copy)
    planned = 0
    for strand in catalog.strands:
        for audience in catalog.audiences:
            new_file = draft(catalog, "programme", "trial", strand=strand, audience=audience)
            data = dict(parse(new_file.text, new_file.path).data, id="trial")
            programme = Programme.model_validate(data)
            assert programme.audience == audience and programme.mix == {strand: 100}
            if any("试排通过" in note for note in new_file.notes):
                with_it = dataclasses.replace(catalog, programmes={**catalog.programmes, "trial": programme})
                assert schedule(with_it, compose(with_it, programme)).sessions, (strand, audience)
                planned += 1
            else:
                assert any("kebao new module" in note or "kebao plan" in note for note in new_file.notes)
    assert planned >= 15


def test_without_strand_or_audience_it_picks_and_says_so(repo_copy: Path, capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    code, out, _ = new(capsys, repo_copy, "programme", "starter")
    assert code == 0
    assert "未指定 --strand" in out and "未指定 --audience" in out
    load_catalog(repo_copy)
    code, out, _ = new(capsys, repo_copy, "module", "starter")
    assert code == 0 and "未指定 --strand，暂用 strand: party-building（党建）" in out


def test_refuses_to_overwrite_an_existing_file(repo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = repo_copy / "curricula/modules/party-spirit-grassroots.md"
    original = existing.read_bytes()
    code, _, err = new(capsys, repo_copy, "module", "party-spirit-grassroots", "--strand", "skills")
    assert code == 2
    assert f"kebao: error: {existing} already exists; kebao new never overwrites a file" in err
    assert existing.read_bytes() == original

    # Also when the file appears between the check and the write: the write itself refuses.
    with pytest.raises(UsageError, match="already exists"):
        write_new(existing, "something else\n")
    assert existing.read_bytes() == original
    assert sorted(p.name for p in existing.parent.iterdir() if p.name.startswith(".")) == []  # no temp files


@pytest.mark.parametrize(("args", "message"), [
    (["module", "Robot Basics"], "'Robot Basics' is not a valid id: an id uses only lowercase ASCII letters, "
                                 "digits and single hyphens between them (e.g. 'party-history-1') "
                                 "(try 'robot-basics')"),
    (["case", "机器人"], "'机器人' is not a valid id"),
    (["programme", "con"], "'con' is a reserved file name on Windows"),
    (["module", "robots", "--strand", "skils"], "unknown strand 'skils' (did you mean 'skills'?)"),
    (["module", "robots", "--audience", "veteran"], "unknown audience 'veteran' (did you mean 'veterans'?)"),
    (["case", "robots", "--audience", "veterans"], "--audience is for modules and programmes"),
    (["module", "robots", "--title", "  "], "--title is empty"),
    (["module", "robots", "--title", "第一行\n第二行"], "--title contains the control character U+000A"),
])
def test_bad_requests_exit_2_with_the_fix(args: list[str], message: str, repo_copy: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(p.relative_to(repo_copy) for p in repo_copy.rglob("*"))
    code, out, err = new(capsys, repo_copy, *args)
    assert code == 2 and out == ""
    assert message in err
    assert sorted(p.relative_to(repo_copy) for p in repo_copy.rglob("*")) == before  # nothing written


def test_outside_a_repository_or_with_invalid_content_it_says_what_to_do(tmp_path: Path, catalog_root: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = new(capsys, tmp_path, "module", "robots")
    assert code == 2 and "is not a curriculum repository" in err and "--root" in err

    module = catalog_root / "curricula/modules/hv-safety.md"
    module.write_text(module.read_text(encoding="utf-8").replace("strand: skills", "strand: skils"),
                      encoding="utf-8")
    code, _, err = new(capsys, catalog_root, "module", "robots", "--strand", "skills")
    assert code == 2
    assert "the catalogue has 1 problem(s)" in err and "hv-safety.md:3:1" in err and "kebao validate" in err
    assert not (catalog_root / "curricula/modules/robots.md").exists()


@cache
def fixture_catalog() -> Catalog:
    return load_catalog(FIXTURES / "catalog")


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40))
def test_any_title_is_written_exactly_or_refused(title: str) -> None:
    try:
        new_file = draft(fixture_catalog(), "module", "any-title", strand="skills", title=title)
    except UsageError as error:
        assert "--title" in str(error)
        return
    front, _, _ = new_file.text.removeprefix("---\n").partition("\n---\n")
    data = dict(parse(front, new_file.path).data, id="any-title", body="")
    assert Module.model_validate(data).title.zh == title.strip()


@pytest.mark.kernel
def test_a_new_case_runs_as_a_notebook(repo_copy: Path) -> None:
    """The book executes every case: the template's code cells must run (in a real kernel, from cases/)."""
    import jupytext  # here, not at the top: only the kernel lane needs it (make test-fast stays quick)
    from nbclient import NotebookClient

    path = create(repo_copy, "case", "starter-case", strand="industry").path
    notebook = jupytext.read(path)
    assert [c.cell_type for c in notebook.cells].count("code") == 2
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the example chart was not drawn"
    nbformat.validate(notebook)
    assert read_front_matter(path).meta.data["kebao"]["strands"] == ["industry"]


def test_the_authoring_guide_documents_every_option_and_make_lab() -> None:
    import argparse

    from kebao.cli import build_parser

    guide = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    options = [o for a in commands.choices["new"]._actions for o in a.option_strings if o.startswith("--")]
    documented = sorted(set(options) - {"--help"})
    assert documented == ["--audience", "--root", "--strand", "--title"]
    for option in documented:
        assert f"`{option} " in guide, option
    for kind in ("module", "case", "programme"):
        assert f"kebao new {kind}" in guide
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "\nlab: setup" in makefile and "notebooks/design_studio.ipynb" in makefile and "make lab" in guide
