"""The id rule: ids become file and URL names, so only safe slugs pass."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from kebao.model import ID_MAX_LENGTH, id_problem, slugify_hint

SLUG_PART = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
RESERVED = {"con", "prn", "aux", "nul", "clock$", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


@given(st.lists(SLUG_PART, min_size=1, max_size=5))
def test_slugs_of_letters_digits_and_single_hyphens_pass(parts: list[str]) -> None:
    value = "-".join(parts)
    if value in RESERVED or len(value) > ID_MAX_LENGTH:
        assert id_problem(value) is not None
    else:
        assert id_problem(value) is None


@given(st.text(max_size=40))
def test_anything_else_fails(value: str) -> None:
    ok = bool(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value)) and value not in RESERVED
    assert (id_problem(value) is None) == ok


@given(st.sampled_from(["..", "../x", "a/b", "a\\b", "c:", "C:x", "a..b", "-a", "a-", "a--b", "A", "党建", " a"]))
def test_path_tricks_fail(value: str) -> None:
    assert id_problem(value) is not None


def test_windows_reserved_names_fail() -> None:
    for name in ("con", "nul", "com1", "lpt9", "aux", "prn"):
        assert "reserved" in (id_problem(name) or "")


def test_length_limit() -> None:
    assert id_problem("a" * ID_MAX_LENGTH) is None
    assert id_problem("a" * (ID_MAX_LENGTH + 1)) is not None


@given(st.text(max_size=30))
def test_slugify_hint_suggests_a_valid_id(value: str) -> None:
    hint = slugify_hint(value)
    if hint.startswith("try '"):
        assert id_problem(hint[5:-1]) is None
