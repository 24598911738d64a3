"""Trainer notes: one source, two editions."""

from __future__ import annotations

import pytest

from kebao.content import for_edition, trainer_note_blocks

BODY = """# 模块

讲授内容。

:::{trainer-note}
- 先请一线学员发言。
- 评分表：结构 30 分。
:::

## 研讨题
1. 问题一
"""


def test_participant_edition_has_no_trainer_notes() -> None:
    text = for_edition(BODY, "participant")
    assert "先请一线学员发言" not in text
    assert "trainer-note" not in text
    assert "## 研讨题" in text and "讲授内容" in text


def test_trainer_edition_for_packs_is_plain_markdown() -> None:
    text = for_edition(BODY, "trainer", style="markdown")
    assert "> **给培训师**" in text
    assert "> - 先请一线学员发言。" in text
    assert ":::" not in text


def test_trainer_edition_for_the_book_is_a_folded_admonition() -> None:
    text = for_edition(BODY, "trainer", style="myst")
    assert "::::{admonition} 给培训师\n:class: dropdown trainer-note" in text
    assert "- 评分表：结构 30 分。" in text


def test_longer_fences_and_several_notes() -> None:
    body = "a\n::::{trainer-note}\nx\n:::\ny\n::::\nb\n:::{trainer-note}\nz\n:::\n"
    assert [(f, last) for f, last, _ in trainer_note_blocks(body)] == [(1, 5), (7, 9)]
    assert for_edition(body, "participant") == "a\nb\n"


def test_unclosed_note_names_its_line() -> None:
    with pytest.raises(ValueError, match="line 3: ':::\\{trainer-note\\}' is never closed"):
        trainer_note_blocks("a\n\n:::{trainer-note}\nsecret\n")


def test_body_without_notes_is_unchanged() -> None:
    assert for_edition("plain\n", "participant") == "plain\n"
