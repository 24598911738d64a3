"""Loading the good fixture catalogue: typed objects that know where they came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kebao.catalog import load_catalog
from kebao.errors import ContentError
from kebao.model import Programme
from kebao.yamlio import parse

from .paths import FIXTURES


def test_fixture_catalogue_loads_with_every_kind() -> None:
    catalog = load_catalog(FIXTURES / "catalog")
    assert sorted(catalog.strands) == ["industry", "party-building", "skills"]
    assert sorted(catalog.audiences) == ["cadres", "technicians"]
    assert len(catalog.modules) == 8
    assert sorted(catalog.programmes) == ["cadres-course", "nev-class"]
    assert sorted(catalog.cases) == ["red-dates"]


def test_objects_keep_their_source_location() -> None:
    root = FIXTURES / "catalog"
    catalog = load_catalog(root)
    module = catalog.modules["battery-practicum"]
    assert module.source is not None
    assert module.source.file == root / "curricula/modules/battery-practicum.md"
    strand = catalog.strands["skills"]
    assert strand.source is not None and strand.source.line == 9
    assert catalog.locate(module, "prerequisites").line == 9


def test_module_body_is_the_session_plan() -> None:
    module = load_catalog(FIXTURES / "catalog").modules["hv-safety"]
    assert module.body.startswith("# 高压安全")
    assert ":::{trainer-note}" in module.body


def test_models_are_frozen() -> None:
    module = load_catalog(FIXTURES / "catalog").modules["hv-safety"]
    with pytest.raises(ValidationError):
        module.hours = 8  # type: ignore[misc]


def test_every_problem_is_listed_at_once(catalog_root: Path) -> None:
    hv = catalog_root / "curricula/modules/hv-safety.md"
    hv.write_text(hv.read_text(encoding="utf-8").replace("strand: skills", "strand: skils"), encoding="utf-8")
    nev = catalog_root / "curricula/programmes/nev-class.yml"
    nev.write_text(nev.read_text(encoding="utf-8") + "audience: cadres\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_catalog(catalog_root)
    files = sorted(p.location.file.name for p in raised.value.problems)
    assert files == ["hv-safety.md", "nev-class.yml"]


def test_unreadable_strands_file_does_not_cascade(catalog_root: Path) -> None:
    (catalog_root / "curricula/strands.yml").write_text("strands: [\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_catalog(catalog_root)
    assert [p.location.file.name for p in raised.value.problems] == ["strands.yml"]


def test_invalid_module_is_not_also_reported_as_unknown(catalog_root: Path) -> None:
    file = catalog_root / "curricula/modules/battery-practicum.md"
    file.write_text(file.read_text(encoding="utf-8").replace("hours: 4", "hours: -1"), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_catalog(catalog_root)
    assert [p.field for p in raised.value.problems] == ["hours"]


def test_missing_data_file_is_named(catalog_root: Path) -> None:
    (catalog_root / "cases/data/red-dates.csv").unlink()
    with pytest.raises(ContentError, match="data file 'cases/data/red-dates.csv' does not exist"):
        load_catalog(catalog_root)


def test_required_module_must_suit_the_audience(catalog_root: Path) -> None:
    file = catalog_root / "curricula/programmes/nev-class.yml"
    file.write_text(file.read_text(encoding="utf-8").replace("[battery-practicum]", "[party-theory]"),
                    encoding="utf-8")
    with pytest.raises(ContentError, match="not meant for audience 'technicians'"):
        load_catalog(catalog_root)


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="no curricula/ folder"):
        load_catalog(tmp_path)

def test_a_catalogue_with_a_changed_and_an_added_programme_leaves_the_original_alone(tmp_path: Path) -> None:
    root = FIXTURES / "catalog"
    catalog = load_catalog(root)
    saved = root / "curricula/programmes/nev-class.yml"
    text = saved.read_text(encoding="utf-8")
    changed_file, added_file = tmp_path / "nev-class.yml", tmp_path / "nev-class-2.yml"
    changed_doc = parse("# a draft\n" + text.replace("days: 2", "days: 3"), changed_file)
    added_doc = parse(text.replace("size: 24", "size: 30"), added_file)
    changed = Programme.model_validate(dict(changed_doc.data, id="nev-class"))
    added = Programme.model_validate(dict(added_doc.data, id="nev-class-2"))

    derived = catalog.with_programme(changed, changed_doc).with_programme(added, added_doc)

    assert list(derived.programmes) == [*catalog.programmes, "nev-class-2"]
    assert derived.programmes["nev-class"].days == 3 and derived.programmes["nev-class-2"].cohort.size == 30
    assert derived.modules is catalog.modules and derived.root == catalog.root
    days = derived.locate(derived.programmes["nev-class"], "days")
    assert (days.file, days.line) == (changed_file, 6)  # one line further down than in the saved file
    size = derived.locate(derived.programmes["nev-class-2"], "cohort", "size")
    assert (size.file, size.line) == (added_file, 14)
    located = derived.programmes["nev-class-2"].source
    assert located is not None and (located.file, located.line) == (added_file, 1)
    # The original catalogue and the programmes passed in are unchanged.
    assert sorted(catalog.programmes) == ["cadres-course", "nev-class"] and catalog.programmes["nev-class"].days == 2
    original = catalog.locate(catalog.programmes["nev-class"], "days")
    assert (original.file, original.line) == (saved, 5)
    assert changed.source is None and added.source is None
