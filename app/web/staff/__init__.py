"""The staff workbench (issue 15): sign-in, the worklist, administration of users.

Every page resolves its browser session to the Principal the JSON API uses and checks the same
roles, then calls the same service functions as the JSON routes.
"""

from __future__ import annotations

from fastapi import APIRouter

from app.web.staff import (
    admin_calendar,
    admin_departments,
    admin_organs,
    admin_outbox,
    admin_tokens,
    admin_user_edit,
    admin_users,
    admin_webhooks,
    admin_workflow,
    approver,
    assignment,
    assistance,
    case_actions,
    case_page,
    casefile,
    dashboard,
    desk_print,
    desk_register,
    desk_service,
    ledger,
    legal,
    login,
    login_oidc,
    notices,
    released,
    reports,
    worklist,
)

ROUTERS: tuple[APIRouter, ...] = (
    login.router,
    login_oidc.router,
    worklist.router,
    case_page.router,
    casefile.router,
    case_actions.router,
    assignment.router,
    assistance.router,
    released.router,
    admin_users.router,
    admin_user_edit.router,
    admin_calendar.router,
    admin_workflow.router,
    admin_organs.router,
    admin_tokens.router,
    admin_webhooks.router,
    admin_departments.router,
    admin_outbox.router,
    ledger.router,
    legal.router,
    approver.router,
    reports.router,
    dashboard.router,
    desk_register.router,
    desk_print.router,
    desk_service.router,
    notices.router,
)
