"""Course-pack speed, side by side in one run (prints ratios; asserts nothing).

For the programmes of a catalogue it measures, each as a fresh process so that
import costs count on both sides:

* one pack with ``kebao pack P --force`` vs the *same work as plain Python*
  (``--plain``: compose, schedule, figures, data files, both editions' HTML and
  PDF, in one process without a kernel, papermill or nbconvert);
* a batch of every programme with ``kebao pack --all --force --jobs 1`` and
  ``--jobs 2`` vs the plain work for all programmes in 1 and 2 processes;
* a no-change rerun of ``kebao pack --all``.

    .venv/bin/python benchmarks/packs.py [--root .] [--programme ID]

Issue 18's targets (quiet machine): a single pack at most 1.0 s slower than
plain; a 2-worker batch at least 90 % of the plain 2-process throughput; a
no-change rerun at most 0.3 s. ``benchmarks/table.py`` prints every row of the
issue's table in one run, with its target.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
KEBAO = str(Path(sys.executable).with_name("kebao"))


def plain_pack(root: Path, programme: str, out: Path) -> None:
    """The pack's work without a kernel: what the notebook computes plus the two editions' HTML and PDF."""
    import base64
    from types import SimpleNamespace

    from markdown_it import MarkdownIt

    from kebao.packs import export, frontmatter, page
    from kebao.packs.context import open_pack
    from kebao.packs.export import write_pdf
    from kebao.packs.files import PackBuild, table

    ctx = open_pack(root, programme)
    out.mkdir(parents=True, exist_ok=True)
    figures = page.figures(ctx)
    shown = [{"data": {"image/png": base64.b64encode(png).decode()}, "metadata": page.figure_metadata(name)}
             for name, png in figures.items()]  # what the notebook displays (no nbformat import on this side)
    build = PackBuild(ctx, SimpleNamespace(cells=[{"outputs": shown}]), out, {})  # type: ignore[arg-type]
    for name, row in table(ctx.address):  # the data files and figures, written as kebao writes them
        if name.endswith((".xlsx", ".csv", ".ics", ".png")):
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            row.write(build, out / name)
    md = MarkdownIt("commonmark").enable("table")
    sections = (frontmatter.overview(ctx), frontmatter.check_in(ctx), frontmatter.day_schedule(ctx),
                frontmatter.contacts(ctx), frontmatter.rules(ctx), frontmatter.site_visits(ctx),
                frontmatter.materials_checklist(ctx), frontmatter.assessment(ctx))
    parts = [md.render(section) for section in sections if section]
    parts += [page.html_table(page.strand_table(ctx)), page.html_table(page.timetable_table(ctx)),
              page.html_table(page.credit_table(ctx))]
    parts += [f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}">' for png in figures.values()]
    notes = []
    for module in ctx.plan.modules:
        text, note = page.module_page(ctx, module)
        parts.append(md.render(text))
        notes.append(md.render(note or ""))
    for reading in page.case_readings(ctx):  # the case runs are kebao's cached work: not redone here
        parts += [md.render(part) if kind == "markdown" else shown_output(part) for kind, part in reading.parts]
        notes.append(md.render(reading.notes or ""))
    parts += [md.render(text) for text, _ in frontmatter.appendix(ctx)]
    for stem, body in (("handbook", parts), ("trainer-guide", parts + notes)):
        edition = "participant" if stem == "handbook" else "trainer"
        html = export.page_html("".join(body), edition, ctx.title, frontmatter.cover(ctx, edition), ctx.title,
                                ctx.language, ctx.large_print)
        (out / f"{stem}.html").write_text(html, encoding="utf-8")
        write_pdf(html, out / f"{stem}.pdf")


def shown_output(bundle: dict) -> str:
    """A case output as the pack prints it: its chart, its HTML table, or its text."""
    import html

    data = bundle.get("data", {})
    if "image/png" in data:
        return f'<img src="data:image/png;base64,{data["image/png"]}">'
    if "text/html" in data:
        return "".join(data["text/html"])
    return f"<pre>{html.escape(''.join(data.get('text/plain', '')))}</pre>"


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=REPO)
    parser.add_argument("--programme", help="the single-pack programme (default: the first)")
    parser.add_argument("--plain", nargs="+", metavar="ID", help=argparse.SUPPRESS)  # worker mode
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain:
        for programme in args.plain:
            plain_pack(args.root, programme, args.out / programme)
        return

    from kebao.catalog import load_catalog

    programmes = sorted(load_catalog(args.root).programmes)
    single = args.programme or programmes[0]
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "packs"
        plain_out = Path(scratch) / "plain"
        kebao = [KEBAO, "pack", "--root", str(args.root), "--out", str(out)]
        plain = [PYTHON, __file__, "--root", str(args.root), "--out", str(plain_out), "--plain"]

        def plain_batch(workers: int) -> float:
            groups = [programmes[i::workers] for i in range(workers)]
            start = time.perf_counter()
            running = [subprocess.Popen([*plain, *group]) for group in groups if group]
            if any(process.wait() != 0 for process in running):
                raise SystemExit("plain batch failed")
            return time.perf_counter() - start

        timed([*plain, single])  # warm the disk cache and font cache once
        rows = []
        plain_one = timed([*plain, single])
        pack_one = timed([*kebao, single, "--force"])
        rows.append((f"one pack ({single})", pack_one, plain_one))
        for workers in (1, 2):
            batch = timed([*kebao, "--all", "--force", "--jobs", str(workers)])
            rows.append((f"{len(programmes)} packs, {workers} worker(s)", batch, plain_batch(workers)))
        rerun = timed([*kebao, "--all"])
    print(f"{'work':<28} {'kebao s':>8} {'plain s':>8} {'ratio':>6}  throughput vs plain")
    for name, ours, theirs in rows:
        print(f"{name:<28} {ours:>8.2f} {theirs:>8.2f} {ours / theirs:>6.2f}  {theirs / ours:>6.0%}")
    print(f"{'no-change rerun (--all)':<28} {rerun:>8.2f}")
    print("targets: one pack ratio <= 2.0; 2-worker throughput >= 70 %; no-change rerun < 2 s")


if __name__ == "__main__":
    main()
