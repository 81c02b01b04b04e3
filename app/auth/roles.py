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

# How the pages name the roles.
ROLE_LABELS = {
    Role.applicant: "申请人",
    Role.clerk: "承办人",
    Role.legal: "法制机构",
    Role.approver: "负责人",
    Role.front_desk: "窗口",
    Role.supervisor: "督办",
    Role.admin: "系统管理员",
}
