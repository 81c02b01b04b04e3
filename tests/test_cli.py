"""Admin commands, run through typer's CliRunner against a migrated database."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from app.cli import DEMO_ORGAN, DEMO_ORGANS, DEMO_STAFF, cli
from app.config import get_settings
from app.models import Organ, User
from app.runtime import Runtime
from tests.fixtures.factories import bearer, make_organ

ORGAN_ARGS = [
    "create-organ",
    "--code",
    "org-x",
    "--name",
    "示例县人民政府办公室",
    "--reconsideration-body",
    "示例县人民政府",
    "--court",
    "示例县人民法院",
]


@pytest.fixture(autouse=True)
def cli_env(monkeypatch: pytest.MonkeyPatch, runtime: Runtime) -> Iterator[None]:
    """The commands see the same database and key as the app under test."""
    monkeypatch.setenv("GONGKAI_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("GONGKAI_SECRET_KEY", runtime.settings.secret_key.get_secret_value())
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def last_line(result: Result) -> str:
    return result.stdout.strip().splitlines()[-1]


def test_create_admin_prints_a_working_admin_token_last(client: TestClient) -> None:
    result = run("create-admin")
    assert result.exit_code == 0, result.output
    token = last_line(result)
    assert token.startswith("gk_")
    r = client.get("/api/v1/admin/organs", headers=bearer(token))
    assert r.status_code == 200, r.text


def _create_user(*roles: str) -> tuple[int, str]:
    role_args = [a for role in roles for a in ("--role", role)]
    result = run("create-user", "--organ", "org-x", "--name", "承办人 张三", *role_args)
    assert result.exit_code == 0, result.output
    first = re.fullmatch(r"user (\d+) created; token \(shown once\):", result.stdout.split("\n")[0])
    assert first is not None, result.stdout
    return int(first[1]), last_line(result)


def test_create_organ_then_user_prints_a_working_staff_token_last(
    client: TestClient, runtime: Runtime
) -> None:
    result = run(*ORGAN_ARGS)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("organ org-x created (id ")
    user_id, token = _create_user("clerk", "front_desk")
    r = client.get("/api/v1/cases", headers=bearer(token))
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/admin/organs", headers=bearer(token)).status_code == 403
    with runtime.sessions.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        assert (user.name, sorted(user.roles)) == ("承办人 张三", ["clerk", "front_desk"])
        organ = session.scalars(select(Organ).where(Organ.code == "org-x")).one()
        assert user.organ_id == organ.id


def test_create_user_for_unknown_organ_fails_cleanly() -> None:
    result = run("create-user", "--organ", "nope", "--name", "某人", "--role", "clerk")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: 机关 nope 不存在 / unknown organ"
    assert isinstance(result.exception, SystemExit)


def test_issue_token_prints_another_working_token(client: TestClient) -> None:
    assert run(*ORGAN_ARGS).exit_code == 0
    user_id, first = _create_user("clerk")
    result = run("issue-token", str(user_id))
    assert result.exit_code == 0, result.output
    second = last_line(result)
    assert second != first
    for token in (first, second):
        assert client.get("/api/v1/cases", headers=bearer(token)).status_code == 200


def test_issue_token_for_unknown_user_fails_cleanly() -> None:
    result = run("issue-token", "999999")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: 用户 999999 不存在 / user 999999 not found"
    assert isinstance(result.exception, SystemExit)


def test_revoke_token_stops_it_working(client: TestClient) -> None:
    token = last_line(run("create-admin"))
    other = last_line(run("create-admin"))
    result = run("revoke-token", token)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "revoked 1 token(s)"
    r = client.get("/api/v1/admin/organs", headers=bearer(token))
    assert r.status_code == 401
    assert client.get("/api/v1/admin/organs", headers=bearer(other)).status_code == 200


def test_revoke_token_by_prefix_stops_it_working(client: TestClient) -> None:
    token = last_line(run("create-admin"))
    result = run("revoke-token", token[:11])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/admin/organs", headers=bearer(token)).status_code == 401


def test_revoke_unknown_prefix_exits_1() -> None:
    result = run("revoke-token", "gk_zzzzzzzz")
    assert result.exit_code == 1
    assert result.stdout.strip() == "revoked 0 token(s)"


def _demo_tokens(result: Result) -> dict[str, str]:
    lines = result.stdout.strip().splitlines()
    assert lines[0] == f"demo organ: {DEMO_ORGAN} (示例市人民政府办公室)"
    assert lines[1].split() == ["role", "user", "token", "(shown", "once)"]
    tokens = {}
    for line in lines[2 : lines.index("")]:
        role, *_, token = line.split()
        tokens[role] = token
    return tokens


def test_demo_is_idempotent_and_prints_a_token_per_role(
    client: TestClient, runtime: Runtime
) -> None:
    roles = {"admin"} | {str(r) for _, rs in DEMO_STAFF for r in rs}
    seen = []
    for _ in range(2):
        result = run("demo")
        assert result.exit_code == 0, result.output
        tokens = _demo_tokens(result)
        assert set(tokens) == roles
        seen.append(tokens)
    assert all(seen[0][role] != seen[1][role] for role in roles)
    for tokens in seen:
        assert (
            client.get("/api/v1/admin/organs", headers=bearer(tokens["admin"])).status_code == 200
        )
        for role in roles - {"admin"}:
            r = client.get("/api/v1/cases", headers=bearer(tokens[role]))
            assert r.status_code == 200, (role, r.text)
    with runtime.sessions.read() as session:
        organs = session.scalar(select(func.count()).where(Organ.code == DEMO_ORGAN))
        users = session.scalar(select(func.count()).select_from(User))
    assert organs == 1
    assert users == len(DEMO_STAFF) + 1
    # One 政务公开科 with the demo clerk in it, however often the demo runs.
    listed = client.get("/api/v1/departments", headers=bearer(seen[1]["clerk"])).json()
    assert [(d["name"], [m["name"] for m in d["members"]]) for d in listed] == [
        ("政务公开科", ["承办人 李明"])
    ]


def test_duplicate_organ_code_exits_1_with_a_message_not_a_traceback() -> None:
    assert run(*ORGAN_ARGS).exit_code == 0
    result = run(*ORGAN_ARGS)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: 机关代码 org-x 已存在 / organ code org-x exists"
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (["--number-pattern", "{code}"], "编号格式必须包含 {year} 和 {seq}"),
        (["--settings", "{not json"], "Expecting property name"),
    ],
)
def test_invalid_organ_input_exits_1_with_the_reason_not_a_traceback(
    extra: list[str], reason: str, runtime: Runtime
) -> None:
    result = run(*ORGAN_ARGS, *extra)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("error: ")
    assert reason in result.stderr
    with runtime.sessions.read() as session:
        assert session.scalar(select(func.count()).select_from(Organ)) == 0


def test_render_pending_renders_receipts_issued_at_intake(
    client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fixtures.factories import application, make_organ

    monkeypatch.setenv("GONGKAI_STORAGE_DIR", str(runtime.settings.storage_dir))
    monkeypatch.setenv("GONGKAI_LETTER_RENDER_WORKERS", "0")
    with runtime.sessions.write.begin() as session:
        make_organ(session, "org-a")
    for _ in range(2):
        assert client.post("/api/v1/applications", json=application()).status_code == 201
    result = run("render-pending")
    assert result.exit_code == 0, result.output
    assert "rendered 2 letter(s)" in result.stdout
    assert run("render-pending").stdout.strip() == "rendered 0 letter(s), built 0 case file(s)"


def test_worker_once_dispatches_and_renders(
    client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.models import OutboxEvent
    from tests.fixtures.factories import application, make_organ

    monkeypatch.setenv("GONGKAI_STORAGE_DIR", str(runtime.settings.storage_dir))
    monkeypatch.setenv("GONGKAI_LETTER_RENDER_WORKERS", "0")
    with runtime.sessions.write.begin() as session:
        make_organ(session, "org-a")
    assert client.post("/api/v1/applications", json=application()).status_code == 201
    result = run("worker", "--once", "--no-scheduler")
    assert result.exit_code == 0, result.output
    assert "dispatched 2," in result.stdout
    assert "rendered 1," in result.stdout
    with runtime.sessions.read() as session:
        undispatched = select(func.count()).where(OutboxEvent.dispatched_at.is_(None))
        assert session.scalar(undispatched) == 0
    assert "dispatched 0," in run("worker", "--once", "--no-scheduler").stdout


def test_build_letter_fonts_reports_current_fonts() -> None:
    from app.letters.fonts import fonts_current

    if not fonts_current():
        pytest.skip("letter fonts not built on this machine")
    result = run("build-letter-fonts")
    assert result.exit_code == 0, result.output
    assert "current" in result.stdout


def test_demo_organs_are_grouped_under_the_city_government(client: TestClient) -> None:
    for _ in range(2):
        assert run("demo").exit_code == 0
    organs = client.get("/api/v1/organs").json()
    assert [(o["code"], o["parent_code"]) for o in organs] == [
        ("demo-gov", None),
        ("demo", "demo-gov"),
        ("demo-zjj", "demo-gov"),
        ("demo-zrzy", "demo-gov"),
        ("demo-qx", None),
    ]


def test_demo_puts_an_older_demo_organ_under_the_city_government(
    client: TestClient, runtime: Runtime
) -> None:
    with runtime.sessions.write.begin() as session:
        make_organ(session, DEMO_ORGAN, name="示例市人民政府办公室")
    assert run("demo").exit_code == 0
    demo = next(o for o in client.get("/api/v1/organs").json() if o["code"] == DEMO_ORGAN)
    assert demo["parent_code"] == "demo-gov"


def _demo_passwords(result: Result) -> dict[str, str]:
    lines = result.stdout.strip().splitlines()
    block = lines[lines.index("") + 1 :]
    block = block[: block.index("")] if "" in block else block
    assert block[0].startswith("workbench /staff/login: login")
    return dict(line.split() for line in block[1:])


def _signs_in(client: TestClient, login_name: str, password: str) -> bool:
    client.cookies.clear()
    page = client.get("/staff/login")
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert token
    r = client.post(
        "/staff/login",
        data={"csrf_token": token.group(1), "login_name": login_name, "password": password},
        follow_redirects=False,
    )
    return r.status_code == 303


def test_demo_gives_each_user_a_login_name_and_a_fresh_password(client: TestClient) -> None:
    first = _demo_passwords(run("demo"))
    assert set(first) == {"admin"} | {"-".join(rs) for _, rs in DEMO_STAFF}
    assert _signs_in(client, "clerk", first["clerk"])
    second = _demo_passwords(run("demo"))
    assert second["clerk"] != first["clerk"]
    assert not _signs_in(client, "clerk", first["clerk"])
    assert _signs_in(client, "admin", second["admin"])


def test_set_password_from_stdin_then_by_prompt(client: TestClient) -> None:
    assert run(*ORGAN_ARGS).exit_code == 0
    user_id, _token = _create_user("clerk")
    result = CliRunner().invoke(
        cli,
        ["set-password", "Zhang.San", "--user-id", str(user_id), "--password-stdin"],
        input="first passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"password set for user {user_id} (login zhang.san)"
    assert _signs_in(client, "zhang.san", "first passphrase")
    result = CliRunner().invoke(
        cli, ["set-password", "zhang.san"], input="second passphrase\nsecond passphrase\n"
    )
    assert result.exit_code == 0, result.output
    assert not _signs_in(client, "zhang.san", "first passphrase")
    assert _signs_in(client, "zhang.san", "second passphrase")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["set-password", "nobody", "--password-stdin"],
            "long enough pass\n",
            "没有登录名为 nobody",
        ),
        (["set-password", "x", "--password-stdin"], "long enough pass\n", "登录名为 2–64"),
        (["set-password", "nobody", "--password-stdin"], "short\n", "密码至少 10 个字符"),
        (["set-password", "nobody"], "long enough pass\nanother one here\n", "两次输入"),
        (
            ["set-password", "zz", "--user-id", "999999", "--password-stdin"],
            "long enough pass\n",
            "用户 999999 不存在",
        ),
    ],
)
def test_set_password_fails_cleanly(args: list[str], stdin: str, message: str) -> None:
    result = CliRunner().invoke(cli, args, input=stdin)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_demo_gives_each_demo_organ_a_self_signed_certificate_once(
    client: TestClient, runtime: Runtime
) -> None:
    first = run("demo")
    assert first.exit_code == 0, first.output
    assert first.stdout.strip().splitlines()[-1] == (
        f"signing certificates: self-signed (demo only) for {len(DEMO_ORGANS)} demo organ(s)"
    )
    again = run("demo")
    assert "signing certificates" not in again.stdout
    admin = bearer(_demo_tokens(again)["admin"])
    for code, name, _ in DEMO_ORGANS:
        listed = client.get(f"/api/v1/admin/organs/{code}/certificates", headers=admin).json()
        assert [(c["common_name"], c["issuer"] == c["subject"], c["current"]) for c in listed] == [
            (name, True, True)
        ]
        assert listed[0]["key_type"] == "EC P-256"
