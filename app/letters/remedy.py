"""The remedy clause (救济途径告知) a letter carries, naming the organ's body and court (pure).

RULES §5: refusals under Arts. 14–16 must go to reconsideration first (行政复议法 2023 Art. 23)
and the letter must say so — the applicant may not sue directly; a lawsuit may follow within 15
days of the decision, or of the end of the decision period when none comes (行政诉讼法 Art. 45).
Every other decision may go to reconsideration or to court.
"""

from __future__ import annotations

from app.outcomes import Remedy


def remedy_text(remedy: Remedy, *, body: str, court: str, letter: str = "本答复书") -> str:
    """The clause in the letter's own words; empty for decisions that carry none."""
    if remedy is Remedy.reconsideration_first:
        return (
            f"如对本决定不服，应当自收到{letter}之日起60日内先向{body}申请行政复议，"
            "不得直接向人民法院提起行政诉讼；"
            "对行政复议决定不服的，可以自收到行政复议决定书之日起15日内依法向人民法院提起行政诉讼；"
            "行政复议机关逾期不作决定的，可以在复议期满之日起15日内依法向人民法院提起行政诉讼"
            "（《中华人民共和国行政诉讼法》第四十五条）。"
        )
    if remedy is Remedy.either:
        return (
            f"如对本决定不服，可以自收到{letter}之日起60日内向{body}申请行政复议，"
            f"或者在6个月内向{court}提起行政诉讼。"
        )
    return ""
