"""The documents run: the commands in README.md, docs/*.md and book/**/*.md are executed, and the snippets
that quote the repository's files are held against those files (the model is sqlite-utils' tests/test_docs.py).

The convention, which a writer of those documents follows:

* **Commands.** In a fenced block marked ``sh``, ``bash``, ``shell`` or ``console``, every line that starts
  (after an optional ``$`` prompt) with ``kebao`` or ``.venv/bin/kebao`` is a command. A ``# comment`` after it
  is for the reader, except ``# exits N``: the command must exit with N (otherwise with 0). In a ``console``
  block the lines after a ``$`` command, up to the next ``$``, are its output: each must be a line of what the
  command prints (standard output or error), where ``…`` stands for any text.
* **Order.** A document's commands run in the order written, from the top folder of one fresh copy of the
  repository (``tests/book_site.copy_content``), so a later command sees what an earlier one made
  (``kebao new programme x`` then ``kebao plan x``).
* **Synopses.** A command with a placeholder in it (``[…]``, ``<…>``, ``a|b`` or ``…``) is not run; its
  subcommand and each ``--option`` must exist. The same holds for every inline code span that starts with
  ``kebao`` or ``.venv/bin/kebao``, and the target of every ``make X`` must be in the Makefile.
* **Files.** A ``yaml`` block whose first line is a comment naming a file (``# my-cohort.yml``), or a
  ``markdown`` block whose front matter starts with one, is that file:

  - if the repository has the file, the block quotes it: each key shown must have the file's value (both
    read by kebao's strict YAML reader, so values compare as written); ``…`` as a value, as a list's last
    item or at the end of a text stands for what was left out; a key the file leaves out must show the
    model's default. Of a Markdown file only the front matter is compared. The quote is checked rather
    than generated because it is written for the reader: chosen keys, flow style, a comment per field.
  - otherwise the block is a file the document's commands use: it is written into the copy first.

How the commands run (``kebao.cli.main`` in this process, output captured):

* ``validate``, ``new`` and ``plan`` run as they are. ``--format json`` output must parse as JSON.
* ``pack`` and ``book`` would run notebooks (about 20 s a pack, minutes for the site). In the pure lane the
  real command runs with the kernel's part replaced: ``build_pack`` and ``build_all`` decide each pack
  (``decide_pack``: the programme, the cohort file, the settings, the plan, the timetable and the notebook's
  parameters: everything a pack build checks before a kernel starts), and ``make_book`` decides every
  default pack (the packs it would build first) but runs no Sphinx. In the slow lane every single-programme
  ``kebao pack`` command is run for real in a subprocess, and ``kebao book`` (which builds every default
  pack, as ``kebao pack --all`` does) is the session's ``built_site``.
* ``check`` runs with ``--skip`` added for the checks that run kernels or build (notebooks, cases, packs,
  book, links), so content, outputs and coverage run for real. The full ``kebao check`` is run on a small
  repository by tests/test_check.py (minutes; not again here).

Also checked: the example problems README.md shows for ``kebao validate`` are what it prints for such files,
docs/check.md's summary rows for the cheap checks are what they report on this repository, README.md and the
trainers' guide name every pack file, and README.md names every subcommand.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from markdown_it import MarkdownIt
from pydantic import BaseModel

from kebao.cli import COMMANDS, main
from kebao.yamlio import read_yaml

from .book_site import BuiltSite, copy_content
from .paths import REPO

DOCS = sorted([REPO / "README.md", *(REPO / "docs").glob("*.md"),
               *(p for p in (REPO / "book").rglob("*.md") if "generated" not in p.relative_to(REPO).parts)])
SHELL = ("sh", "bash", "shell", "console")
KEBAO = re.compile(r"^(?:\.venv/bin/)?kebao\s")
PLACEHOLDER = re.compile(r"\[[^\]]*\]|<[^>]*>|…|\S\|\S")
EXITS = re.compile(r"#\s*exits\s+(\d+)\s*$")
NAMED_FILE = re.compile(r"^#\s+([\w./-]+\.(?:ya?ml|md))\b")
ELIDED = "…"
CHEAP_CHECKS = ("content", "outputs", "coverage")  # `kebao check` runs these in the pure lane


# -- reading the documents --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    doc: str  # relative to the repository
    line: int  # 1-based
    text: str  # as written, without the prompt
    argv: tuple[str, ...]  # after `kebao`
    exit_code: int = 0
    output: tuple[str, ...] = ()  # shown in a console block
    synopsis: bool = False

    def __str__(self) -> str:
        return f"{self.doc}:{self.line}: `{self.text}`"


@dataclass(frozen=True)
class Snippet:
    doc: str
    line: int
    name: str  # the file it is, relative to the repository's top folder
    kind: str  # yaml or markdown
    text: str


@dataclass
class Document:
    path: Path
    commands: list[Command] = field(default_factory=list)
    snippets: list[Snippet] = field(default_factory=list)
    inline: list[tuple[int, str]] = field(default_factory=list)  # (line, code span) of every inline span
    makes: list[tuple[int, str]] = field(default_factory=list)  # (line, `make …` as written)
    examples: list[str] = field(default_factory=list)  # fenced blocks with no language: example output

    @property
    def name(self) -> str:
        return self.path.relative_to(REPO).as_posix() if self.path.is_relative_to(REPO) else self.path.name


def command(doc: str, line: int, text: str) -> Command:
    """One command line as written (prompt already removed)."""
    found = re.search(r"\s#", text)
    code, comment = (text[:found.start()], text[found.start():]) if found else (text, "")
    exits = EXITS.search(comment)
    words = shlex.split(code)
    return Command(doc, line, code.strip(), tuple(words[1:]), int(exits.group(1)) if exits else 0,
                   synopsis=bool(PLACEHOLDER.search(code)))


def read_document(path: Path) -> Document:
    document = Document(path)
    tokens = MarkdownIt("commonmark").enable("table").parse(path.read_text(encoding="utf-8"))
    for token in tokens:
        first = token.map[0] + 1 if token.map else 0  # the line of the fence or block
        if token.type == "fence":
            _read_fence(document, token.info.split()[0] if token.info.strip() else "", first + 1, token.content)
        for child in token.children or ():
            if child.type == "code_inline":
                document.inline.append((first, child.content))
                if child.content.startswith("make "):
                    document.makes.append((first, child.content))
    return document


def _read_fence(document: Document, info: str, first: int, content: str) -> None:
    lines = content.splitlines()
    if not info:
        document.examples.append(content)
    if info in SHELL:
        current: Command | None = None
        for offset, raw in enumerate(lines):
            prompted = raw.startswith("$ ")
            text = raw[2:] if prompted else raw
            if info == "console" and not prompted:
                if current is not None and raw.strip():
                    current = replace(current, output=(*current.output, raw.rstrip()))
                    document.commands[-1] = current
                continue
            if KEBAO.match(text):
                current = command(document.name, first + offset, text)
                document.commands.append(current)
            elif text.startswith("make "):
                document.makes.append((first + offset, text.split("#")[0].strip()))
    named = lines[1] if info == "markdown" and lines and lines[0] == "---" and len(lines) > 1 else \
        lines[0] if info == "yaml" and lines else ""
    if (match := NAMED_FILE.match(named)) is not None:
        document.snippets.append(Snippet(document.name, first, match.group(1), info, content))


DOCUMENTS = [read_document(path) for path in DOCS]
RUNNABLE = [d for d in DOCUMENTS if any(not c.synopsis for c in d.commands)]


# -- running a document's commands ------------------------------------------------------------------------------


def _decide_one(request: Any, **_: Any) -> Any:
    from kebao.packs.build import decide_pack

    return decide_pack(request).outcome("fresh", 0.0)


def _decide_every(root: Path, programmes: Any = None, *, settings: Any = (), cohort: Any = None,
                  notebook: Path | None = None, **kwargs: Any) -> list[Any]:
    from kebao import paths
    from kebao.packs.build import PackFailure, decide_all

    found = decide_all(Path(root), programmes, settings=settings, cohort=cohort, out=kwargs.get("out", paths.PACKS),
                       notebook=notebook, every_cohort=kwargs.get("every_cohort", True))
    return [f if isinstance(f, PackFailure) else f.outcome("fresh", 0.0) for f in found]


def _book_deciding_packs(root: Path, *, packs: bool = True, **_: Any) -> Any:
    from kebao import paths

    if packs:
        _decide_every(root)
    return SimpleNamespace(site=SimpleNamespace(seconds=0.0, index=Path(root) / paths.HTML / "index.html"))


@contextlib.contextmanager
def without_kernels() -> Iterator[None]:
    """`kebao pack` and `kebao book` decide their packs and stop there (see the module docstring)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kebao.packs.build.build_pack", _decide_one)
        patch.setattr("kebao.packs.build.build_all", _decide_every)
        patch.setattr("kebao.book.run.make_book", _book_deciding_packs)
        yield


def pure_argv(argv: tuple[str, ...]) -> list[str]:
    """``kebao check`` without the checks that run kernels or build; any other command as it is."""
    if argv[:1] != ("check",):
        return list(argv)
    from kebao.check import KINDS

    return [*argv, *(f"--skip={kind}" for kind in KINDS if kind not in CHEAP_CHECKS)]


def run_in_process(argv: list[str], root: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exited:  # argparse: a bad option exits 2
            code = exited.code if isinstance(exited.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def shown_in(shown: str, printed: list[str]) -> bool:
    """A line shown in a document is a printed line; ``…`` in it stands for any text."""
    pattern = ".*".join(re.escape(part) for part in shown.strip().split(ELIDED))
    return any(re.fullmatch(pattern, line.strip()) for line in printed)


def write_files(document: Document, root: Path) -> None:
    """The files a document shows for its commands (snippets naming a file the repository does not have)."""
    for snippet in document.snippets:
        if not (REPO / snippet.name).exists():
            (root / snippet.name).parent.mkdir(parents=True, exist_ok=True)
            (root / snippet.name).write_text(snippet.text, encoding="utf-8")


def check_document(document: Document, root: Path) -> list[str]:
    """Run the document's commands in order in ``root``; every way one differs from the document, as text."""
    write_files(document, root)
    problems = []
    with without_kernels():
        for cmd in document.commands:
            if cmd.synopsis:
                continue
            code, out, err = run_in_process(pure_argv(cmd.argv), root)
            said = f"\n    printed: {(out + err).strip()[-1500:]!r}"
            if code != cmd.exit_code:
                problems.append(f"{cmd} exited {code}, the document says {cmd.exit_code}{said}")
                continue
            printed = (out + err).splitlines()
            problems += [f"{cmd} did not print {line!r}{said}" for line in cmd.output if not shown_in(line, printed)]
            if code == 0 and "--format" in cmd.argv and "json" in cmd.argv:
                try:
                    json.loads(out)
                except ValueError as error:
                    problems.append(f"{cmd} printed no JSON ({error}){said}")
    return problems


@pytest.mark.parametrize("document", RUNNABLE, ids=lambda d: d.name)
def test_commands_run_as_the_document_says(document: Document, tmp_path: Path) -> None:
    problems = check_document(document, copy_content(tmp_path / "repo"))
    assert not problems, "\n".join(problems)


def test_the_documents_have_commands_to_run() -> None:
    """The extraction finds what it should (a changed fence style would otherwise test nothing)."""
    runnable = {d.name: [c.argv[0] for c in d.commands if not c.synopsis] for d in RUNNABLE}
    assert {"validate", "plan", "pack", "book"} <= set(runnable["README.md"])
    assert "new" in runnable["docs/authoring.md"] and "check" in runnable["docs/check.md"]
    assert {"book/guide/designers.md", "book/guide/trainers.md"} <= set(runnable)
    assert any(c.output and c.exit_code == 2 for d in RUNNABLE for c in d.commands)
    assert any(c.synopsis for d in DOCUMENTS for c in d.commands)


def test_a_false_line_is_reported(tmp_path: Path) -> None:
    """Every kind of assertion above fails on a document that is wrong."""
    doc = tmp_path / "wrong.md"
    doc.write_text("\n".join([
        "```sh",
        ".venv/bin/kebao plan xpcc-cadres --set mix.skills=40 --set mix.industry=30",
        "kebao validate            # exits 2",
        "```",
        "",
        "```console",
        "$ kebao new module party-spirit-grassroots    # exits 2",
        "kebao: error: … is not what kebao prints",
        "$ kebao validate --format json",
        "valid: …",
        "```",
        "",
        "```yaml",
        "# my-cohort.yml",
        "id: 2026-12-x",
        "start: 2026-13-01",
        "size: 40",
        "venue: 某地",
        "```",
        "```sh",
        "kebao pack xpcc-cadres --cohort my-cohort.yml",
        "```"]), encoding="utf-8")
    problems = check_document(read_document(doc), copy_content(tmp_path / "repo"))
    assert [p.split(": `")[0] for p in problems] == ["wrong.md:2", "wrong.md:3", "wrong.md:7", "wrong.md:9",
                                                     "wrong.md:21"], "\n".join(problems)
    assert "the strand weights add up to" in problems[0] and "exited 0, the document says 2" in problems[1]
    assert "did not print 'kebao: error: … is not what kebao prints'" in problems[2]
    assert "did not print 'valid: …'" in problems[3] and "exited 2" in problems[4]


# -- synopses, inline commands, make targets ----------------------------------------------------------------------


def subcommand_options(name: str) -> set[str]:
    import argparse
    import importlib

    parser = argparse.ArgumentParser()
    importlib.import_module(f"kebao.cli.{COMMANDS[name][0]}").add_arguments(parser)
    parsers, options = [parser], set()
    while parsers:  # with the options of its actions' own subcommands (kebao records roster … --update)
        current = parsers.pop()
        for action in current._actions:
            options |= set(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                parsers += list(action.choices.values())
    return options


def option_problems(where: str, text: str) -> list[str]:
    words = KEBAO.sub("", text, count=1).split()
    if not words or words[0].startswith(("-", "[")):
        return []
    problems = []
    names = words[0].split("|")
    for name in names:
        if name not in COMMANDS:
            problems.append(f"{where}: `{text}`: kebao has no command {name!r}")
    known = set().union(*(subcommand_options(n) for n in names if n in COMMANDS)) if names else set()
    for word in words[1:]:
        option = re.match(r"\[?(--?[a-z][a-z-]*)", word)
        if option and names[0] in COMMANDS and option.group(1) not in known:
            problems.append(f"{where}: `{text}`: kebao {words[0]} has no option {option.group(1)}")
    return problems


def test_synopses_and_inline_commands_name_real_commands_and_options() -> None:
    problems = []
    for document in DOCUMENTS:
        for cmd in document.commands:
            problems += option_problems(f"{cmd.doc}:{cmd.line}", cmd.text)
        for line, span in document.inline:
            if KEBAO.match(span):
                problems += option_problems(f"{document.name}:{line}", span)
    assert not problems, "\n".join(problems)
    assert option_problems("x.md:1", "kebao plan x --sett a=b") == [
        "x.md:1: `kebao plan x --sett a=b`: kebao plan has no option --sett"]


def test_make_targets_exist() -> None:
    targets = set(re.findall(r"^([a-z][a-z-]*):", (REPO / "Makefile").read_text(encoding="utf-8"), re.M))
    mentioned = [(f"{d.name}:{line}", text.split()[1]) for d in DOCUMENTS for line, text in d.makes
                 if len(text.split()) > 1]
    assert {"demo", "test", "test-fast", "lab"} <= {target for _, target in mentioned}
    missing = [f"{where}: make {target}" for where, target in mentioned if target not in targets]
    assert not missing, "no such Makefile target:\n" + "\n".join(missing)


def test_readme_names_every_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert [name for name in COMMANDS if f"kebao {name}" not in readme] == []


# -- snippets that quote the repository's files -------------------------------------------------------------------


def differences(shown: Any, actual: Any, where: str) -> list[str]:
    """How ``shown`` (a quote, ``…`` marking what was left out) differs from ``actual``."""
    if shown == ELIDED:
        return []
    if isinstance(shown, dict):
        if not isinstance(actual, dict):
            return [f"{where}: the file has {actual!r}"]
        return [problem for key, value in shown.items()
                for problem in (differences(value, actual[key], f"{where}.{key}") if key in actual
                                else [f"{where}.{key}: not in the file"])]
    if isinstance(shown, list):
        if not isinstance(actual, list):
            return [f"{where}: the file has {actual!r}"]
        cut = bool(shown) and shown[-1] == ELIDED
        items = shown[:-1] if cut else shown
        if len(actual) < len(items) or (not cut and len(actual) != len(items)):
            return [f"{where}: the file has {len(actual)} item(s): {actual!r}"]
        return [problem for n, (item, found) in enumerate(zip(items, actual, strict=False))
                for problem in differences(item, found, f"{where}[{n}]")]
    if isinstance(shown, str) and shown.endswith(ELIDED) and isinstance(actual, str):
        return [] if actual.startswith(shown[:-1]) else [f"{where}: the file has {actual!r}"]
    return [] if shown == actual else [f"{where}: shown as {shown!r}, the file has {actual!r}"]


def quote_problems(snippet: Snippet) -> list[str]:
    from kebao import model
    from kebao.yamlio import parse, read_front_matter, read_yaml

    file = REPO / snippet.name
    if snippet.kind == "markdown":
        front = snippet.text.split("---\n")[1]
        shown, actual = parse(front, file).data, read_front_matter(file).meta.data
    else:
        shown, actual = parse(snippet.text, file).data, read_yaml(file).data
    kinds: dict[str, type[BaseModel]] = {"programmes": model.Programme, "modules": model.Module}
    defaults = {name: info.default for name, info in kinds[file.parent.name].model_fields.items()
                if not info.is_required()} if file.parent.name in kinds else {}
    problems = []
    for key, value in shown.items():
        where = f"{snippet.doc}:{snippet.line}: {snippet.name}: {key}"
        if key in actual:
            problems += differences(value, actual[key], where)
        elif key not in defaults or value not in (defaults[key], str(defaults[key])):
            problems.append(f"{where}: not in the file (and not the default)")
    return problems


QUOTES = [s for d in DOCUMENTS for s in d.snippets if (REPO / s.name).is_file()]


@pytest.mark.parametrize("snippet", QUOTES, ids=lambda s: f"{s.doc}:{s.line}")
def test_quoted_files_are_the_repository_files(snippet: Snippet) -> None:
    problems = quote_problems(snippet)
    assert not problems, "\n".join(problems)


def test_the_readme_quotes_its_programme_and_module() -> None:
    quoted = {s.name for s in QUOTES if s.doc == "README.md"}
    assert quoted == {"curricula/programmes/xpcc-cadres.yml", "curricula/modules/party-spirit-grassroots.md"}
    wrong = replace(next(s for s in QUOTES if s.name.endswith("xpcc-cadres.yml")),
                    text="# curricula/programmes/xpcc-cadres.yml\nmix: {party-building: 30, industry: 35}\n"
                         "minutes_per_hour: 50\npools: [{strands: [industry, skills]}, …]\n")
    mix = read_yaml(REPO / "curricula" / "programmes" / "xpcc-cadres.yml").data["mix"]
    assert [p.split(": ", 2)[2] for p in quote_problems(wrong)] == [
        f"mix.party-building: shown as '30', the file has '{mix['party-building']}'",
        f"mix.industry: shown as '35', the file has '{mix['industry']}'",
        "minutes_per_hour: not in the file (and not the default)",
        "pools[0].strands: the file has 1 item(s): ['industry']"]


# -- example outputs ----------------------------------------------------------------------------------------------

HV_SAFETY = """\
---
title: {zh: 高压安全, en: High-voltage safety}
strand: skils
format: lecture
hours: 2
audiences: [enterprise-technicians]
outcomes: [能够说出高压作业的安全要求]
assessment: 课堂提问
---
# 高压安全
"""
NEV_CLASS = """\
title: {zh: 新能源汽车班, en: NEV class}
partner: {zh: 某汽车企业, en: A car maker}
audience: enterprise-technicians
mix: {skills: 100}
days: 5
total_hours: 30
cohort: {id: 2026-12, start: 2026-12-07, size: 20, venue: 实训车间}
days: 4
"""


def test_the_readme_validate_example_is_what_kebao_prints(tmp_path: Path) -> None:
    """README.md shows two problems with their file, line and field; make those files and compare."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = [line for block in next(d for d in DOCUMENTS if d.name == "README.md").examples
             for line in block.splitlines() if line.startswith("curricula/")]
    assert len(shown) == 2, shown
    root = copy_content(tmp_path / "repo")
    (root / "curricula/modules/hv-safety.md").write_text(HV_SAFETY, encoding="utf-8")
    (root / "curricula/programmes/nev-class.yml").write_text(NEV_CLASS, encoding="utf-8")
    code, out, _ = run_in_process(["validate"], root)
    assert code == 2 and "exits 0 when everything is valid and 2 when something needs fixing" in readme
    for line in shown:
        assert line in out.splitlines(), f"README.md shows {line!r}; kebao validate printed:\n{out}"


def test_check_md_summary_rows_are_this_repository(tmp_path: Path) -> None:
    """docs/check.md's summary table: the rows of the checks that need no kernel are what they report here."""
    from kebao.check import KINDS
    from kebao.check.runner import Options, run_checks

    text = (REPO / "docs" / "check.md").read_text(encoding="utf-8")
    rows = {cells[0]: cells for line in text.splitlines() if line.startswith("│")
            for cells in [[cell.strip() for cell in line.strip("│").split("│")]]}
    assert list(rows) == list(KINDS), "docs/check.md's summary table lists every check in order"
    results = run_checks(Options(copy_content(tmp_path / "repo"),
                                 skip=frozenset(k for k in KINDS if k not in CHEAP_CHECKS)))
    for result in results:
        if result.kind in CHEAP_CHECKS:
            assert rows[result.kind][1] == result.status and rows[result.kind][3] == result.detail, (
                f"docs/check.md shows {rows[result.kind]}, kebao check reports {result.status}: {result.detail}")


def test_the_pack_files_are_all_named() -> None:
    """README.md and the trainers' guide name every file of a pack (kebao.packs.files.PACK_FILES)."""
    from kebao.packs.files import PACK_FILES

    for name, with_zip in (("README.md", True), ("book/guide/trainers.md", False)):
        spans = next(d for d in DOCUMENTS if d.name == name).inline
        named = set()
        for _, span in spans:  # `handbook.html/.pdf` names handbook.html and handbook.pdf
            stem, dot, extensions = span.partition(".")
            named |= {span} | ({f"{stem}.{ext.lstrip('.')}" for ext in extensions.split("/")} if dot else set())
        for row in PACK_FILES:
            file = row.name.format(programme="<programme>", cohort="<cohort>")
            if file.endswith(".zip") and not with_zip:
                continue  # the guide's table lists what is inside the zip
            folder = file.split("/")[0] + "/" if "/" in file else None
            assert file in named or folder in named, f"{name} does not name the pack file {file}"


# -- the slow lane: packs and the site for real -------------------------------------------------------------------

PACKS = list({c.argv: (d, c) for d in RUNNABLE for c in d.commands
              if not c.synopsis and c.argv[:1] == ("pack",) and "--all" not in c.argv}.values())


@pytest.mark.slow
@pytest.mark.kernel
@pytest.mark.parametrize(("document", "cmd"), PACKS, ids=[f"{c.doc}:{c.line}" for _, c in PACKS])
def test_pack_commands_build_their_pack(document: Document, cmd: Command, tmp_path: Path) -> None:
    root = copy_content(tmp_path / "repo")
    write_files(document, root)
    done = subprocess.run([sys.executable, "-m", "kebao", *cmd.argv], cwd=root, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == cmd.exit_code, f"{cmd}:\n{done.stdout}{done.stderr[-5000:]}"
    assert re.search(r"^(built|up to date): cohort \S+ of \S+ in build/packs/", done.stdout, re.M), done.stdout
    built = re.search(r"^pack: (\S+\.zip)", done.stdout, re.M)
    assert built and (root / built.group(1)).is_file(), f"{cmd}:\n{done.stdout}"
    assert built.group(1).startswith(f"build/packs/{cmd.argv[1]}/")


@pytest.mark.slow
@pytest.mark.kernel
def test_book_and_pack_all_do_what_the_readme_says(built_site: BuiltSite) -> None:
    """``kebao book`` (``--quiet``, in a copy) built every default pack, as ``kebao pack --all`` does, where
    README.md says, and printed the site's index."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "`build/packs/<programme>/<cohort>/`" in readme and "`<programme>-<cohort>.zip`" in readme
    assert "`_build/html/index.html`" in readme
    assert built_site.printed.strip().endswith("_build/html/index.html")
    for programme in built_site.programmes:
        assert (built_site.root / programme.zip).is_file(), programme
