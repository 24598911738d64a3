"""Skip packs whose inputs have not changed.

A pack's cache key hashes everything that decides its contents, as named
parts (:func:`key_of`; :mod:`.freshness` says which parts a pack has: files,
front matter, notebook, parameters, engine, fonts, tools). The key is
recorded in the pack's ``manifest.json``; the pack is fresh only while the
manifest records the same key and every output it lists still has its
recorded sha256, so an edited or deleted output triggers a rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import PackError
from .bundle import check_entry_name, read_manifest, sha256_file

_KEY_VERSION = b"kebao-pack-cache/1"


def _field(digest: Any, data: bytes) -> None:
    digest.update(b"%d:" % len(data))  # length-prefixed: no two field sequences hash alike
    digest.update(data)


def canonical_json(value: Any) -> str:
    """``value`` as JSON with sorted keys and no spaces: equal values, equal text."""
    try:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise PackError(f"pack parameters must be JSON values for the cache key: {error}") from error


def file_digest(path: Path) -> str:
    """The hex sha256 of a file's bytes; PackError when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as error:
        raise PackError(f"cannot read {error.filename} for the pack's cache key: {error.strerror}") from error


def key_of(parts: Mapping[str, str]) -> str:
    """The sha256 hex key of named parts (name -> digest); their order does not matter."""
    digest = hashlib.sha256()
    _field(digest, b"kebao-pack-cache/2")
    for name in sorted(parts):
        _field(digest, name.encode("utf-8"))
        _field(digest, parts[name].encode("utf-8"))
    return digest.hexdigest()


def cache_key(notebook: Path, parameters: Mapping[str, Any], inputs: Iterable[Path], kebao_version: str, *,
              root: Path | None = None) -> str:
    """The sha256 hex key of a pack built by ``notebook`` with ``parameters`` from ``inputs``.

    Input paths are hashed relative to ``root`` (default: the folder that
    holds all the inputs), so moving the repository keeps its keys; the
    order of ``inputs`` does not matter.
    """
    files = sorted({Path(path).resolve() for path in inputs})
    if root is None:
        root = Path(os.path.commonpath([str(path.parent) for path in files])) if files else Path.cwd()
    root = Path(root).resolve()
    digest = hashlib.sha256()
    _field(digest, _KEY_VERSION)
    _field(digest, kebao_version.encode("utf-8"))
    try:
        _field(digest, Path(notebook).read_bytes())
        _field(digest, canonical_json(dict(parameters)).encode("utf-8"))
        named = sorted((path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix(), path)
                       for path in files)
        for name, path in named:
            _field(digest, name.encode("utf-8"))
            _field(digest, path.read_bytes())
    except OSError as error:
        raise PackError(f"cannot read {error.filename} for the pack's cache key: {error.strerror}") from error
    return digest.hexdigest()


def is_fresh(folder: Path, key: str, *, require: Iterable[Path] = ()) -> bool:
    """True when ``folder/manifest.json`` records ``key`` and every output it lists is unchanged.

    ``require`` names further files that must exist, such as the pack's zip
    when it is written after the manifest.
    """
    folder = Path(folder)
    if not all(Path(path).is_file() for path in require):
        return False
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("cache_key") != key:
        return False
    outputs = manifest.get("outputs")
    if not isinstance(outputs, dict):
        return False
    for name, record in outputs.items():
        try:
            path = folder / check_entry_name(name)
            if not isinstance(record, dict) or path.is_symlink() or path.stat().st_size != record.get("bytes"):
                return False
            if sha256_file(path) != record.get("sha256"):
                return False
        except (OSError, PackError):
            return False
    return True
