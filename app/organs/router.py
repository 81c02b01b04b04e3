"""Admin API for organs, users and tokens; a public list of organs for the online form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app.auth import service as auth_service
from app.auth.dependencies import require_roles
from app.auth.oidc.link import SubjectLink, SubjectLinkRead, link_subject
from app.auth.principal import Principal
from app.auth.roles import Role
from app.db import CommittingRoute, ReadSession, WriteSession
from app.fields import RowId
from app.organs import admin, public, service
from app.organs.schemas import OrganCreate, OrganRead, UserCreate, UserCreated, UserRead, UserUpdate
from app.organs.settings import OrganSettings
from app.runtime import Runtime, RuntimeDep

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1")
ADMIN_ROLES = (Role.admin,)
Admin = Annotated[Principal, Depends(require_roles(*ADMIN_ROLES))]


class OrganPublic(BaseModel):
    code: str = Field(description="机关代码 / organ code")
    name: str = Field(description="机关名称 / organ name")
    parent_code: str | None = Field(
        None, description="上级政府的机关代码 / code of the government it belongs to"
    )
    parent_name: str | None = Field(
        None, description="上级政府名称 / name of the government it belongs to"
    )


class TokenIssued(BaseModel):
    token: str = Field(description="API 令牌，仅显示一次 / API token, shown only once")


class TokensRevoked(BaseModel):
    revoked: int = Field(description="吊销的令牌数 / number of tokens revoked")


@router.get(
    "/organs",
    tags=["public"],
    summary="可受理申请的机关 / organs accepting applications",
    description=(
        "按上级政府分组排列（政府在前，其部门按名称）；q 按名称筛选（不区分大小写）。/ Grouped "
        "under their government (the government first, its departments by name); q filters by "
        "name (case-insensitive)."
    ),
)
def list_public_organs(
    session: ReadSession,
    q: Annotated[
        str | None,
        Query(max_length=public.MAX_QUERY, description="机关名称包含 / name contains"),
    ] = None,
) -> list[OrganPublic]:
    return [
        OrganPublic(code=o.code, name=o.name, parent_code=o.parent_code, parent_name=o.parent_name)
        for o in public.public_organs(session, q)
    ]


@router.post(
    "/admin/organs",
    status_code=status.HTTP_201_CREATED,
    tags=["admin"],
    summary="新建机关 / create an organ",
)
def create_organ(data: OrganCreate, session: WriteSession, rt: RuntimeDep, _: Admin) -> OrganRead:
    return OrganRead.model_validate(service.create_organ(session, data, now=rt.clock()))


@router.get("/admin/organs", tags=["admin"], summary="机关列表 / list organs")
def list_organs(session: ReadSession, _: Admin) -> list[OrganRead]:
    return [OrganRead.model_validate(o) for o in service.list_organs(session)]


@router.get("/admin/organs/{code}", tags=["admin"], summary="机关详情 / one organ")
def get_organ(
    code: Annotated[str, Path(max_length=32)], session: ReadSession, _: Admin
) -> OrganRead:
    return OrganRead.model_validate(service.get_organ(session, code))


@router.put(
    "/admin/organs/{code}/seal",
    tags=["admin"],
    summary="上传电子印章图片 / set the seal image printed on letters",
    description=(
        "PNG 图片（透明背景，约 42 mm 见方），印在文书落款处；不上传则留出盖章位置。/ A PNG "
        "(transparent background, about 42 mm square) printed over the signature block; without "
        "one, letters leave room for a hand-applied seal. Letters already issued keep theirs."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def set_seal(
    code: Annotated[str, Path(max_length=32)],
    request: Request,
    session: WriteSession,
    rt: RuntimeDep,
    _: Admin,
) -> OrganRead:
    data = admin.check_seal(await request.body())
    return await run_in_threadpool(_save_seal, session, rt, code, data)


def _save_seal(session: Session, rt: Runtime, code: str, data: bytes | None) -> OrganRead:
    return OrganRead.model_validate(admin.save_seal(session, rt, code, data))


@router.delete(
    "/admin/organs/{code}/seal",
    tags=["admin"],
    summary="删除电子印章 / remove the seal image",
)
def delete_seal(
    code: Annotated[str, Path(max_length=32)],
    session: WriteSession,
    rt: RuntimeDep,
    _: Admin,
) -> OrganRead:
    return _save_seal(session, rt, code, None)


@router.put(
    "/admin/organs/{code}/settings",
    tags=["admin"],
    summary="修改机关设置 / replace the organ's settings",
    description=(
        "整体替换：未给出的设置恢复默认值。已办结案件不受影响。/ Replaces the whole settings "
        "object; settings left out return to their defaults. Closed cases are not affected."
    ),
)
def put_settings(
    code: Annotated[str, Path(max_length=32)],
    settings: OrganSettings,
    session: WriteSession,
    rt: RuntimeDep,
    _: Admin,
) -> OrganRead:
    return OrganRead.model_validate(admin.save_settings(session, rt, code, settings))


@router.post(
    "/admin/users",
    status_code=status.HTTP_201_CREATED,
    tags=["admin"],
    summary="新建工作人员并签发令牌 / create a staff user with a token",
)
def create_user(data: UserCreate, session: WriteSession, rt: RuntimeDep, _: Admin) -> UserCreated:
    user, token = service.create_user(session, rt.token_key, data, now=rt.clock())
    return UserCreated(user=user, token=token)


@router.put(
    "/admin/users/{user_id}",
    tags=["admin"],
    summary="修改用户的角色和启用状态 / set a user's roles and whether they are active",
    description=(
        "角色整体替换，下一次请求即生效；停用的用户令牌和登录会话立即失效。管理员不能取消自己的"
        "系统管理员角色，也不能停用自己。/ Replaces the roles, effective from the next request; "
        "a deactivated user's tokens and sessions stop working at once. An admin cannot drop "
        "their own admin role or deactivate themselves."
    ),
)
def update_user(user_id: RowId, data: UserUpdate, session: WriteSession, admin: Admin) -> UserRead:
    by = f"user {admin.user_id} ({admin.name}) through the API"
    return service.update_user(session, user_id, data, actor=admin, by=by)


@router.post(
    "/admin/users/{user_id}/tokens",
    status_code=status.HTTP_201_CREATED,
    tags=["admin"],
    summary="为用户签发新令牌 / issue another token",
)
def issue_token(
    user_id: RowId,
    session: WriteSession,
    rt: RuntimeDep,
    _: Admin,
) -> TokenIssued:
    token = auth_service.issue_token(session, rt.token_key, user_id, now=rt.clock())
    return TokenIssued(token=token)


@router.put(
    "/admin/users/{user_id}/oidc-subject",
    tags=["admin"],
    summary="关联统一身份认证账号 / link the user to the identity provider's subject",
    description=(
        "关联后该用户可通过省统一身份认证登录工作台（首次登录不会自动建用户）；subject 为 null "
        "则解除关联。更改或解除会结束该用户的全部会话。/ The user may then sign in to the "
        "workbench through the province's identity provider (nobody is created at a first "
        "sign-in); a null subject unlinks. A change ends every session of the user."
    ),
)
def link_oidc_subject(
    user_id: RowId,
    data: SubjectLink,
    session: WriteSession,
    principal: Admin,
) -> SubjectLinkRead:
    user = link_subject(session, user_id, data, by=f"admin user {principal.user_id}")
    return SubjectLinkRead(user_id=user.id, subject=user.oidc_subject)


@router.delete(
    "/admin/tokens/{prefix}",
    tags=["admin"],
    summary="吊销令牌（按前缀）/ revoke tokens by prefix",
)
def revoke_token(
    prefix: Annotated[str, Path(min_length=11, max_length=200)],
    session: WriteSession,
    rt: RuntimeDep,
    _: Admin,
) -> TokensRevoked:
    count = auth_service.revoke_token(session, prefix, now=rt.clock())
    return TokensRevoked(revoked=count)
