"""Every SQL statement of departments and assignment."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.db import table_of
from app.models import Department, DepartmentMember, Organ, User

_MEMBERS = table_of(DepartmentMember)


def departments(session: Session, organ_id: int | None) -> list[tuple[Department, str]]:
    """Departments with their organ's code, of one organ or (None) of every organ, by name."""
    q = select(Department, Organ.code).join(Organ, Organ.id == Department.organ_id)
    if organ_id is not None:
        q = q.where(Department.organ_id == organ_id)
    return [(d, code) for d, code in session.execute(q.order_by(Organ.code, Department.name))]


def department(
    session: Session, department_id: int, *, for_update: bool = False
) -> Department | None:
    q = select(Department).where(Department.id == department_id)
    if for_update:
        q = q.with_for_update()
    return session.scalars(q).one_or_none()


def by_name(session: Session, organ_id: int, name: str) -> Department | None:
    q = select(Department).where(Department.organ_id == organ_id, Department.name == name)
    return session.scalars(q).one_or_none()


def members(session: Session, department_ids: Collection[int]) -> dict[int, list[tuple[int, str]]]:
    """(user id, name) of each department's members, by name."""
    if not department_ids:
        return {}
    q = (
        select(DepartmentMember.department_id, User.id, User.name)
        .join(User, User.id == DepartmentMember.user_id)
        .where(DepartmentMember.department_id.in_(list(department_ids)))
        .order_by(User.name, User.id)
    )
    out: dict[int, list[tuple[int, str]]] = {d: [] for d in department_ids}
    for dept, uid, name in session.execute(q):
        out[dept].append((uid, name))
    return out


def replace_members(session: Session, department_id: int, user_ids: Sequence[int]) -> None:
    session.execute(delete(DepartmentMember).where(DepartmentMember.department_id == department_id))
    if user_ids:
        session.execute(
            insert(_MEMBERS), [{"department_id": department_id, "user_id": u} for u in user_ids]
        )


def departments_of_user(session: Session, user_id: int) -> list[int]:
    """The active departments a user belongs to."""
    q = (
        select(DepartmentMember.department_id)
        .join(Department, Department.id == DepartmentMember.department_id)
        .where(DepartmentMember.user_id == user_id, Department.active.is_(True))
        .order_by(DepartmentMember.department_id)
    )
    return list(session.scalars(q))


def is_member(session: Session, department_id: int, user_id: int) -> bool:
    q = select(DepartmentMember.user_id).where(
        DepartmentMember.department_id == department_id, DepartmentMember.user_id == user_id
    )
    return session.scalar(q) is not None


def users(session: Session, user_ids: Collection[int]) -> dict[int, User]:
    if not user_ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(list(user_ids))))}


def names(
    session: Session, user_ids: Collection[int], department_ids: Collection[int]
) -> tuple[dict[int, str], dict[int, str]]:
    """Users' and departments' names by id (for lists and the case page)."""
    people: dict[int, str] = {}
    if user_ids:
        q = select(User.id, User.name).where(User.id.in_(list(user_ids)))
        people = {int(r[0]): str(r[1]) for r in session.execute(q)}
    depts: dict[int, str] = {}
    if department_ids:
        q2 = select(Department.id, Department.name).where(Department.id.in_(list(department_ids)))
        depts = {int(r[0]): str(r[1]) for r in session.execute(q2)}
    return people, depts


def assignable_clerks(session: Session, organ_id: int) -> list[tuple[int, str]]:
    """The organ's active clerks (承办人), by name: whom a case may be assigned to."""
    q = (
        select(User.id, User.name, User.roles)
        .where(User.organ_id == organ_id, User.active.is_(True))
        .order_by(User.name, User.id)
    )
    return [(uid, name) for uid, name, roles in session.execute(q) if "clerk" in (roles or [])]


def organ_staff(session: Session, organ_id: int) -> list[tuple[int, str, list[str]]]:
    """(id, name, roles) of the organ's active staff, by name: who may belong to a department."""
    q = (
        select(User.id, User.name, User.roles)
        .where(User.organ_id == organ_id, User.active.is_(True))
        .order_by(User.name, User.id)
    )
    return [(uid, name, list(roles or [])) for uid, name, roles in session.execute(q)]
