"""Phases, venues and self-paced modules reach what people read: handbook, workbook, calendar, studio, site."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kebao.catalog import load_catalog
from kebao.packs import frontmatter, page, writers
from kebao.packs.context import PackContext, decide
from kebao.packs.rows import self_paced_rows, timetable_rows

from .paths import REPO


@cache
def veterans() -> PackContext:
    return decide(load_catalog(REPO), "veterans-blended-transition")


@cache
def shadow() -> PackContext:
    return decide(load_catalog(REPO), "shadow-principal-placement")


def rows(ctx: PackContext) -> list:  # type: ignore[type-arg]
    return timetable_rows(ctx.catalog, ctx.programme, ctx.cohort.venue, ctx.timetable.items, ctx.language,
                          phases=ctx.timetable.phases)


def test_each_session_is_at_its_phases_venue_and_online_sessions_say_so() -> None:
    ctx = shadow()
    by_phase = {row.phase: row.location for row in rows(ctx) if row.module}
    venues = {v.id: v.name.zh for v in ctx.programme.venues}
    phases = {p.title.zh: p.venue for p in ctx.programme.phases if p.venue}
    assert len(set(phases.values())) > 1  # the example meets in more than one place
    for title, venue in phases.items():
        if title in by_phase:
            assert by_phase[title].startswith(venues[venue]), (title, by_phase[title])
    online = [row for row in rows(veterans()) if row.module and row.phase == "线上直播导学"]
    assert online and all(row.location == "线上直播" for row in online)


def test_self_paced_modules_are_listed_with_their_dates_not_as_sessions() -> None:
    ctx = veterans()
    listed = self_paced_rows(ctx.catalog, ctx.programme, ctx.timetable.self_paced, "zh")
    assert sorted(r.module for r in listed) == ["veteran-career-interests-online", "veteran-policy-online"]
    assert all(r.opens.isoformat() == "2026-11-02" and r.due.isoformat() == "2026-11-15" for r in listed)
    assert not any(row.module in {r.module for r in listed} for row in rows(ctx))
    table = page.self_paced_table(ctx)
    assert table is not None and list(table["开放"]) == ["11月2日", "11月2日"]
    assert page.self_paced_table(decide(load_catalog(REPO), "xpcc-cadres")) is None


def test_the_handbook_overview_lists_the_phases() -> None:
    overview = frontmatter.overview(veterans())
    assert "**培训阶段**" in overview
    assert "1. **线上自学**：2026年11月2日—2026年11月15日 · 线上自主学习" in overview
    assert "3. **集中面授**：2026年11月18日—2026年11月20日 · 面授 · 区退役军人服务中心培训教室" in overview
    assert "培训阶段" not in frontmatter.overview(decide(load_catalog(REPO), "xpcc-cadres"))


def test_the_timetable_workbook_and_calendar_carry_the_self_paced_modules(tmp_path: Path) -> None:
    import icalendar
    from openpyxl import load_workbook

    ctx = veterans()
    listed = self_paced_rows(ctx.catalog, ctx.programme, ctx.timetable.self_paced, "zh")
    workbook = writers.write_timetable_xlsx(rows(ctx), tmp_path / "t.xlsx", "标题", "副标题", "zh",
                                            self_paced=listed)
    book = load_workbook(workbook)
    assert book.sheetnames == ["课程表", "线上自学"]
    cells = [c.value for row in book["线上自学"].iter_rows() for c in row]
    assert "线上自学：退役军人就业创业优待政策一本通" in cells and "2026-11-15" in cells
    assert "区退役军人服务中心培训教室（服务中心二楼）" in [c.value for row in book["课程表"].iter_rows() for c in row]
    ics = writers.write_timetable_ics(rows(ctx), tmp_path / "t.ics", "c", "Asia/Shanghai", "x", self_paced=listed)
    events = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    whole_days = [e for e in events if "线上自学" in str(e["summary"])]
    assert len(whole_days) == 2
    assert {(e.decoded("dtstart").isoformat(), e.decoded("dtend").isoformat()) for e in whole_days} == {
        ("2026-11-02", "2026-11-16")}
    assert all(str(e["transp"]) == "TRANSPARENT" for e in whole_days)
    assert len(events) == len(rows(ctx)) + 2


def test_the_studio_timetable_shows_places_and_self_paced_modules() -> None:
    from kebao.studio.views import timetable_html

    ctx = veterans()
    shown = timetable_html(ctx.catalog, ctx.timetable)
    assert ">地点</th>" in shown and "线上直播" in shown
    assert "线上自学（自定进度，不占上课时间）" in shown and "2026-11-15" in shown
