"""The workbench's navigation: each page module registers its link with the very roles its page
dependency checks, so a link shows to exactly the staff the page admits (and to no one else).

    nav.link("/staff/legal", "法制审核与会商", 20, LEGAL_ROLES)

`roles` is None for a page every signed-in member of staff may open, or a function of the
runtime where the roles come from the workflows (recording service). A link with
`members_only` shows only to staff who belong to a department (the assistance inbox).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.auth.principal import Principal
from app.runtime import Runtime

Roles = tuple[str, ...] | Callable[[Runtime], Sequence[str]] | None


@dataclass(frozen=True)
class Link:
    path: str
    label: str
    order: int
    roles: Roles
    exact: bool  # current only on the path itself, not below it
    members_only: bool = False


@dataclass(frozen=True)
class Shown:
    path: str
    label: str
    current: bool


_LINKS: dict[str, Link] = {}


def link(
    path: str,
    label: str,
    order: int,
    roles: Roles = None,
    *,
    exact: bool = False,
    members_only: bool = False,
) -> None:
    """Register a page's link (once per path; registering it again replaces it)."""
    _LINKS[path] = Link(path, label, order, roles, exact, members_only)


def _admits(rt: Runtime, principal: Principal, roles: Roles) -> bool:
    if roles is None:
        return True
    wanted = roles(rt) if callable(roles) else roles
    return principal.has_any(*wanted)


def links_for(
    rt: Runtime, principal: Principal, current_path: str, *, in_department: bool = False
) -> list[Shown]:
    """The links this user may follow, in order, the current page marked."""
    return [
        Shown(
            x.path,
            x.label,
            current_path == x.path or (not x.exact and current_path.startswith(x.path)),
        )
        for x in sorted(_LINKS.values(), key=lambda x: x.order)
        if _admits(rt, principal, x.roles) and (in_department or not x.members_only)
    ]
