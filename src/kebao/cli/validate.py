"""Check every strand, audience, module, case and programme in a curriculum repository.

Prints every problem, one per line, as ``path:line:column: field: message``.
Raw HTML in a module's or case's body that packs and the site would remove
(scripts, event handlers, javascript: links, tags outside the allow-list) is
printed as a warning with its line; it does not make the content invalid.
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
    from kebao.sanitize import content_warnings

    warnings = content_warnings(catalog)  # raw HTML that packs and the site remove: reported, not refused
    counts = {"strands": len(catalog.strands), "audiences": len(catalog.audiences),
              "modules": len(catalog.modules), "cases": len(catalog.cases),
              "programmes": len(catalog.programmes)}
    if args.format == "json":
        print(json.dumps({"valid": True, "problems": [], "warnings": [w.as_dict(root) for w in warnings],
                          "counts": counts}, ensure_ascii=False, indent=2))
    else:
        for warning in warnings:
            print(warning.render(root))
        print("valid: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 0
