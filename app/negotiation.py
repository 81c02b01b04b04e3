"""Which format a download is sent in: an explicit `format=` if given, else the Accept header
weighed as RFC 9110 §12.5.1 says (most specific range wins, q-values honoured). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

K = TypeVar("K", bound=str)


def _ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their weights; malformed parts are skipped."""
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        media = media.lower()
        if media.count("/") != 1 or not all(media.split("/")):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
        if 0.0 <= q <= 1.0:
            ranges.append((media, q))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """The weight of the most specific range matching `media_type` (RFC 9110 §12.5.1)."""
    kind = media_type.split("/")[0]
    best: tuple[int, float] | None = None
    for media, q in ranges:
        if media == media_type:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q)
    return 0.0 if best is None else best[1]


def choose(media_types: Mapping[K, str], explicit: K | None, accept: str | None) -> K | None:
    """The format to send, from `media_types` (format -> media type; the first one is the
    default and wins ties); None when the Accept header admits none of them."""
    if explicit is not None:
        return explicit
    formats = list(media_types)
    if accept is None or not accept.strip():
        return formats[0]
    ranges = _ranges(accept)
    chosen: K | None = None
    best = 0.0
    for fmt in formats:
        q = _quality(media_types[fmt], ranges)
        if q > best:
            chosen, best = fmt, q
    return chosen
