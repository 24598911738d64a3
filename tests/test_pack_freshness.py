"""Precise freshness (issue 18): a pack rebuilds when, and only when, something that can change it changed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kebao.packs.build import DecidedPack, PackFailure, PackOutcome, build_all, decide_all
from kebao.packs.cache import key_of
from kebao.packs.environment import fonts_fingerprint

from .paths import FIXTURES, REPO

NOTEBOOK = REPO / "notebooks" / "course_pack.ipynb"
SRC = REPO / "src"

# Two more programmes on the fixture catalogue: one pools the skills strand but plans only the required
# modules (smartphone-tools is considered, not chosen); one for cadres pools industry and skills, where only
# smartphone-tools (for every audience) is open to it: the technicians' modules are not.
NEV_SHORT = """schema: 1
title: {zh: 新能源汽车安全短训, en: NEV safety short course}
partner: {zh: 某汽车企业, en: A car maker}
audience: technicians
days: 1
total_hours: 8
mix: {skills: 100}
required: [battery-practicum]
pools:
  - strands: [skills]
cohort: {id: 2026-12, start: 2026-12-07, size: 20, venue: 实训车间}
"""
CADRES_INDUSTRY = """schema: 1
title: {zh: 基层干部产业短训, en: Cadres' industry short course}
partner: {zh: 某师, en: A division}
audience: cadres
days: 1
total_hours: 4
mix: {industry: 100}
pools:
  - strands: [industry, skills]
cohort: {id: 2026-10, start: 2026-10-12, size: 30, venue: 培训中心}
"""


def three_programmes(root: Path) -> Path:
    shutil.copytree(FIXTURES / "catalog", root)
    (root / "curricula/programmes/cadres-course.yml").unlink()  # it cannot plan (a test of its own elsewhere)
    (root / "curricula/programmes/nev-short.yml").write_text(NEV_SHORT, encoding="utf-8")
    (root / "curricula/programmes/cadres-industry.yml").write_text(CADRES_INDUSTRY, encoding="utf-8")
    return root


def decided(root: Path, out: Path | None = None, notebook: Path = NOTEBOOK) -> dict[str, DecidedPack]:
    found = decide_all(root, out=out or root / "build/packs", notebook=notebook)
    assert not [f for f in found if isinstance(f, PackFailure)]
    return {d.request.programme: d for d in found if isinstance(d, DecidedPack)}


def keys(root: Path, notebook: Path = NOTEBOOK) -> dict[str, str]:
    return {programme: d.key for programme, d in decided(root, notebook=notebook).items()}


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {programme for programme in before if before[programme] != after[programme]}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def body_and_front_matter(path: Path) -> tuple[str, str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return front, body


def test_the_plans_are_what_the_expectations_below_assume(tmp_path: Path) -> None:
    packs = decided(three_programmes(tmp_path / "repo"))
    assert {p: list(d.ctx.plan.modules) for p, d in packs.items()} == {
        "cadres-industry": ["industry-plan"],
        "nev-class": ["hv-safety", "battery-practicum", "smartphone-tools"],
        "nev-short": ["hv-safety", "battery-practicum"]}
    short = packs["nev-short"].parts
    assert "curricula/modules/smartphone-tools.md (front matter)" in short  # considered, not chosen
    assert "curricula/modules/smartphone-tools.md" not in short
    assert not any("hv-safety" in name for name in packs["cadres-industry"].parts)  # not for cadres


def test_a_body_edit_changes_only_the_keys_of_the_packs_that_contain_the_module(tmp_path: Path) -> None:
    root = three_programmes(tmp_path / "repo")
    before = keys(root)
    module = root / "curricula/modules/smartphone-tools.md"
    front, body = body_and_front_matter(module)
    module.write_text(f"---\n{front}---\n{body}\n补充：本节新增一段练习说明。\n", encoding="utf-8")
    assert changed(before, keys(root)) == {"nev-class"}


def test_a_front_matter_edit_changes_the_keys_of_every_pack_whose_choice_it_could_change(tmp_path: Path) -> None:
    root = three_programmes(tmp_path / "repo")
    before = keys(root)
    module = root / "curricula/modules/smartphone-tools.md"
    front, body = body_and_front_matter(module)
    front = front.replace("assessment: 课堂练习", "assessment: 课堂练习与小测")
    module.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    assert changed(before, keys(root)) == {"nev-class", "nev-short", "cadres-industry"}  # all may choose it
    after = keys(root)
    module.write_text(f"---\n# a comment, same values\n{front}---\n{body}", encoding="utf-8")
    assert changed(after, keys(root)) == {"nev-class"}, "only the pack holding the file sees a comment"
    after = keys(root)
    technicians = root / "curricula/modules/hv-safety.md"
    edit(technicians, "format: lecture", "format: workshop")
    assert changed(after, keys(root)) == {"nev-class", "nev-short"}, "cadres may not take it"
    after = keys(root)
    edit(technicians, "audiences: [technicians]", "audiences: [technicians, cadres]")
    assert changed(after, keys(root)) == {"nev-class", "nev-short", "cadres-industry"}, "now cadres may"


@pytest.mark.slow
def test_the_example_catalogue_rebuilds_exactly_the_packs_that_use_a_module(tmp_path: Path) -> None:
    """The issue's measurements: cnc-machining-practice is not xpcc-cadres's; party-spirit-grassroots is in 3."""
    root = tmp_path / "repo"
    for name in ("curricula", "cases", "notebooks"):
        shutil.copytree(REPO / name, root / name)
    notebook = root / "notebooks/course_pack.ipynb"
    before = keys(root, notebook)
    packs = decided(root, notebook=notebook)
    users: dict[str, set[str]] = {}
    for module in ("cnc-machining-practice", "party-spirit-grassroots"):
        path = root / f"curricula/modules/{module}.md"
        path.write_text(path.read_text(encoding="utf-8") + "\n（本次修订补充了一段说明。）\n", encoding="utf-8")
        users[module] = {p for p, d in packs.items() if module in d.ctx.plan.modules}
        assert users[module] and changed(before, keys(root, notebook)) == users[module], module
        before = keys(root, notebook)
    assert "xpcc-cadres" not in users["cnc-machining-practice"]
    party = users["party-spirit-grassroots"]
    assert len(party) == 3 and "school-leaders-seminar" not in party


def test_a_changed_font_fingerprint_changes_the_key(tmp_path: Path) -> None:
    fonts, config = tmp_path / "fonts", tmp_path / "fontconfig"
    fonts.mkdir()
    config.mkdir()
    (config / "fonts.conf").write_text("<fontconfig/>", encoding="utf-8")
    first = fonts_fingerprint([fonts], config)
    assert fonts_fingerprint([fonts], config) == first
    (fonts / "NotoSansCJK-Regular.ttc").write_bytes(b"font")
    installed = fonts_fingerprint([fonts], config)
    os.utime(fonts / "NotoSansCJK-Regular.ttc", ns=(1, 1))
    upgraded = fonts_fingerprint([fonts], config)
    (config / "local.conf").write_text("<fontconfig/>", encoding="utf-8")
    configured = fonts_fingerprint([fonts], config)
    assert len({first, installed, upgraded, configured}) == 4
    parts = {"(fonts)": first, "(tools)": "t", "curricula/strands.yml": "s"}
    assert key_of(parts) != key_of({**parts, "(fonts)": installed})


@pytest.mark.slow
def test_installing_a_font_makes_every_pack_stale(tmp_path: Path) -> None:
    """In real processes: a font dropped into ~/.fonts (a folder fontconfig reads) changes the key."""
    root = three_programmes(tmp_path / "repo")
    home = tmp_path / "home"
    (home / ".fonts").mkdir(parents=True)
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(SRC)}

    code = ("import sys; from kebao.packs.build import decide_all; "
            "print(*(d.key for d in decide_all(sys.argv[1], notebook=sys.argv[2])))")

    def key_run() -> str:
        return subprocess.run([sys.executable, "-c", code, str(root), str(NOTEBOOK)], capture_output=True,
                              text=True, env=env, check=True).stdout

    before = key_run()
    (home / ".fonts" / "SomeNewFont.ttf").write_bytes(b"not really a font, but a new file fontconfig would see")
    after = key_run()
    assert all(a != b for a, b in zip(before.split(), after.split(), strict=True))


@pytest.mark.slow
@pytest.mark.kernel
def test_real_builds_rebuild_only_what_an_edit_can_change(tmp_path: Path) -> None:
    root = three_programmes(tmp_path / "repo")
    out = root / "build/packs"

    def build() -> dict[str, str]:
        results = build_all(root, out=out, workers=2, notebook=NOTEBOOK)
        assert all(isinstance(r, PackOutcome) for r in results), results
        return {r.programme: r.status for r in results}

    assert set(build().values()) == {"built"}
    assert set(build().values()) == {"fresh"}
    cli = [sys.executable, "-X", "importtime", "-m", "kebao", "pack", "--all", "--root", str(root), "--out", str(out),
           "--notebook", str(NOTEBOOK)]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    first = subprocess.run(cli, capture_output=True, text=True, env=env)  # fresh by the keys; records the stamp
    assert first.returncode == 0 and "0 built, 3 up to date, 0 failed" in first.stderr, first.stderr[-2000:]
    second = subprocess.run(cli, capture_output=True, text=True, env=env)  # decided by the stamp
    assert second.returncode == 0 and "0 built, 3 up to date, 0 failed" in second.stderr, second.stderr[-2000:]
    assert second.stdout == first.stdout
    pydantic = re.compile(r"\| +pydantic$", re.MULTILINE)
    assert pydantic.search(first.stderr) and not pydantic.search(second.stderr), "decided before pydantic loads"
    module = root / "curricula/modules/smartphone-tools.md"
    front, body = body_and_front_matter(module)
    module.write_text(f"---\n{front}---\n{body}\n补充：本节新增一段练习说明。\n", encoding="utf-8")
    dry = subprocess.run([sys.executable, "-m", "kebao", "pack", "--all", "--dry-run", "--root", str(root),
                          "--out", str(out), "--notebook", str(NOTEBOOK)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(SRC)})
    assert dry.returncode == 0, dry.stderr
    lines = {line.split()[0]: line for line in dry.stdout.splitlines()[1:] if line.strip()}
    assert "build" in lines["nev-class"] and "changed: curricula/modules/smartphone-tools.md" in lines["nev-class"]
    assert "fresh" in lines["nev-short"] and "fresh" in lines["cadres-industry"]
    assert build() == {"cadres-industry": "fresh", "nev-class": "built", "nev-short": "fresh"}
    edit(root / "curricula/modules/hv-safety.md", "format: lecture", "format: workshop")
    assert build() == {"cadres-industry": "fresh", "nev-class": "built", "nev-short": "built"}


def test_the_batch_stamp_follows_sources_options_and_outputs(tmp_path: Path) -> None:
    from kebao.packs.nochange import PacksStamp

    root = three_programmes(tmp_path / "repo")
    out = root / "build/packs"
    (out / "nev-class/2026-11").mkdir(parents=True)
    (out / "nev-class/2026-11/nev-class-2026-11.zip").write_bytes(b"PK")

    def stamp(*settings: str) -> PacksStamp:
        return PacksStamp(root, out, programmes=None, settings=settings, notebook=NOTEBOOK, cohort_file=None,
                          strict_calendar=False)

    assert stamp().unchanged() is None, "no batch yet"
    stamp().record({"rows": [["nev-class", "x.zip"]]})
    assert stamp().unchanged() == {"rows": [["nev-class", "x.zip"]]}
    assert stamp("size=30").unchanged() is None, "other options"
    (out / "nev-class/2026-11/nev-class-2026-11.zip").write_bytes(b"PK!")
    assert stamp().unchanged() is None, "an edited pack"
    stamp().record()
    assert stamp().unchanged() is not None
    os.utime(root / "curricula/modules/smartphone-tools.md", ns=(1, 1))
    assert stamp().unchanged() is None, "a touched module (the cache keys then decide)"
    stamp().record()
    (root / "cases/new.md").write_text("# new\n", encoding="utf-8")
    assert stamp().unchanged() is None, "a new case"


def test_the_no_change_stamp_does_not_hold_over_an_interrupted_runs_leftovers(tmp_path: Path) -> None:
    """A killed run leaves hidden `.<cohort>.building-*` folders that the stamp's file walk does not see; while
    they wait to be swept, `kebao pack --all` must build (and sweep), not report 'nothing changed'."""
    from kebao.packs.nochange import PacksStamp

    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "catalog", root)
    out = root / "build/packs"
    (out / "nev-class" / "2026-11").mkdir(parents=True)

    def stamp() -> PacksStamp:
        return PacksStamp(root, out, programmes=None, settings=(), notebook=NOTEBOOK, cohort_file=None,
                          strict_calendar=False)

    stamp().record({"rows": []})
    assert stamp().unchanged() is not None
    (out / "nev-class" / ".2026-11.building-1234abcd").mkdir()
    assert stamp().unchanged() is None
