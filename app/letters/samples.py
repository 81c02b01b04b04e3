"""Realistic sample letters for the docs, the benchmark and tests (no database needed).

One fictional case runs through every kind: an online application of 2 March 2026 to a
district development and reform commission for two items. `SAMPLE_PARAMS` gives each kind's
parameters, `REPLY_SAMPLES` the reply's for every outcome code, `CLOSURE_SAMPLES` the closure
notice's for each closure.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.letters.context import CaseSnapshot, DueDate, ItemRef, LetterSource, OrganBlock
from app.letters.render import FontStack

DEFAULT_FONTS = FontStack(
    title=("FZXiaoBiaoSong-B05S", "Gongkai Serif SC", "Noto Serif CJK SC"),
    body=("FangSong", "FZFangSong-Z02", "Gongkai Serif SC", "Noto Serif CJK SC"),
)

SAMPLE_ORGAN = OrganBlock(
    name="北京市西城区发展和改革委员会",
    code="XCFGW",
    address="北京市西城区二龙路27号",
    phone="010-66000000",
    reconsideration_body="北京市西城区人民政府",
    court="北京市西城区人民法院",
)

SAMPLE_CASE = CaseSnapshot(
    id=1,
    number="XCFGW依申〔2026〕0042号",
    state="received",
    channel="online",
    arrived_on=date(2026, 3, 2),
    receipt_date=date(2026, 3, 2),
    receipt_basis="platform_ack",
    applicant_category="natural_person",
    applicant_name="王晓明",
    applicant_phone="13800138000",
    applicant_email="wangxm@example.cn",
    applicant_address="北京市西城区金融大街17号院3号楼2单元501室",
    applicant_postal_code="100033",
    applicant_contact_person=None,
    delivery_form="paper",
    delivery_method="post",
    e_service_consent=False,
    e_service_address=None,
    items=(
        ItemRef(
            position=1,
            description="2025年度西城区老旧小区综合整治项目的立项批复文件及项目总投资额",
            document_number="西发改〔2025〕118号",
        ),
        ItemRef(
            position=2,
            description="金融街街道2025年加装电梯补贴资金的发放明细（按小区汇总，不含个人信息）",
        ),
    ),
)

SAMPLE_DEADLINES = {
    "reply": DueDate("reply", "答复期限", date(2026, 3, 30), False, 20),
    "correction_notice": DueDate("correction_notice", "补正告知期限", date(2026, 3, 11), False, 7),
    "correction": DueDate("correction", "补正期限", date(2026, 3, 30), False, 15),
}
# What changes for one kind: the extension notice cites the reply deadline after it.
_KIND_DEADLINES = {
    "extension_notice": {
        "reply": DueDate("reply", "答复期限", date(2026, 4, 21), False, 35),
    },
}

# Letters issued before on the sample case, latest first (what later letters cite).
SAMPLE_EARLIER: dict[str, tuple[tuple[str | None, date | None], ...]] = {
    "receipt": (("XCFGW依申〔2026〕0042号", date(2026, 3, 2)),),
    "reasons_request": (("XCFGW依申理〔2026〕1号", date(2026, 3, 6)),),
    "correction_notice": (("XCFGW依申补〔2026〕3号", date(2026, 3, 9)),),
    "third_party_consultation": (("XCFGW依申征〔2026〕2号", date(2026, 3, 12)),),
    "fee_notice": (("XCFGW依申费〔2026〕2号", date(2026, 3, 16)),),
}

# Each kind's letter date and number on the sample case (the proof of service has none).
_KIND_ISSUE: dict[str, tuple[date, str | None]] = {
    "receipt": (date(2026, 3, 2), "XCFGW依申〔2026〕0042号"),
    "reasons_request": (date(2026, 3, 6), "XCFGW依申理〔2026〕1号"),
    "delayed_reply_notice": (date(2026, 3, 23), "XCFGW依申迟〔2026〕1号"),
    "correction_notice": (date(2026, 3, 9), "XCFGW依申补〔2026〕3号"),
    "third_party_consultation": (date(2026, 3, 12), "XCFGW依申征〔2026〕2号"),
    "organ_consultation": (date(2026, 3, 12), "XCFGW依申函〔2026〕4号"),
    "fee_notice": (date(2026, 3, 16), "XCFGW依申费〔2026〕2号"),
    "reply": (date(2026, 3, 20), "XCFGW依申答〔2026〕17号"),
    "service_receipt": (date(2026, 3, 20), None),
    "extension_notice": (date(2026, 3, 27), "XCFGW依申延〔2026〕5号"),
    "closure_notice": (date(2026, 4, 2), "XCFGW依申终〔2026〕2号"),
    "third_party_disclosure_notice": (date(2026, 4, 10), "XCFGW依申告〔2026〕1号"),
    "record_correction_reply": (date(2026, 3, 27), "XCFGW依申更〔2026〕1号"),
}

_THIRD_PARTY = "北京华建城市更新工程有限公司"
_THIRD_PARTY_ADDRESS = "北京市西城区阜成门外大街22号1幢10层1005室"

# Fee tiers of RULES §6, in fen: 45 pieces in a month cost 5,500 yuan.
FEE_PER_PIECE: dict[str, Any] = {
    "method": "per_piece",
    "quantity": 45,
    "tiers": [
        {"label": "第1—10件", "count": 10, "unit_fen": 0, "subtotal_fen": 0},
        {"label": "第11—30件", "count": 20, "unit_fen": 10000, "subtotal_fen": 200000},
        {"label": "第31—40件", "count": 10, "unit_fen": 20000, "subtotal_fen": 200000},
        {"label": "第41—45件", "count": 5, "unit_fen": 30000, "subtotal_fen": 150000},
    ],
    "amount_fen": 550000,
    "payment": (
        "请持本通知书到本机关政务服务窗口（北京市西城区二龙路27号一层）缴纳，或者通过北京市"
        "非税收入统一缴款平台缴纳（缴款识别码：1100260316000042）"
    ),
    "basis": None,
}
# 2,219 pages cost 83,460 yuan.
FEE_PER_VOLUME: dict[str, Any] = {
    "method": "per_volume",
    "quantity": 2219,
    "tiers": [
        {"label": "第1—30页", "count": 30, "unit_fen": 0, "subtotal_fen": 0},
        {"label": "第31—100页", "count": 70, "unit_fen": 1000, "subtotal_fen": 70000},
        {"label": "第101—200页", "count": 100, "unit_fen": 2000, "subtotal_fen": 200000},
        {"label": "第201—2219页", "count": 2019, "unit_fen": 4000, "subtotal_fen": 8076000},
    ],
    "amount_fen": 8346000,
    "payment": "请通过北京市非税收入统一缴款平台缴纳（缴款识别码：1100260316000043）",
    "basis": None,
}

REPLY_SAMPLES: dict[str, dict[str, Any]] = {
    "disclosed": {
        "provided": (
            "现将《关于西城区2025年老旧小区综合整治项目立项的批复》（西发改〔2025〕118号）"
            "复印件1份（共6页）随本答复书邮寄给你。该项目总投资额为人民币3,862.47万元"
        ),
    },
    "already_public": {
        "where_published": (
            "该信息已于2025年6月18日在北京市西城区人民政府门户网站“政府信息公开—法定主动"
            "公开内容—规划信息”栏目公开，网址：https://www.bjxch.gov.cn/xxgk/fdzdgknr/ghxx/"
            "202506/t20250618_3861182.html"
        ),
    },
    "partially_disclosed": {
        "provided": (
            "现将第1项信息中可以公开的部分，即《关于西城区2025年老旧小区综合整治项目立项的"
            "批复》（西发改〔2025〕118号）正文及项目总投资额的复印件1份（共4页）随本答复书邮寄给你"
        ),
        "reasons": "你申请获取的信息中，有两部分内容属于不予公开的范围，且能够与其他内容区分",
        "withheld_parts": [
            {
                "part": "第1项信息所附项目概算中施工单位的主要材料采购单价",
                "ground": "withheld.third_party_rights",
                "reasons": (
                    "系施工单位的报价信息，属于其商业秘密；经书面征求意见，该单位不同意公开并"
                    "说明了合理理由，且不公开不会对公共利益造成重大影响"
                ),
            },
            {
                "part": "第1项信息所附的项目评审会议讨论记录",
                "ground": "withheld.process_information",
                "reasons": "系项目审批过程中专家评审形成的讨论记录",
            },
        ],
    },
    "withheld.state_secret": {
        "reasons": (
            "你申请获取的文件已由本机关定密责任人依法确定为秘密级国家秘密，保密期限为10年，"
            "目前尚在保密期限内"
        ),
    },
    "withheld.prohibited_by_law": {
        "reasons": (
            "你申请获取的是统计调查中获得的能够识别单个统计调查对象身份的资料，依照《中华人民"
            "共和国统计法》第三十九条的规定，不得对外提供、泄露"
        ),
    },
    "withheld.security_stability": {
        "reasons": "你申请获取的是辖区内重要金融基础设施的安全防护方案，公开后可能危及公共安全和经济安全",
    },
    "withheld.third_party_rights": {
        "reasons": (
            "你申请获取的是补贴资金领取人的姓名、身份证号码、银行账号等个人信息，属于个人隐私，"
            "经书面征求意见，相关权利人不同意公开，且不公开不会对公共利益造成重大影响"
        ),
    },
    "withheld.internal_affairs": {
        "reasons": "你申请获取的是本机关2025年度内部考勤和公务用车使用记录，属于内部管理信息",
    },
    "withheld.process_information": {
        "reasons": "你申请获取的是本机关主任办公会研究该项目时的会议记录，属于决策过程中形成的讨论记录",
    },
    "withheld.enforcement_file": {
        "reasons": "你申请获取的是本机关对某企业价格违法行为进行调查处理形成的询问笔录、现场检查记录等案卷材料",
    },
    "withheld.administrative_query": {
        "reasons": "你申请获取的是辖区内某企业的注册登记档案，属于市场主体登记资料",
        "channel": "向北京市西城区市场监督管理局申请查询",
    },
    "unavailable.not_held": {
        "search_description": (
            "本机关对2024年1月至2026年3月的发文登记、档案管理系统和相关业务处室的纸质台账，"
            "以“加装电梯”“补贴”“金融街街道”为关键词进行了检索"
        ),
        "reasons": "加装电梯补贴资金由区住房和城市建设委员会负责审核发放，本机关未制作、未获取该信息",
    },
    "unavailable.not_this_organ": {
        "reasons": "加装电梯补贴资金的审核、拨付由区住房和城市建设委员会负责，相关信息由该机关制作和保存",
        "responsible_organ": {
            "name": "北京市西城区住房和城市建设委员会",
            "contact": "北京市西城区德胜门西大街20号，电话010-66001234",
        },
    },
    "unavailable.needs_creation": {
        "reasons": (
            "本机关未制作按小区汇总的补贴资金发放明细，提供该信息需要从逐笔拨付凭证中重新统计、汇总"
        ),
    },
    "unavailable.still_unclear": {
        "reasons": (
            "你在补正后仍未说明所需信息涉及的项目名称、年度或者文件名称、文号，本机关无法据此"
            "确定你申请获取的政府信息"
        ),
    },
    "not_processed.petition": {
        "reasons": "你在申请中要求本机关查处某小区加装电梯施工单位的违规行为并追回补贴资金，属于投诉举报事项",
        "channel": "北京市西城区12345市民服务热线或者本机关信访接待室（北京市西城区二龙路27号）",
    },
    "not_processed.repeat": {
        "earlier_reply": {"number": "XCFGW依申答〔2025〕96号", "date": "2025-11-14"},
        "reasons": "经核对，此次申请获取的信息与你2025年10月20日申请获取的信息相同，且相关情况未发生变化",
    },
    "not_processed.publication": {
        "reasons": "你申请获取的《北京市西城区年鉴（2025）》为公开出版物",
        "where_published": (
            "在北京市西城区第一图书馆、北京市西城区档案馆查阅，或者通过正规出版物发行渠道购买"
        ),
    },
    "not_processed.excessive": {
        "reasons": "你在说明理由期限内提交的说明，不能证明上述申请的必要性与合理性，本机关认为申请理由不合理",
    },
    "not_processed.confirmation": {
        "reasons": (
            "你要求本机关对你已于2025年12月取得的《关于西城区2025年老旧小区综合整治项目立项的"
            "批复》复印件的真实性予以确认并加盖印章"
        ),
    },
    "other.no_correction": {},
    "other.fee_unpaid": {},
    "other.not_government_information": {
        "reasons": (
            "你要求本机关就老旧小区综合整治项目选址的政策考虑作出解释、说明，该内容并非本机关在"
            "履行行政管理职能过程中已经制作或者获取，并以一定形式记录、保存的信息"
        ),
    },
    "other.other": {"reasons": "你已于2026年3月18日书面申请撤回该政府信息公开申请"},
}

# A reply answering the sample case's two items one by one (RULES §5): one provided, one
# withheld, so the application counts once as partially disclosed.
ITEMS_REPLY: dict[str, Any] = {
    "outcome": "partially_disclosed",
    "reasons": "你申请获取的两项信息，本机关区分处理",
    "provided": REPLY_SAMPLES["disclosed"]["provided"],
    "item_outcomes": [
        {"position": 1, "outcome": "disclosed"},
        {
            "position": 2,
            "outcome": "withheld.third_party_rights",
            "note": (
                "按小区汇总的发放明细仍可识别单户补贴金额，涉及个人隐私；经书面征求意见，"
                "相关住户不同意公开，且不公开不会对公共利益造成重大影响"
            ),
        },
    ],
}

CLOSURE_SAMPLES: dict[str, dict[str, Any]] = {
    "no_correction": {"closure": "no_correction"},
    "fee_unpaid": {"closure": "fee_unpaid"},
    "withdrawn": {
        "closure": "withdrawn",
        "withdrawn_on": "2026-03-31",
        "reason": "已通过其他途径获取所需信息",
    },
}

SAMPLE_PARAMS: dict[str, dict[str, Any]] = {
    "receipt": {},
    "correction_notice": {
        "items_to_correct": [
            "请明确第2项所称“加装电梯补贴资金”涉及的具体小区名称，或者提供相关文件的标题、文号",
            "请说明第1项所称“项目总投资额”是指立项批复核定的总投资，还是竣工决算后的实际投资",
        ],
        "correction_period_wd": 15,
        "notice_received_on": "2026-03-09",
    },
    "extension_notice": {
        "days": 15,
        "reason": (
            "你申请公开的第2项信息涉及金融街街道2025年度全部加装电梯项目的补贴资金拨付凭证，"
            "需要调取、核查的档案数量较大"
        ),
    },
    "third_party_consultation": {
        "party": _THIRD_PARTY,
        "party_address": _THIRD_PARTY_ADDRESS,
        "question": (
            "第1项信息所附项目概算中含有你单位报送的主要材料采购单价，公开该内容是否会损害你单位的"
            "商业秘密等合法权益"
        ),
        "reply_period_wd": 15,
    },
    "organ_consultation": {
        "party": "北京市西城区住房和城市建设委员会",
        "party_address": "北京市西城区德胜门西大街20号",
        "question": (
            "申请人申请公开的第2项信息，系本机关与贵单位联合制发的《西城区老旧小区加装电梯"
            "补贴资金管理办法》的配套拨付明细。请贵单位就该信息是否可以公开提出意见"
        ),
        "reply_period_wd": 15,
    },
    "third_party_disclosure_notice": {
        "party": _THIRD_PARTY,
        "party_address": _THIRD_PARTY_ADDRESS,
        "content": "西发改〔2025〕118号文所附项目概算中的工程总造价及分项造价（不含主要材料采购单价）",
        "reasons": (
            "该项目使用财政资金，工程造价直接关系财政资金使用效益和项目所在小区居民的切身利益，"
            "公开分项造价便于公众监督"
        ),
        "disclosure_on": "2026-04-24",
    },
    "reasons_request": {
        "grounds": (
            "你自2026年1月1日至3月5日共向本机关提出政府信息公开申请86件，涉及信息1,240项，"
            "申请公开政府信息的数量、频次明显超过合理范围"
        ),
        "reply_period_wd": 15,
    },
    "delayed_reply_notice": {
        "decision": "reasonable_late",
        "reasons": "系为撰写西城区老旧小区改造课题研究报告所需，已提交课题立项证明",
        "finding": (
            "你所提出的86件申请涉及信息1,240项，需要调取2019年以来的全部项目档案逐件核查，"
            "无法在法定期限内完成"
        ),
        "new_reply_date": "2026-05-29",
    },
    "fee_notice": FEE_PER_PIECE,
    "reply": {"outcome": "disclosed", **REPLY_SAMPLES["disclosed"]},
    "closure_notice": CLOSURE_SAMPLES["no_correction"],
    "service_receipt": {
        "document_title": "政府信息公开申请答复书",
        "document_number": "XCFGW依申答〔2026〕17号",
        "recipient": "王晓明",
        "address": "北京市西城区金融大街17号院3号楼2单元501室（100033）",
        "method": "post",
        "officer": "李静",
        "tracking_number": "1151234567890",
        "posted_on": "2026-03-20",
    },
    "record_correction_reply": {
        "outcome": "refused",
        "reasons": (
            "你提供的房屋买卖合同所载面积为合同约定面积，本机关登记的面积系依据测绘成果确定，"
            "登记信息与测绘成果一致，未发现不准确之处"
        ),
    },
}

_UNSET: Any = object()


def reply_params(outcome: str) -> dict[str, Any]:
    """The reply's sample parameters for one outcome code."""
    return {"outcome": outcome, **REPLY_SAMPLES[outcome]}


def sample_source(
    kind: str, *, number: str | None = _UNSET, on: date | None = None, **params: Any
) -> LetterSource:
    """A source for one letter kind with realistic data; params default to SAMPLE_PARAMS."""
    issued_on, default_number = _KIND_ISSUE[kind]
    return LetterSource(
        kind=kind,
        case=SAMPLE_CASE,
        organ=SAMPLE_ORGAN,
        on=on or issued_on,
        number=default_number if number is _UNSET else number,
        handler="李静",
        params=params or dict(SAMPLE_PARAMS[kind]),
        deadlines={**SAMPLE_DEADLINES, **_KIND_DEADLINES.get(kind, {})},
        earlier=SAMPLE_EARLIER,
    )
