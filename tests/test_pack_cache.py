"""The pack cache: a key over everything a pack depends on, and freshness that notices edited outputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kebao.errors import PackError
from kebao.packs.bundle import write_manifest
from kebao.packs.cache import cache_key, is_fresh

NOTEBOOK = Path(__file__).parent / "fixtures" / "notebooks" / "good.ipynb"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "curricula" / "modules").mkdir(parents=True)
    (root / "curricula" / "strands.yml").write_text("strands: []\n", encoding="utf-8")
    (root / "curricula" / "modules" / "党史.md").write_text("---\nid: x\n---\n", encoding="utf-8")
    shutil.copy(NOTEBOOK, root / "course_pack.ipynb")
    return root


def inputs(root: Path) -> list[Path]:
    return sorted((root / "curricula").rglob("*.*"))


def key(root: Path, parameters: dict[str, object] | None = None, version: str = "0.1.0") -> str:
    return cache_key(root / "course_pack.ipynb", parameters or {"cohort": "c1", "size": 30}, inputs(root), version,
                     root=root)


def build(root: Path, pack: Path, pack_key: str) -> None:
    pack.mkdir(parents=True, exist_ok=True)
    (pack / "timetable.csv").write_text("a,b\n", encoding="utf-8")
    (pack / "figures").mkdir(exist_ok=True)
    (pack / "figures" / "hours.png").write_bytes(b"png")
    outputs = {"timetable.csv": "participant", "figures/hours.png": "participant"}
    write_manifest(pack, {"cohort": "c1"}, {}, outputs, {"python": "3"}, cache_key=pack_key, repository=root)


def test_the_key_is_stable_and_order_free(repo: Path) -> None:
    first = key(repo)
    assert len(first) == 64 and first == key(repo)
    assert first == cache_key(repo / "course_pack.ipynb", {"size": 30, "cohort": "c1"}, reversed(inputs(repo)),
                              "0.1.0", root=repo)
    moved = repo.parent / "moved"
    shutil.copytree(repo, moved)
    assert key(moved) == first, "paths are hashed relative to the repository"
    assert cache_key(moved / "course_pack.ipynb", {"cohort": "c1", "size": 30}, inputs(moved), "0.1.0") == \
        cache_key(repo / "course_pack.ipynb", {"cohort": "c1", "size": 30}, inputs(repo), "0.1.0")


def test_the_key_changes_with_every_input(repo: Path) -> None:
    keys = {key(repo)}
    keys.add(key(repo, {"cohort": "c2", "size": 30}))
    keys.add(key(repo, version="0.2.0"))
    (repo / "curricula" / "modules" / "党史.md").write_text("---\nid: y\n---\n", encoding="utf-8")
    keys.add(key(repo))
    (repo / "curricula" / "modules" / "党史.md").rename(repo / "curricula" / "modules" / "党史2.md")
    keys.add(key(repo))
    (repo / "course_pack.ipynb").write_text((repo / "course_pack.ipynb").read_text() + " ", encoding="utf-8")
    keys.add(key(repo))
    assert len(keys) == 6


def test_a_missing_input_is_an_error(repo: Path) -> None:
    with pytest.raises(PackError, match="nope.yml"):
        cache_key(repo / "course_pack.ipynb", {}, [repo / "nope.yml"], "0.1.0")


def test_freshness_follows_key_and_outputs(repo: Path, tmp_path: Path) -> None:
    pack = tmp_path / "packs" / "p" / "c1"
    assert not is_fresh(pack, key(repo)), "no pack yet"
    build(repo, pack, key(repo))
    assert is_fresh(pack, key(repo))
    assert not is_fresh(pack, key(repo, {"cohort": "c1", "size": 31})), "changed parameter"
    (repo / "curricula" / "strands.yml").write_text("strands: [x]\n", encoding="utf-8")
    assert not is_fresh(pack, key(repo)), "changed input"
    build(repo, pack, key(repo))
    assert is_fresh(pack, key(repo))

    (pack / "timetable.csv").write_text("a,c\n", encoding="utf-8")  # same size, other bytes
    assert not is_fresh(pack, key(repo)), "hand-edited output"
    build(repo, pack, key(repo))
    (pack / "figures" / "hours.png").unlink()
    assert not is_fresh(pack, key(repo)), "deleted output"
    build(repo, pack, key(repo))
    assert not is_fresh(pack, key(repo), require=[pack / "pack.zip"]), "missing zip"
    (pack / "pack.zip").write_bytes(b"PK")
    assert is_fresh(pack, key(repo), require=[pack / "pack.zip"])
    (pack / "manifest.json").write_text("{not json", encoding="utf-8")
    assert not is_fresh(pack, key(repo)), "broken manifest"


def test_a_manifest_cannot_point_outside_its_pack(repo: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    build(repo, pack, "k")
    text = (pack / "manifest.json").read_text(encoding="utf-8").replace('"timetable.csv"', '"../timetable.csv"')
    (pack / "manifest.json").write_text(text, encoding="utf-8")
    assert not is_fresh(pack, "k")


def test_many_packs_with_big_outputs_are_all_found_fresh(repo: Path, tmp_path: Path) -> None:
    """What a no-change rerun checks (its speed is measured in benchmarks/packs.py, not here)."""
    for number in range(40):
        (repo / "curricula" / "modules" / f"m{number}.md").write_text("x" * 4000, encoding="utf-8")
    packs = [tmp_path / "packs" / f"p{number}" for number in range(12)]
    for number, pack in enumerate(packs):
        build(repo, pack, key(repo, {"cohort": f"c{number}"}))
        (pack / "handbook.pdf").write_bytes(b"%PDF" * 250_000)  # 1 MB each
        outputs = {"timetable.csv": "participant", "figures/hours.png": "participant", "handbook.pdf": "participant"}
        write_manifest(pack, {}, {}, outputs, {"python": "3"}, cache_key=key(repo, {"cohort": f"c{number}"}),
                       repository=tmp_path)
    assert all(is_fresh(pack, key(repo, {"cohort": f"c{number}"})) for number, pack in enumerate(packs))
    assert not is_fresh(packs[0], key(repo, {"cohort": "c1"})), "another pack's key is not this pack's"
