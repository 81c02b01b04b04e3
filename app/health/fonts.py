"""Finding the CJK fonts letters need, through fontconfig (the library WeasyPrint uses)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable


def cjk_font_families() -> list[str]:
    """Font families fontconfig knows that cover Chinese."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        out = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [fc_list, ":lang=zh", "family"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    families: set[str] = set()
    for line in out.splitlines():
        families.update(name.strip() for name in line.split(",") if name.strip())
    return sorted(families)


def first_available(wanted: Iterable[str], available: Iterable[str]) -> str | None:
    """The first family of the configured stack that is installed."""
    have = {a.casefold() for a in available}
    return next((w for w in wanted if w.casefold() in have), None)
