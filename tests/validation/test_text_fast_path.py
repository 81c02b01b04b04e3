"""clean_text skips the per-character check for text without a suspect character: the suspects
must include every character any field refuses."""

from app.validation.text import _SUSPECT, disallowed_char_reason


def test_every_refused_character_is_a_suspect() -> None:
    # Single-line names refuse the most: every character refused anywhere is refused there.
    missed = [
        hex(cp)
        for cp in range(0x110000)
        if disallowed_char_reason(chr(cp), multiline=False, name=True) is not None
        and _SUSPECT.search(chr(cp)) is None
    ]
    assert missed == []


def test_ordinary_text_has_no_suspect() -> None:
    assert (
        _SUSPECT.search("2024年老旧小区改造项目清单（第12号）王伟 a@b.cn 示政发〔2020〕1号") is None
    )
