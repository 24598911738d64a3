"""结业证书: one Chinese PDF per completing learner, and the verification list the site may publish.

A certificate (:func:`certificate_page`) is one A4 landscape page: 结业证书, the learner's name, the
programme, its dates, 学时 and 学分 earned, the issuing institution (the programme's ``organiser``), the
verification code and a QR code (segno, inline SVG) that encodes the verification address with the code.
weasyprint prints it with the packs' fonts (``packs.export.pdf_bytes``); the same data give the same bytes,
because nothing in the page depends on the time it is printed (the date is the cohort's last day).

The verification list (:func:`verification_rows`) shows only what a reader of a certificate can already see
and needs to check it: the code, the name masked (张*三), the programme, the dates, 学时 and 学分; as CSV and
as one HTML page whose rows are anchored by code (``…/verify.html#CODE`` highlights the row).
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from .identity import mask_name
from .ledger import Course, Ledger, number


@dataclass(frozen=True)
class VerificationRow:
    """One line of the published list: nothing that is not on the certificate, and the name masked."""

    code: str
    name: str  # masked
    programme: str
    first: str
    last: str
    hours: str
    credits: str
    issuer: str


COLUMNS = ("证书编号", "姓名", "培训项目", "开始日期", "结束日期", "学时", "学分", "发证单位")


def chinese_date(iso: str) -> str:
    """'2026-12-06' -> '2026年12月6日'."""
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{year}年{month}月{day}日"


def credits(value: Decimal) -> str:
    """学分 as printed: two decimals (0.50, 4.06)."""
    return str(value.quantize(Decimal("0.01")))


def verify_address(base: str, code: str) -> str:
    """What the QR code holds: the verification page's address with the code as its fragment."""
    return f"{base}#{code}"


def qr_svg(text: str) -> str:
    """``text`` as a QR code, an inline ``<svg>`` (segno; error correction M, deterministic)."""
    import segno

    return str(segno.make(text, error="m", micro=False).svg_inline(scale=3, border=2, dark="#1a1a1a"))


def certificate_page(course: Course, ledger: Ledger, code: str, address: str) -> str:
    """One certificate as an HTML page for weasyprint (every value escaped)."""
    e = html.escape
    name = ledger.marks.name
    issuer = course.issuer
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>结业证书 · {e(course.title)}</title>\n<style>\n{_css()}</style>\n</head>\n<body>\n"
        '<main class="certificate">\n<h1>结业证书</h1>\n'
        f'<p class="learner"><span class="name">{e(name)}</span> 同志：</p>\n'
        f'<p class="body">于 {e(chinese_date(course.first))} 至 {e(chinese_date(course.last))} 参加'
        f'<span class="programme">{e(course.title)}</span>，完成规定的培训课程 '
        f'<b>{e(number(ledger.attended))}</b> 学时，经考核合格，准予结业，'
        f"获得 <b>{e(credits(ledger.credits))}</b> 学分。</p>\n"
        f'<p class="english">{e(course.title_en)}</p>\n'
        '<div class="foot">\n'
        f'<div class="verify">{qr_svg(address)}<p>证书编号：<span class="code">{e(code)}</span></p>'
        f'<p class="how">扫码或在结业证书查验名单中核对编号</p></div>\n'
        f'<div class="issuer"><p>{e(issuer)}</p><p>{e(chinese_date(course.last))}</p></div>\n'
        "</div>\n</main>\n</body>\n</html>\n")


def verification_rows(course: Course, ledgers: Sequence[Ledger], codes: dict[int, str]) -> list[VerificationRow]:
    """The published list's rows, by code (the roster's order would say who is who)."""
    rows = [VerificationRow(codes[led.marks.learner], mask_name(led.marks.name), course.title, course.first,
                            course.last, number(led.attended), credits(led.credits), course.issuer)
            for led in ledgers if led.marks.learner in codes]
    return sorted(rows, key=lambda row: row.code)


def verification_csv(rows: Sequence[VerificationRow]) -> str:
    """The list as CSV (UTF-8 with a BOM, so that Excel opens the Chinese right; CRLF rows)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(value) for value in (row.code, row.name, row.programme, row.first, row.last,
                                                    row.hours, row.credits, row.issuer)])
    return "\ufeff" + out.getvalue()


def verification_html(course: Course, rows: Sequence[VerificationRow]) -> str:
    """The list as one self-contained HTML page for the site; each row's id is its code."""
    e = html.escape
    head = "".join(f"<th>{e(column)}</th>" for column in COLUMNS)
    body = "".join(
        f'<tr id="{e(row.code)}">' + "".join(f"<td>{e(value)}</td>" for value in (
            row.code, row.name, row.programme, row.first, row.last, row.hours, row.credits, row.issuer)) + "</tr>\n"
        for row in rows)
    return ('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>结业证书查验 · {e(course.title)}</title>\n<style>\n"
            'body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; '
            "margin: 2em; }\ntable { border-collapse: collapse; } th, td { border: 1px solid #999; "
            "padding: 4px 8px; white-space: nowrap; }\ntd:nth-child(3), td:nth-child(8) { white-space: normal; }\n"
            "tr:target { background: #FFF3B0; }\n</style>\n</head>\n<body>\n"
            f"<h1>结业证书查验</h1>\n<p>{e(course.title)}（{e(course.first)} 至 {e(course.last)}）。"
            "证书上的编号在下表中，且姓名、学时、学分与证书一致，即为本单位颁发的有效证书。姓名已部分隐去。</p>\n"
            f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n</body>\n</html>\n")


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@cache
def _css() -> str:
    return resources.files("kebao").joinpath("templates/certificate.css").read_text(encoding="utf-8")
