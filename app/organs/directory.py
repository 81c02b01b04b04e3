"""A short-lived, per-process cache of organ profiles for the hot request paths.

A miss, or an entry older than the TTL, is read through the caller's own session: a request
that holds a connection never asks the pool for a second one (with every pooled connection
held by a request waiting for another, the pool deadlocks until it times out). A miss is never
cached, so a new organ is usable at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import Organ
from app.organs import repository
from app.organs.settings import OrganSettings, organ_settings


@dataclass(frozen=True)
class OrganInfo:
    id: int
    code: str
    name: str
    number_pattern: str
    settings: OrganSettings
    address: str = ""
    phone: str = ""
    reconsideration_body: str = ""
    court: str = ""
    seal_sha256: str | None = None


def _info(organ: Organ) -> OrganInfo:
    return OrganInfo(
        id=organ.id,
        code=organ.code,
        name=organ.name,
        number_pattern=organ.number_pattern,
        settings=organ_settings(organ.settings),
        address=organ.address,
        phone=organ.phone,
        reconsideration_body=organ.reconsideration_body,
        court=organ.court,
        seal_sha256=organ.seal_sha256,
    )


class OrganDirectory:
    def __init__(
        self,
        *,
        ttl_seconds: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._now = monotonic
        self._by_code: dict[str, tuple[OrganInfo, float]] = {}

    def by_code(self, session: Session, code: str) -> OrganInfo | None:
        """The organ with this code, or None; a stale or missing entry is read in `session`."""
        hit = self._by_code.get(code)
        if hit is not None and self._now() - hit[1] < self._ttl:
            return hit[0]
        return self._remember(repository.organ_by_code(session, code))

    def forget(self, code: str) -> None:
        """Drop a cached profile after a change in this process (others see it within the TTL)."""
        self._by_code.pop(code, None)

    def by_id(self, session: Session, organ_id: int) -> OrganInfo | None:
        """The organ with this id, or None; a stale or missing entry is read in `session`."""
        for cached, loaded in self._by_code.values():
            if cached.id == organ_id and self._now() - loaded < self._ttl:
                return cached
        return self._remember(repository.organ_by_id(session, organ_id))

    def _remember(self, organ: Organ | None) -> OrganInfo | None:
        info = None if organ is None else _info(organ)
        if info is not None:
            self._by_code[info.code] = (info, self._now())
        return info
