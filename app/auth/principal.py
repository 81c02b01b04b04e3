"""Who is acting: a staff principal from a token, or an actor recorded on the timeline."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.roles import Role


@dataclass(frozen=True)
class Principal:
    """An authenticated staff user (no ORM object: safe to pass anywhere)."""

    user_id: int
    name: str
    organ_id: int | None
    organ_code: str | None
    roles: frozenset[str]

    def has_any(self, *roles: str) -> bool:
        """True when the user holds at least one of the roles."""
        return bool(self.roles.intersection(roles))

    @property
    def is_admin(self) -> bool:
        return Role.admin in self.roles


@dataclass(frozen=True)
class Actor:
    """Who an event is attributed to."""

    kind: str  # user | applicant | system
    label: str
    user_id: int | None = None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        """The actor for a staff principal."""
        return cls(kind="user", label=principal.name, user_id=principal.user_id)


APPLICANT = Actor(kind="applicant", label="申请人")
SYSTEM = Actor(kind="system", label="系统")
