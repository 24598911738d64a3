"""Cohort parameters from key=value settings: converted, validated, and clear when wrong."""

from __future__ import annotations

import datetime as dt

import pytest

from kebao.catalog import Catalog, load_catalog
from kebao.cohort import apply_settings, cohort_for, parse_settings
from kebao.errors import UsageError
from kebao.model import Cohort

from .paths import FIXTURES


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(FIXTURES / "catalog")


def cadres(catalog: Catalog, *settings: str, start: str | None = None) -> Cohort:
    return cohort_for(catalog, catalog.programmes["cadres-course"], settings, start)


def test_parse_settings_splits_at_the_first_equals_sign() -> None:
    assert parse_settings(["size=30", "venue=A=B 楼", " mix.skills = 40 "]) == [
        ("size", "30"), ("venue", "A=B 楼"), ("mix.skills", "40")]
    with pytest.raises(UsageError, match="expected key=value"):
        parse_settings(["size"])
    with pytest.raises(UsageError, match="expected key=value"):
        parse_settings(["=3"])


def test_settings_change_the_programme_cohort_and_convert_values(catalog: Catalog) -> None:
    cohort = cadres(catalog, "size=30", "venue=延安干部学院", "days=8", "language=en", "id=2026-10",
                    start="2026-10-08")
    assert cohort == Cohort(id="2026-10", start=dt.date(2026, 10, 8), size=30, venue="延安干部学院", language="en",
                            days=8)
    assert catalog.programmes["cadres-course"].cohort.size == 40  # the programme is not changed


def test_mix_of_one_strand_must_keep_the_sum_at_100(catalog: Catalog) -> None:
    cohort = cadres(catalog, "mix.skills=40", "mix.industry=30")
    assert cohort.mix == {"party-building": 30, "industry": 30, "skills": 40}
    with pytest.raises(UsageError) as caught:
        cadres(catalog, "mix.skills=40")
    assert "the strand weights add up to 110, not 100 (party-building 30, industry 40, skills 40)" in str(caught.value)
    assert "change other weights by -10" in caught.value.hint


def test_a_whole_mix_replaces_it_and_an_empty_one_falls_back_to_the_programme(catalog: Catalog) -> None:
    assert cadres(catalog, "mix=industry:50,skills:50").mix == {"industry": 50, "skills": 50}
    assert cadres(catalog, "mix=industry:50,skills:50", "mix=").mix is None
    with pytest.raises(UsageError, match="strand:weight pairs"):
        cadres(catalog, "mix=industry50")
    with pytest.raises(UsageError, match="'lots' is not a weight"):
        cadres(catalog, "mix.skills=lots")


def test_exclude_and_extra_take_comma_separated_module_ids(catalog: Catalog) -> None:
    cohort = cadres(catalog, "exclude=industry-plan, red-dates-ecommerce", "extra=smartphone-tools")
    assert cohort.exclude == ["industry-plan", "red-dates-ecommerce"] and cohort.extra == ["smartphone-tools"]
    assert cadres(catalog, "exclude=industry-plan", "exclude=").exclude == []


@pytest.mark.parametrize(("setting", "message", "hint"), [
    ("sise=30", "unknown cohort setting 'sise'", "did you mean 'size'?"),
    ("mix.skils=40", "unknown strand 'skils'", "did you mean 'skills'?"),
    ("exclude=industry-plam", "unknown module 'industry-plam'", "did you mean 'industry-plan' or"),
    ("extra=zzz", "unknown module 'zzz'", "known modules: battery-practicum"),
    ("colour=red", "unknown cohort setting 'colour'", "settings: id, start, size, venue, language, days, dates, mix"),
])
def test_unknown_keys_and_ids_suggest_the_nearest(catalog: Catalog, setting: str, message: str, hint: str) -> None:
    with pytest.raises(UsageError) as caught:
        cadres(catalog, setting)
    assert message in str(caught.value) and str(caught.value).startswith(f"--set {setting}")
    assert hint in caught.value.hint


@pytest.mark.parametrize(("setting", "message", "hint"), [
    ("size=thirty", "size: Input should be a valid integer", "write a whole number"),
    ("size=0", "size: Input should be greater than or equal to 1", ""),
    ("start=2026-13-01", "start: Input should be a valid date", "write a real date as YYYY-MM-DD"),
    ("language=fr", "language: Input should be 'zh' or 'en'", ""),
    ("days=400", "days: Input should be less than or equal to 366", ""),
])
def test_bad_values_name_the_setting_and_say_what_is_expected(catalog: Catalog, setting: str, message: str,
                                                              hint: str) -> None:
    with pytest.raises(UsageError) as caught:
        cadres(catalog, setting)
    assert str(caught.value).startswith(f"--set {setting}: {message}")
    assert caught.value.hint == hint


def test_empty_optional_settings_fall_back_to_the_programme(catalog: Catalog) -> None:
    cohort = cadres(catalog, "days=3", "language=en", "days=", "language=")
    assert cohort.days is None and cohort.language is None


def test_without_a_catalogue_ids_are_not_checked_but_values_are() -> None:
    base = Cohort(id="c", start=dt.date(2026, 9, 1), size=10, venue="教室")
    cohort = apply_settings(base, ["extra=anything", "mix.new-strand=100"], base_mix={})
    assert cohort.extra == ["anything"] and cohort.mix == {"new-strand": 100}
    with pytest.raises(UsageError, match="size"):
        apply_settings(base, ["size=-1"])


@pytest.mark.parametrize("value", ['{"industry": 50, "skills": 50}', "industry=50", "industry:50;skills:50",
                                   "industry:50,,skills:50"])
def test_a_malformed_mix_shows_the_accepted_syntax(catalog: Catalog, value: str) -> None:
    with pytest.raises(UsageError) as caught:
        cadres(catalog, f"mix={value}")
    assert str(caught.value).startswith(f"--set mix={value}: write the mix as strand:weight pairs")
    assert "mix=strand:weight,strand:weight" in caught.value.hint


def test_a_changed_cohort_gets_a_derived_id_the_same_settings_the_same_id(catalog: Catalog) -> None:
    """`--set` makes another cohort: its id comes from the one it changes, the start date and a digest."""
    assert cadres(catalog, start="2026-10-08").id == "2026-autumn-20261008"
    moved = cadres(catalog, "venue=延安干部学院", start="2026-10-08")
    assert moved.id.startswith("2026-autumn-20261008-") and len(moved.id) == len("2026-autumn-20261008-") + 6
    assert cadres(catalog, "venue=延安干部学院", start="2026-10-08").id == moved.id  # deterministic
    assert cadres(catalog, "venue=井冈山干部学院", start="2026-10-08").id != moved.id
    sized = cadres(catalog, "size=30")
    assert sized.id.startswith("2026-autumn-") and sized.size == 30 and sized.start == dt.date(2026, 9, 14)
    assert cadres(catalog, "id=spring", "size=30").id == "spring"  # an id given is kept
    programme = catalog.programmes["cadres-course"]
    same = cadres(catalog, "size=40", f"language={programme.language}", f"days={programme.days}")
    assert same is programme.cohort  # nothing the pack depends on changed: the programme's own cohort, its own id
