"""Explanations as data: every reason, note and plan error is a code rendered in Chinese and English."""

from __future__ import annotations

import ast
import json
import re
from typing import Any

import pytest

from kebao.catalog import load_catalog
from kebao.cli import main
from kebao.errors import PlanError
from kebao.labels import Word
from kebao.messages import CLI_FLAGS, MESSAGES, Message, fields, say

from .paths import REPO

SRC = REPO / "src" / "kebao"
CJK = re.compile(r"[\u3400-\u9fff]")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
# English words in a row: a sentence, or the start of one ("planned 65 of", "chosen for strand")
ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,;:'()]+[A-Za-z]{2,}")


def sample(name: str) -> Any:
    """A value for a parameter, different in each language where the value is a word."""
    return Word(f"〔{name}〕", f"<{name}>")


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_code_renders_in_both_languages_with_every_field_filled(code: str) -> None:
    message = say(code, **{name: sample(name) for name in fields(code)})
    zh, en = message.render("zh"), message.render("en")
    for name in fields(code):
        assert f"〔{name}〕" in zh and f"<{name}>" in en, (code, name)
    assert not PLACEHOLDER.search(zh) and not PLACEHOLDER.search(en)
    template_zh, template_en = MESSAGES[code]
    assert zh != en
    if PLACEHOLDER.sub("", template_zh).strip(" {}"):
        assert CJK.search(template_zh) or not re.search("[A-Za-z]{3,}", PLACEHOLDER.sub("", template_zh)), code
    # English keeps only the domain's own terms in Chinese (学时, 暂定, 调休, the State Council's notice)
    leftover = CJK.findall(re.sub("学时|暂定|调休|国务院办公厅(关于{year}年部分节假日安排的通知)?", "", template_en))
    assert not leftover, (code, template_en)
    if code in CLI_FLAGS:  # the flags to type are for the command line; the studio and site say no flags
        assert message.render("en", "cli").startswith(message.render("en", "studio"))
        assert len(message.render("zh", "cli")) > len(message.render("zh", "studio"))


def said_codes() -> dict[str, list[set[str]]]:
    """The keyword names every literal ``say("code", …)`` in kebao passes, by code."""
    found: dict[str, list[set[str]]] = {}
    for path in SRC.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if not re.search(r"from (kebao|\.+)messages import .*\bsay\b", source):  # another say (progress lines)
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say" \
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.setdefault(node.args[0].value, []).append({k.arg for k in node.keywords if k.arg})
    return found


def test_every_say_passes_only_fields_its_sentences_use() -> None:
    """A parameter no sentence uses is a typo, except ids kept as data for tools (``strand_id``)."""
    said = said_codes()
    assert len(said) > 60
    for code, calls in said.items():
        assert code in MESSAGES, f"say({code!r}) has no sentence in kebao.messages.MESSAGES"
        for keywords in calls:
            unused = {k for k in keywords - fields(code) if not k.endswith("_id")}
            assert not unused, (code, unused)


def test_every_sentence_is_said_somewhere() -> None:
    """A code nobody says is a translation that drifts unseen; codes built from a prefix count."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py") if p.name != "messages.py")
    prefixes = set(re.findall(r'say\(f"([a-z-]+)\{', source))
    unused = [code for code in MESSAGES if f'"{code}"' not in source
              and not any(code.startswith(prefix) for prefix in prefixes)]
    assert unused == []


def test_a_plan_error_is_said_in_its_language_and_the_other_on_request() -> None:
    error = PlanError(say("error-needs-more-hours", programme="p", needed=40, days=3, start="2026-09-14",
                          capacity=24), [say("advice-plan-fewer")], language="zh")
    assert "建议：" in str(error) and not ENGLISH.search(str(error).replace("total_hours", ""))
    english = error.in_language("en")
    assert ENGLISH.search(str(english)) and not CJK.search(str(english).replace("学时", ""))
    assert english.why is error.why  # the same data, said twice


def english_left(text: str, names: set[str]) -> list[str]:
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return ENGLISH.findall(text)


def plan_output(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["plan", "xpcc-cadres", "--root", str(REPO), *args]) == 0
    return capsys.readouterr().out


def test_kebao_plan_xpcc_cadres_says_no_english_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    catalog = load_catalog(REPO)
    programme = catalog.programmes["xpcc-cadres"]
    assert programme.language == "zh"
    # the names kebao is given, not the words it says: ids, the timezone, the programme's English title
    names = {*catalog.modules, *catalog.strands, *(e.id or e.kind for e in programme.events), programme.id,
             "Asia/Shanghai",
             programme.title.en, programme.cohort.id}
    text = plan_output(capsys)
    assert "编排理由" in text and "按主题学时比例选入" in text and "说明：" in text
    assert english_left(text, names) == []

    data = json.loads(plan_output(capsys, "--format", "json"))
    sentences: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if key == "params":  # the message's data: words in both languages, for tools
            return
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and value and key in {"reason", "text", "provisional_note", "label"}:
            sentences.append(value)

    walk(data)
    assert len(sentences) > 20 and all(CJK.search(s) for s in sentences)
    assert [s for s in sentences if english_left(s, names)] == []
    assert {m["why"]["code"] for m in data["modules"]} >= {"reason-chosen", "reason-site-visit", "reason-required"}


def test_lang_en_says_the_same_plan_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    zh = json.loads(plan_output(capsys, "--format", "json"))
    en = json.loads(plan_output(capsys, "--format", "json", "--lang", "en"))
    assert [m["why"] for m in zh["modules"]] != [m["why"] for m in en["modules"]]  # the text differs …
    strip = [{k: v for k, v in m["why"].items() if k != "text"} for m in zh["modules"]]
    assert strip == [{k: v for k, v in m["why"].items() if k != "text"} for m in en["modules"]]  # … the data not
    assert en["modules"][-1]["reason"].startswith("chosen for strand Skills: it still lacked")


def test_the_chosen_reason_says_what_was_weighed() -> None:
    reason = Message("reason-chosen", (("strand", Word("技能", "Skills")), ("strand_id", "skills"), ("lacked", 9.08),
                                       ("candidates", 3), ("basis", say("basis-closest", hours=4))))
    assert reason.render("zh") == ("按主题学时比例选入：技能还差 9.08 学时，"
                                   "3 个适合该对象的候选模块中，本模块 4 学时最接近所差学时")
    assert reason.render("en") == ("chosen for strand Skills: it still lacked 9.08 学时; of 3 candidate(s) that suit "
                                   "the audience, its 4 学时 came closest to what was lacking")


def test_the_source_never_parses_a_sentence() -> None:
    """Nothing reads a rendered reason back: no code compares or searches the text of a message."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "messages.py":  # where the sentences are written
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\.reason\.startswith", r"\.reason\s*==\s*\"", r"re\.\w+\([^)]*reason",
                        r"\"chosen for strand", r"\"site visit on"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(REPO)}: {pattern}")
    assert offenders == []


def test_a_message_is_a_value_and_pickles() -> None:
    import pickle

    message = say("note-total", planned=65, target=62, why=say("why-closest-fit"))
    assert pickle.loads(pickle.dumps(message)) == message and hash(message) == hash(say(
        "note-total", planned=65, target=62, why=say("why-closest-fit")))
    with pytest.raises(KeyError, match="no message 'note-totl'"):
        say("note-totl")
