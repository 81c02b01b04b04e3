"""The press renders in worker processes; failures and timeouts are clear problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.letters.press import LetterPress, LetterRenderFailed
from tests.letters.helpers import pdf_text

HTML = "<html><body><p>政府信息公开申请答复书</p></body></html>"


def test_a_worker_process_renders_and_stays_warm(tmp_path: Path) -> None:
    press = LetterPress(workers=1, timeout_s=60, storage_dir=tmp_path)
    try:
        first = press.render([HTML])
        second = press.render([HTML, HTML])
    finally:
        press.close()
    assert "政府信息公开申请答复书" in pdf_text(first.pdf)
    assert first.pages == 1
    assert second.pages == 2


def test_a_render_that_takes_too_long_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    press = LetterPress(workers=1, timeout_s=0.001, storage_dir=tmp_path)
    try:
        with pytest.raises(LetterRenderFailed) as err:
            press.render([HTML * 50])
    finally:
        press.close()
    assert err.value.status == 503


def test_broken_html_input_is_a_problem(tmp_path: Path) -> None:
    press = LetterPress(workers=0, timeout_s=60, storage_dir=tmp_path)
    with pytest.raises(ValueError):
        press.render([])
