"""The Chinese font of our PDFs, cut down once to the characters forms use.

Noto Sans CJK ships as a 20 MB collection; WeasyPrint subsets it with HarfBuzz on every render,
which cost most of a form's render time. Here it is subset once — ASCII, the CJK punctuation and
full-width forms, and the 6 763 characters of GB 2312 (every common name, place and term) — to a
small OpenType file under var/fonts/, which WeasyPrint then subsets in a few milliseconds. A
character outside that set (a rare name) still prints: the PDF's font list falls back to the
system's full Noto CJK."""

import subprocess
from functools import cache
from pathlib import Path

from django.conf import settings

FAMILY = "PMIS CJK"
WEIGHTS = {"regular": "Noto Sans CJK SC", "bold": "Noto Sans CJK SC:bold"}
FALLBACK = {
    "regular": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    "bold": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
}
VERSION = 1  # bump when the character set changes


def _source(weight: str) -> tuple[str, int]:
    """Where fontconfig finds the weight (file, index in the collection)."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}|%{index}", WEIGHTS[weight]], capture_output=True, text=True, timeout=10
        ).stdout
        path, index = found.split("|")
        if "CJK" in path:
            return path, int(index)
    except (OSError, ValueError, subprocess.SubprocessError):
        pass
    return FALLBACK[weight]


def _characters() -> str:
    ranges = [range(0x20, 0x7F), range(0xA0, 0x100), range(0x2000, 0x2070), range(0x2190, 0x2200),
              range(0x2460, 0x24FF), range(0x3000, 0x3040), range(0xFF00, 0xFFF0)]  # fmt: skip
    chars = {chr(c) for r in ranges for c in r}
    for high in range(0xB0, 0xF8):  # GB 2312 rows 16–87: the 6 763 hanzi
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for high in range(0xA1, 0xAA):  # rows 1–9: symbols, full-width letters, numbers in circles
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(sorted(chars))


def _build(weight: str, target: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path, index = _source(weight)
    font = TTFont(path, fontNumber=index, lazy=False)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(text=_characters())
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    font.save(partial)
    partial.replace(target)  # never a half-written font for a concurrent render


def build_all(folder: Path) -> dict[str, str]:
    """Make the subset fonts in `folder` unless they are there (the image build calls this, so a
    container starts with them); returns their file URLs."""
    urls = {}
    for weight in WEIGHTS:
        target = folder / f"pmis-cjk-{weight}-v{VERSION}.otf"
        if not target.exists():
            _build(weight, target)
        urls[weight] = target.as_uri()
    return urls


@cache
def pdf_fonts() -> dict[str, str]:
    """{"regular": file URL, "bold": file URL} of the subset fonts, built on first use."""
    return build_all(Path(settings.VAR_DIR) / "fonts")
