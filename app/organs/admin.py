"""An admin's changes to an organ that commit and refresh the organ cache: the seal image
(电子印章: the checks on an upload, storing or removing it) and the settings.

The JSON API (/api/v1/admin/organs/{code}/seal, /settings) and the workbench's organ page both
go through here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from app.errors import PayloadTooLarge, UnsupportedMediaType
from app.models import Organ
from app.organs import service
from app.organs.settings import OrganSettings
from app.validation.files import sniff_content_type

if TYPE_CHECKING:
    from app.runtime import Runtime

MAX_SEAL_BYTES = 1024 * 1024


def check_seal(data: bytes) -> bytes:
    """The upload if it is a PNG under 1 MB (by its content, not its name), else 413/415."""
    if len(data) > MAX_SEAL_BYTES:
        raise PayloadTooLarge("印章图片不超过 1 MB / the seal image must be under 1 MB")
    if sniff_content_type(data) != "image/png":
        raise UnsupportedMediaType("印章须为 PNG 图片 / the seal must be a PNG image")
    return data


def save_seal(session: Session, rt: Runtime, code: str, data: bytes | None) -> Organ:
    """Store the checked image (None removes it), commit, and let the organ cache forget it."""
    organ = service.set_seal(session, code, rt.store.put(data) if data is not None else None)
    session.commit()
    rt.organs.forget(code)
    return organ


def save_settings(session: Session, rt: Runtime, code: str, settings: OrganSettings) -> Organ:
    """Replace the organ's settings, commit, and let the organ cache forget it."""
    organ = service.set_settings(session, code, settings)
    session.commit()
    rt.organs.forget(code)
    return organ
