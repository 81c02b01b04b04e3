"""The roles of RULES §1."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    applicant = "applicant"
    clerk = "clerk"
    legal = "legal"
    approver = "approver"
    front_desk = "front_desk"
    supervisor = "supervisor"
    admin = "admin"


STAFF_ROLES = frozenset(r for r in Role if r is not Role.applicant)
# Roles that work inside one organ; an admin is platform-wide.
ORGAN_ROLES = STAFF_ROLES - {Role.admin}
