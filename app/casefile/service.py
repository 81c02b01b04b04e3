"""The case file's reads: listing the versions and serving one. Ordering a version is
app.casefile.order (through `record`), building it app.casefile.build (the worker)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.casefile import repository
from app.casefile.schemas import CaseFileRead
from app.cases.service import load_case
from app.errors import Conflict, NotFound
from app.letters.views import Document
from app.models import CaseFile
from app.runtime import Runtime

FileFormat = Literal["pdf", "zip"]


class CaseFileNotFound(NotFound):
    code = "case-file-not-found"


class CaseFileBuilding(Conflict):
    code = "case-file-building"
    title = "案卷生成中 / The case file is still being assembled"


class CaseFileFailed(Conflict):
    code = "case-file-failed"
    title = "案卷生成失败 / The case file could not be assembled"


def file_read(row: CaseFile) -> CaseFileRead:
    files = (row.manifest or {}).get("files")
    return CaseFileRead(
        case_id=row.case_id,
        version=row.version,
        status=row.status,
        archived_on=row.archived_on,
        retention_years=row.retention_years,
        retention_until=row.retention_until,
        pages=row.pages,
        pdf_sha256=row.pdf_sha256,
        pdf_size=row.pdf_size,
        zip_sha256=row.zip_sha256,
        zip_size=row.zip_size,
        # The index is a file of the ZIP, not a document of the file.
        documents=len(files) - 1 if files else None,
        created_at=row.created_at,
        created_by=row.created_by,
        built_at=row.built_at,
    )


def list_files(session: Session, principal: Principal, case_id: int) -> list[CaseFileRead]:
    """The case's file versions, newest first (staff of the case's organ)."""
    case = load_case(session, principal, case_id)
    return [file_read(r) for r in repository.versions(session, case.id)]


def download(
    session: Session,
    rt: Runtime,
    principal: Principal,
    case_id: int,
    fmt: FileFormat = "pdf",
    version: int | None = None,
) -> Document:
    """The stored PDF or ZIP of the case file (the latest version unless one is named)."""
    case = load_case(session, principal, case_id)
    if version is None:
        rows = repository.versions(session, case.id)
        row = rows[0] if rows else None
    else:
        row = repository.version_of(session, case.id, version)
    if row is None:
        raise CaseFileNotFound(
            (f"案卷第{version}版不存在 / the case file has no version {version}")
            if version is not None
            else "本案尚未归档，没有案卷 / the case has not been archived: it has no case file",
            case_id=case.id,
        )
    if row.status != "ready":
        cls = CaseFileBuilding if row.status == "building" else CaseFileFailed
        detail = (
            "案卷正在生成，请稍后再试 / the case file is being assembled; try again shortly"
            if row.status == "building"
            else "案卷生成失败，系统将自动重试 / assembling the case file failed; it is tried again"
        )
        raise cls(detail, case_id=case.id, version=row.version, file_status=row.status)
    stem = f"{case.number}-归档-v{row.version}"
    if fmt == "zip":
        assert row.zip_sha256 is not None
        return Document(
            rt.store.read(row.zip_sha256), "application/zip", row.zip_sha256, f"{stem}.zip"
        )
    assert row.pdf_sha256 is not None
    return Document(rt.store.read(row.pdf_sha256), "application/pdf", row.pdf_sha256, f"{stem}.pdf")
