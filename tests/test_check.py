"""`kebao check` for real: faults planted in copies of a small repository are caught and named.

Three runs of the command, in subprocesses as CI runs it:

- ``site_runs`` (two runs): the fixture catalogue with a second programme, the
  real course-pack notebook, a tiny notebook, the real book configuration and
  guides; every check passes (packs and the site are really built) and the
  JUnit file lists every check. Then, in the same tree, a broken link and a
  broken anchor in a guide page and two uncovered outcomes (notebooks and cases
  skipped, packs not rebuilt);
- ``notebook_run``: a raising cell, a cell sleeping past ``--timeout``, an
  output left in a notebook, a raising case and a broken module reference.

Each run happens once per module; the tests read its output and JUnit file.
Fast in-process tests cover the JUnit writer, the link reader and usage errors.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kebao.check import KINDS, CheckResult, Item
from kebao.check.junit import write_junit
from kebao.check.links import Site, page_items
from kebao.cli import main

from .paths import FIXTURES, REPO

SECOND = """\
schema: 1
title: {zh: 新能源汽车技术复训班, en: NEV refresher}
partner: {zh: 某汽车企业, en: A car maker}
audience: technicians
days: 2
total_hours: 12
mix: {skills: 100}
required: [battery-practicum]
pools:
  - modules: [smartphone-tools]
outcomes:
  - id: battery
    text: 能够安全完成动力电池的拆装与检测
    modules: [battery-practicum]
cohort:
  id: 2026-12
  start: 2026-12-07
  size: 20
  venue: 实训车间
"""


@dataclass(frozen=True)
class Run:
    root: Path
    code: int
    stdout: str
    stderr: str
    junit: ET.Element

    def suite(self, kind: str) -> ET.Element:
        found = self.junit.find(f"testsuite[@name='{kind}']")
        assert found is not None, f"no testsuite {kind!r} in the JUnit file"
        return found

    def failures(self, kind: str) -> dict[str, str]:
        """name -> message and text of each failed test case of a suite."""
        return {case.get("name", ""): f"{failure.get('message')}\n{failure.text}"
                for case in self.suite(kind).iter("testcase") if (failure := case.find("failure")) is not None}

    def status(self, kind: str) -> str:
        suite = self.suite(kind)
        if int(suite.get("failures", "0")):
            return "failed"
        return "skipped" if int(suite.get("skipped", "0")) else "passed"


def kebao_check(root: Path, *args: str) -> Run:
    junit = root.parent / f"{root.name}-junit.xml"
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "kebao", "check", str(root), "--junit-xml", str(junit), *args],
                          capture_output=True, text=True, timeout=900, env=env)
    assert junit.is_file(), done.stdout + done.stderr
    return Run(root, done.returncode, done.stdout, done.stderr, ET.parse(junit).getroot())


def write_notebook(path: Path, *cells: nbformat.NotebookNode) -> Path:
    nb = new_notebook(cells=list(cells), metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def parameters(source: str) -> nbformat.NotebookNode:
    return new_code_cell(source, metadata={"tags": ["parameters"]})


def small_repository(root: Path) -> Path:
    """The fixture catalogue with two plannable programmes, the course-pack notebook and a tiny one, the book."""
    shutil.copytree(FIXTURES / "catalog", root)
    (root / "curricula" / "programmes" / "cadres-course.yml").unlink()  # deliberately short of skills modules
    (root / "curricula" / "programmes" / "nev-refresher.yml").write_text(SECOND, encoding="utf-8")
    pack = json.loads((REPO / "notebooks" / "course_pack.ipynb").read_text(encoding="utf-8"))
    for cell in pack["cells"]:
        if "parameters" in cell["metadata"].get("tags", []):
            source = "".join(cell["source"])
            assert 'programme = "xpcc-cadres"' in source
            cell["source"] = source.replace('programme = "xpcc-cadres"', 'programme = "nev-class"')
    (root / "notebooks").mkdir()
    (root / "notebooks" / "course_pack.ipynb").write_text(json.dumps(pack, ensure_ascii=False, indent=1),
                                                         encoding="utf-8")
    write_notebook(root / "notebooks" / "hello.ipynb", new_markdown_cell("# 你好"), new_code_cell("print('你好')"))
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "book", root / "book", ignore=shutil.ignore_patterns("generated"))
    return root


# -- a clean repository, then a broken link and uncovered outcomes in the same tree ------------------------


@pytest.fixture(scope="module")
def site_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run]:
    root = small_repository(tmp_path_factory.mktemp("check") / "repo")
    clean = kebao_check(root, "--jobs", "2")

    guide = root / "book" / "guide" / "trainers.md"
    guide.write_text(guide.read_text(encoding="utf-8") + '\n<a href="no-such-page.html">失效链接</a>\n\n'
                     '<a href="ci.html#no-such-anchor">失效锚点</a>\n', encoding="utf-8")
    programme = root / "curricula" / "programmes" / "nev-refresher.yml"
    programme.write_text(programme.read_text(encoding="utf-8").replace("cohort:\n", (
        "  - id: party-theory-outcome\n    text: 能够运用党的理论\n    modules: [party-theory]\n"
        "  - id: nothing-listed\n    text: 没有列出模块的成果\n    modules: []\ncohort:\n")), encoding="utf-8")
    broken = kebao_check(root, "--skip", "notebooks", "--skip", "cases", "--no-packs")
    return clean, broken


@pytest.mark.slow
@pytest.mark.kernel
def test_a_clean_repository_passes_every_check(site_runs: tuple[Run, Run]) -> None:
    clean, _ = site_runs
    assert clean.code == 0, clean.stdout + clean.stderr[-5000:]
    assert "every check passed" in clean.stdout
    for kind in KINDS:
        assert clean.status(kind) == "passed", f"{kind}: {clean.failures(kind)}"
        assert f" {kind} " in clean.stdout, f"the summary table has no row for {kind}"


@pytest.mark.slow
@pytest.mark.kernel
def test_the_junit_file_lists_every_check(site_runs: tuple[Run, Run]) -> None:
    clean, _ = site_runs
    assert [suite.get("name") for suite in clean.junit.findall("testsuite")] == list(KINDS)
    assert clean.junit.get("failures") == "0" and int(clean.junit.get("tests", "0")) > 20
    for suite in clean.junit.findall("testsuite"):
        assert suite.findall("testcase"), f"suite {suite.get('name')} has no test case"
        assert int(suite.get("tests", "-1")) == len(suite.findall("testcase"))


@pytest.mark.slow
@pytest.mark.kernel
def test_notebooks_run_with_defaults_and_each_programme(site_runs: tuple[Run, Run]) -> None:
    clean, _ = site_runs
    runs = {case.get("name") for case in clean.suite("notebooks").iter("testcase")}
    assert runs == {"notebooks/course_pack.ipynb [defaults (programme=nev-class)]",
                    "notebooks/course_pack.ipynb [programme=nev-refresher]", "notebooks/hello.ipynb [defaults]"}
    assert {case.get("name") for case in clean.suite("cases").iter("testcase")} == {"cases/red-dates.md"}
    # the course-pack notebook's `out` went to a temporary folder, packs only where `kebao pack` puts them
    assert all(path.is_relative_to(clean.root / "build" / "packs") for path in clean.root.rglob("*-签到表.xlsx"))
    assert sorted(p.name for p in clean.root.glob("build/packs/*/*/*.zip")) == [
        "nev-class-2026-11.zip", "nev-refresher-2026-12.zip"]
    assert (clean.root / "_build" / "html" / "index.html").is_file()


@pytest.mark.slow
@pytest.mark.kernel
def test_a_broken_link_and_anchor_are_named_with_their_page(site_runs: tuple[Run, Run]) -> None:
    _, broken = site_runs
    assert broken.code == 1
    failures = broken.failures("links")
    assert list(failures) == ["book/guide/trainers.html"], failures
    text = failures["book/guide/trainers.html"]
    assert 'href="no-such-page.html">: no file book/guide/no-such-page.html in the site' in text
    assert 'href="ci.html#no-such-anchor">: no anchor #no-such-anchor in book/guide/ci.html' in text
    assert "built from book/guide/trainers.md" in text
    assert "FAILED links: book/guide/trainers.html" in broken.stdout


@pytest.mark.slow
@pytest.mark.kernel
def test_uncovered_outcomes_are_named_with_file_and_line(site_runs: tuple[Run, Run]) -> None:
    _, broken = site_runs
    failures = broken.failures("coverage")
    assert set(failures) == {"nev-refresher/party-theory-outcome", "nev-refresher/nothing-listed"}
    lines = (broken.root / "curricula" / "programmes" / "nev-refresher.yml").read_text(encoding="utf-8").splitlines()
    listed = next(n for n, line in enumerate(lines, 1) if "modules: [party-theory]" in line)
    empty = next(n for n, line in enumerate(lines, 1) if "id: nothing-listed" in line)
    assert f"curricula/programmes/nev-refresher.yml:{listed}: outcomes[1].modules: outcome 'party-theory-outcome'" \
           in failures["nev-refresher/party-theory-outcome"]
    assert "none of its modules (party-theory) is in the plan of the default cohort '2026-12'" \
           in failures["nev-refresher/party-theory-outcome"]
    nothing = failures["nev-refresher/nothing-listed"]
    assert f"curricula/programmes/nev-refresher.yml:{empty}: outcomes[2].modules" in nothing
    assert "lists no modules" in nothing


@pytest.mark.slow
@pytest.mark.kernel
def test_skipped_checks_say_why(site_runs: tuple[Run, Run]) -> None:
    _, broken = site_runs
    for kind, reason in (("notebooks", "--skip notebooks"), ("cases", "--skip cases"), ("packs", "--no-packs")):
        assert broken.status(kind) == "skipped"
        skipped = broken.suite(kind).find("testcase/skipped")
        assert skipped is not None and reason in skipped.get("message", "")
    assert broken.status("book") == "passed" and broken.status("content") == "passed"


# -- faults in notebooks, cases and content ---------------------------------------------------------------


@pytest.fixture(scope="module")
def notebook_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("check-notebooks") / "repo"
    shutil.copytree(FIXTURES / "catalog", root)
    (root / "curricula" / "programmes" / "cadres-course.yml").unlink()
    notebooks = root / "notebooks"
    write_notebook(notebooks / "raises.ipynb", new_markdown_cell("# 会出错的笔记本"),
                   parameters('root = "."\nout = ""'),
                   new_code_cell("from pathlib import Path\nPath(out, 'made.txt').write_text('x')"),
                   new_code_cell("raise ValueError('坏数据：第 3 行')\nprint('never')"))
    write_notebook(notebooks / "sleeps.ipynb", new_code_cell("import time"), new_code_cell("time.sleep(300)"),
                   new_code_cell("done = True"))
    stored = new_code_cell("print(1)", execution_count=4, outputs=[new_output("stream", name="stdout", text="1\n")])
    write_notebook(notebooks / "kept_output.ipynb", new_code_cell("x = 1"), stored)
    case = root / "cases" / "red-dates.md"
    case.write_text(case.read_text(encoding="utf-8") + "\n```{code-cell} ipython3\ndf['missing']\n```\n",
                    encoding="utf-8")
    programme = root / "curricula" / "programmes" / "nev-class.yml"
    programme.write_text(programme.read_text(encoding="utf-8").replace(
        "required: [battery-practicum]", "required: [batery-practicum]"), encoding="utf-8")
    return kebao_check(root, "--timeout", "10", "--jobs", "2")


@pytest.mark.slow
@pytest.mark.kernel
def test_a_raising_cell_is_named_with_parameters_and_traceback(notebook_run: Run) -> None:
    assert notebook_run.code == 1
    failures = notebook_run.failures("notebooks")
    text = failures["notebooks/raises.ipynb [defaults]"]
    assert "cell 4 (`raise ValueError('坏数据：第 3 行')`): ValueError: 坏数据：第 3 行" in text
    assert f"parameters: root='{notebook_run.root}', out='" in text
    assert "traceback:" in text and "----> 1 raise ValueError" in text
    assert "\x1b" not in notebook_run.stdout and "\x1b" not in text
    assert not list(notebook_run.root.rglob("made.txt")), "`out` must point outside the repository"


@pytest.mark.slow
@pytest.mark.kernel
def test_a_cell_past_the_timeout_is_named(notebook_run: Run) -> None:
    text = notebook_run.failures("notebooks")["notebooks/sleeps.ipynb [defaults]"]
    assert "cell 2 (`time.sleep(300)`): NotebookTimeout" in text and "--timeout 10" in text
    assert set(notebook_run.failures("notebooks")) == {"notebooks/raises.ipynb [defaults]",
                                                      "notebooks/sleeps.ipynb [defaults]"}


@pytest.mark.slow
@pytest.mark.kernel
def test_an_output_left_in_a_notebook_is_named(notebook_run: Run) -> None:
    failures = notebook_run.failures("outputs")
    assert list(failures) == ["notebooks/kept_output.ipynb"]
    assert "cell 2 (`print(1)`): 1 output(s) and execution_count 4 stored" in failures["notebooks/kept_output.ipynb"]


@pytest.mark.slow
@pytest.mark.kernel
def test_a_failing_case_is_named_with_its_line(notebook_run: Run) -> None:
    lines = (notebook_run.root / "cases" / "red-dates.md").read_text(encoding="utf-8").splitlines()
    line = lines.index("df['missing']") + 1
    text = notebook_run.failures("cases")["cases/red-dates.md"]
    assert f"cases/red-dates.md:{line}, code cell 2 (`df['missing']`): KeyError: 'missing'" in text


@pytest.mark.slow
@pytest.mark.kernel
def test_a_broken_module_reference_is_named_and_dependent_checks_skipped(notebook_run: Run) -> None:
    text = notebook_run.failures("content")["curricula/programmes/nev-class.yml"]
    lines = (notebook_run.root / "curricula" / "programmes" / "nev-class.yml").read_text(encoding="utf-8")
    line = lines.splitlines().index("required: [batery-practicum]") + 1
    assert f"curricula/programmes/nev-class.yml:{line}:12: required[0]: unknown module 'batery-practicum'" in text
    assert "did you mean 'battery-practicum'?" in text
    for kind in ("coverage", "packs", "book", "links"):
        assert notebook_run.status(kind) == "skipped", kind
    summary = notebook_run.stdout[notebook_run.stdout.index("kebao check"):]
    assert "4 of 8 checks failed" in summary and "notebooks" in summary


# -- fast, in process -------------------------------------------------------------------------------------


def test_junit_is_written_atomically_and_always_parses(tmp_path: Path) -> None:
    results = [CheckResult("notebooks", "failed", 1.5, "1 of 2 failed", (
        Item("a.ipynb [defaults]", "failed", "boom \x1b[31mred\x1b[0m \x00", "trace\x07back <&>", 1.0),
        Item("b.ipynb [defaults]", "passed", seconds=0.5)), log="sphinx \x1b says"),
        CheckResult("links", "skipped", 0.0, "why", (Item("links", "skipped", "the book did not build"),))]
    target = tmp_path / "reports" / "junit.xml"
    write_junit(results, target)
    assert [p.name for p in target.parent.iterdir()] == ["junit.xml"]
    root = ET.parse(target).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("3", "1", "1")
    failure = root.find("testsuite[@name='notebooks']/testcase/failure")
    assert failure is not None and failure.get("message") == "boom [31mred[0m " and failure.text == "traceback <&>"
    assert root.find("testsuite[@name='links']/testcase/skipped") is not None


def test_links_are_resolved_against_their_page(tmp_path: Path) -> None:
    site = tmp_path / "_build" / "html"
    (site / "guide").mkdir(parents=True)
    (site / "_static").mkdir()
    (site / "_static" / "a.css").write_text("")
    (site / "guide" / "b.html").write_text('<h2 id="part">x</h2>', encoding="utf-8")
    (site / "index.html").write_text(
        '<link href="_static/a.css?v=1"><a href="guide/b.html#part">ok</a><a href="guide/">dir</a>\n'
        '<a href="https://example.org/x">remote</a><a href="mailto:a@b.c">mail</a><img src="data:image/png;base64,A">'
        '<a href="#">top</a>\n<a href="guide/b.html#gone">anchor</a><img src="missing%20file.png">\n'
        '<a href="../../outside.html">out</a>', encoding="utf-8")
    (tmp_path / "outside.html").write_text("")
    (site / "guide" / "index.html").write_text('<a href="../index.html">up</a><a href="#nowhere">x</a>')
    items, checked = page_items(Site(site), tmp_path)
    failed = {item.name: item.text for item in items if item.status == "failed"}
    assert checked == 8 and set(failed) == {"index.html", "guide/index.html"}
    assert failed["index.html"].splitlines()[:3] == [
        'index.html:3: <a href="guide/b.html#gone">: no anchor #gone in guide/b.html',
        'index.html:3: <img src="missing%20file.png">: no file missing file.png in the site',
        'index.html:4: <a href="../../outside.html">: leads out of the site folder']
    assert failed["guide/index.html"].startswith(
        'guide/index.html:1: <a href="#nowhere">: no anchor #nowhere in guide/index.html')


def test_bad_usage_exits_2(tmp_path: Path, catalog_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["check", str(tmp_path)]) == 2
    assert "not a curriculum repository" in capsys.readouterr().err
    assert main(["check", str(catalog_root), "--jobs", "0"]) == 2
    assert main(["check", str(catalog_root), "--timeout", "0"]) == 2
    with pytest.raises(SystemExit) as exited:
        main(["check", str(catalog_root), "--skip", "everything"])
    assert exited.value.code == 2


def test_the_workflow_runs_make_test_and_keeps_packs_site_and_report() -> None:
    from ruamel.yaml import YAML

    workflow = YAML(typ="safe").load((REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["test"]["steps"]
    commands = [step.get("run", "") for step in steps]
    assert ".ci/run" in commands and "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
    check = next(command for command in commands if "kebao check" in command)
    assert "--junit-xml build/check/junit.xml" in check
    kept = "\n".join(str(step.get("with", {}).get("path", "")) for step in steps
                     if str(step.get("uses", "")).startswith("actions/upload-artifact"))
    for path in ("build/packs", "_build/html", "build/check/junit.xml"):
        assert path in kept, f"the workflow does not keep {path}"


def test_docs_describe_every_check_and_option() -> None:
    import argparse

    from kebao.cli.check import add_arguments

    text = (REPO / "docs" / "check.md").read_text(encoding="utf-8")
    for kind in KINDS:
        assert f"| `{kind}` |" in text, f"docs/check.md does not describe the {kind} check"
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    options = [option for action in parser._actions for option in action.option_strings if option != "-h"]
    assert "--junit-xml" in options
    for option in options:
        if option != "--help":
            assert f"`{option}" in text, f"docs/check.md does not describe {option}"


@pytest.mark.parametrize("with_rich", [True, False])
def test_the_summary_table_with_and_without_rich(with_rich: bool, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from kebao.cli.check import print_summary

    if not with_rich:
        monkeypatch.setitem(sys.modules, "rich.console", None)  # as if rich were not installed
    print_summary([CheckResult("content", "passed", 0.25, "valid: [2] modules"),
                   CheckResult("links", "failed", 1.0, "1 page(s) with broken links")])
    out = capsys.readouterr().out
    assert "valid: [2] modules" in out and "1 of 2 checks failed" in out
    row = next(line for line in out.splitlines() if "links" in line)
    assert "failed" in row and "1.0" in row
    assert ("┃" in out) == with_rich
