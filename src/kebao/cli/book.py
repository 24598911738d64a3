"""Build the kebao site: programme, module and case pages, guides, and links to the course packs.

Builds every programme's default course pack first (unchanged packs are
skipped; --no-packs uses the packs already built), writes the generated pages
(only those that changed), then builds the site with jupyter-book 1 (Sphinx)
into the HTML folder (kebao.paths has the folders). Case studies are
executed, and cached by jupyter-cache. Every warning is an error; all of them
are listed. Prints the path of _build/html/index.html at the end.
When nothing changed since the last successful build (sources, generated
pages, packs, the site, kebao, fonts and tools), it says so in well under a
second, before loading Sphinx or starting a kernel; --force builds anyway.

The public site (the default) leaves out trainer notes, the teaching notes of
cases and the trainer's downloads (trainer guide, whole pack); put it on any
web host. --edition trainer builds the site with all of it into
_build/trainer/html, for an intranet or a password-protected host
(docs/site.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from kebao import paths

    parser.add_argument("--root", type=Path, default=Path("."), help="the curriculum repository (default: .)")
    parser.add_argument("--no-packs", action="store_true",
                        help=f"do not build packs; link those already in {paths.PACKS}/ (run `kebao pack --all`)")
    parser.add_argument("--edition", choices=paths.SITE_EDITIONS, default="public",
                        help="public: no trainer notes, teaching notes or trainer downloads (default); "
                             f"trainer: everything, into {paths.site_folders('trainer').html}/")
    parser.add_argument("--jobs", type=int, default=paths.SITE_JOBS,
                        help="Sphinx processes, and pack workers (default: 2, or 1 on a machine with one CPU)")
    parser.add_argument("--quiet", action="store_true", help="print only warnings and the result")
    parser.add_argument("--force", action="store_true",
                        help="build even when nothing changed since the last successful build")


def run(args: argparse.Namespace) -> int:
    from kebao import paths
    from kebao.book.nochange import BookStamp
    from kebao.errors import UsageError

    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: must be at least 1")

    def report(line: str) -> None:
        print(f"kebao: {line}", file=sys.stderr)

    stamp = BookStamp(args.root, packs=not args.no_packs, edition=args.edition)
    if not args.force and stamp.unchanged() is not None:
        report(f"nothing changed since the last {args.edition} build (sources, packs, pages, site, kebao, fonts, "
               "tools)")
        print((args.root / paths.site_folders(args.edition).html / "index.html").resolve())
        return 0
    stamp.forget()
    from kebao.book.run import make_book

    result = make_book(args.root, packs=not args.no_packs, jobs=args.jobs, report=report,
                       status=None if args.quiet else sys.stdout, warning=sys.stderr, edition=args.edition)
    stamp.record()
    print(f"kebao: {args.edition} site built in {result.site.seconds:.1f} s", file=sys.stderr)
    print(result.site.index.resolve())
    return 0
