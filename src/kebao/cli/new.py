"""Start a new module, case or programme from a commented template.

Writes curricula/modules/ID.md, cases/ID.md (a MyST notebook) or
curricula/programmes/ID.yml. Comments in the file explain every field and list
the strands, audiences and modules to choose from; the file is valid at once
(a new programme is also sized so that `kebao plan ID` works). It never
overwrites a file. Exit code 2 for a bad id, an unknown strand or audience, an
existing file, or a catalogue that does not validate.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=("module", "case", "programme"), help="what to start")
    parser.add_argument("id", help="its id, which becomes the file name: lowercase ASCII words joined by "
                                   "hyphens, e.g. nev-hv-safety")
    parser.add_argument("--strand", help="the strand (主题) id: a module's strand, a case's first strand, "
                                         "a programme's strand (default: the first strand; for a programme, "
                                         "the one with the most modules)")
    parser.add_argument("--title", help="the Chinese title (中文标题); the English one is left to write")
    parser.add_argument("--audience", help="the audience (培训对象) id, for a module or a programme")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the curriculum repository (default: the current folder)")


def run(args: argparse.Namespace) -> int:
    from kebao.scaffold import create

    new = create(args.root, args.kind, args.id, strand=args.strand, title=args.title, audience=args.audience)
    print(f"已创建 created: {new.path}")
    for note in new.notes:
        print(f"  {note}")
    print(f"下一步 next: {new.next_step}")
    return 0
