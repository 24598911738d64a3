"""The strict YAML reader: text stays text, and every trap has a location."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kebao.errors import ContentError
from kebao.model import Cohort, Title
from kebao.yamlio import parse, read_front_matter

F = Path("spec.yml")


def test_yaml11_coercions_never_change_text() -> None:
    doc = parse("a: no\nb: on\nc: 012\nd: 1:30\ne: 1.10\nf: yes\ng: 0x1F\n", F)
    assert doc.data == {"a": "no", "b": "on", "c": "012", "d": "1:30", "e": "1.10", "f": "yes", "g": "0x1F"}


def test_core_schema_booleans_and_nulls() -> None:
    doc = parse("a: true\nb: False\nc: null\nd: ~\ne:\nf: 'true'\n", F)
    assert doc.data == {"a": True, "b": False, "c": None, "d": None, "e": None, "f": "true"}


def test_string_field_keeps_text_that_looks_like_a_number() -> None:
    doc = parse("zh: 012\nen: 1.10\n", F)
    assert Title.model_validate(doc.data).model_dump() == {"zh": "012", "en": "1.10"}


def test_dates_become_real_dates_and_impossible_dates_fail() -> None:
    good = parse("id: c\nstart: 2026-09-14\nsize: 30\nvenue: 'no'\n", F).data
    cohort = Cohort.model_validate(good)
    assert cohort.start == dt.date(2026, 9, 14)
    assert cohort.venue == "no"
    with pytest.raises(ValueError):
        Cohort.model_validate(dict(good, start="2026-13-01"))


def test_positions_are_one_based_and_point_at_keys() -> None:
    doc = parse("a: 1\nb:\n  - x\n  - c: 2\n", F)
    assert doc.positions[("a",)] == (1, 1)
    assert doc.positions[("b", 1)] == (4, 5)
    assert doc.positions[("b", 1, "c")] == (4, 5)
    assert doc.locate(("b", 1, "missing")).line == 4


def test_nested_duplicate_key_is_an_error_with_both_lines() -> None:
    with pytest.raises(ContentError) as raised:
        parse("a:\n  x: 1\n  y: 2\n  x: 3\n", F)
    (problem,) = raised.value.problems
    assert (problem.location.line, problem.location.column, problem.field) == (4, 3, "a.x")
    assert "first given on line 2" in problem.message


def test_collect_mode_keeps_usable_data() -> None:
    doc = parse("a: &x 1\nb: *x\nc: 2\n", F, collect=True)
    assert doc.data == {"a": "1", "b": None, "c": "2"}
    assert [p.field for p in doc.problems] == ["a", "b"]


def test_only_one_document_per_file() -> None:
    with pytest.raises(ContentError, match="more than one YAML document"):
        parse("a: 1\n---\nb: 2\n", F)


def test_front_matter_lines_are_file_lines(tmp_path: Path) -> None:
    file = tmp_path / "m.md"
    file.write_text("---\ntitle: x\nhours:\t4\n---\n# body\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        read_front_matter(file)
    assert raised.value.problems[0].location.line == 3


def test_front_matter_body_and_its_line(tmp_path: Path) -> None:
    file = tmp_path / "m.md"
    file.write_text("\ufeff---\na: 1\n---\n# 标题\n正文\n", encoding="utf-8")
    parsed = read_front_matter(file)
    assert parsed.meta.data == {"a": "1"}
    assert parsed.body == "# 标题\n正文\n"
    assert parsed.body_line == 4


def test_unclosed_front_matter(tmp_path: Path) -> None:
    file = tmp_path / "m.md"
    file.write_text("---\na: 1\n", encoding="utf-8")
    with pytest.raises(ContentError, match="front matter is not closed"):
        read_front_matter(file)


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    file = tmp_path / "m.md"
    file.write_bytes(b"---\na: 1\n" + "b: 党建\n".encode("gbk") + b"---\n")
    with pytest.raises(ContentError) as raised:
        read_front_matter(file)
    assert raised.value.problems[0].location.line == 3
    assert "UTF-8" in raised.value.problems[0].message


def test_text_after_a_closing_quote_gets_advice_in_plain_words() -> None:
    with pytest.raises(ContentError) as raised:
        parse('title:\n  zh: "三会一课"与主题党日\n', F)
    (problem,) = raised.value.problems
    assert problem.location.line == 2
    assert "use Chinese quotes" in problem.hint


def test_the_libyaml_parser_is_installed_and_agrees_with_the_pure_one() -> None:
    """ruamel.yaml.clib makes reading the catalogue twice as fast; its events must mean the same."""
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.main import CParser

    assert CParser is not None, "ruamel.yaml.clib is a dependency (pyproject.toml)"
    text = "a: true\nb: 'no'\nc: [1, \"中文\"]\nd: |\n  多行\n  文本\n"

    def events(pure: bool) -> list[tuple[str, object, int, int]]:
        return [(type(e).__name__, getattr(e, "value", None), e.start_mark.line, e.start_mark.column)
                for e in YAML(typ="safe", pure=pure).parse(io.StringIO(text))]

    assert events(pure=False) == events(pure=True)
    assert parse(text, F).data == {"a": True, "b": "no", "c": ["1", "中文"], "d": "多行\n文本\n"}
