"""kebao (课包): author curricula, generate course packs, publish them as a book.

The public API is listed in ``__all__``; names are imported lazily so that
``kebao --help`` starts fast and never imports pandas or pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_catalog": "kebao.catalog",
    "Catalog": "kebao.catalog",
    "KebaoError": "kebao.errors",
    "ContentError": "kebao.errors",
    "UsageError": "kebao.errors",
    "Problem": "kebao.errors",
    "Location": "kebao.errors",
    "Strand": "kebao.model",
    "Audience": "kebao.model",
    "Module": "kebao.model",
    "Case": "kebao.model",
    "Programme": "kebao.model",
    "Cohort": "kebao.model",
}

__all__ = [
    "Audience", "Case", "Catalog", "Cohort", "ContentError", "KebaoError", "Location", "Module",
    "Problem", "Programme", "Strand", "UsageError", "__version__", "load_catalog",
]

if TYPE_CHECKING:  # pragma: no cover
    from .catalog import Catalog, load_catalog
    from .errors import ContentError, KebaoError, Location, Problem, UsageError
    from .model import Audience, Case, Cohort, Module, Programme, Strand


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kebao' has no attribute '{name}'")
    return getattr(importlib.import_module(module), name)
