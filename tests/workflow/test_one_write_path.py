"""One write path (DESIGN.md): only app.workflow.write (and its bulk variant, app.workflow.bulk)
changes `cases` or appends to `case_events`. Read off the source, so a new writer elsewhere fails
here before it reaches review."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app.models import Case

APP = Path(__file__).resolve().parents[2] / "app"
WRITERS = {"app/workflow/write.py", "app/workflow/bulk.py"}
# Where the low-level statements the writers call are defined (and call each other).
DEFINITIONS = {
    "append_event": {"app/audit/service.py"},
    "event_row": {"app/audit/service.py"},
    "case_rows": {"app/cases/repository.py"},
    # Writes whatever rows it is given (a new case's on PostgreSQL in one statement): only the
    # writers give it any.
    "insert_rows": {"app/db_insert.py"},
    "update_cached": set(),
    "last_events": set(),
}
# CaseUpdate.apply and Dues.apply are the only setters of case columns; `record` sets the state.
COLUMN_SETTERS = {"app/workflow/decision.py", *WRITERS}
CASE_COLUMNS = {c.name for c in Case.__table__.columns}
SQL_WRITE = re.compile(
    r"\b(UPDATE\s+cases\b|INSERT\s+INTO\s+(cases|case_events)\b|COPY\s+case_events)", re.I
)


def _modules() -> list[tuple[str, ast.Module, str]]:
    out = []
    for path in sorted(APP.rglob("*.py")):
        rel = path.relative_to(APP.parent).as_posix()
        source = path.read_text(encoding="utf-8")
        out.append((rel, ast.parse(source), source))
    return out


MODULES = _modules()


def _called_name(node: ast.Call) -> str | None:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return None


def test_the_writers_exist_and_are_read() -> None:
    # The checks below would pass vacuously if the paths were wrong.
    names = {rel for rel, _, _ in MODULES}
    assert names >= WRITERS
    assert len(names) > 100


@pytest.mark.parametrize("statement", sorted(DEFINITIONS))
def test_case_statements_are_called_only_by_the_writers(statement: str) -> None:
    callers = set()
    for rel, tree, _ in MODULES:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called_name(node) == statement:
                callers.add(rel)
    assert callers, f"{statement} is called nowhere: update this test"
    assert callers <= WRITERS | DEFINITIONS[statement], sorted(callers - WRITERS)


def test_case_columns_are_set_only_by_the_writers() -> None:
    offenders = []
    for rel, tree, _ in MODULES:
        if rel in COLUMN_SETTERS:
            continue
        for node in ast.walk(tree):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = list(node.targets)
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                for t in ast.walk(target):
                    if (
                        isinstance(t, ast.Attribute)
                        and isinstance(t.value, ast.Name)
                        and t.value.id == "case"
                        and t.attr in CASE_COLUMNS
                    ):
                        offenders.append(f"{rel}:{node.lineno} case.{t.attr}")
    assert not offenders, offenders


# The modules that define the single-row statements the writers call (their callers are
# checked above).
STATEMENT_HOMES = {"app/audit/service.py", "app/cases/repository.py"}
CASE_TABLES = {"Case", "CaseEvent"}


def _table_names(tree: ast.Module) -> set[str]:
    """Case, CaseEvent and the names a module binds to their tables (table_of(Case), ...)."""
    names = set(CASE_TABLES)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and _called_name(node.value) == "table_of"
            and any(isinstance(a, ast.Name) and a.id in CASE_TABLES for a in node.value.args)
        ):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def test_no_other_module_writes_cases_or_events_in_sql() -> None:
    offenders = []
    for rel, tree, _ in MODULES:
        if rel in WRITERS:
            continue
        tables = _table_names(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL_WRITE.search(node.value)
            ):
                offenders.append(f"{rel}:{node.lineno}")
            if (
                rel not in STATEMENT_HOMES
                and isinstance(node, ast.Call)
                and _called_name(node) in {"insert", "update", "delete"}
                and any(isinstance(a, ast.Name) and a.id in tables for a in node.args[:1])
            ):
                offenders.append(f"{rel}:{node.lineno} {_called_name(node)}")
    assert not offenders, offenders


def test_the_checks_catch_a_writer() -> None:
    # The AST walk finds an assignment to a case column and an INSERT INTO case_events.
    tree = ast.parse(
        "def f(case):\n    case.state = 'x'\n    q = 'INSERT INTO case_events (a) VALUES (1)'\n"
    )
    assigns = [n for n in ast.walk(tree) if isinstance(n, ast.Assign)]
    target = assigns[0].targets[0]
    assert isinstance(target, ast.Attribute)
    assert target.attr in CASE_COLUMNS
    assert SQL_WRITE.search("INSERT INTO case_events (a) VALUES (1)")
