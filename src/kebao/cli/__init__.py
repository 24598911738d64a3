"""The ``kebao`` command: thin subcommands, one module each, no logic, lazy imports.

Exit codes: 0 success, 1 internal error or failed build, 2 invalid input (content or usage), 3 the machine
refused (disk full, read-only or missing folder, permission denied, missing tool, output folder busy with
--no-wait; docs/troubleshooting.md), 130 interrupted (Ctrl-C).

Run as the program (``kebao …``, ``python -m kebao …``), the commands that start processes (``pack``,
``book``, ``check``) first start the run's reaper (:mod:`kebao.reaper`): nothing they start outlives them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# name -> (module under kebao.cli, one-line help); each module has add_arguments(parser) and run(args).
OWN_PROCESSES = ("pack", "book", "check")  # commands whose processes end with them (kebao.reaper)
COMMANDS = {
    "validate": ("validate", "check every strand, audience, module, case and programme"),
    "new": ("new", "start a new module, case or programme from a commented template"),
    "plan": ("plan", "compose and schedule a programme for a cohort: plan, hours per strand, timetable"),
    "pack": ("pack", "generate a cohort's course pack (or --all packs) with papermill"),
    "book": ("book", "build the site (programmes, modules, cases, guides, pack downloads) into _build/html"),
    "check": ("check", "run every check for CI (content, notebooks, cases, packs, book, links, coverage)"),
    "records": ("records", "learner records: roster, sheets (pre-filled), import (filled workbooks), list, status, "
                           "certificates, export (credit bank), forget"),
}


def build_parser() -> argparse.ArgumentParser:
    from kebao import __version__

    parser = argparse.ArgumentParser(
        prog="kebao", description="kebao (课包): curricula, course packs and their book.")
    parser.add_argument("--version", action="version", version=f"kebao {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(f"kebao.cli.{module_name}")
        command = sub.add_parser(name, help=help_text, description=module.__doc__)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from kebao.errors import KebaoError

    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is None:
        parser.print_help()
        return 2
    if argv is None and args.command in OWN_PROCESSES:  # this process is the run (not a caller's function call)
        from kebao import reaper

        reaper.start()
    try:
        return int(args.run(args))
    except KebaoError as error:
        print(f"kebao: error: {error}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:  # the reader went away (`kebao plan … | head`): stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as error:  # the machine refused something no library code expected (disk full…)
        from kebao.errors import ResourceError

        resource = ResourceError.from_os_error(error)
        print(f"kebao: error: {resource}", file=sys.stderr)
        return resource.exit_code
    except KeyboardInterrupt:
        return 130
