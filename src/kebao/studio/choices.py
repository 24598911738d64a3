"""What the studio's lists offer: programmes, audiences, strands, formats and modules, as (label, id) pairs.

Labels are Chinese with the id beside them; a value the draft has that the
catalogue does not offer stays in the list, marked ⚠, so that showing a
draft never drops part of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..catalog import Catalog
from ..labels import FORMATS


def strand_choices(catalog: Catalog) -> list[tuple[str, str]]:
    """(label, id) of every strand: '党建 · party-building'."""
    return [(f"{s.name.zh} · {s.id}", s.id) for s in catalog.strands.values()]


def programme_choices(catalog: Catalog) -> list[tuple[str, str]]:
    return [(f"{p.title.zh} · {p.id}", p.id) for p in sorted(catalog.programmes.values(), key=lambda p: p.id)]


def audience_choices(catalog: Catalog, current: str | None = None) -> list[tuple[str, str]]:
    choices = [(f"{a.name.zh} · {a.id}", a.id) for a in catalog.audiences.values()]
    if current and current not in catalog.audiences:
        choices.append((f"⚠ 未知对象 · {current}", current))
    return choices


def format_choices() -> list[tuple[str, str]]:
    return [(f"{zh} · {key}", key) for key, (zh, _) in FORMATS.items() if key != "site-visit"]


def module_choices(catalog: Catalog, audience: str | None, keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(label, id) of the modules a programme for ``audience`` can list, grouped by strand.

    Site visits are left out (they are placed on a day under site_visits); ids in
    ``keep`` that do not fit (another audience's, unknown) stay, marked ⚠, so the
    current selection is never dropped silently.
    """
    order = {strand: index for index, strand in enumerate(catalog.strands)}
    suitable = [m for m in catalog.modules.values() if m.format != "site-visit"
                and (not m.audiences or audience in m.audiences)]
    suitable.sort(key=lambda m: (order.get(m.strand, len(order)), m.id))
    choices = []
    for module in suitable:
        strand = catalog.strands.get(module.strand)
        elective = "（选修）" if module.elective else ""
        choices.append((f"{strand.name.zh if strand else module.strand}｜{module.title.zh}{elective}"
                        f"（{module.hours:g} 学时）· {module.id}", module.id))
    ids = {m.id for m in suitable}
    for module_id in keep:
        if module_id in ids:
            continue
        known = catalog.modules.get(module_id)
        why = "未知模块" if known is None else ("现场教学" if known.format == "site-visit" else "不适合该对象")
        choices.append((f"⚠ {why} · {module_id}", module_id))
        ids.add(module_id)
    return choices
