"""A generated run of realistic cases, autumn 2025 to February 2027, driven through the real
workflow over HTTP with the clock moving forward: every outcome and every applicant category,
cases crossing the year boundary both ways, withdrawn and abandoned ones, one application never
confirmed, reconsideration and litigation records, and the 2025 and 2026 reports published in
the January after. The 2025, 2026 and 2027 tables must satisfy every identity and equal, cell by
cell, the tables worked out by hand from CASES_TABLE and REMEDIES below (RULES §8 and its
[interpretation]: a case counts in the year of its receipt date, is carried over while it is
open, and counts in the results of the year it is concluded in — the reply's issue date or
the closure date, for a withdrawal the withdrawal date).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.letters.samples import reply_params
from app.outcomes import OUTCOMES
from app.reports import layout
from app.vocabulary import ApplicantCategory
from tests.conftest import Staff
from tests.fixtures.factories import Clock, company, person, staff_case
from tests.fixtures.identity import resident_id, uscc
from tests.letters.helpers import act, online
from tests.reply.helpers import CASES, ok, reply_through_review
from tests.reports.helpers import REPORTS, drill, report, table3, table4

NP, CE, RI = "natural_person", "commercial_enterprise", "research_institution"
PW, LS, OO = "public_welfare_org", "legal_service_org", "other_org"


@dataclass(frozen=True)
class C:
    """One case of the run.

    received: the legal receipt date (None: never confirmed). outcome / concluded: how and when
    it ends (None: still open on 26 February 2027). steps: (day, action) taken before the
    conclusion, with the payloads of _step_payload. The conclusion is a reply through review on
    `concluded`, except other.no_correction (close_uncorrected), other.fee_unpaid
    (close_unpaid) and other.other (withdrawal dated `concluded`, recorded on `recorded` or
    that day). arrived: an ordinary letter registered that day, awaiting confirmation until a
    "confirm" step. items: the application's items (one, by default); reply: the reply's fields
    instead of the outcome's sample, the outcome then derived from the items' decisions.
    """

    key: str
    category: str
    received: str | None
    outcome: str | None = None
    concluded: str | None = None
    steps: tuple[tuple[str, str], ...] = ()
    arrived: str | None = None
    recorded: str | None = None
    items: tuple[str, ...] = ()
    reply: Mapping[str, Any] | None = None


# Three items split between provision and withholding (RULES §5): counted once, under (二).
SPLIT_ITEMS = ("2026年本区科研项目立项清单", "项目评审专家的考勤记录", "请解释立项标准的制定考虑")
SPLIT_REPLY: dict[str, Any] = {
    "reasons": "你单位申请获取的三项信息，本机关区分处理",
    "provided": "2026年本区科研项目立项清单1份（共5页）",
    "item_outcomes": [
        {"position": 1, "outcome": "disclosed"},
        {"position": 2, "outcome": "withheld.internal_affairs", "note": "属于内部管理信息"},
        {"position": 3, "outcome": "other.not_government_information", "note": "系要求作出解释"},
    ],
}


# fmt: off
CASES_TABLE: tuple[C, ...] = (
    # --- received in 2025, concluded in 2025: in 2025's table only --------------------------
    C("A1", NP, "2025-09-15", "disclosed", "2025-10-13"),
    C("A2", CE, "2025-09-22", "already_public", "2025-09-30"),
    C("A3", NP, "2025-10-20", "withheld.process_information", "2025-11-14"),
    C("A4", NP, "2025-11-03", "other.other", "2025-11-10"),
    C("A5", LS, "2025-11-17", "other.no_correction", "2025-12-10",
      (("2025-11-18", "request_correction"),)),
    # --- received in 2025, open at its end: carried over into 2026 -------------------------
    C("B1", NP, "2025-12-08", "disclosed", "2026-01-20", (("2025-12-29", "extend"),)),
    C("B2", CE, "2025-12-15", "partially_disclosed", "2026-01-09"),
    C("B3", NP, "2025-12-22", "withheld.third_party_rights", "2026-01-22",
      (("2025-12-24", "ask_third_party"), ("2026-01-08", "objection"),
       ("2026-01-08", "conclude"))),
    C("B4", PW, "2025-12-29", "other.other", "2026-01-12"),
    C("B5", NP, "2025-12-30", "other.fee_unpaid", "2026-02-03", (("2026-01-05", "fee"),)),
    # Overdue for over a year: carried over into 2026 and again into 2027.
    C("B6", OO, "2025-12-31", "unavailable.not_held", "2027-01-15"),
    # --- received in 2026, concluded in 2026: every outcome, every category -----------------
    C("C01", NP, "2026-03-02", "disclosed", "2026-03-20"),
    C("C02", NP, "2026-03-03", "disclosed", "2026-03-27",   # the organ stays silent: consent
      (("2026-03-04", "ask_organ"), ("2026-03-26", "conclude"))),
    C("C03", CE, "2026-03-09", "already_public", "2026-03-12"),
    C("C04", NP, "2026-03-10", "partially_disclosed", "2026-04-03"),
    C("C05", RI, "2026-03-16", "withheld.state_secret", "2026-04-01"),
    C("C06", NP, "2026-03-23", "withheld.prohibited_by_law", "2026-04-15"),
    C("C07", CE, "2026-04-01", "withheld.security_stability", "2026-04-22"),
    C("C08", CE, "2026-04-08", "withheld.third_party_rights", "2026-05-13",
      (("2026-04-09", "ask_third_party"), ("2026-04-20", "objection"),
       ("2026-04-20", "conclude"))),
    C("C09", NP, "2026-04-13", "withheld.internal_affairs", "2026-05-08"),
    C("C10", PW, "2026-04-20", "withheld.process_information", "2026-05-12"),
    C("C11", LS, "2026-04-27", "withheld.enforcement_file", "2026-05-20"),
    C("C12", NP, "2026-05-06", "withheld.administrative_query", "2026-05-25"),
    C("C13", NP, "2026-05-11", "unavailable.not_held", "2026-06-01"),
    C("C14", OO, "2026-05-18", "unavailable.not_this_organ", "2026-06-05"),
    C("C15", RI, "2026-05-25", "unavailable.needs_creation", "2026-06-12"),
    C("C16", NP, "2026-06-01", "unavailable.still_unclear", "2026-07-01",
      (("2026-06-02", "request_correction"), ("2026-06-10", "record_correction"))),
    C("C17", NP, "2026-06-08", "not_processed.petition", "2026-06-22"),
    C("C18", NP, "2026-06-15", "not_processed.repeat", "2026-06-29"),
    C("C19", CE, "2026-06-22", "not_processed.publication", "2026-07-03"),
    C("C20", NP, "2026-07-01", "not_processed.excessive", "2026-07-20",
      (("2026-07-02", "ask_reasons"), ("2026-07-14", "unreasonable"))),
    C("C21", LS, "2026-07-06", "not_processed.confirmation", "2026-07-17"),
    C("C22", NP, "2026-07-13", "other.no_correction", "2026-08-05",
      (("2026-07-14", "request_correction"),)),
    C("C23", CE, "2026-07-20", "other.no_correction", "2026-08-12",
      (("2026-07-21", "request_correction"),)),
    C("C24", NP, "2026-08-03", "other.fee_unpaid", "2026-09-03", (("2026-08-05", "fee"),)),
    C("C25", NP, "2026-08-10", "other.other", "2026-08-20"),
    C("C26", OO, "2026-08-17", "other.other", "2026-08-25",
      (("2026-08-18", "request_correction"),)),
    C("C27", NP, "2026-09-01", "disclosed", "2026-09-24",
      (("2026-09-03", "fee"), ("2026-09-08", "pay"))),
    C("C28", NP, "2026-09-07", "disclosed", "2026-10-26", (("2026-09-28", "extend"),)),
    C("C29", NP, "2026-09-14", "already_public", "2026-09-16"),
    C("C30", PW, "2026-09-21", "disclosed", "2026-10-14"),
    C("C31", NP, "2026-10-12", "unavailable.not_held", "2026-10-30"),
    C("C32", CE, "2026-10-19", "partially_disclosed", "2026-11-10"),
    C("C33", CE, "2026-10-26", "other.fee_unpaid", "2026-11-26", (("2026-10-28", "fee"),)),
    C("C34", NP, "2026-11-02", "disclosed", "2026-11-20"),
    C("C35", RI, "2026-11-09", "already_public", "2026-11-13"),
    C("C36", RI, "2026-11-16", "partially_disclosed", "2026-12-04",
      items=SPLIT_ITEMS, reply=SPLIT_REPLY),
    C("C37", NP, "2026-11-23", "other.not_government_information", "2026-12-07"),
    # An ordinary letter withdrawn before its receipt was confirmed: counted nowhere.
    C("U1", NP, None, "other.other", "2026-05-08", arrived="2026-05-06"),
    # --- received in late 2026, open on 31 December: carried forward into 2027 --------------
    C("D1", NP, "2026-12-07", "disclosed", "2027-01-04"),
    C("D2", CE, "2026-12-14", "unavailable.not_this_organ", "2027-01-11"),
    C("D3", NP, "2026-12-21", "disclosed", "2027-02-10", (("2027-01-14", "extend"),)),
    C("D4", RI, "2026-12-23", "disclosed", "2027-01-20",
      (("2026-12-24", "request_correction"), ("2027-01-08", "record_correction"))),
    # Withdrawn by a letter dated 30 December, recorded after New Year: concluded in 2026.
    C("D5", NP, "2026-12-28", "other.other", "2026-12-30", recorded="2027-01-06"),
    C("D6", NP, "2026-12-29", "other.fee_unpaid", "2027-02-03", (("2026-12-30", "fee"),)),
    C("D7", LS, "2026-12-30"),
    # Arrived by ordinary mail in 2026, confirmed in 2027: 2027's only.
    C("U2", CE, "2027-01-05", "disclosed", "2027-01-26",
      (("2027-01-05", "confirm"),), arrived="2026-12-28"),
    # --- received in 2027 --------------------------------------------------------------------
    C("E1", NP, "2027-01-06", "disclosed", "2027-01-20"),
    C("E2", OO, "2027-01-11"),
)

# Reconsideration and litigation records: (case, kind, filed on, result, decided on). Filed
# on its day (pending), its result entered on the day it is decided.
REMEDIES: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("A3", "reconsideration", "2025-12-15", "upheld", "2026-02-10"),
    ("C05", "reconsideration", "2026-05-06", "upheld", "2026-07-01"),
    ("C13", "litigation_direct", "2026-06-15", "corrected", "2026-10-20"),
    ("C08", "reconsideration", "2026-06-22", "other", "2027-01-18"),
    ("C05", "litigation_after_reconsideration", "2026-07-10", "pending", None),
    ("C32", "reconsideration", "2027-01-08", "pending", None),
)

# The organ publishes each year's report in the January after (RULES §8): later changes to
# the cases above must not touch the published numbers, so none is refused.
PUBLISH: tuple[tuple[str, int], ...] = (("2026-01-30", 2025), ("2027-01-29", 2026))
REPORTS_ON = "2027-02-26"

# --- tables 三 and 四 worked out by hand from the lists above ------------------------------
# Columns: 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计.
Z = (0, 0, 0, 0, 0, 0, 0)

# 2025. New: A1–A5 and B1–B6. Concluded: A1 A2 (一), A3 (三)6, A5 (六)1, A4 (六)3.
# Carried forward: B1–B6.
T3_2025: dict[str, tuple[int, ...]] = {
    "new":             (6, 2, 0, 1, 1, 1, 11),
    "carried_over":    Z,
    "disclosed":       (1, 1, 0, 0, 0, 0, 2),
    "withheld.6":      (1, 0, 0, 0, 0, 0, 1),
    "other.1":         (0, 0, 0, 0, 1, 0, 1),
    "other.3":         (1, 0, 0, 0, 0, 0, 1),
    "total":           (3, 1, 0, 0, 1, 0, 5),
    "carried_forward": (3, 1, 0, 1, 0, 1, 6),
}

# 2026. New: C01–C37 and D1–D7 (U1 never received, U2 received in 2027). Carried over:
# B1–B6. Concluded: B1–B5, C01–C37 and D5 (withdrawn on 30 December). Carried forward: B6,
# D1–D4, D6, D7. C36's three items (disclosed, withheld, not government information) count
# once, under (二) only.
T3_2026: dict[str, tuple[int, ...]] = {
    "new":                 (24, 8, 5, 2, 3, 2, 44),
    "carried_over":        (3, 1, 0, 1, 0, 1, 6),
    # B1 C01 C02 C27 C28 C34 disclosed, C29 already public | C03 | C35 | C30
    "disclosed":           (7, 1, 1, 1, 0, 0, 10),
    "partially_disclosed": (1, 2, 1, 0, 0, 0, 4),   # C04 | B2 C32 | C36
    "withheld.1":          (0, 0, 1, 0, 0, 0, 1),   # C05
    "withheld.2":          (1, 0, 0, 0, 0, 0, 1),   # C06
    "withheld.3":          (0, 1, 0, 0, 0, 0, 1),   # C07
    "withheld.4":          (1, 1, 0, 0, 0, 0, 2),   # B3 | C08
    "withheld.5":          (1, 0, 0, 0, 0, 0, 1),   # C09
    "withheld.6":          (0, 0, 0, 1, 0, 0, 1),   # C10
    "withheld.7":          (0, 0, 0, 0, 1, 0, 1),   # C11
    "withheld.8":          (1, 0, 0, 0, 0, 0, 1),   # C12
    "unavailable.1":       (2, 0, 0, 0, 0, 1, 3),   # C13 C31 not held | C14 not this organ
    "unavailable.2":       (0, 0, 1, 0, 0, 0, 1),   # C15
    "unavailable.3":       (1, 0, 0, 0, 0, 0, 1),   # C16
    "not_processed.1":     (1, 0, 0, 0, 0, 0, 1),   # C17
    "not_processed.2":     (1, 0, 0, 0, 0, 0, 1),   # C18
    "not_processed.3":     (0, 1, 0, 0, 0, 0, 1),   # C19
    "not_processed.4":     (1, 0, 0, 0, 0, 0, 1),   # C20
    "not_processed.5":     (0, 0, 0, 0, 1, 0, 1),   # C21
    "other.1":             (1, 1, 0, 0, 0, 0, 2),   # C22 | C23
    "other.2":             (2, 1, 0, 0, 0, 0, 3),   # B5 C24 | C33
    "other.3":             (3, 0, 0, 1, 0, 1, 5),   # C25 C37 D5 | B4 | C26
    "total":               (24, 8, 4, 3, 2, 2, 43),
    "carried_forward":     (3, 1, 1, 0, 1, 1, 7),   # D1 D3 D6 | D2 | D4 | D7 | B6
}

# 2027 (as of 26 February). New: U2, E1, E2. Carried over: B6, D1–D4, D6, D7. Concluded:
# D1 D3 E1 | U2 | D4 (一); D2 B6 (四)1; D6 (六)2. Carried forward: D7, E2.
T3_2027: dict[str, tuple[int, ...]] = {
    "new":             (1, 1, 0, 0, 0, 1, 3),
    "carried_over":    (3, 1, 1, 0, 1, 1, 7),
    "disclosed":       (3, 1, 1, 0, 0, 0, 5),
    "unavailable.1":   (0, 1, 0, 0, 0, 1, 2),
    "other.2":         (1, 0, 0, 0, 0, 0, 1),
    "total":           (4, 2, 1, 0, 0, 1, 8),
    "carried_forward": (0, 0, 0, 0, 1, 1, 2),
}

# Table 四: (upheld, corrected, other, pending, total) per group, by filing year, as the
# record stood on 31 December.
T4_2025 = {"reconsideration": (0, 0, 0, 1, 1)}             # A3's, decided in 2026
T4_2026 = {
    "reconsideration": (1, 0, 0, 1, 2),                     # C05's upheld; C08's decided 2027
    "litigation_direct": (0, 1, 0, 0, 1),                   # C13's
    "litigation_after_reconsideration": (0, 0, 0, 1, 1),    # C05's
}
T4_2027 = {"reconsideration": (0, 0, 0, 1, 1)}             # C32's
# fmt: on

# Who each year's table counts anywhere (一 or 二): everyone else must be in no cell.
COUNTED = {
    2025: {"A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "B4", "B5", "B6"},
    2026: {"B1", "B2", "B3", "B4", "B5", "B6", "D1", "D2", "D3", "D4", "D5", "D6", "D7"}
    | {f"C{i:02d}" for i in range(1, 38)},
    2027: {"B6", "D1", "D2", "D3", "D4", "D6", "D7", "U2", "E1", "E2"},
}

# --- driving the workflow ----------------------------------------------------------------

PAYMENT = "请于期限内通过政府非税收入缴款系统缴纳"


def _step_payload(action: str, day: str) -> tuple[str, str, dict[str, Any]]:
    """(workflow action, role, payload) of a step of CASES_TABLE on `day`."""
    steps: dict[str, tuple[str, str, dict[str, Any]]] = {
        "request_correction": (
            "request_correction",
            "clerk",
            {"items_to_correct": ["请明确所需信息的年份及文件名称"]},
        ),
        "record_correction": ("record_correction", "clerk", {"corrected_receipt_date": day}),
        "extend": ("extend", "approver", {"days": 20, "reason": "需调取多个部门的档案"}),
        "fee": (
            "issue_fee_notice",
            "clerk",
            {"method": "per_volume", "quantity": 100, "payment": PAYMENT},
        ),
        "pay": ("record_payment", "clerk", {"paid_on": day}),
        "ask_third_party": (
            "start_consultation",
            "clerk",
            {
                "kind": "third_party",
                "party": "北京某某建设工程有限公司",
                "question": "是否同意公开贵公司投标文件中的报价明细",
                "dispatch_method": "electronic",
            },
        ),
        "ask_organ": (
            "start_consultation",
            "clerk",
            {
                "kind": "other_organ",
                "party": "示例区财政局",
                "question": "是否同意公开贵局出具的资金拨付意见",
                "dispatch_method": "electronic",
            },
        ),
        "objection": (
            "record_opinion",
            "clerk",
            {
                "consultation_id": "C1",
                "received_on": day,
                "opinion": "不同意公开",
                "result": "objection",
                "objection_reasons": "报价明细属于本公司商业秘密",
            },
        ),
        "conclude": ("conclude_consultation", "clerk", {}),
        "ask_reasons": ("request_reasons", "clerk", {"grounds": "一个月内提出申请120件"}),
        "unreasonable": ("record_reasons", "clerk", {"decision": "unreasonable"}),
        "confirm": (
            "confirm_receipt",
            "clerk",
            {"receipt_date": day, "receipt_basis": "confirmed", "receipt_evidence": "电话确认"},
        ),
    }
    return steps[action]


def _applicant(spec: C, i: int) -> dict[str, Any]:
    if spec.category == NP:
        return person(name=f"申请人{spec.key}", id_number=resident_id(seq=f"{i:03d}"))
    return company(
        category=spec.category, name=f"示例{spec.key}单位", id_number=uscc(f"91330100MA2{i:05d}0")
    )


class Run:
    """The cases of CASES_TABLE as they stand now, by key."""

    def __init__(self, client: TestClient, staff: Staff, clock: Clock) -> None:
        self.client, self.staff, self.clock = client, staff, clock
        self.cases: dict[str, dict[str, Any]] = {}
        self.remedy_ids: dict[tuple[str, str], int] = {}

    def act(self, key: str, action: str, role: str, **body: Any) -> None:
        self.cases[key] = ok(act(self.client, self.staff, self.cases[key], action, role, **body))

    def register(self, i: int, spec: C) -> None:
        applicant = _applicant(spec, i)
        if spec.arrived is None:
            items = [{"description": d, "document_number": None} for d in spec.items]
            self.cases[spec.key] = online(
                self.client, applicant=applicant, **({"items": items} if items else {})
            )
            return
        body = staff_case(
            "ordinary_mail", applicant=applicant, arrived_at=f"{spec.arrived}T09:30:00+08:00"
        )
        r = self.client.post(CASES, json=body, headers=self.staff.headers("clerk"))
        assert r.status_code == 201, r.text
        assert r.json()["state"] == "awaiting_confirmation"
        self.cases[spec.key] = r.json()

    def conclude(self, spec: C) -> None:
        assert spec.outcome is not None
        assert spec.concluded is not None
        if spec.outcome == "other.no_correction":
            self.act(spec.key, "close_uncorrected", "clerk")
        elif spec.outcome == "other.fee_unpaid":
            self.act(spec.key, "close_unpaid", "clerk")
        elif spec.outcome == "other.other":
            self.act(
                spec.key, "withdraw", "clerk", withdrawn_on=spec.concluded, reason="申请人书面撤回"
            )
        elif spec.reply is not None:
            # The outcome is left out: the service derives it from the items' decisions.
            self.cases[spec.key] = reply_through_review(
                self.client, self.staff, self.cases[spec.key], None, **spec.reply
            )
        else:
            self.cases[spec.key] = reply_through_review(
                self.client, self.staff, self.cases[spec.key], **reply_params(spec.outcome)
            )

    def file_remedy(self, key: str, kind: str, filed: str) -> None:
        r = self.client.post(
            f"{CASES}/{self.cases[key]['id']}/remedies",
            json={"kind": kind, "body": "示例区人民政府", "filed_on": filed},
            headers=self.staff.headers("clerk"),
        )
        assert r.status_code == 201, r.text
        self.remedy_ids[(key, kind)] = r.json()["id"]

    def decide_remedy(self, key: str, kind: str, filed: str, result: str, on: str) -> None:
        body = {"kind": kind, "body": "示例区人民政府", "filed_on": filed, "result": result,
                "result_on": on}  # fmt: skip
        url = f"{CASES}/{self.cases[key]['id']}/remedies/{self.remedy_ids[(key, kind)]}"
        ok(self.client.put(url, json=body, headers=self.staff.headers("clerk")))

    def publish(self, year: int) -> None:
        r = self.client.post(f"{REPORTS}/{year}/lock", headers=self.staff.headers("approver"))
        assert r.status_code == 200, r.text


# The notices whose window runs from the applicant's receipt, and the action recording it.
_ARRIVALS = {
    "request_correction": "record_notice_receipt",
    "issue_fee_notice": "record_fee_notice_receipt",
}


def _agenda(run: Run) -> list[tuple[str, int, int, Callable[[], None]]]:
    """Every dated event of the run: (day, phase, order, do). Within a day: registrations,
    then handling steps, conclusions, remedy records, publications."""
    agenda: list[tuple[str, int, int, Callable[[], None]]] = []

    def add(day: str, phase: int, do: Callable[[], None]) -> None:
        agenda.append((day, phase, len(agenda), do))

    for i, spec in enumerate(CASES_TABLE, start=1):
        add(spec.arrived or spec.received or "", 0, partial(run.register, i, spec))
        for day, step in spec.steps:
            action, role, body = _step_payload(step, day)
            add(day, 1, partial(run.act, spec.key, action, role, **body))
            if action in _ARRIVALS:
                # An e-served notice counts from its recorded arrival (RULES §4): that day here.
                arrival = {"received_on": day, "evidence": "短信回执"}
                add(day, 1, partial(run.act, spec.key, _ARRIVALS[action], "front_desk", **arrival))
        if spec.concluded is not None:
            add(spec.recorded or spec.concluded, 2, partial(run.conclude, spec))
    for key, kind, filed, result, on in REMEDIES:
        add(filed, 3, partial(run.file_remedy, key, kind, filed))
        if on is not None:
            add(on, 3, partial(run.decide_remedy, key, kind, filed, result, on))
    for day, year in PUBLISH:
        add(day, 4, partial(run.publish, year))
    return sorted(agenda, key=lambda e: e[:3])


def _play(client: TestClient, staff: Staff, clock: Clock) -> Run:
    run = Run(client, staff, clock)
    for day, _, _, do in _agenda(run):
        clock.set(f"{day}T10:00+08:00")
        do()
    clock.set(f"{REPORTS_ON}T10:00+08:00")
    return run


# --- checking ----------------------------------------------------------------------------

COLUMNS = [c.key for c in layout.TABLE3_COLUMNS]
T4_COLUMNS = [c.key for c in layout.TABLE4_COLUMNS]


def _grid(expected: Mapping[str, tuple[int, ...]]) -> dict[str, dict[str, int]]:
    """A hand-written table (rows not listed are zero) as row -> column -> number."""
    return {
        row.key: dict(zip(COLUMNS, expected.get(row.key, Z), strict=True))
        for row in layout.TABLE3_ROWS
    }


def _grid4(expected: Mapping[str, tuple[int, ...]]) -> dict[str, dict[str, int]]:
    return {
        g.key: dict(zip(T4_COLUMNS, expected.get(g.key, (0, 0, 0, 0, 0)), strict=True))
        for g in layout.TABLE4_GROUPS
    }


def _identities_hold(t3: dict[str, dict[str, int]], t4: dict[str, dict[str, int]]) -> None:
    """RULES §8's identities, recomputed from the JSON."""
    categories = COLUMNS[:-1]
    for col in COLUMNS:
        assert t3["new"][col] + t3["carried_over"][col] == (
            t3["total"][col] + t3["carried_forward"][col]
        ), col
        assert t3["total"][col] == sum(t3[r.key][col] for r in layout.RESULT_ROWS), col
    for row, cols in t3.items():
        assert cols["total"] == sum(cols[c] for c in categories), row
    for group, cols in t4.items():
        assert cols["total"] == sum(cols[c] for c in T4_COLUMNS[:-1]), group


def _listed(client: TestClient, staff: Staff, year: int, row: str, col: str) -> list[str]:
    """The case numbers a cell's drill-down lists, in its order (receipt date, number)."""
    got = drill(client, f"{REPORTS}/{year}/cells/{row}/{col}?page_size=500", staff.headers("clerk"))
    assert got["count"] == len(got["cases"])
    return [c["number"] for c in got["cases"]]


def test_the_run_has_every_outcome_and_category_within_2026() -> None:
    within = [
        c
        for c in CASES_TABLE
        if (c.received or "").startswith("2026") and (c.concluded or "").startswith("2026")
    ]
    assert {c.outcome for c in within} == set(OUTCOMES)
    assert {c.category for c in within} == set(ApplicantCategory)
    assert len({c.key for c in CASES_TABLE}) == len(CASES_TABLE)


@pytest.mark.slow  # about 10 s on a quiet 2-core machine: ~330 requests, ~75 letters rendered
def test_a_generated_run_of_cases_gives_the_hand_checked_tables(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    run = _play(client, organ_a, clock)

    # The run went as planned: every case where CASES_TABLE says it is.
    for spec in CASES_TABLE:
        case = ok(
            client.get(f"{CASES}/{run.cases[spec.key]['id']}", headers=organ_a.headers("clerk"))
        )
        assert (case["applicant"]["category"], case["receipt_date"]) == (
            spec.category,
            spec.received,
        ), spec.key
        assert (case["outcome"], case["concluded_on"]) == (spec.outcome, spec.concluded), spec.key
        closed = case["state"] in {"replied", "served", "archived", "withdrawn"}
        assert closed == (spec.outcome is not None), (spec.key, case["state"])
    assert len(CASES_TABLE) == 59

    expected = {
        2025: (T3_2025, T4_2025),
        2026: (T3_2026, T4_2026),
        2027: (T3_2027, T4_2027),
    }
    for year, (want3, want4) in expected.items():
        rep = report(client, organ_a, year)
        t3, t4 = table3(rep), table4(rep)
        _identities_hold(t3, t4)
        assert rep["identities_checked"] == 7 * 2 + 25 + 3
        assert t3 == _grid(want3), year
        assert t4 == _grid4(want4), year
        published = year in {y for _, y in PUBLISH}
        assert (rep["lock"] is not None) == published, year
        if published:
            # Nothing done after publication touched the published numbers.
            assert rep["lock"]["changed_since_publication"] == []
            assert rep["lock"]["overrides"] == []

    # A few cells, spelled out.
    t26 = table3(report(client, organ_a, 2026))
    assert t26["new"]["natural_person"] == 24
    assert t26["carried_over"]["total"] == 6
    assert t26["withheld.4"]["commercial_enterprise"] == 1
    assert t26["carried_forward"]["total"] == 7
    assert table4(report(client, organ_a, 2026))["reconsideration"]["pending"] == 1

    # The drill-down lists exactly the cases behind the numbers.
    number = {key: c["number"] for key, c in run.cases.items()}

    def numbers(*keys: str) -> list[str]:
        return [number[k] for k in keys]

    assert _listed(client, organ_a, 2026, "carried_over", "total") == numbers(
        "B1", "B2", "B3", "B4", "B5", "B6"
    )
    assert _listed(client, organ_a, 2026, "carried_forward", "total") == numbers(
        "B6", "D1", "D2", "D3", "D4", "D6", "D7"
    )
    assert _listed(client, organ_a, 2026, "other.3", "total") == numbers(
        "B4", "C25", "C26", "C37", "D5"
    )
    assert _listed(client, organ_a, 2026, "partially_disclosed", "research_institution") == (
        numbers("C36")
    )
    assert _listed(client, organ_a, 2026, "other.2", "natural_person") == numbers("B5", "C24")
    assert _listed(client, organ_a, 2026, "withheld.4", "commercial_enterprise") == numbers("C08")
    assert _listed(client, organ_a, 2027, "new", "total") == numbers("U2", "E1", "E2")
    assert _listed(client, organ_a, 2025, "carried_forward", "other_org") == numbers("B6")
    assert _listed(client, organ_a, 2026, "reconsideration", "pending") == numbers("C08")
    assert _listed(client, organ_a, 2026, "litigation_after_reconsideration", "total") == numbers(
        "C05"
    )
    # Every case a year counts is in its 一 or 二, so these are all it counts: the
    # application withdrawn before confirmation (U1) is in no year, U2 only in 2027.
    for year, keys in COUNTED.items():
        counted = _listed(client, organ_a, year, "new", "total") + _listed(
            client, organ_a, year, "carried_over", "total"
        )
        assert sorted(counted) == sorted(numbers(*keys)), year
    u1 = ok(client.get(f"{CASES}/{run.cases['U1']['id']}", headers=organ_a.headers("clerk")))
    assert (u1["state"], u1["receipt_date"], u1["outcome"]) == ("withdrawn", None, "other.other")
