"""Programme pages: overview, outcomes, hours per strand, modules and why, a sample timetable, downloads.

Each page is made from the programme's default cohort as the pack runner sees
it (:func:`kebao.packs.context.open_pack`), so the page and the pack agree, and
lists every cohort of the programme (its own and its cohort files', ``cohorts/``)
with its dates, size, venue and downloads.

Downloads follow the pack-file table's readers (:mod:`kebao.packs.files`):
files for participants and the office are offered on both sites; files for
trainers (the trainer guide, the whole pack's zip) sit in a ``{only} trainer``
block, which only the trainer site keeps (:mod:`kebao.sphinxext`). The page is
the same for both sites, so building one after the other rewrites nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..compose import PlanItem
from ..credits import credits_for
from ..errors import BookError
from ..holidaydata import provisional_years
from ..labels import FORMATS, label, provisional_note
from ..model import Programme
from ..packs.context import PackContext
from ..packs.files import downloads
from ..packs.files import table as pack_table
from ..packs.rows import self_paced_rows, timetable_rows
from ..paths import PackAddress
from ..plan import span_of
from .markdown import download, esc, fields, grid, join_lines, number, table
from .pages import NOTICE, module_link, programme_link, strand_name

PUBLIC_READERS = ("participant", "office")  # readers (packs/files.py) whose files the public site offers


@dataclass(frozen=True)
class Download:
    """One file of a pack offered on its programme's page."""

    path: str  # relative to the repository root
    label: str  # labels key of the link
    public: bool  # for participants or the office: on the public site too; else on the trainer site only


@dataclass(frozen=True)
class PackFiles:
    """Where one cohort's pack of a programme is, relative to the repository root."""

    folder: str  # <packs>/<programme>/<cohort>
    zip: str
    downloads: tuple[Download, ...]  # the pack's downloads present (packs/files.py), the zip first

    def offered(self, public: bool) -> tuple[Download, ...]:
        """What the public site (``public``) or only the trainer site offers."""
        return tuple(item for item in self.downloads if item.public == public)


def find_pack(root: Path, packs: Path, programme: str, cohort: str) -> PackFiles:
    """The pack of ``cohort`` of ``programme``; BookError naming the missing zip and the command to build it."""
    address = PackAddress(programme, cohort)
    folder = (Path(packs) / address.relative).as_posix()
    zip_name = f"{folder}/{address.zip_name}"
    if not (root / zip_name).is_file():
        raise BookError(f"no course pack for programme '{programme}' (cohort '{cohort}'): {zip_name} is missing",
                        "run `kebao pack --all` first, or `kebao book` without --no-packs, which builds packs")
    readers = {name: row.reader for name, row in pack_table(address)}
    present = tuple(Download(f"{folder}/{name}", key, readers[name] in PUBLIC_READERS)
                    for name, key in downloads(address) if (root / folder / name).is_file())
    return PackFiles(folder, zip_name, present)


def chart_name(programme_id: str) -> str:
    return f"{programme_id}-hours.png"


def programme_page(ctx: PackContext, pack: PackFiles, others: Sequence[tuple[PackContext, PackFiles]] = ()) -> str:
    """The page of one programme (see the module docstring); its chart is :func:`chart_name` beside it.

    ``ctx`` and ``pack`` are the programme's own cohort's; ``others`` its cohort files' packs, in order.
    """
    p, catalog, timetable = ctx.programme, ctx.catalog, ctx.timetable
    hours = timetable.total_hours
    audience = catalog.audiences[p.audience].name
    first, last = timetable.days[0].date, timetable.days[-1].date
    overview = [
        ("英文名称", esc(p.title.en)),
        ("合作单位", esc(f"{p.partner.zh}（{p.partner.en}）")),
        ("培训对象", esc(f"{audience.zh}（{audience.en}）")),
        ("天数", _days(ctx)),
        ("学时", f"{number(hours)} 学时（每学时 {p.minutes_per_hour} 分钟）"),
        ("学分", f"{credits_for(hours, p.hours_per_credit)} 学分（每 {number(p.hours_per_credit)} 学时折合 1 学分）"),
        ("编号", f"`{p.id}`"),
    ]
    parts = [NOTICE, f"# {esc(p.title.zh)}\n"]
    if p.summary:
        parts.append(esc(p.summary) + "\n")
    if ctx.timetable.provisional:  # a year without the official holiday arrangement yet (kebao.holidaydata)
        parts.append("```{warning}\n" + esc(provisional_note(provisional_years(ctx.timetable.days), "zh")) + "\n```\n")
    parts += [fields(overview), _downloads(ctx, pack), *_cohorts(ctx, others)]
    if p.outcomes:
        parts += ["## 学习成果\n", _outcomes(ctx)]
    if p.assessment:
        parts += ["## 考核方式\n", esc(p.assessment) + "\n"]
    parts += ["## 学时分布\n",
              "按主题（strand）统计的计划学时；竖线是按比例应得的目标学时。\n",
              f"```{{image}} {chart_name(p.id)}\n:alt: {join_lines(p.title.zh)}：各主题学时\n```\n",
              table(("主题", "目标学时", "计划学时"),
                    [(esc(strand_name(catalog, s.id)), number(round(s.target_hours, 1)), number(s.hours))
                     for s in ctx.plan.strands])]
    parts += ["## 课程模块\n", "默认班次选入的模块，以及每个模块为什么在这里。\n", _modules(ctx)]
    if ctx.plan.notes:
        parts.append("```{note}\n" + "\n\n".join(esc(n.render("zh", "site")) for n in ctx.plan.notes) + "\n```\n")
    parts += ["## 课表示例\n",
              f"默认班次 `{ctx.cohort.id}`：{first.isoformat()} 至 {last.isoformat()}，{ctx.cohort.size} 人，"
              f"{esc(ctx.cohort.venue)}。其他日期、人数和地点的课表用 `kebao pack {p.id} --set start=…` 生成"
              "（改动后的班次有自己的编号和课包，不会替换已有班次的课包）。\n",
              _timetable(ctx)]
    return "\n".join(parts)


def _days(ctx: PackContext) -> str:
    """'10 天，其中 8 个教学日（报到 1 天、周末 1 天）', or how a term's meetings run and which a holiday cancels."""
    days = ctx.timetable.days
    teaching = sum(1 for d in days if d.kind == "teaching")
    if ctx.programme.calendar is not None or ctx.cohort.dates:
        cancelled = "、".join(f"{d.date.isoformat()} {d.label}" for d in days if d.kind != "teaching")
        return esc(span_of(ctx.programme, ctx.plan).render("zh", "site")
                   + (f"（{cancelled} 停课，顺延）" if cancelled else ""))
    other: dict[str, int] = {}
    for day in days:
        if day.kind != "teaching":
            other[day.label] = other.get(day.label, 0) + 1
    rest = "、".join(f"{label} {count} 天" for label, count in other.items())
    return f"{len(days)} 天，其中 {teaching} 个教学日" + (f"（{esc(rest)}）" if rest else "")


def _cohorts(ctx: PackContext, others: Sequence[tuple[PackContext, PackFiles]]) -> list[str]:
    """'## 班次': every cohort with its dates, size and venue; the downloads of each cohort file's pack."""
    if not others:
        return []
    rows = [(f"`{esc(c.cohort.id)}`" + ("（默认班次）" if c is ctx else ""),
             f"{c.timetable.days[0].date.isoformat()} 至 {c.timetable.days[-1].date.isoformat()}",
             str(c.cohort.size), esc(c.cohort.venue)) for c in (ctx, *(other for other, _ in others))]
    folder = f"cohorts/{ctx.programme.id}/"
    parts = ["## 班次\n", f"本项目的每个班次都有自己的课包。默认班次写在培训项目文件里，其他班次是 `{folder}` "
             "下的班次文件（文件名就是班次编号）。\n", table(("班次", "日期", "人数", "地点"), rows)]
    parts += [_downloads(other, files, hint=False) for other, files in others]
    return parts


def _downloads(ctx: PackContext, pack: PackFiles, hint: bool = True) -> str:
    """The public downloads in one box; the trainer's in a second box that only the trainer site keeps."""
    def links(items: Sequence[Download]) -> list[str]:
        return [f"- {download(_link_text(item), item.path)}" for item in items]

    cohort = esc(ctx.cohort.id)
    command = f"`kebao pack {ctx.programme.id} --cohort 班次编号`（班次文件 `cohorts/{ctx.programme.id}/班次编号.yml`）"
    public = [f"```{{admonition}} {label('site_downloads', 'zh').format(cohort=cohort)}\n:class: tip kebao-downloads\n",
              *(links(pack.offered(public=True)) or [f"- {label('site_no_downloads', 'zh')}"]), "```\n"]
    trainer = ["````{only} trainer",
               f"```{{admonition}} {label('site_trainer_downloads', 'zh').format(cohort=cohort)}\n"
               ":class: tip kebao-downloads\n", *links(pack.offered(public=False)),
               *(["\n" + label("site_other_cohorts", "zh").format(command=command)] if hint else []), "```",
               "````\n"]
    return "\n".join(public) + "\n" + "\n".join(trainer)


def _link_text(item: Download) -> str:
    return label(item.label, "zh").format(name=Path(item.path).name)


def _outcomes(ctx: PackContext) -> str:
    planned = set(ctx.plan.modules)
    rows = []
    for outcome in ctx.programme.outcomes:
        modules = "、".join(module_link(ctx.catalog, m) for m in outcome.modules if m in planned)
        rows.append((esc(outcome.text), modules or "（默认班次未选入）"))
    return table(("学习成果", "对应模块"), rows)


def _reason(ctx: PackContext, item: PlanItem) -> str:
    """The item's reason in Chinese, escaped; a prerequisite's dependent links to its page (read from the code)."""
    reason = item.reason
    if reason.code == "reason-prerequisite" and reason["module"] in ctx.catalog.modules:
        return f"{module_link(ctx.catalog, reason['module'])} 的先修模块"
    return esc(reason.render("zh", "site"))


def _modules(ctx: PackContext) -> str:
    rows = [(str(n), module_link(ctx.catalog, item.module), esc(ctx.catalog.strands[item.strand].name.zh),
             esc(FORMATS[ctx.catalog.modules[item.module].format][0]), number(item.hours), _reason(ctx, item))
            for n, item in enumerate(ctx.plan.taught, start=1)]
    return grid(("序号", "模块", "主题", "形式", "学时", "编排理由"), rows, "kebao-modules")


def _timetable(ctx: PackContext) -> str:
    sessions = timetable_rows(ctx.catalog, ctx.programme, ctx.cohort.venue, ctx.timetable.items, "zh",
                              phases=ctx.timetable.phases)
    by_date: dict[str, list[Sequence[str]]] = {}
    for row in sessions:
        title = module_link(ctx.catalog, row.module) + _part(row.title) if row.module else f"**{esc(row.title)}**"
        by_date.setdefault(row.date.isoformat(), []).append(
            (row.slot, f"{row.start}–{row.end}", title, esc(row.strand_label),
             number(row.hours) if row.module or row.hours else "", esc(row.location)))
    rows: list[Sequence[str]] = []
    for day in ctx.timetable.days:
        date = day.date.isoformat()
        shown_date = f"{date}（{'一二三四五六日'[day.date.weekday()]}）"
        if date not in by_date:
            rows.append((shown_date, "", "", esc(day.label), "", "", ""))
            continue
        for index, cells in enumerate(by_date[date]):
            rows.append((shown_date if index == 0 else "", *cells))
    shown = grid(("日期", "时段", "时间", "课程模块", "主题", "学时", "地点"), rows, "kebao-timetable")
    self_paced = [(module_link(ctx.catalog, r.module), esc(r.strand_label), number(r.hours), r.opens.isoformat(),
                   r.due.isoformat()) for r in self_paced_rows(ctx.catalog, ctx.programme, ctx.timetable.self_paced,
                                                               "zh")]
    if self_paced:
        shown += (f"\n\n**{esc(label('section_self_paced', 'zh'))}**\n\n"
                  + grid(("课程模块", "主题", "学时", "开放", "截止"), self_paced, "kebao-self-paced"))
    return shown


def _part(title: str) -> str:
    """'（1/2）' when the timetable row is one part of a split module."""
    if title.endswith("）") and "（" in title:
        part = title[title.rindex("（"):]
        if "/" in part:
            return esc(part)
    return ""


def programmes_index(contexts: Sequence[PackContext]) -> str:
    """All programmes in one table, linking to their pages."""
    rows = []
    for ctx in contexts:
        p: Programme = ctx.programme
        hours = ctx.timetable.total_hours
        rows.append((programme_link(p), esc(p.partner.zh), esc(ctx.catalog.audiences[p.audience].name.zh),
                     str(ctx.plan.days), number(hours), str(credits_for(hours, p.hours_per_credit))))
    return "\n".join([
        NOTICE, "# 培训项目\n",
        "每个培训项目（programme）是一份“定制课程”的配方：培训对象、天数、各主题的学时比例、必修模块和可选模块。"
        "kebao 按默认班次排出课表，并生成可以下载的课包。\n",
        table(("培训项目", "合作单位", "培训对象", "天数", "学时", "学分"), rows)])
