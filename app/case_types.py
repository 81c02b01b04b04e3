"""The case types the service handles, each run by the workflow of the same name (pure).

An FOI application (政府信息公开申请) is the main line; a request to correct government
information about oneself (更正申请, Art. 41) is a case type of its own: its own workflow,
outcomes and letter, and it is not counted in the annual report (RULES §8, §9).
"""

from __future__ import annotations

from typing import Final, Literal

FOI_APPLICATION: Final = "foi_application"
RECORD_CORRECTION: Final = "record_correction"

CaseType = Literal["foi_application", "record_correction"]
CASE_TYPES: tuple[str, ...] = (FOI_APPLICATION, RECORD_CORRECTION)
CASE_TYPE_LABELS = {
    FOI_APPLICATION: "政府信息公开申请",
    RECORD_CORRECTION: "更正申请",
}

# Outcomes of a correction request (Art. 41), with the labels the case views show.
RECORD_CORRECTION_OUTCOMES = {
    "corrected": "予以更正",
    "refused": "不予更正",
    "forwarded": "转送有权更正的机关",
    "withdrawn": "申请人撤回",
}
