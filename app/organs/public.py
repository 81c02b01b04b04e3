"""The public directory of organs accepting applications, grouped under their government.

The online form's organ chooser (/apply) and the JSON list (GET /api/v1/organs) both read it.
A department sits in the group of its parent government; an organ with no parent heads a
group of its own (with its departments, if it has any). Groups are sorted by name, and in
each group the parent comes first, then its departments by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.errors import InvalidInput
from app.models import Organ
from app.organs import repository

MAX_QUERY = 50


@dataclass(frozen=True)
class PublicOrgan:
    code: str
    name: str
    parent_code: str | None
    parent_name: str | None


@dataclass(frozen=True)
class OrganGroup:
    """One government and the organs listed under it (itself first, when it is listed)."""

    code: str
    name: str
    organs: tuple[PublicOrgan, ...]


def clean_query(q: str | None) -> str:
    """The search text, trimmed; too long a text is refused, as every bounded field is."""
    text = (q or "").strip()
    if len(text) > MAX_QUERY:
        raise InvalidInput(
            ("query", "q"),
            f"机关名称不超过 {MAX_QUERY} 个字 / the name searched for is at most {MAX_QUERY} "
            "characters",
        )
    return text


def organ_groups(session: Session, q: str | None = None) -> list[OrganGroup]:
    """The organs whose name contains `q` (case-insensitive), grouped under their government."""
    needle = clean_query(q).casefold()
    organs = repository.list_organs(session)
    by_id = {o.id: o for o in organs}
    members: dict[int, list[Organ]] = {}
    for organ in organs:
        if needle and needle not in organ.name.casefold():
            continue
        parent = by_id.get(organ.parent_id) if organ.parent_id is not None else None
        members.setdefault(parent.id if parent else organ.id, []).append(organ)
    groups = []
    for head_id, listed in members.items():
        head = by_id[head_id]
        listed.sort(key=lambda o: (o.id != head_id, o.name, o.code))
        groups.append(OrganGroup(head.code, head.name, tuple(_public(o, by_id) for o in listed)))
    groups.sort(key=lambda g: (g.name, g.code))
    return groups


def public_organs(session: Session, q: str | None = None) -> list[PublicOrgan]:
    """The same directory as one list, in the order the groups show it."""
    return [organ for group in organ_groups(session, q) for organ in group.organs]


def _public(organ: Organ, by_id: dict[int, Organ]) -> PublicOrgan:
    parent = by_id.get(organ.parent_id) if organ.parent_id is not None else None
    return PublicOrgan(
        code=organ.code,
        name=organ.name,
        parent_code=parent.code if parent else None,
        parent_name=parent.name if parent else None,
    )
