"""JupyterLab on a copy of the repository, through a real Jupyter server (tests/lab.py).

* Modules and cases open as notebooks through jupytext (the contents API with
  type=notebook, as JupyterLab asks for them) and saving them unchanged from
  JupyterLab (kernel spec, outputs and screen state added) leaves every byte
  as it was, and the catalogue still loads.
* The design studio notebook runs top to bottom in JupyterLab in headless
  Chromium and its widgets, chart and Chinese text render; the screenshot
  (studio.png) goes to the session's screenshot folder, named at the end of the
  run, for a person to look at.
* The studio and a case, run, saved, edited and saved again in JupyterLab:
  the studio is stored without outputs, the case unchanged until edited and
  then only where it was edited, and `kebao check` still passes.
* JupyterLab is in Simplified Chinese (the zh-CN language pack and the locale
  in .jupyter/labconfig).

All of it starts JupyterLab (the browser lane); the studio and a case run in kernels.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kebao.catalog import load_catalog
from kebao.scaffold import create
from kebao.yamlio import read_front_matter

from .browser import Page, browser_tab
from .lab import LabServer, as_saved_by_jupyterlab, ipykernel_spec, lab_server
from .paths import REPO

CONTENT = ("curricula", "cases", "notebooks", "jupytext.toml")
STUDIO = "notebooks/design_studio.ipynb"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's content, plus a module and a case just made by `kebao new`."""
    root = tmp_path_factory.mktemp("lab") / "repo"
    root.mkdir()
    for name in CONTENT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        else:
            shutil.copy2(source, root / name)
    create(root, "module", "new-lab-module", strand="skills", title="新建的模块")
    create(root, "case", "new-lab-case", strand="industry", title="新建的案例")
    return root


@pytest.fixture(scope="module")
def lab(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    with lab_server(workspace, tmp_path_factory.mktemp("lab-state"), "--LabApp.expose_app_in_browser=True") as server:
        yield server
    assert server.killed == [], f"the server left processes running: {server.killed}"


def contents(path: Path, root: Path) -> str:
    return "api/contents/" + path.relative_to(root).as_posix()


def test_modules_open_as_notebooks_and_save_byte_identical(lab: LabServer, workspace: Path) -> None:
    modules = sorted((workspace / "curricula" / "modules").glob("*.md"))
    assert len(modules) > 50 and workspace / "curricula/modules/new-lab-module.md" in modules
    for path in modules:
        original = path.read_bytes()
        model = lab.get(contents(path, workspace), type="notebook", content="1")
        assert model["type"] == "notebook", path.name
        cells = model["content"]["cells"]
        # The front matter is the first cell, exactly as written (comments too), then the session plan.
        front_matter = original.decode().split("\n---\n", 1)[0] + "\n---"
        assert cells[0]["cell_type"] == "raw" and cells[0]["source"] == front_matter, path.name
        assert [c["cell_type"] for c in cells[1:2]] == ["markdown"], path.name
        assert cells[1]["source"].startswith("# "), path.name
        lab.put(contents(path, workspace), {"type": "notebook", "format": "json",
                                            "content": as_saved_by_jupyterlab(model["content"],
                                                                               lab.kernelspec())})
        assert path.read_bytes() == original, f"{path.name} changed when saved from JupyterLab"
    load_catalog(workspace)


def numbers_as_text(value: Any) -> Any:
    """Metadata as kebao's strict reader gives it: scalars as written (``schema: 2`` is '2'; the model types it)."""
    if isinstance(value, dict):
        return {key: numbers_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [numbers_as_text(item) for item in value]
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def test_cases_open_as_notebooks_and_save_byte_identical(lab: LabServer, workspace: Path) -> None:
    """What JupyterLab sends back for a case it ran: its kernel's spec, outputs, screen state (tests/lab.py)."""
    assert lab.kernelspec() == ipykernel_spec()  # the spec the cases carry (tests/test_saving.py)
    before = load_catalog(workspace)
    cases = sorted((workspace / "cases").glob("*.md"))
    assert len(cases) > 10 and workspace / "cases/new-lab-case.md" in cases
    for path in cases:
        original, front_matter = path.read_bytes(), read_front_matter(path)
        model = lab.get(contents(path, workspace), type="notebook", content="1")
        notebook = model["content"]
        assert numbers_as_text(notebook["metadata"]["kebao"]) == front_matter.meta.data["kebao"], path.name
        assert notebook["metadata"]["kernelspec"]["name"] == "python3", path.name
        assert notebook["metadata"]["jupytext"]["text_representation"]["format_name"] == "myst", path.name
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert len(code) == front_matter.body.count("```{code-cell}"), path.name
        assert notebook["cells"][0]["cell_type"] == "markdown", path.name

        lab.put(contents(path, workspace), {"type": "notebook", "format": "json",
                                            "content": as_saved_by_jupyterlab(notebook, lab.kernelspec())})
        assert path.read_bytes() == original, f"{path.name} changed when saved unchanged from JupyterLab"
    after = load_catalog(workspace)
    dump = {name: case.model_dump() for name, case in before.cases.items()}
    assert {name: case.model_dump() for name, case in after.cases.items()} == dump


# -- the design studio in a browser ---------------------------------------------------------------------------------

RUN_TIMEOUT = 180.0


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, screenshots: Path) -> Iterator[Page]:
    with browser_tab(tmp_path_factory.mktemp("chromium-profile"), ("Page", "Runtime"), screenshots) as tab:
        yield tab


def wait(page: Page, expression: str, what: str, timeout: float = RUN_TIMEOUT) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = page.evaluate(expression)
        if value:
            return value
        page.pump(0.25)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def panel(path: str) -> str:
    """JavaScript for JupyterLab's tab showing ``path`` (the headless page has no focus, so no 'current' one)."""
    return (f"(window.jupyterapp && [...jupyterapp.shell.widgets('main')]"
            f".find(w => w.context && w.context.path === {json.dumps(path)}))")


def notebook_state(path: str) -> str:
    """JavaScript for the cells (type, execution count, outputs) and the kernel status of the notebook ``path``."""
    return f"""(() => {{
    const panel = {panel(path)};
    if (!panel || !panel.content || !panel.content.model) return null;
    const cells = [];
    for (const cell of panel.content.model.cells) {{
        cells.push({{type: cell.type, count: cell.type === 'code' ? cell.executionCount : null,
                     outputs: cell.type === 'code' ? cell.outputs.toJSON() : []}});
    }}
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    return {{path: panel.context.path, kernel: kernel ? kernel.status : null, cells}};
}})()"""


def idle_kernel(path: str) -> str:
    return (f"(() => {{ const p = {panel(path)}; return p && p.sessionContext.session"
            " && p.sessionContext.session.kernel && p.sessionContext.session.kernel.status === 'idle'; })()")


def run_all(browser: Page, path: str) -> Any:
    """Run every cell of the open notebook ``path`` (Run > Run All Cells); its state once every code cell ran."""
    browser.evaluate(f"jupyterapp.shell.activateById({panel(path)}.id)")
    browser.evaluate("jupyterapp.commands.execute('notebook:run-all-cells').then(() => true)")

    def finished() -> Any:
        state = browser.evaluate(notebook_state(path))
        code = [c for c in state["cells"] if c["type"] == "code"]
        return state if state["kernel"] == "idle" and all(c["count"] for c in code) else None

    end = time.monotonic() + RUN_TIMEOUT
    state = None
    while state is None and time.monotonic() < end:
        state = finished()
        browser.pump(0.5)
    assert state is not None, f"{path} did not finish running: {browser.evaluate(notebook_state(path))}"
    errors = [o for c in state["cells"] for o in c["outputs"] if o["output_type"] == "error"]
    assert errors == [], "\n".join(f"{e['ename']}: {e['evalue']}" for e in errors)
    return state


@pytest.mark.kernel
@pytest.mark.slow
def test_design_studio_runs_and_renders_in_jupyterlab(lab: LabServer, browser: Page) -> None:
    assert (REPO / STUDIO).is_file(), f"{STUDIO} is missing"
    browser.send("Emulation.setDeviceMetricsOverride", width=1400, height=1800, deviceScaleFactor=1, mobile=False)
    browser.send("Page.navigate", url=lab.page(f"lab/tree/{STUDIO}"))
    wait(browser, idle_kernel(STUDIO), "JupyterLab to open the studio notebook with an idle kernel")
    browser.evaluate("jupyterapp.shell.collapseLeft()")
    state = run_all(browser, STUDIO)
    stderr = [o["text"] for c in state["cells"] for o in c["outputs"]
              if o["output_type"] == "stream" and o["name"] == "stderr"]
    assert not any("Traceback" in text or "Error" in text for text in stderr), stderr

    # The widgets render (a view, not the "Loading widget..." placeholder or an error text).
    wait(browser, "document.querySelectorAll('.jp-OutputArea-output .jupyter-widgets').length > 3"
                  " && [...document.querySelectorAll('.jp-OutputArea-output img')].some(i => i.complete)",
         "the studio's widgets and chart", timeout=60)
    counts = browser.evaluate("""(() => ({
        widgets: document.querySelectorAll('.jupyter-widgets').length,
        sliders: document.querySelectorAll('.widget-slider, .jupyter-widget-slider').length,
        images: [...document.querySelectorAll('.jp-OutputArea-output img')]
            .filter(img => img.complete && img.naturalWidth > 100).length,
        text: document.querySelector('.jp-OutputArea-output .jupyter-widgets').innerText,
        failed: [...document.querySelectorAll('.jp-OutputArea-output')]
            .map(e => e.innerText).filter(t => /Error displaying widget|model not found|Failed to load/.test(t)),
    }))()""")
    assert counts["failed"] == [], counts["failed"]
    assert counts["sliders"] >= 2, counts
    assert counts["images"] >= 1, f"no chart image in the studio: {counts}"
    assert re.search("[\u4e00-\u9fff]", counts["text"]), "the studio shows no Chinese text"
    browser.evaluate("document.querySelector('.jp-OutputArea-output .jupyter-widgets').scrollIntoView()")
    browser.pump(1.0)
    assert browser.draws_chinese(".jp-OutputArea-output .jupyter-widgets"), \
        "Chinese in the studio is drawn as empty boxes (tofu): install fonts-noto-cjk"
    shot = browser.screenshot("studio")
    assert shot.stat().st_size > 20_000


def test_a_module_opens_as_a_notebook_from_the_file_browser(lab: LabServer, browser: Page) -> None:
    """Double-clicking a module (JupyterLab's default viewer, set in .jupyter/) shows the notebook, not the text."""
    module = "curricula/modules/new-lab-module.md"
    if not browser.evaluate("!!window.jupyterapp"):
        browser.send("Page.navigate", url=lab.page("lab"))
        wait(browser, "!!window.jupyterapp", "JupyterLab to load", timeout=60)
    browser.evaluate("jupyterapp.restored.then(() => true)")
    opened = browser.evaluate(f"jupyterapp.commands.execute('docmanager:open', {{path: {json.dumps(module)}}})"
                              ".then(w => w.context.path)")
    assert opened == module
    cells = wait(browser, f"(() => {{ const p = {panel(module)}; return p && p.context.isReady && p.content.model"
                          " && [...p.content.model.cells].map(c => [c.type, c.sharedModel.getSource()]); })()",
                 "the module as a notebook", timeout=60)
    assert cells[0][0] == "raw" and "title:" in cells[0][1] and "新建的模块" in cells[0][1]
    assert cells[1][0] == "markdown" and cells[1][1].startswith("# 新建的模块")
    # A module has no code: JupyterLab asks which kernel to use; 'No Kernel' is the answer docs/authoring.md gives.
    wait(browser, "!!document.querySelector('.jp-Dialog')", "the kernel dialog", timeout=30)
    browser.evaluate("[...document.querySelectorAll('.jp-Dialog button')]"
                     ".find(b => /No Kernel|无内核/.test(b.textContent)).click()")
    browser.pump(0.5)
    browser.screenshot("module-notebook")


# -- saving from JupyterLab keeps the repository clean; JupyterLab speaks Chinese -------------------------------------

CASE = "cases/nev-high-voltage-safety.md"
NOTE = "设计人员在 JupyterLab 里加的说明。"


def open_lab(browser: Page, lab: LabServer) -> None:
    if not browser.evaluate("!!window.jupyterapp"):
        browser.send("Page.navigate", url=lab.page("lab"))
        wait(browser, "!!window.jupyterapp", "JupyterLab to load", timeout=60)
    browser.evaluate("jupyterapp.restored.then(() => true)")


def save(browser: Page, path: str) -> None:
    """Save the open document ``path`` as Ctrl+S and autosave do (its context's save), then check no dialog
    (such as "File Changed") came up."""
    browser.evaluate(f"{panel(path)}.context.save().then(() => true)")
    browser.pump(0.3)
    dialogs = browser.evaluate("[...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText)")
    assert dialogs == [], f"saving {path} opened a dialog: {dialogs}"


@pytest.mark.kernel
@pytest.mark.slow
def test_the_studio_and_a_case_saved_in_jupyterlab_keep_kebao_check_passing(
        lab: LabServer, browser: Page, workspace: Path, tmp_path: Path) -> None:
    studio, case = (REPO / STUDIO).read_bytes(), (REPO / CASE).read_bytes()
    assert (workspace / STUDIO).read_bytes() == studio and (workspace / CASE).read_bytes() == case
    open_lab(browser, lab)
    for path in (STUDIO, CASE):  # run, then save: what autosave does two minutes after a run
        browser.evaluate(f"jupyterapp.commands.execute('docmanager:open', {{path: {json.dumps(path)}}})"
                         ".then(() => true)")
        wait(browser, idle_kernel(path), f"JupyterLab to open {path} with an idle kernel", timeout=90)
        state = run_all(browser, path)
        assert any(c["outputs"] for c in state["cells"]), f"{path} shows no output in JupyterLab"
        save(browser, path)
    assert (workspace / STUDIO).read_bytes() == studio, "the studio changed when saved after a run"
    assert (workspace / CASE).read_bytes() == case, f"{CASE} changed when saved after a run"

    # Edit both (a new note in the studio, a sentence added to the case's background), save again.
    browser.evaluate(f"{panel(STUDIO)}.content.model.sharedModel.insertCell(1, "
                     f"{{cell_type: 'markdown', source: {json.dumps(NOTE)}}}) && true")
    browser.evaluate(f"""(() => {{
        const cell = [...{panel(CASE)}.content.model.cells].find(c => c.sharedModel.getSource().includes('## 背景'));
        cell.sharedModel.setSource(cell.sharedModel.getSource() + {json.dumps(chr(10) * 2 + NOTE)});
        return true;
    }})()""")
    save(browser, STUDIO)
    save(browser, CASE)
    stored = json.loads((workspace / STUDIO).read_text(encoding="utf-8"))
    assert NOTE in ["".join(cell["source"]) for cell in stored["cells"]]
    assert [c for c in stored["cells"] if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"])] == []
    text = (workspace / CASE).read_text(encoding="utf-8")
    assert text.replace("\n\n" + NOTE, "", 1) == case.decode(), "the case changed beyond the edit"

    # `kebao check`: content (every case and module still loads, with its fields), outputs (the point here)
    # and coverage. The other checks run notebooks, cases, packs and the book (minutes) and do not look at how
    # a file is stored; the byte comparisons above already show the case's code is what it was.
    junit = tmp_path / "check.xml"
    skipped = ("notebooks", "cases", "packs", "book", "links")
    checked = subprocess.run([sys.executable, "-m", "kebao", "check", str(workspace), "--junit-xml", str(junit),
                              *(word for kind in skipped for word in ("--skip", kind))],
                             cwd=workspace, capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    suites = {suite.get("name"): suite for suite in ET.parse(junit).getroot().iter("testsuite")}
    for kind in ("content", "outputs", "coverage"):
        counts = {key: int(suites[kind].get(key, "0")) for key in ("tests", "failures", "skipped")}
        assert counts["tests"] > 0 and counts["failures"] == counts["skipped"] == 0, (kind, counts, checked.stdout)
    assert int(suites["outputs"].get("tests", "0")) == 2  # both notebooks in notebooks/ looked at


def test_jupyterlab_is_in_simplified_chinese(lab: LabServer, browser: Page) -> None:
    """The server's language setting defaults to zh_CN (.jupyter/labconfig), it has the pack, and the page shows it."""
    settings = lab.get("lab/api/settings/@jupyterlab/translation-extension:plugin")
    locale = settings["settings"].get("locale", settings["schema"]["properties"]["locale"]["default"])
    assert locale == "zh_CN", settings["raw"]
    packs = lab.get("lab/api/translations")["data"]
    assert "zh_CN" in packs, f"the zh-CN language pack is not installed: {sorted(packs)}"
    assert lab.get("lab/api/translations/zh_CN")["data"]["jupyterlab"]["Edit"] == ["编辑"]
    open_lab(browser, lab)
    menus = wait(browser, "document.querySelector('.lm-MenuBar-content') &&"
                          " document.querySelector('.lm-MenuBar-content').innerText", "the menu bar", timeout=30)
    assert menus.split() == ["文件", "编辑", "查看", "运行", "内核", "标签页", "设置", "帮助"], menus
    browser.screenshot("jupyterlab-zh-cn")
