"""Every letter kind, and the reply for every outcome, built from the samples and rendered with the
real renderer: what the law asks each letter to say is in the PDF's text, in embedded fonts,
without missing glyphs; bad parameters are refused naming the field; applicant text is text."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from pypdf import PdfReader

from app.errors import InvalidInput
from app.letters.bodies_common import citations
from app.letters.builders import build
from app.letters.context import LetterContext, LetterSource
from app.letters.kinds import KINDS, LetterKind
from app.letters.render import LetterTemplates, PdfRenderer
from app.letters.samples import (
    CLOSURE_SAMPLES,
    DEFAULT_FONTS,
    FEE_PER_VOLUME,
    ITEMS_REPLY,
    REPLY_SAMPLES,
    SAMPLE_CASE,
    SAMPLE_ORGAN,
    SAMPLE_PARAMS,
    reply_params,
    sample_source,
)
from app.outcomes import OUTCOMES, Remedy

APPLICANT = SAMPLE_CASE.applicant_name
THIRD_PARTY = SAMPLE_PARAMS["third_party_consultation"]["party"]
OTHER_ORGAN = SAMPLE_PARAMS["organ_consultation"]["party"]


@dataclasses.dataclass(frozen=True)
class Rendered:
    ctx: LetterContext
    html: str
    pdf: bytes
    pages: list[str]  # each page's text, whitespace removed

    @property
    def text(self) -> str:
        return "".join(self.pages)


@pytest.fixture(scope="module")
def templates() -> LetterTemplates:
    return LetterTemplates(fonts=DEFAULT_FONTS)


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer()


def squash(text: str) -> str:
    """Text without whitespace: Chinese lines wrap anywhere, and the extractor adds breaks."""
    return re.sub(r"\s+", "", text)


_PAGE_NUMBER = re.compile(r"—\d+—$")


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text without whitespace and without its page number "— N —"."""
    return [
        _PAGE_NUMBER.sub("", squash(p.extract_text() or ""))
        for p in PdfReader(io.BytesIO(pdf)).pages
    ]


def render(templates: LetterTemplates, renderer: PdfRenderer, src: LetterSource) -> Rendered:
    ctx = build(src)
    html = templates.html(ctx)
    pdf = renderer.pdf(html)
    return Rendered(ctx, html, pdf, page_texts(pdf))


def fonts_of(pdf: bytes) -> dict[str, bool]:
    """Every font the pages use, by base name, and whether its program is embedded."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                d = descendant.get_object()
                descriptor = d["/FontDescriptor"].get_object()
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                found[str(d["/BaseFont"])] = embedded
    return found


def assert_sound_pdf(r: Rendered) -> None:
    """Fonts embedded, a CJK face among them, nothing rendered as a missing glyph."""
    fonts = fonts_of(r.pdf)
    assert fonts, "no fonts"
    assert all(fonts.values()), fonts
    assert any("Gongkai" in name or "CJK" in name for name in fonts), fonts
    assert "\ufffd" not in r.text
    assert ".notdef" not in r.text


def assert_common(r: Rendered, *, addressee: str) -> None:
    """What every letter carries (RULES §7)."""
    text = r.text
    assert_sound_pdf(r)
    assert squash(KINDS[LetterKind(r.ctx.kind)].title) in text
    if r.ctx.number:
        assert r.ctx.number in text
    assert addressee in text
    assert SAMPLE_CASE.number in text
    assert "2026年3月2日" in text  # the application's receipt date
    assert SAMPLE_ORGAN.name in text
    assert "李静" in text
    assert SAMPLE_ORGAN.phone in text
    assert squash(r.ctx.date.strftime("%Y年") + f"{r.ctx.date.month}月{r.ctx.date.day}日") in text
    assert "草稿" not in text


def assert_remedy(r: Rendered, kind: Remedy) -> None:
    text = r.text
    if kind is Remedy.none:
        assert r.ctx.remedy is None
        assert "行政复议" not in text
        assert "行政诉讼" not in text
        return
    assert r.ctx.remedy is not None
    assert r.ctx.remedy.kind is kind
    assert squash(r.ctx.remedy.text) in text
    assert "60日内" in text
    assert SAMPLE_ORGAN.reconsideration_body in text
    if kind is Remedy.reconsideration_first:
        assert "15日内" in text
        assert "6个月" not in text
    else:
        assert "6个月" in text
        assert SAMPLE_ORGAN.court in text
        assert "15日内" not in text


# --- each kind ------------------------------------------------------------------------------

# kind → (addressee, phrases its decision must contain, its remedy clause)
KIND_EXPECTATIONS: dict[str, tuple[str, tuple[str, ...], Remedy]] = {
    "receipt": (
        APPLICANT,
        ("已予登记", "第三十一条", "第三十三条第二款", "2026年3月30日"),
        Remedy.none,
    ),
    "correction_notice": (
        APPLICANT,
        (
            "第三十条",
            "一次性告知",
            "15个工作日内",
            "2026年3月30日前",
            "视为放弃申请",
            "答复期限自本机关收到补正后的申请之日起重新计算",
            *SAMPLE_PARAMS["correction_notice"]["items_to_correct"],
        ),
        Remedy.none,
    ),
    "extension_notice": (
        APPLICANT,
        ("第三十三条第二款", "延长15个工作日", "2026年4月21日前作出答复", "负责人同意"),
        Remedy.none,
    ),
    "third_party_consultation": (
        THIRD_PARTY,
        (
            "第三十二条",
            "15个工作日内",
            "逾期未提出意见的，由本机关依照",
            "申请人",
            "主要材料采购单价",
        ),
        Remedy.none,
    ),
    "organ_consultation": (
        OTHER_ORGAN,
        ("第三十四条", "15个工作日内", "视为同意公开", "申请人"),
        Remedy.none,
    ),
    "third_party_disclosure_notice": (
        THIRD_PARTY,
        (
            "第十五条、第三十二条",
            "本机关决定予以公开",
            "公共利益造成重大影响",
            "XCFGW依申征〔2026〕2号",
            "2026年4月24日",
            "本告知书",
        ),
        Remedy.either,
    ),
    "reasons_request": (
        APPLICANT,
        ("第三十五条", "说明申请理由", "15个工作日内", "不予处理", "延迟答复的合理期限"),
        Remedy.none,
    ),
    "delayed_reply_notice": (
        APPLICANT,
        (
            "政府信息公开申请延迟答复告知书",
            "XCFGW依申迟〔2026〕1号",
            "XCFGW依申理〔2026〕1号",
            "课题研究报告",
            "申请理由合理，但是无法在",
            "第三十三条规定的期限内答复",
            "逐件核查",
            "第三十五条",
            "负责人同意",
            "本机关将于2026年5月29日前作出答复",
        ),
        Remedy.none,
    ),
    "fee_notice": (
        APPLICANT,
        (
            "第四十二条",
            "国办函〔2020〕109号",
            "按件计收",
            "45件",
            "2,000.00元",
            "1,500.00元",
            "5,500.00元",
            "人民币伍仟伍佰元整",
            "20个工作日内",
            "视为放弃申请",
            "缴款识别码",
            "本通知书",
        ),
        Remedy.either,
    ),
    "reply": (
        APPLICANT,
        ("第三十六条第（二）项、第四十条", "本机关决定予以公开", "本答复书"),
        Remedy.either,
    ),
    "closure_notice": (
        APPLICANT,
        ("第三十条", "XCFGW依申补〔2026〕3号", "视为放弃申请", "不再处理", "本告知书"),
        Remedy.either,
    ),
    "service_receipt": (
        APPLICANT,
        (
            "送达文书名称及文号",
            "《政府信息公开申请答复书》XCFGW依申答〔2026〕17号",
            "受送达人",
            "邮寄送达",
            "收件人签名或盖章",
            "1151234567890",
            "2026年3月20日交邮",
            "拒收事由及见证人",
        ),
        Remedy.none,
    ),
    "record_correction_reply": (
        APPLICANT,
        ("更正申请", "第四十一条", "本机关决定不予更正", "测绘成果"),
        Remedy.either,
    ),
}


def test_every_kind_has_expectations_and_sample_parameters() -> None:
    assert set(KIND_EXPECTATIONS) == {k.value for k in LetterKind} == set(SAMPLE_PARAMS)


@pytest.mark.parametrize("kind", list(KIND_EXPECTATIONS))
def test_each_kind_says_what_the_law_asks(
    kind: str, templates: LetterTemplates, renderer: PdfRenderer
) -> None:
    addressee, phrases, remedy = KIND_EXPECTATIONS[kind]
    r = render(templates, renderer, sample_source(kind))
    assert_common(r, addressee=addressee)
    for phrase in phrases:
        assert squash(phrase) in r.text, phrase
    assert_remedy(r, remedy)
    # Typical letters keep to one page; the fee notice's calculation takes two.
    assert len(r.pages) == (2 if kind == "fee_notice" else 1)


@pytest.mark.parametrize(
    "kind", ["third_party_consultation", "organ_consultation", "third_party_disclosure_notice"]
)
def test_letters_to_others_do_not_name_or_locate_the_applicant(
    kind: str, templates: LetterTemplates, renderer: PdfRenderer
) -> None:
    r = render(templates, renderer, sample_source(kind))
    for private in (
        APPLICANT,
        SAMPLE_CASE.applicant_phone,
        SAMPLE_CASE.applicant_address,
        SAMPLE_CASE.applicant_email,
    ):
        assert private is not None
        assert squash(private) not in r.text
        assert private not in r.html


def test_per_volume_fee_shows_the_page_tiers(
    templates: LetterTemplates, renderer: PdfRenderer
) -> None:
    r = render(templates, renderer, sample_source("fee_notice", **FEE_PER_VOLUME))
    for phrase in (
        "按量计收",
        "2219页",
        "40.00元/页",
        "80,760.00元",
        "83,460.00元",
        "人民币捌万叁仟肆佰陆拾元整",
    ):
        assert phrase in r.text, phrase


@pytest.mark.parametrize(
    ("closure", "phrases", "remedy"),
    [
        ("no_correction", ("第三十条", "XCFGW依申补〔2026〕3号", "逾期未补正"), Remedy.either),
        (
            "fee_unpaid",
            ("国办函〔2020〕109号", "XCFGW依申费〔2026〕2号", "逾期未按收费通知"),
            Remedy.either,
        ),
        (
            "withdrawn",
            ("2026年3月31日", "申请撤回", "已通过其他途径获取所需信息", "终止办理"),
            Remedy.none,
        ),
    ],
)
def test_closure_notice_for_each_closure(
    closure: str,
    phrases: tuple[str, ...],
    remedy: Remedy,
    templates: LetterTemplates,
    renderer: PdfRenderer,
) -> None:
    r = render(templates, renderer, sample_source("closure_notice", **CLOSURE_SAMPLES[closure]))
    assert_common(r, addressee=APPLICANT)
    for phrase in phrases:
        assert phrase in r.text, phrase
    assert_remedy(r, remedy)


# --- the reply, every outcome ---------------------------------------------------------------

REPLY_PHRASES: dict[str, tuple[str, ...]] = {
    "disclosed": ("本机关决定予以公开", "共6页"),
    "already_public": ("已经主动公开", "获取该政府信息的方式和途径", "t20250618_3861182.html"),
    "partially_disclosed": (
        "对可以公开的部分予以公开",
        "不予公开的部分及理由如下",
        "施工单位的主要材料采购单价",
        "第十五条、第三十六条第（三）项",
        "第十六条第二款、第三十六条第（三）项",
    ),
    "withheld.state_secret": ("属于国家秘密", "决定不予公开"),
    "withheld.prohibited_by_law": ("法律、行政法规禁止公开", "决定不予公开"),
    "withheld.security_stability": ("国家安全、公共安全、经济安全、社会稳定", "决定不予公开"),
    "withheld.third_party_rights": ("第三方合法权益", "决定不予公开"),
    "withheld.internal_affairs": ("内部事务信息", "决定不予公开"),
    "withheld.process_information": ("过程性信息", "决定不予公开"),
    "withheld.enforcement_file": ("行政执法案卷", "决定不予公开"),
    "withheld.administrative_query": ("依照有关法律、行政法规的规定办理", "西城区市场监督管理局"),
    "unavailable.not_held": ("进行了检索", "该政府信息不存在"),
    "unavailable.not_this_organ": (
        "不属于本机关负责公开",
        "北京市西城区住房和城市建设委员会",
        "010-66001234",
    ),
    "unavailable.needs_creation": ("加工、分析", "不予提供"),
    "unavailable.still_unclear": ("XCFGW依申补〔2026〕3号", "仍不明确"),
    "not_processed.petition": ("不作为政府信息公开申请处理", "12345市民服务热线"),
    "not_processed.repeat": ("2025年11月14日", "XCFGW依申答〔2025〕96号", "不予重复处理"),
    "not_processed.publication": ("公开出版物", "不作为政府信息公开申请处理", "档案馆查阅"),
    "not_processed.excessive": ("XCFGW依申理〔2026〕1号", "明显超过合理范围", "不予处理"),
    "not_processed.confirmation": ("确认或者重新出具", "不作为政府信息公开申请处理"),
    "other.no_correction": ("XCFGW依申补〔2026〕3号", "视为放弃申请", "不再处理"),
    "other.fee_unpaid": ("XCFGW依申费〔2026〕2号", "视为放弃申请", "不再处理"),
    "other.not_government_information": (
        "不属于《中华人民共和国政府信息公开条例》第二条所指的政府信息",
        "不作为政府信息公开申请予以提供",
    ),
    "other.other": ("撤回", "终止办理"),
}


def test_every_outcome_has_a_sample_and_expectations() -> None:
    assert set(REPLY_SAMPLES) == set(OUTCOMES) == set(REPLY_PHRASES)


@pytest.mark.parametrize("outcome", list(OUTCOMES))
def test_reply_for_each_outcome(
    outcome: str, templates: LetterTemplates, renderer: PdfRenderer
) -> None:
    r = render(templates, renderer, sample_source("reply", **reply_params(outcome)))
    assert_common(r, addressee=APPLICANT)
    for phrase in REPLY_PHRASES[outcome]:
        assert phrase in r.text, phrase
    # The legal basis by article and item, each citation of the outcome.
    for citation in citations(OUTCOMES[outcome].basis):
        assert citation.split("》")[-1] in r.text, citation
    assert_remedy(r, OUTCOMES[outcome].remedy)
    if OUTCOMES[outcome].remedy is not Remedy.none:
        assert "本答复书" in r.text
    reasons = REPLY_SAMPLES[outcome].get("reasons")
    if reasons:
        assert squash(reasons) in r.text


def test_a_long_reply_breaks_cleanly_with_the_signature_never_alone(
    templates: LetterTemplates, renderer: PdfRenderer
) -> None:
    r = render(templates, renderer, sample_source("reply", **reply_params("partially_disclosed")))
    assert len(r.pages) == 2
    first, last = r.pages
    assert SAMPLE_ORGAN.name not in first
    # The closing words and the remedy clause travel with the signature.
    assert SAMPLE_ORGAN.name in last
    assert "特此答复" in last
    assert "如对本决定不服" in last


def test_item_outcomes_are_answered_one_by_one_and_the_strictest_remedy_applies(
    templates: LetterTemplates, renderer: PdfRenderer
) -> None:
    r = render(templates, renderer, sample_source("reply", **ITEMS_REPLY))
    for phrase in (
        "对可以公开的部分予以公开",
        "第1项：予以公开",
        "第2项：不予公开：保护第三方合法权益，该项涉及商业秘密、个人隐私等",
        "单户补贴金额",
        "第十五条",
    ):
        assert phrase in r.text, phrase
    # The items carry the withholding: no list of withheld parts is printed or required.
    assert "不予公开的部分及理由如下" not in r.text
    assert_remedy(r, Remedy.reconsideration_first)


def test_a_draft_shows_the_placeholder_instead_of_a_number(
    templates: LetterTemplates, renderer: PdfRenderer
) -> None:
    r = render(templates, renderer, sample_source("reply", number=None))
    assert r.ctx.draft is True
    assert "（草稿，出具时编号）" in r.text
    service = build(sample_source("service_receipt"))
    assert service.number is None
    assert service.draft is False


def test_a_long_organ_name_moves_the_contact_out_of_the_signature_line(
    templates: LetterTemplates,
) -> None:
    short = templates.html(build(sample_source("reply")))
    assert 'class="sign-note"' in short
    long_name = SAMPLE_ORGAN.model_copy(
        update={"name": "北京市西城区人民政府金融街街道办事处城市管理综合执法队"}
    )
    src = dataclasses.replace(sample_source("reply"), organ=long_name)
    html = templates.html(build(src))
    assert 'class="sign-note"' not in html
    assert "承办人：李静，联系电话：010-66000000。" in html


# --- escaping ------------------------------------------------------------------------------

HOSTILE = ("<b>x</b>", '<img src="http://127.0.0.1:9/x">', "</p><style>body{}</style>", "{{ 7*7 }}")


def test_applicant_text_is_escaped_in_html_and_printed_literally(
    templates: LetterTemplates, renderer: PdfRenderer
) -> None:
    name, item, reasons, party = HOSTILE[0] + "王", HOSTILE[1], HOSTILE[2], HOSTILE[3]
    case = dataclasses.replace(
        SAMPLE_CASE,
        applicant_name=name,
        items=(SAMPLE_CASE.items[0].model_copy(update={"description": item}),),
    )
    reply = dataclasses.replace(
        sample_source("reply", **{**reply_params("withheld.state_secret"), "reasons": reasons}),
        case=case,
    )
    consultation = dataclasses.replace(
        sample_source(
            "third_party_consultation",
            **{**SAMPLE_PARAMS["third_party_consultation"], "party": party},
        ),
        case=case,
    )
    for src, texts in ((reply, (name, item, reasons)), (consultation, (item, party))):
        r = render(templates, renderer, src)
        for raw in texts:
            # Markup is escaped; template syntax in data is just text.
            assert (raw in r.html) == ("<" not in raw), raw
            assert squash(raw) in r.text, raw
        assert "<b>" not in r.html
        assert "<img" not in r.html
        assert r.html.count("<style>") == 1  # the font stack's own
        assert "&lt;b&gt;x&lt;/b&gt;" in r.html or "&lt;img" in r.html
        assert "49" not in r.text


# --- the print batch cover ------------------------------------------------------------------


def test_the_batch_cover_lists_the_letters(
    templates: LetterTemplates, renderer: PdfRenderer
) -> None:
    letters = [
        SimpleNamespace(
            position=1,
            kind_title="政府信息公开申请答复书",
            number="XCFGW依申答〔2026〕17号",
            case_number=SAMPLE_CASE.number,
            addressee="<b>王晓明</b>",
            delivery_method_label="邮寄",
            pages=1,
            enclosures=(("采购合同", 4),),
        ),
        SimpleNamespace(
            position=2,
            kind_title="送达回证",
            number=None,
            case_number=SAMPLE_CASE.number,
            addressee="王晓明",
            delivery_method_label="邮寄",
            pages=2,
            enclosures=(),
        ),
    ]
    batch = SimpleNamespace(
        organ=SAMPLE_ORGAN,
        created_at=datetime(2026, 3, 20, 15, 4),
        created_by="李静",
        letters=letters,
    )
    html = templates.render("cover.html", batch=batch)
    assert "<b>王晓明" not in html
    pdf = renderer.pdf(html)
    text = "".join(page_texts(pdf))
    for phrase in (
        "文书批量打印清单",
        SAMPLE_ORGAN.name,
        "2026年3月20日15时04分",
        "2份，共3页",
        "XCFGW依申答〔2026〕17号",
        "<b>王晓明</b>",
        "附：《采购合同》4页",
    ):
        assert phrase in text, phrase
    assert all(fonts_of(pdf).values())


# --- parameters -----------------------------------------------------------------------------


def refused(kind: str, params: dict[str, Any]) -> list[list[str]]:
    """The locations of the fields a kind's builder refuses (fails the test if it accepts)."""
    src = dataclasses.replace(sample_source(kind), params=params)
    with pytest.raises(InvalidInput) as exc:
        build(src)
    assert exc.value.status == 422
    return [list(map(str, e["loc"])) for e in exc.value.extra["errors"]]


def without(params: dict[str, Any], field: str) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k != field}


REQUIRED: list[tuple[str, str]] = [
    ("correction_notice", "items_to_correct"),
    ("correction_notice", "correction_period_wd"),
    ("extension_notice", "days"),
    ("extension_notice", "reason"),
    ("third_party_consultation", "party"),
    ("third_party_consultation", "question"),
    ("organ_consultation", "party"),
    ("organ_consultation", "question"),
    ("third_party_disclosure_notice", "party"),
    ("third_party_disclosure_notice", "content"),
    ("third_party_disclosure_notice", "reasons"),
    ("reasons_request", "grounds"),
    ("delayed_reply_notice", "new_reply_date"),
    ("delayed_reply_notice", "finding"),
    ("fee_notice", "method"),
    ("fee_notice", "quantity"),
    ("fee_notice", "tiers"),
    ("fee_notice", "amount_fen"),
    ("fee_notice", "payment"),
    ("reply", "outcome"),
    ("closure_notice", "closure"),
    ("service_receipt", "document_title"),
    ("service_receipt", "recipient"),
]


@pytest.mark.parametrize(("kind", "field"), REQUIRED)
def test_a_missing_required_field_is_refused_naming_it(kind: str, field: str) -> None:
    locs = refused(kind, without(SAMPLE_PARAMS[kind], field))
    assert ["body", "fields", field] in locs


REPLY_REQUIRED: list[tuple[str, str]] = [
    *(
        (code, "reasons")
        for code in OUTCOMES
        if REPLY_SAMPLES[code].get("reasons") and code != "other.other"
    ),
    ("other.other", "reasons"),
    ("disclosed", "provided"),
    ("partially_disclosed", "provided"),
    ("partially_disclosed", "withheld_parts"),
    ("already_public", "where_published"),
    ("not_processed.publication", "where_published"),
    ("not_processed.repeat", "earlier_reply"),
    ("unavailable.not_held", "search_description"),
]


@pytest.mark.parametrize(("outcome", "field"), REPLY_REQUIRED)
def test_a_reply_missing_what_its_outcome_needs_is_refused(outcome: str, field: str) -> None:
    locs = refused("reply", without(reply_params(outcome), field))
    assert ["body", "fields", field] in locs


def test_every_refusal_outcome_requires_reasons() -> None:
    needing = {code for code, field in REPLY_REQUIRED if field == "reasons"}
    assert {
        c for c in OUTCOMES if c.split(".")[0] in ("withheld", "unavailable", "not_processed")
    } <= needing
    assert "partially_disclosed" in needing


@pytest.mark.parametrize(
    ("kind", "params", "loc"),
    [
        ("reply", {"outcome": "granted"}, ["outcome"]),
        (
            "reply",
            {
                **reply_params("partially_disclosed"),
                "withheld_parts": [{"part": "x", "ground": "disclosed", "reasons": "y"}],
            },
            ["withheld_parts", "0", "ground"],
        ),
        (
            "reply",
            {
                **reply_params("disclosed"),
                "item_outcomes": [{"position": 9, "outcome": "disclosed"}],
            },
            ["item_outcomes", "0", "position"],
        ),
        (
            "reply",
            {**reply_params("disclosed"), "item_outcomes": [{"position": 1, "outcome": "nope"}]},
            ["item_outcomes", "0", "outcome"],
        ),
        ("reply", {**reply_params("withheld.state_secret"), "reasons": " 。 "}, ["reasons"]),
        # Every item of the application gets a decision (the sample case has two).
        (
            "reply",
            {
                **reply_params("disclosed"),
                "item_outcomes": [{"position": 1, "outcome": "disclosed"}],
            },
            ["item_outcomes"],
        ),
        # Items split between provision and withholding count as partially disclosed only.
        ({**ITEMS_REPLY, "outcome": "disclosed"}, None, ["outcome"]),
        # The counted outcome is one of the items' outcomes.
        (
            {
                **reply_params("unavailable.needs_creation"),
                "item_outcomes": [
                    {"position": 1, "outcome": "disclosed"},
                    {"position": 2, "outcome": "unavailable.not_held", "note": "未制作"},
                ],
            },
            None,
            ["outcome"],
        ),
        # An item refused states its reasons.
        (
            {
                **ITEMS_REPLY,
                "item_outcomes": [
                    {"position": 1, "outcome": "disclosed"},
                    {"position": 2, "outcome": "other.not_government_information"},
                ],
            },
            None,
            ["item_outcomes", "1", "note"],
        ),
        (
            "correction_notice",
            {"items_to_correct": [], "correction_period_wd": 15},
            ["items_to_correct"],
        ),
        (
            "correction_notice",
            {"items_to_correct": ["ok", "  "], "correction_period_wd": 15},
            ["items_to_correct", "1"],
        ),
        (
            "correction_notice",
            {"items_to_correct": ["ok"], "correction_period_wd": 0},
            ["correction_period_wd"],
        ),
        ("extension_notice", {"days": 21, "reason": "档案较多"}, ["days"]),
        ("closure_notice", {"closure": "abandoned"}, ["closure"]),
        ("service_receipt", {**SAMPLE_PARAMS["service_receipt"], "method": "fax"}, ["method"]),
        ("fee_notice", {**SAMPLE_PARAMS["fee_notice"], "method": "both"}, ["method"]),
    ],
)
def test_invalid_parameters_are_refused_naming_the_field(
    kind: str | dict[str, Any], params: dict[str, Any] | None, loc: list[str]
) -> None:
    if params is None:  # a reply's parameters given in the first place
        assert isinstance(kind, dict)
        kind, params = "reply", kind
    assert isinstance(kind, str)
    assert ["body", "fields", *loc] in refused(kind, params)


def test_a_fee_whose_tiers_do_not_add_up_is_refused() -> None:
    fee = SAMPLE_PARAMS["fee_notice"]
    tiers = [dict(t) for t in fee["tiers"]]
    tiers[1]["subtotal_fen"] += 100
    locs = refused("fee_notice", {**fee, "tiers": tiers})
    assert ["body", "fields", "tiers", "1", "subtotal_fen"] in locs
    assert ["body", "fields", "amount_fen"] in locs
    assert refused("fee_notice", {**fee, "amount_fen": fee["amount_fen"] - 1}) == [
        ["body", "fields", "amount_fen"]
    ]


def test_parameters_of_other_outcomes_left_in_a_draft_are_not_printed() -> None:
    params = {
        **reply_params("withheld.state_secret"),
        "provided": "不应出现的提供内容",
        "withheld_parts": [{"part": "x", "ground": "withheld.state_secret", "reasons": "y"}],
    }
    ctx = build(sample_source("reply", **params))
    assert ctx.model_dump()["provided"] is None
    assert ctx.model_dump()["withheld_parts"] == ()


def test_contexts_round_trip_through_json() -> None:
    """Issued letters store their context as JSON and read it back."""
    sources = [sample_source(k) for k in SAMPLE_PARAMS]
    sources += [sample_source("reply", **reply_params(o)) for o in OUTCOMES]
    for src in sources:
        ctx = build(src)
        assert type(ctx).model_validate(ctx.model_dump(mode="json")) == ctx


def test_the_correction_notice_prints_the_day_the_notice_was_received(
    templates: LetterTemplates,
) -> None:
    params = {**SAMPLE_PARAMS["correction_notice"], "notice_received_on": date(2026, 3, 10)}
    html = templates.html(build(sample_source("correction_notice", **params)))
    assert "收到本告知书之日（2026年3月10日）起计算" in html


def test_a_blank_service_form_leaves_the_method_and_date_to_fill_in(
    templates: LetterTemplates, renderer: PdfRenderer
) -> None:
    params = {"document_title": "政府信息公开申请补正告知书", "recipient": APPLICANT}
    r = render(templates, renderer, sample_source("service_receipt", **params))
    for phrase in (
        "《政府信息公开申请补正告知书》",
        "□直接送达□委托送达□邮寄送达□电子送达",
        "年月日",
    ):
        assert phrase in r.text, phrase
    assert len(r.pages) == 1
    # The alias of the workflow's "in_person" prints as direct service.
    ctx = build(sample_source("service_receipt", **params, method="in_person"))
    assert ctx.model_dump()["method_label"] == "直接送达"


def test_a_provisional_deadline_says_so(templates: LetterTemplates) -> None:
    src = sample_source("extension_notice")
    reply = dataclasses.replace(src.deadlines["reply"], provisional=True)
    html = templates.html(build(dataclasses.replace(src, deadlines={"reply": reply})))
    assert "2026年4月21日（按尚未公布的节假日安排暂算" in html


def test_a_consultation_prints_the_answer_date_when_the_action_gives_it(
    templates: LetterTemplates,
) -> None:
    params = {**SAMPLE_PARAMS["organ_consultation"], "reply_due": "2026-04-02"}
    html = templates.html(build(sample_source("organ_consultation", **params)))
    assert "15个工作日内（即2026年4月2日前）书面回复" in html


# --- not government information (Art. 2) -----------------------------------------------------

NOT_GOVERNMENT_INFORMATION = "不属于《中华人民共和国政府信息公开条例》第二条所指的政府信息"


def test_a_withheld_part_that_is_not_government_information_has_its_own_wording(
    templates: LetterTemplates, renderer: PdfRenderer
) -> None:
    sample = reply_params("partially_disclosed")
    part = {
        "part": "第1项中关于项目选址政策考虑的解释说明",
        "ground": "not_government_information",
        "reasons": "该部分系要求本机关作出解释、说明，并非已制作或者获取的信息",
    }
    params = {**sample, "withheld_parts": [sample["withheld_parts"][0], part]}
    r = render(templates, renderer, sample_source("reply", **params))
    assert r.ctx.model_dump()["withheld_parts"][1]["basis"] == (
        "《中华人民共和国政府信息公开条例》第二条",
    )
    for phrase in (
        "2.第1项中关于项目选址政策考虑的解释说明",
        squash(part["reasons"]),
        "该部分" + NOT_GOVERNMENT_INFORMATION,
        "第二条的规定，本机关不作为政府信息予以提供",
        "第十五条",  # the other part keeps its own ground
    ):
        assert phrase in r.text, phrase


def test_an_item_that_is_not_government_information_is_answered_with_its_reasons(
    templates: LetterTemplates, renderer: PdfRenderer
) -> None:
    params = {
        **ITEMS_REPLY,
        "item_outcomes": [
            {"position": 1, "outcome": "disclosed"},
            {
                "position": 2,
                "outcome": "other.not_government_information",
                "note": "该项系要求本机关对补贴政策作出解释",
            },
        ],
    }
    r = render(templates, renderer, sample_source("reply", **params))
    for phrase in (
        "第1项：予以公开",
        "第2项：其他处理：申请内容不属于政府信息，该项" + NOT_GOVERNMENT_INFORMATION,
        "（依据《中华人民共和国政府信息公开条例》第二条）",
        "该项系要求本机关对补贴政策作出解释",
    ):
        assert phrase in r.text, phrase
