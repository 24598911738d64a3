"""Check every strand, audience, module, case and programme in a curriculum repository.

Prints every problem, one per line, as ``path:line:column: field: message``.
Exit code 0 when the content is valid, 2 when it is not.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("root", nargs="?", default=".", type=Path,
                        help="the curriculum repository (default: the current folder)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="'json' prints one object for tools and editors")


def run(args: argparse.Namespace) -> int:
    from kebao.catalog import load_catalog
    from kebao.errors import ContentError

    root: Path = args.root
    try:
        catalog = load_catalog(root)
    except ContentError as error:
        if args.format == "json":
            print(json.dumps({"valid": False, "problems": [p.as_dict(root) for p in error.problems]},
                             ensure_ascii=False, indent=2))
        else:
            for problem in error.problems:
                print(problem.render(root))
            print(f"{len(error.problems)} problem(s) found.", file=sys.stderr)
        return 2
    counts = {"strands": len(catalog.strands), "audiences": len(catalog.audiences),
              "modules": len(catalog.modules), "cases": len(catalog.cases),
              "programmes": len(catalog.programmes)}
    if args.format == "json":
        print(json.dumps({"valid": True, "problems": [], "counts": counts}, indent=2))
    else:
        print("valid: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 0
