"""Site build speed: cold, no change, one case changed (prints times and ratios; asserts nothing).

Works on a copy of the repository's content in a temporary folder, each step a
fresh process as a user runs it:

* cold: ``kebao book`` with no build/ and no _build/ (packs, pages, every case executed);
* no change: ``kebao book`` again (packs found fresh, no page rewritten, Sphinx reads nothing);
* one case changed: a comment added to one code cell of one case (jupyter-cache
  runs that case again, Sphinx re-reads that page);
* for comparison, ``jupyter-book build`` (its own CLI, same _config.yml and
  _toc.yml) with nothing changed.

    .venv/bin/python benchmarks/book.py [--root .] [--keep]

Target from the issue: the no-change rebuild at least 5x faster than the cold build.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONTENT = ("curricula", "cases", "cohorts", "notebooks", "book", "_config.yml", "_toc.yml")


def timed(*command: str, cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return seconds


def copy_content(root: Path, to: Path) -> None:
    for name in CONTENT:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, to / name, ignore=shutil.ignore_patterns("generated", ".ipynb_checkpoints"))
        else:
            shutil.copy(source, to / name)


def change_one_case(root: Path) -> str:
    """Add a comment to the first code cell of the first case that has one; return the case's name."""
    for case in sorted((root / "cases").glob("*.md")):
        text = case.read_text(encoding="utf-8")
        changed = re.sub(r"(```\{code-cell\}[^\n]*\n)", r"\1# benchmark: changed\n", text, count=1)
        if changed != text:
            case.write_text(changed, encoding="utf-8")
            return case.name
    sys.exit("no case has a code cell to change")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=REPO, help="the repository to copy (default: this one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy and print its path")
    args = parser.parse_args()
    kebao = str(Path(sys.executable).with_name("kebao"))
    folder = Path(tempfile.mkdtemp(prefix="kebao-book-bench-"))
    try:
        copy_content(args.root.resolve(), folder)
        cold = timed(kebao, "book", "--quiet", cwd=folder)
        no_change = timed(kebao, "book", "--quiet", cwd=folder)
        no_change_site = timed(kebao, "book", "--quiet", "--no-packs", cwd=folder)
        case = change_one_case(folder)
        one_case = timed(kebao, "book", "--quiet", "--no-packs", cwd=folder)
        jupyter_book = [str(Path(sys.executable).with_name("jupyter-book")), "build", "-W", "-n", "--keep-going",
                        "-q", "."]
        timed(*jupyter_book, cwd=folder)  # its configuration differs slightly (see kebao/book/site.py): re-reads
        jb_no_change = timed(*jupyter_book, cwd=folder)
    finally:
        if args.keep:
            print(f"kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"{'step':<60} {'seconds':>8} {'vs cold':>8}")
    for label, seconds in (("cold: kebao book (packs, pages, cases, site)", cold),
                           ("no change: kebao book", no_change),
                           ("no change: kebao book --no-packs", no_change_site),
                           (f"one case changed ({case}): --no-packs", one_case),
                           ("no change: jupyter-book build -W -n --keep-going", jb_no_change)):
        print(f"{label:<60} {seconds:>8.1f} {cold / seconds:>7.1f}x")
    verdict = "met" if cold / no_change >= 5 else "NOT met"
    print(f"target: no-change rebuild at least 5x faster than cold: {verdict} ({cold / no_change:.1f}x)")


if __name__ == "__main__":
    main()
