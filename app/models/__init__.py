"""All ORM models; importing this package registers every table on Base.metadata."""

from app.models.assistance import AssistanceFile, AssistanceRequest
from app.models.case import Attachment, Case, CaseItem
from app.models.casefile import CaseFile
from app.models.certificate import OrganCertificate
from app.models.checkpoint import AuditCheckpoint
from app.models.clock import CalendarYearRecord, ClockEntry
from app.models.communication import CommunicationRecord
from app.models.consultation import Consultation
from app.models.counter import Counter
from app.models.department import Department, DepartmentMember
from app.models.event import CaseEvent
from app.models.letter import Letter, LetterAccess, PrintBatch
from app.models.notice import Notice, NoticePreference, NoticeText
from app.models.organ import ApiToken, Organ, User
from app.models.outbox import OutboxAttempt, OutboxDelivery, OutboxEvent, WorkerLease
from app.models.release import RedactionMark, ReleasedDocument, ReleaseDownload
from app.models.remedy import RemedyRecord
from app.models.report import ReportLock, ReportOverride
from app.models.search import CaseSearch
from app.models.security import IdempotencyRecord, LookupFailure, SigninFailure
from app.models.webhook import WebhookSubscription

__all__ = [
    "ApiToken",
    "AssistanceFile",
    "AssistanceRequest",
    "Attachment",
    "AuditCheckpoint",
    "CalendarYearRecord",
    "Case",
    "CaseEvent",
    "CaseFile",
    "CaseItem",
    "CaseSearch",
    "ClockEntry",
    "CommunicationRecord",
    "Consultation",
    "Counter",
    "Department",
    "DepartmentMember",
    "IdempotencyRecord",
    "Letter",
    "LetterAccess",
    "LookupFailure",
    "Notice",
    "NoticePreference",
    "NoticeText",
    "Organ",
    "OrganCertificate",
    "OutboxAttempt",
    "OutboxDelivery",
    "OutboxEvent",
    "PrintBatch",
    "RedactionMark",
    "ReleaseDownload",
    "ReleasedDocument",
    "RemedyRecord",
    "ReportLock",
    "ReportOverride",
    "SigninFailure",
    "User",
    "WebhookSubscription",
    "WorkerLease",
]
