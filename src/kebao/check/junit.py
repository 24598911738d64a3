"""JUnit XML for CI systems: a ``<testsuite>`` per kind of check, a ``<testcase>`` per item.

The layout is the one GitHub, GitLab, Jenkins and the junit viewers read:
``<testsuites>`` with ``tests``/``failures``/``skipped``/``time`` totals; a
failed item carries ``<failure message="one line">details</failure>``, a
skipped one ``<skipped message="why"/>``; a suite's tool output (Sphinx's
warnings) goes to its ``<system-err>``. Characters XML 1.0 cannot hold
(terminal escapes, NUL…) are dropped, so the file always parses. Written to a
temporary file and renamed: a reader never sees half a report.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from ..atomic import atomic_output
from . import CheckResult

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", text)


def junit_tree(results: Sequence[CheckResult], name: str = "kebao check") -> ET.ElementTree[ET.Element]:
    suites = ET.Element("testsuites", name=name)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for check in results:
        suite = ET.SubElement(suites, "testsuite", name=check.kind)
        counts = {"tests": len(check.items), "failures": len(check.failures), "errors": 0,
                  "skipped": sum(item.status == "skipped" for item in check.items)}
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{check.seconds:.3f}")
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="title", value=clean(check.title))
        ET.SubElement(properties, "property", name="summary", value=clean(check.detail))
        for item in check.items:
            case = ET.SubElement(suite, "testcase", classname=f"kebao.check.{check.kind}", name=clean(item.name),
                                 time=f"{item.seconds:.3f}")
            if item.status == "failed":
                failure = ET.SubElement(case, "failure", message=clean(item.message), type=check.kind)
                failure.text = clean(item.text or item.message)
            elif item.status == "skipped":
                ET.SubElement(case, "skipped", message=clean(item.message))
        if check.log.strip():
            ET.SubElement(suite, "system-err").text = clean(check.log)
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", f"{sum(check.seconds for check in results):.3f}")
    ET.indent(suites)
    return ET.ElementTree(suites)


def write_junit(results: Sequence[CheckResult], path: Path) -> Path:
    """Write the report to ``path`` atomically (temporary file in the same folder, then rename)."""
    path = Path(path)
    with atomic_output(path) as stream:
        junit_tree(results).write(stream, encoding="utf-8", xml_declaration=True)
    return path
