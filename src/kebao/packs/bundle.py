"""Bundle a built pack: manifest, deterministic zip, and an atomic publish that keeps failures.

A pack folder is built in a temporary sibling and renamed into place only when
the build succeeded, so a failed run leaves the previous good pack untouched;
what the failed run produced (its notebooks and an ``error.txt``) is kept under
``<packs root>/_failed/<programme>/<cohort>/`` for debugging.

Everything that can vary without the content changing (tool versions, git
commit) lives only in ``manifest.json``; every other file of a pack is a pure function of its
inputs. Files carry the date their content last changed (:func:`content_date`: the newest commit
of the pack's inputs, or the newest modification of an input not committed), not the time of the
build, so a rebuild is byte-identical; :func:`make_zip` stores the files under one top folder with
that date and fixed permissions.

Which files a pack has, and in which order they are written (the manifest and
the zip last), is the pack-file table's business (:mod:`kebao.packs.files`);
these functions take the names it gives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import traceback
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..atomic import replace_folder, sweep_leftovers
from ..errors import KebaoError, NotebookFailed, PackError, ResourceError
from ..guard import owner_alive
from ..paths import FAILED, PackAddress

MANIFEST = "manifest.json"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
_DRIVE = re.compile(r"^[A-Za-z]:")
TOOLS = ("kebao", "papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "pandas", "matplotlib",
         "openpyxl", "icalendar", "weasyprint", "pydantic")


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def check_entry_name(name: str) -> str:
    """``name`` if it is a safe relative POSIX path for a zip entry or a manifest; raise PackError otherwise."""
    problem = ("is empty" if not name else
               "contains a backslash" if "\\" in name else
               "is absolute" if name.startswith("/") else
               "starts with a drive letter" if _DRIVE.match(name) else
               "contains a NUL character" if "\0" in name else
               "contains an empty, '.' or '..' part" if any(part in ("", ".", "..") for part in name.split("/"))
               else None)
    if problem:
        raise PackError(f"refusing the file name {name!r} in a pack: it {problem}")
    return name


def pack_path(folder: Path, name: str) -> Path:
    """``folder/name`` for a file of a pack; PackError for an unsafe name or a symbolic link."""
    path = Path(folder) / check_entry_name(name)
    if path.is_symlink():
        raise PackError(f"refusing the symbolic link {path} in a pack; copy the file instead")
    return path


# -- manifest -----------------------------------------------------------------


def tool_versions(tools: Iterable[str] = TOOLS) -> dict[str, str]:
    """Python's version and the installed version of each tool that shapes a pack (absent ones skipped)."""
    from importlib import metadata

    versions = {"python": platform.python_version()}
    for tool in tools:
        try:
            versions[tool] = metadata.version(tool)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git_commit(repository: Path) -> str | None:
    """The commit checked out in ``repository`` (with ``+dirty`` for local changes), or None without git."""
    try:
        head = subprocess.run(["git", "-C", str(repository), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return None
        status = subprocess.run(["git", "-C", str(repository), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+dirty" if status.stdout.strip() else "")


def content_date(repository: Path, inputs: Iterable[Path]) -> dt.datetime:
    """When the pack's content last changed, in UTC: what its files are dated, instead of the build's clock.

    The newest commit that touched one of ``inputs`` in the git checkout ``repository``; an input that is
    not committed as it is (changed, or not in git) counts with its modification time; without git, every
    input counts with its modification time. So packs built from the same commit carry the same date on
    any machine, and a draft carries the time of its latest edit. ``SOURCE_DATE_EPOCH`` (the reproducible-
    builds convention) overrides it.
    """
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), dt.UTC)
    files = sorted({Path(path).resolve() for path in inputs})
    committed: list[float] = []
    drafts = files
    try:
        top = subprocess.run(["git", "-C", str(repository), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, timeout=10)
        if top.returncode == 0 and files:
            root = Path(top.stdout.strip()).resolve()
            inside = [path for path in files if path.is_relative_to(root)]
            names = [path.relative_to(root).as_posix() for path in inside]
            status = subprocess.run(["git", "-C", str(root), "status", "--porcelain=v1", "-z",
                                     "--untracked-files=all", "--", *names], capture_output=True, text=True,
                                    timeout=30)
            dirty = {root / entry[3:] for entry in status.stdout.split("\0") if len(entry) > 3}
            clean = [name for path, name in zip(inside, names, strict=True) if path not in dirty]
            if clean and status.returncode == 0:
                log = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct", "--", *clean],
                                     capture_output=True, text=True, timeout=30)
                if log.returncode == 0 and log.stdout.strip().isdigit():
                    committed.append(float(log.stdout.strip()))
                    drafts = [path for path in files if path not in inside or path in dirty]
    except (OSError, subprocess.SubprocessError):
        drafts = files
    stamps = committed + [path.stat().st_mtime for path in drafts if path.exists()]
    newest = max(stamps, default=0.0)
    return dt.datetime.fromtimestamp(max(int(newest), 315532800), dt.UTC)  # not before 1980 (zip dates)


def write_manifest(folder: Path, parameters: Mapping[str, Any], inputs: Mapping[str, Path],
                   outputs: Mapping[str, str], versions: Mapping[str, str] | None = None, *,
                   cache_key: str | None = None, repository: Path | None = None,
                   date: dt.datetime | None = None) -> Path:
    """Write ``folder/manifest.json`` describing the pack and return its path.

    It records the parameters, the sha256 and size of every input (keyed by
    the names given) and of every output (``outputs``: file name -> who it is
    for, from the pack-file table), tool versions (:func:`tool_versions` when
    None), the git commit of ``repository`` (the current directory when None;
    null without git), the cache key and the content's ``date`` (:func:`content_date`).
    No build time: the same inputs, code and tools give the same manifest, so the
    whole pack, zip included, is byte-identical on a rebuild.
    """
    folder = Path(folder)
    manifest = folder / MANIFEST
    recorded_outputs = {}
    for name in sorted(outputs):
        path = pack_path(folder, name)
        recorded_outputs[name] = {"sha256": sha256_file(path), "bytes": path.stat().st_size, "for": outputs[name]}
    try:
        recorded_inputs = {name: {"sha256": sha256_file(path), "bytes": path.stat().st_size}
                           for name, path in sorted(inputs.items())}
    except OSError as error:
        raise PackError(f"cannot read the pack input {error.filename}: {error.strerror}") from error
    document = {
        "manifest_version": 2,
        "cache_key": cache_key,
        "parameters": dict(parameters),
        "inputs": recorded_inputs,
        "outputs": recorded_outputs,
        "versions": dict(versions) if versions is not None else tool_versions(),
        "git_commit": git_commit(repository if repository is not None else Path.cwd()),
        "content_date": date.isoformat() if date is not None else None,
    }
    manifest.write_text(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest, or None when it is missing or unreadable."""
    try:
        document = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


# -- zip ------------------------------------------------------------------------


def make_zip(folder: Path, zip_path: Path, names: Iterable[str], *, top: str = "",
             date: tuple[int, int, int, int, int, int] = ZIP_DATE) -> Path:
    """Zip the files ``names`` of ``folder`` deterministically: same files, same bytes.

    Entries are sorted, under the folder ``top`` (so that two packs unzipped in one place stay apart),
    dated ``date`` (the content's, local time as zip stores it), mode 0644, deflated, with UTF-8 (NFC) names
    (the zip's UTF-8 flag is set for every non-ASCII name); unsafe names and symbolic links are refused.
    """
    folder, zip_path = Path(folder), Path(zip_path)
    prefix = f"{check_entry_name(top)}/" if top else ""
    files = sorted((unicodedata.normalize("NFC", prefix + name), pack_path(folder, name)) for name in names)
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w") as archive:
        for name, path in files:
            info = zipfile.ZipInfo(name, date_time=date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever system builds it
            info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
            with open(path, "rb") as source, archive.open(info, "w") as target:
                shutil.copyfileobj(source, target, 1 << 20)
    return zip_path


# -- atomic publish -------------------------------------------------------------


def publish_atomically(build: Callable[[Path], None], target: Path, *,
                       on_failure: Callable[[Path, BaseException], None] | None = None) -> Path:
    """Run ``build(folder)`` in a temporary sibling of ``target``; on success make it ``target`` atomically.

    Readers of ``target`` see the whole old folder or the whole new one (:func:`kebao.atomic.replace_folder`).
    If ``build`` raises, ``target`` is left as it was, ``on_failure(folder, error)`` may rescue what the
    build left (see :func:`keep_failed`), the temporary folder and any folder this call created for it are
    removed, and the error propagates: an OSError of the machine (disk full, read-only, permission) as one
    :class:`~kebao.errors.ResourceError`. A batch worker whose run has ended publishes nothing
    (:func:`kebao.guard.owner_alive`). What interrupted publishes left beside ``target`` is swept first
    (callers hold the output folder's lock).
    """
    target = Path(target)
    created = _missing_parents(target.parent)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep_leftovers(target)
        building = target.with_name(f".{target.name}.building-{uuid.uuid4().hex[:8]}")
        building.mkdir()  # not mkdtemp: its 0700 mode would become the published folder's
    except OSError as error:
        _remove_empty(created)
        raise ResourceError.from_os_error(error, f"publishing {target}") from None
    try:
        build(building)
        if not owner_alive():
            raise PackError(f"not publishing {target}: the run that asked for it has ended")
        replace_folder(building, target)
    except BaseException as error:
        try:
            if on_failure is not None and building.exists():
                on_failure(building, error)
        finally:
            shutil.rmtree(building, ignore_errors=True)
            _remove_empty(created)
        if isinstance(error, OSError):
            raise ResourceError.from_os_error(error, f"building {target}") from error
        raise
    return target


def sweep_packs(packs_root: Path) -> list[Path]:
    """Delete what interrupted runs left in a packs folder (hidden ``.building-*``/``.old-*`` siblings of packs
    and of failure records); only while holding the folder's lock. Returns what was deleted."""
    root = Path(packs_root)
    swept = []
    for pattern in ("*/.*.building-*", "*/.*.old-*", f"{FAILED}/*/.*.building-*", f"{FAILED}/*/.*.old-*"):
        for leftover in root.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)
            swept.append(leftover)
    return swept


def _missing_parents(folder: Path) -> list[Path]:
    """``folder`` and its ancestors that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_empty(folders: Iterable[Path]) -> None:
    """Remove the folders (deepest first) that are empty: a failed publish leaves no empty folder behind."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def error_report(error: BaseException | str) -> str:
    """The text of ``error.txt``: what failed, where, with which parameters, and the traceback."""
    if isinstance(error, str):
        return error.rstrip() + "\n"
    lines = [f"{type(error).__name__}: {error}", ""]
    lines.append(error.report() if isinstance(error, NotebookFailed)
                 else "".join(traceback.format_exception(error)))
    return "\n".join(lines).rstrip() + "\n"


def keep_failed(packs_root: Path, address: PackAddress, error: BaseException | str,
                notebooks: Iterable[Path] = ()) -> Path:
    """Keep ``notebooks`` (and a failed notebook's executed copy) with an ``error.txt``; return the folder.

    The folder (``address.failed(packs_root)``) replaces the previous failure of the same pack.
    """
    target = address.failed(packs_root)
    keep = [Path(p) for p in notebooks]
    if isinstance(error, NotebookFailed) and error.output is not None:
        keep.append(error.output)

    def build(folder: Path) -> None:
        (folder / "error.txt").write_text(error_report(error), encoding="utf-8")
        taken = {"error.txt"}
        for path in keep:
            if not path.is_file() or path.name in taken:
                continue
            taken.add(path.name)
            shutil.copy2(path, folder / path.name)

    return publish_atomically(build, target)


def publish_pack(build: Callable[[Path], None], packs_root: Path, address: PackAddress) -> Path:
    """Build the pack at ``address`` atomically; on failure keep its notebooks under ``_failed``.

    A successful build removes the stale failure record of the same pack. Keeping the failure never hides
    the failure itself: when the record cannot be written (the disk that just filled up), the build's own
    error is raised, saying so.
    """
    target = address.folder(packs_root)
    unrecorded: list[str] = []

    def rescue(folder: Path, error: BaseException) -> None:
        if isinstance(error, Exception) and not isinstance(error, OSError) and owner_alive():  # not on Ctrl-C
            try:
                keep_failed(packs_root, address, error, sorted(folder.rglob("*.ipynb")))
            except KebaoError as failed:
                unrecorded.append(failed.message)

    try:
        publish_atomically(build, target, on_failure=rescue)
    except KebaoError as error:
        if unrecorded:
            error.details = (*error.details, f"(its failure record was not kept either: {unrecorded[0]})")
        raise
    shutil.rmtree(address.failed(packs_root), ignore_errors=True)
    _remove_empty(_failed_parents(packs_root, address))
    return target


def _failed_parents(packs_root: Path, address: PackAddress) -> list[Path]:
    failed = address.failed(packs_root)
    return [failed.parent, failed.parent.parent]  # _failed/<programme>, _failed
