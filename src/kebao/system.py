"""What the machine must provide for a pack: checked before a build starts, said as one line with the package.

A handbook is printed to PDF by weasyprint, which lays out text with pango and
finds fonts through fontconfig. Without pango weasyprint cannot start (an
``OSError`` from deep inside an import, in every worker); without a font that
covers Chinese the PDFs print empty boxes and nothing fails. Both are asked
here, in the process that was asked for the packs, before the output folder is
touched or any worker or kernel starts: :func:`require_pack_tools` raises
:class:`~kebao.errors.ResourceError` (exit code 3) naming the Debian package
to install, and the previous packs stay as they were.

Fonts are asked of fontconfig itself (``FcFontList`` with ``:lang=zh-cn``,
through ctypes, a few milliseconds with its caches), so the answer is the one
weasyprint will get, ``FONTCONFIG_FILE`` and ``FONTCONFIG_PATH`` included.
"""

from __future__ import annotations

import ctypes
import functools

from .errors import ResourceError

CJK_LANGUAGE = b":lang=zh-cn"
CJK_PACKAGE = "fonts-noto-cjk"  # what .ci/system-packages installs
PANGO = (("libpango-1.0.so.0", "libpango-1.0-0"), ("libpangoft2-1.0.so.0", "libpangoft2-1.0-0"))
FONTCONFIG = "libfontconfig.so.1"


class _FontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.POINTER(ctypes.c_void_p))]


def require_pack_tools() -> None:
    """ResourceError when pango or a Chinese font is missing (see the module docstring)."""
    for library, package in PANGO:
        try:
            ctypes.CDLL(library)
        except OSError as error:
            raise ResourceError(f"the PDFs cannot be printed: the pango library {library} is missing "
                                f"or broken ({error})",
                                f"install it (Debian: apt-get install {package}; .ci/system-packages lists "
                                "what kebao needs); the previous packs are unchanged") from None
    if cjk_fonts() == 0:
        raise ResourceError("no Chinese (CJK) font is installed where fontconfig looks: the handbooks would "
                            "print empty boxes instead of hanzi",
                            f"install one (Debian: apt-get install {CJK_PACKAGE}; `fc-list :lang=zh` lists "
                            "what fontconfig finds); the previous packs are unchanged")


def cjk_fonts() -> int:
    """How many installed fonts cover Simplified Chinese, as fontconfig sees them (ResourceError without it)."""
    try:
        lib = _fontconfig()
    except OSError as error:
        raise ResourceError(f"the PDFs cannot be printed: the fontconfig library {FONTCONFIG} is missing ({error})",
                            "install it (Debian: apt-get install libfontconfig1); the previous packs are "
                            "unchanged") from None
    config = lib.FcInitLoadConfigAndFonts()
    if not config:
        return 0
    pattern = lib.FcNameParse(CJK_LANGUAGE)
    objects = lib.FcObjectSetCreate()
    lib.FcObjectSetAdd(objects, b"family")
    fonts = lib.FcFontList(config, pattern, objects)
    try:
        return int(fonts.contents.nfont) if fonts else 0
    finally:
        if fonts:
            lib.FcFontSetDestroy(fonts)
        lib.FcObjectSetDestroy(objects)
        lib.FcPatternDestroy(pattern)
        lib.FcConfigDestroy(config)


@functools.cache
def _fontconfig() -> ctypes.CDLL:
    lib = ctypes.CDLL(FONTCONFIG)
    pointer = ctypes.c_void_p
    signatures: dict[str, tuple[object, list[object]]] = {
        "FcInitLoadConfigAndFonts": (pointer, []),
        "FcNameParse": (pointer, [ctypes.c_char_p]),
        "FcObjectSetCreate": (pointer, []),
        "FcObjectSetAdd": (ctypes.c_int, [pointer, ctypes.c_char_p]),
        "FcFontList": (ctypes.POINTER(_FontSet), [pointer, pointer, pointer]),
        "FcFontSetDestroy": (None, [ctypes.POINTER(_FontSet)]),
        "FcObjectSetDestroy": (None, [pointer]),
        "FcPatternDestroy": (None, [pointer]),
        "FcConfigDestroy": (None, [pointer]),
    }
    for name, (result, arguments) in signatures.items():
        function = getattr(lib, name)
        function.restype = result
        function.argtypes = arguments
    return lib
