"""What JupyterLab stores, decided by kebao's contents manager and pre-save hook (kebao/check/stored.py).

In-process, without a server: the contents manager that
``.jupyter/jupyter_server_config.py`` installs is given the models JupyterLab
sends. A notebook under ``notebooks/`` is stored without outputs (so `kebao
check` keeps passing); a case saved unchanged keeps every byte, and an edited
one keeps its front matter as written; a file saved from the text editor is
written as typed. tests/test_lab.py does the same through a real JupyterLab.
"""

from __future__ import annotations

import asyncio
import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import PyFileConfigLoader

from kebao.check.stored import (
    cell_problems,
    contents_manager_class,
    keep_unchanged_text,
    kept_without_outputs,
    notebooks,
    strip_outputs,
)
from kebao.scaffold import create
from kebao.yamlio import keep_front_matter, read_front_matter

from .lab import as_saved_by_jupyterlab, ipykernel_spec
from .paths import REPO

STUDIO = "notebooks/design_studio.ipynb"
CASES = ("jupytext.toml", "training-delivery-regions.md", "veteran-logistics-team-lead.md")  # long lines, lists


@pytest.fixture(scope="module")
def new_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case just made by `kebao new` (comments and quotes in its front matter), made once."""
    root = tmp_path_factory.mktemp("new") / "repo"
    root.mkdir()
    for name in ("curricula", "cases"):
        shutil.copytree(REPO / name, root / name)
    create(root, "case", "new-case", strand="industry", title="新建的案例")
    return root / "cases" / "new-case.md"


@pytest.fixture
def repo(tmp_path: Path, new_case: Path) -> Path:
    """What JupyterLab saves into: the repository's notebooks and two of its cases, the new case, jupytext's
    settings, and a curricula/ folder (that makes it a curriculum repository)."""
    root = tmp_path / "repo"
    (root / "curricula").mkdir(parents=True)
    shutil.copytree(REPO / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (root / "cases").mkdir()
    for name in ("jupytext.toml", *(f"cases/{case}" for case in CASES)):
        shutil.copy2(REPO / name, root / name)
    shutil.copy2(new_case, root / "cases" / new_case.name)
    return root


class Lab:
    """kebao's contents manager on ``root``, called as the Jupyter server calls it for JupyterLab."""

    def __init__(self, root: Path):
        self.manager = contents_manager_class()(root_dir=str(root))

    def notebook(self, path: str) -> dict[str, Any]:
        model = asyncio.run(self.manager.get(path, type="notebook", content=True))
        return json.loads(json.dumps(model["content"]))  # plain dicts, as they travel over HTTP

    def save(self, path: str, content: Any, type: str = "notebook") -> None:
        model = {"type": type, "content": content} | ({"format": "text"} if type == "file" else {})
        asyncio.run(self.manager.save(model, path))


# -- notebooks/: no outputs ----------------------------------------------------------------------------------------


def ran(notebook: dict[str, Any]) -> dict[str, Any]:
    """The notebook as JupyterLab saves it after running it: kernel spec, language info, outputs, counts."""
    saved = copy.deepcopy(notebook)
    saved["metadata"]["kernelspec"] = ipykernel_spec()
    saved["metadata"]["language_info"] = {"name": "python", "version": "3.12.1", "pygments_lexer": "ipython3"}
    saved["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"x": {}}}}
    for number, cell in enumerate(saved["cells"], 1):
        if cell["cell_type"] == "code":
            cell.update(execution_count=number, outputs=[{"output_type": "stream", "name": "stdout", "text": "输出"}])
            cell["metadata"]["execution"] = {"iopub.status.busy": "2026-11-29T06:00:00.000Z"}
    return saved


def test_strip_outputs_leaves_what_notebooks_store() -> None:
    original = json.loads((REPO / STUDIO).read_text(encoding="utf-8"))
    notebook = ran(original)
    assert cell_problems(notebook)
    strip_outputs(notebook)
    assert cell_problems(notebook) == []
    assert notebook["metadata"] == {"kernelspec": ipykernel_spec(), "language_info": {"name": "python"}}
    assert [(c["source"], c["metadata"]) for c in notebook["cells"]] == \
           [(c["source"], c["metadata"]) for c in original["cells"]]  # sources and tags (parameters) stay


def test_only_notebooks_that_kebao_check_reads_are_kept_without_outputs(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    for name in ("curricula/modules", "notebooks/more", "notebooks/.ipynb_checkpoints", "cases", "elsewhere"):
        (root / name).mkdir(parents=True)
    files = ["notebooks/a.ipynb", "notebooks/more/b.ipynb", "notebooks/.ipynb_checkpoints/a-checkpoint.ipynb",
             "notebooks/.hidden.ipynb", "notebooks/notes.md", "cases/c.ipynb", "elsewhere/d.ipynb"]
    for name in files:
        (root / name).write_text("{}", encoding="utf-8")
    kept = [name for name in files if kept_without_outputs(root / name)]
    assert kept == ["notebooks/a.ipynb", "notebooks/more/b.ipynb"]
    assert [path.relative_to(root).as_posix() for path in notebooks(root)] == kept  # the check reads the same
    (root / "curricula" / "modules").rmdir()
    (root / "curricula").rmdir()
    assert not kept_without_outputs(root / "notebooks/a.ipynb")  # not a curriculum repository


def test_the_studio_saved_after_a_run_is_stored_without_outputs_and_unchanged(repo: Path) -> None:
    lab = Lab(repo)
    before = (repo / STUDIO).read_bytes()
    lab.save(STUDIO, ran(lab.notebook(STUDIO)))
    assert (repo / STUDIO).read_bytes() == before  # running the studio changes nothing git would see
    edited = ran(lab.notebook(STUDIO))
    edited["cells"].insert(1, {"cell_type": "markdown", "metadata": {}, "source": "设计人员加的说明", "id": "note"})
    lab.save(STUDIO, edited)
    stored = json.loads((repo / STUDIO).read_text(encoding="utf-8"))
    assert cell_problems(stored) == []
    assert "".join(stored["cells"][1]["source"]) == "设计人员加的说明"


def test_other_notebooks_keep_their_outputs(repo: Path) -> None:
    lab = Lab(repo)
    shutil.copy(repo / STUDIO, repo / "cases" / "scratch.ipynb")
    lab.save("cases/scratch.ipynb", ran(lab.notebook("cases/scratch.ipynb")))
    stored = json.loads((repo / "cases" / "scratch.ipynb").read_text(encoding="utf-8"))
    assert len(cell_problems(stored)) == sum(c["cell_type"] == "code" for c in stored["cells"])


# -- cases: unchanged bytes ----------------------------------------------------------------------------------------


def test_a_case_saved_unchanged_keeps_every_byte(repo: Path) -> None:
    """Two of the repository's cases and a new one here; tests/test_lab.py saves every case through JupyterLab."""
    lab = Lab(repo)
    cases = sorted((repo / "cases").glob("*.md"))
    assert len(cases) == 3
    for path in cases:
        name = path.relative_to(repo).as_posix()
        before = path.read_bytes()
        lab.save(name, as_saved_by_jupyterlab(lab.notebook(name), ipykernel_spec()))
        assert path.read_bytes() == before, f"{name} changed when saved unchanged from JupyterLab"


def test_an_edited_case_keeps_its_front_matter_as_written(repo: Path) -> None:
    lab = Lab(repo)
    path = repo / "cases" / "new-case.md"
    before = path.read_text(encoding="utf-8")
    notebook = as_saved_by_jupyterlab(lab.notebook("cases/new-case.md"), ipykernel_spec())
    background = next(c for c in notebook["cells"] if "待填写：案例发生在哪里" in c["source"])
    background["source"] = background["source"].replace("待填写：案例发生在哪里", "2025 年，某县供销社")
    lab.save("cases/new-case.md", notebook)
    after = path.read_text(encoding="utf-8")
    head = before[: before.index("\n---\n") + 5]
    assert after.startswith(head)  # comments, quotes and key order as written
    assert after == before.replace("待填写：案例发生在哪里", "2025 年，某县供销社")


def test_a_case_whose_metadata_changed_is_written_by_jupytext(repo: Path) -> None:
    lab = Lab(repo)
    path = repo / "cases" / "new-case.md"
    notebook = as_saved_by_jupyterlab(lab.notebook("cases/new-case.md"), ipykernel_spec())
    notebook["metadata"]["kebao"]["summary"] = "改过的简介"
    lab.save("cases/new-case.md", notebook)
    text = path.read_text(encoding="utf-8")
    assert "# 标题 title" not in text  # jupytext's own style: its comments are gone…
    assert read_front_matter(path).meta.data["kebao"]["summary"] == "改过的简介"  # …and the change is there


def test_the_text_editor_saves_a_case_as_typed(repo: Path) -> None:
    """JupyterLab's text editor sends plain text: even a change jupytext would not see (a comment) is kept."""
    lab = Lab(repo)
    path = repo / "cases" / "new-case.md"
    typed = path.read_text(encoding="utf-8").replace("# 一句话简介 summary", "# 一句话简介 summary（改过的注释）")
    lab.save("cases/new-case.md", typed, type="file")
    assert path.read_text(encoding="utf-8") == typed


def test_cases_and_the_studio_name_the_kernel_as_jupyterlab_writes_it() -> None:
    """JupyterLab writes the running kernel's spec into the notebook; any other spec is a change to save."""
    for path in sorted((REPO / "cases").glob("*.md")):
        assert read_front_matter(path).meta.data["kernelspec"] == ipykernel_spec(), path.name
    assert json.loads((REPO / STUDIO).read_text(encoding="utf-8"))["metadata"]["kernelspec"] == ipykernel_spec()


# -- the front matter rules themselves -----------------------------------------------------------------------------

OLD = """---
# a comment
kernelspec: {name: python3, display_name: Python 3 (ipykernel), language: python}
kebao:
  region: 012          # YAML 1.1 reads 10
  questions:
    - 为什么？
---
# 标题
"""
JUPYTEXT = """---
kebao:
  questions: [为什么？]
  region: 10
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# 标题
"""


def test_keep_front_matter_keeps_the_text_when_the_data_is_the_same() -> None:
    assert keep_front_matter(OLD, JUPYTEXT) == OLD
    changed = JUPYTEXT.replace("# 标题", "# 新标题")
    assert keep_front_matter(OLD, changed) == OLD.replace("# 标题", "# 新标题")


def test_keep_front_matter_gives_way_to_changed_data() -> None:
    assert keep_front_matter(OLD, JUPYTEXT.replace("region: 10", "region: 11")) == \
        JUPYTEXT.replace("region: 10", "region: 11")
    assert keep_front_matter("# no front matter\n", JUPYTEXT) == JUPYTEXT
    assert keep_front_matter(OLD.replace("kebao:", "kebao: [", 1), JUPYTEXT) == JUPYTEXT  # unreadable YAML


def test_keep_unchanged_text_never_writes_what_jupytext_would_read_differently() -> None:
    assert keep_unchanged_text("not a notebook ```{", JUPYTEXT) == JUPYTEXT
    assert keep_unchanged_text(OLD, OLD) == OLD
    module = "---\ntitle: 标题   # a comment\n---\n# 标题\n"  # no jupytext header: jupytext keeps such text as is
    assert keep_unchanged_text(module, module.replace("# a comment", "")) == module.replace("# a comment", "")


def test_the_repository_server_config_installs_the_contents_manager() -> None:
    config = PyFileConfigLoader("jupyter_server_config.py", path=str(REPO / ".jupyter")).load_config()
    manager = config.ServerApp.contents_manager_class
    assert manager.__name__ == "KebaoContentsManager" and hasattr(manager, "formats")  # jupytext's, so its
    # server extension keeps it instead of deriving its own


def test_jupyterlab_opens_in_simplified_chinese() -> None:
    from importlib.metadata import version

    overrides = json.loads((REPO / ".jupyter/labconfig/default_setting_overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
    assert version("jupyterlab-language-pack-zh-CN")
