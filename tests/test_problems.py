"""Content problems as data: kebao validate keeps its English, the studio says the same problems in Chinese."""

from __future__ import annotations

import ast
import pickle
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from kebao.catalog import Catalog, load_catalog
from kebao.errors import ContentError, ContentRule, Location, Problem
from kebao.labels import Word
from kebao.messages import MESSAGES, fields, say
from kebao.model import Programme
from kebao.studio import state, views
from kebao.validation import VALIDATION_ADVICE, VALIDATION_HINTS, VALIDATION_MESSAGES, problems_from_validation
from kebao.yamlio import Document

from .paths import REPO

MODEL = REPO / "src" / "kebao" / "model.py"
CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,;:'()]+[A-Za-z]{2,}")  # two English words in a row: a sentence
PROGRAMME = "nev-technicians"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(REPO)


def draft(catalog: Catalog) -> state.Draft:
    return state.open_draft(catalog, PROGRAMME)


def english_left(text: str, names: set[str]) -> list[str]:
    """The English sentences in ``text`` once the names it may hold (ids, fields, file paths) are taken out."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return ENGLISH.findall(text)


EDITS: dict[str, tuple[Callable[[state.Draft], state.Draft], str]] = {
    "days-0": (lambda d: d.with_value(("days",), 0), "天数 days ：不能小于 1"),
    "unknown-field": (lambda d: d.with_value(("dayz",), 3), "没有“dayz”这一项（建议：是不是 'day' 或 'days'？）"),
    "mix-not-100": (lambda d: d.with_value(("mix",), {"industry": 13, "skills": 70}),
                    "主题配比是百分比，合计应为 100，现在是 83"),
    "unknown-required": (lambda d: d.with_value(("required",), [*d.get("required"), "nev-power-batery"]),
                         "未知的模块 nev-power-batery（建议：是不是 'nev-power-battery'？）"),
    "all-at-once": (lambda d: d.with_value(("days",), 0).with_value(("dayz",), 3)
                    .with_value(("mix",), {"industry": 13, "skills": 70}), "还有 3 处需要修改"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_the_studio_says_a_drafts_problems_in_chinese(catalog: Catalog, edit: str) -> None:
    change, expected = EDITS[edit]
    preview = state.check(catalog, change(draft(catalog)))
    assert preview.problems and all(p.why is not None for p in preview.problems)
    shown = views.plain_text(views.problems_html(preview.problems, REPO))
    assert expected in shown
    names = {"kebao validate", f"curricula/programmes/{PROGRAMME}.yml", *catalog.modules, *catalog.strands,
             *(p.field for p in preview.problems)}
    assert english_left(shown, names) == []
    for problem in preview.problems:  # kebao validate's English is still there, for the command line
        assert ENGLISH.search(problem.message) and problem.message not in shown


def test_a_problem_without_messages_keeps_its_english() -> None:
    plain = Problem(Location(Path("x.yml"), 3), "days", "duplicate key 'days'", "keep one of them")
    assert plain.said("zh", "studio") == ("duplicate key 'days'", "keep one of them")
    assert "duplicate key 'days'（建议：keep one of them）" in views.plain_text(views.problem_line(plain))


def test_a_problem_says_english_as_validate_prints_it_and_chinese_from_its_messages() -> None:
    why = say("problem-unknown-ref", kind=Word("模块", "module"), value="x")
    problem = Problem.from_message(Location(Path("p.yml"), 2, 3), "required[0]", why, say("advice-break-cycle"))
    assert (problem.message, problem.hint) == ("unknown module 'x'", "remove one of these prerequisites")
    assert problem.said("en") == (problem.message, problem.hint)
    assert problem.said("zh") == ("未知的模块 x", "去掉其中一个先修关系")
    assert problem.render() == "p.yml:2:3: required[0]: unknown module 'x' (remove one of these prerequisites)"
    assert list(problem.as_dict()) == ["file", "line", "column", "field", "message", "hint"]  # JSON as before
    # the messages are not part of what makes two problems the same, nor of their order
    bare = Problem(problem.location, problem.field, problem.message)
    assert bare == problem and hash(bare) == hash(problem) and sorted([problem, bare]) == [problem, bare]
    error = pickle.loads(pickle.dumps(ContentError([problem])))  # errors travel back from batch workers
    assert error.problems[0].why == why and error.problems[0].said("zh") == problem.said("zh")


def validate(data: dict[str, Any]) -> list[Problem]:
    doc = Document(Path("p.yml"), data, {})
    with pytest.raises(ValidationError) as error:
        Programme.model_validate(data)
    return problems_from_validation(error.value, Programme, data, doc)


def test_pydantic_errors_are_said_by_type_with_their_numbers(catalog: Catalog) -> None:
    data = dict(draft(catalog).data, id=PROGRAMME, days="two", total_hours=12.3, language="fr",
                site_visits=[{"module": "x", "day": "middle"}])
    said = {(p.field, p.said("zh")[0]) for p in validate(data)}
    assert said == {("days", "应为整数，现在是“two”"), ("total_hours", "应为 0.5 的整数倍"),
                    ("language", "应为 'zh'、'en' 之一"), ("site_visits[0].day", "应为 'first'、'last' 之一"),
                    ("site_visits[0].day", "应为整数，现在是“middle”")}


def test_a_content_rule_is_english_for_pydantic_and_a_message_for_the_studio(catalog: Catalog) -> None:
    (problem,) = validate(dict(draft(catalog).data, id=PROGRAMME, mix={"industry": 13, "skills": 20.333}))
    assert problem.message == "strand weights are percentages and must add up to 100, not 33.333"  # as before
    assert problem.why == say("rule-mix-sum", total="33.333") and problem.hint == "" and problem.advice is None
    rule = ContentRule(say("rule-listed-twice", value="a"))
    assert str(rule) == "'a' is listed twice; list it once" and isinstance(rule, ValueError)
    assert pickle.loads(pickle.dumps(rule)).why == rule.why


def test_the_studio_says_a_bad_or_taken_id_in_chinese(catalog: Catalog) -> None:
    (bad,) = state.validate(catalog, state.new_draft(catalog, "Bad_Id", "标题"))[2]
    assert bad.message.startswith("'Bad_Id' is not a valid id: an id uses only") and bad.hint == "try 'bad-id'"
    assert bad.said("zh") == ("“Bad_Id”不能用作编号：编号只能用小写英文字母、数字和单个连字符（例如 party-history-1）",
                              "试试 bad-id")
    (taken,) = state.validate(catalog, state.new_draft(catalog, PROGRAMME, "标题"))[2]
    assert taken.said("zh") == (f"项目 {PROGRAMME} 已经存在", "换一个编号，或打开那个项目")


def content_rules() -> list[ast.Call]:
    """Every ``raise ContentRule(…)`` in kebao.model."""
    tree = ast.parse(MODEL.read_text(encoding="utf-8"))
    return [node.exc for node in ast.walk(tree) if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
            and getattr(node.exc.func, "id", "") == "ContentRule"]


def test_every_content_rule_in_the_model_says_a_code_with_a_sentence() -> None:
    rules = content_rules()
    assert len(rules) > 25
    for rule in rules:
        message, *at = rule.args  # and where below the model, for a model rule on a field
        assert len(at) <= 1, ast.unparse(rule)
        assert isinstance(message, ast.Call) and getattr(message.func, "id", "") == "say", ast.unparse(rule)
        code = message.args[0]
        assert isinstance(code, ast.Constant) and code.value in MESSAGES, ast.unparse(rule)
        assert {k.arg for k in message.keywords} == fields(code.value), ast.unparse(rule)


def test_the_model_raises_no_bare_value_error() -> None:
    """Every rule of the content model is a ContentRule, so the studio can say each one in Chinese."""
    tree = ast.parse(MODEL.read_text(encoding="utf-8"))
    bare = [ast.unparse(node) for node in ast.walk(tree) if isinstance(node, ast.Raise) and node.exc is not None
            and "ValueError" in ast.unparse(node.exc)]
    assert bare == []


def test_the_tables_of_pydantic_errors_name_codes_with_those_fields() -> None:
    for kind, (code, names) in VALIDATION_MESSAGES.items():
        assert code in MESSAGES and set(names) <= fields(code), kind
        if kind.endswith(("_parsing", "_type")):
            assert "got" in fields(code), kind  # what was written, as kebao validate says it
    assert all(code in MESSAGES and not fields(code) for code in VALIDATION_ADVICE.values())
    assert all(CJK.search(MESSAGES[code][0]) for code in {c for c, _ in VALIDATION_MESSAGES.values()})


def test_the_hints_are_those_kebao_validate_and_set_always_printed() -> None:
    assert VALIDATION_HINTS == {
        "bool_type": "write true or false",
        "int_from_float": "write a whole number",
        "date_from_datetime_inexact": "write a real date as YYYY-MM-DD",
        "bool_parsing": "write true or false",
        "date_from_datetime_parsing": "write a real date as YYYY-MM-DD",
        "date_parsing": "write a real date as YYYY-MM-DD",
        "int_parsing": "write a whole number",
        "float_parsing": "write a number",
        "string_type": "put the text in quotes",
        "list_type": "write a list, e.g. [a, b] or one '- item' per line",
        "dict_type": "write a mapping of 'key: value' lines",
        "model_type": "write a mapping of 'key: value' lines",
    }
