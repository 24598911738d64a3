"""Set-up files agree with each other: pyproject, environment.yml, constraints, Makefile, CI."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from ruamel.yaml import YAML

from .paths import REPO


def pyproject_requirements() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs |= set(extra)
    return reqs


def test_environment_yml_lists_the_same_dependencies_as_pyproject() -> None:
    env = YAML(typ="safe", pure=True).load((REPO / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    listed = {r for r in pip_section if not r.startswith("-e")}
    assert listed == pyproject_requirements()


def test_constraints_pin_every_dependency_at_a_version_it_allows() -> None:
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    for text in pyproject_requirements():
        requirement = Requirement(text)
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in pins, f"{name} is not pinned in constraints.txt (run: make constraints)"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} violates {requirement}"


def test_ci_runs_make_test() -> None:
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()[1:]]
    assert commands[:2] == ["make demo", "make test"]


def test_gitignore_keeps_generated_files_out() -> None:
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert {".venv/", "build/", "_build/"} <= set(ignored)
