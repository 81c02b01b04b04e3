"""Benchmark: grouping an organ's requested items for proactive disclosure (条例第四十四条).

Generates N requested items (default 20,000) as an organ's year could hold them: a few hundred
topics ("{place}{year}{subject}", several sharing a place or a subject), each asked for in
varied wording (boilerplate, word order, punctuation, full-width digits, qualifiers, a
synonym, sometimes the document number in another bracket style), asked by applicants from a
shared pool with Zipf-like popularity; plus noise: one-off requests for someone's own file or a
random place and subject. Then:

1. times `group_requests` on all N items: groups around centres (served) and single-linkage
   components (the drift guard off); counts the pairs each scores against all pairs;
2. on a sample (default 2,000 items), checks that both give exactly the groups of scoring
   every pair (brute force), and times both ways; the brute force is extrapolated to N;
3. measures the groups against the generator's topics: pairwise precision and recall, the
   largest group in items, topics and noise items, for single linkage and for centres.

    .venv/bin/python bench/proactive.py [--items 20000] [--topics 300] [--noise 0.3]
                                        [--sample 2000] [--runs 3] [--seed 7]

Exit status 0 when the join agrees with brute force on the sample and grouping N items takes
under 2 s of CPU (median of --runs), 1 otherwise. The load average is printed: on a busy
machine wall-clock times rise, and CPU times somewhat too.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.suggestions import proactive  # noqa: E402
from app.suggestions.proactive import (  # noqa: E402
    ItemGroup,
    RequestedItem,
    centres,
    group_requests,
    single_linkage,
)
from app.suggestions.similarity import ART44_THRESHOLD, Item, Profile, item_similarity  # noqa: E402

PLACES = [
    *(
        f"{n}街道"
        for n in [
            "东湖",
            "西湖",
            "南山",
            "北山",
            "城关",
            "新华",
            "人民",
            "解放",
            "和平",
            "朝阳",
            "建设",
            "文化",
        ]
    ),
    *(f"{n}镇" for n in ["清河", "白沙", "石桥", "黄田", "龙门", "青山", "柳林", "桃源"]),
    *(f"{n}社区" for n in ["幸福", "花园", "锦绣", "春江", "明月", "金桂"]),
    *(f"{n}村" for n in ["上塘", "下湾", "李家", "王庄", "高桥", "马鞍"]),
    "本区",
    "开发区",
    "高新区",
]
SUBJECTS = [
    "老旧小区改造项目清单及资金安排",
    "房屋征收补偿方案",
    "国有土地上房屋征收决定",
    "集体土地征收补偿安置方案",
    "拆迁安置房分配方案",
    "部门预算及决算说明",
    "三公经费使用情况",
    "低保对象名单",
    "低保资金发放情况",
    "困难群众临时救助名单",
    "道路拓宽工程环境影响评价报告",
    "垃圾焚烧发电项目环评批复",
    "污水处理厂建设项目立项批复",
    "建设工程规划许可证及附图",
    "建设用地规划许可证",
    "控制性详细规划调整方案",
    "行政处罚决定书",
    "违法建筑强制拆除决定",
    "食品安全抽检结果",
    "学校划片招生方案",
    "公立医院药品采购目录",
    "公共租赁住房分配名单",
    "人才公寓申请审核结果",
    "政府采购合同及中标结果",
    "重大项目招投标文件",
    "河道综合整治工程验收报告",
    "小区物业专项维修资金使用明细",
    "耕地占补平衡指标使用情况",
    "农村宅基地审批名单",
    "村级财务收支明细",
    "扶贫资金使用及分配情况",
    "信访事项处理意见书",
    "安全生产事故调查报告",
    "防汛应急预案",
    "疫情防控物资采购清单",
    "城市更新单元规划",
    "停车场收费标准及批复文件",
    "出租车经营权配置方案",
    "公交线路调整方案",
    "养老服务补贴发放名单",
]
YEARS = list(range(2019, 2026))
FORMS = [
    "{year}年{place}{subject}",
    "{place}{year}年度{subject}",
    "申请公开{place}{year}年{subject}",
    "请提供{year}年{place}的{subject}",
    "{place}{subject}（{year}年）",
    "关于{place}{year}年{subject}的相关信息",
    "我想了解{place}{year}年{subject}情况",
    "《{place}{year}年{subject}》",
    "{year}年度 {place} {subject}",
    "申请获取{place}{subject}，{year}年",
]
QUALIFIERS = ["", "", "", "全文", "及附件", "电子版", "复印件", "的有关文件", "（含附件）"]
SYNONYMS = [
    ("清单", "名单"),
    ("方案", "办法"),
    ("情况", "明细"),
    ("批复", "批文"),
    ("报告", "报告书"),
]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"


def make_topics(rng: random.Random, n: int) -> list[tuple[str, int, str, str | None]]:
    """(place, year, subject, document number or None), all different."""
    seen: set[tuple[str, int, str]] = set()
    topics = []
    while len(topics) < n:
        key = (rng.choice(PLACES), rng.choice(YEARS), rng.choice(SUBJECTS))
        if key in seen:
            continue
        seen.add(key)
        number = f"示政办〔{key[1]}〕{rng.randint(1, 200)}号" if rng.random() < 0.3 else None
        topics.append((*key, number))
    return topics


def reword(rng: random.Random, topic: tuple[str, int, str, str | None]) -> Item:
    place, year, subject, number = topic
    if rng.random() < 0.15:
        old, new = rng.choice(SYNONYMS)
        subject = subject.replace(old, new)
    text = rng.choice(FORMS).format(place=place, year=year, subject=subject)
    text += rng.choice(QUALIFIERS)
    if rng.random() < 0.2:
        text = text.translate(FULL_WIDTH)
    if rng.random() < 0.3:
        text += rng.choice(["。", "！", "", " ", "；谢谢"])
    doc = None
    if number and rng.random() < 0.4:
        doc = rng.choice(
            [
                number,
                number.replace("〔", "[").replace("〕", "]"),
                number.replace("〔", "（").replace("〕", "）"),
            ]
        )
    return Item(text, doc)


WORDS = [
    "路口",
    "信号灯",
    "设置",
    "依据",
    "噪声",
    "投诉",
    "处理",
    "结果",
    "绿化",
    "养护",
    "合同",
    "路灯",
    "维修",
    "记录",
    "排水",
    "管网",
    "改造",
    "图纸",
    "菜市场",
    "搬迁",
    "论证",
    "报告",
    "停车位",
    "规划",
    "公示",
    "幼儿园",
    "选址",
    "意见",
    "加装",
    "电梯",
    "补贴",
    "审批",
    "文物",
    "保护",
    "范围",
    "划定",
    "公厕",
    "建设",
    "标准",
    "餐饮",
    "油烟",
    "检测",
    "数据",
    "工地",
    "夜间",
    "施工",
    "许可",
    "水质",
    "监测",
    "广告牌",
    "拆除",
    "通知",
    "树木",
    "砍伐",
    "批准",
    "书",
    "学区",
    "调整",
    "听证",
    "笔录",
    "网格员",
    "招聘",
    "考核",
    "办法",
    "社区",
    "卫生",
    "服务站",
    "运营",
    "经费",
]
COMPANIES = ["华兴", "永安", "恒泰", "金鼎", "瑞丰", "鸿达", "宏远", "嘉禾", "天成", "隆盛"]


def noise(rng: random.Random) -> Item:
    """A one-off request: someone's own file, or a place and a few unrelated words."""
    place = rng.choice(PLACES)
    name = rng.choice(SURNAMES) + rng.choice("明华强伟芳娟军平秀英")
    words = "".join(rng.sample(WORDS, rng.randint(3, 6)))
    forms = [
        f"{place}{words}",
        f"{rng.choice(YEARS)}年{place}{words}",
        f"本人{name}位于{place}{rng.randint(1, 300)}号房屋的{words}",
        f"{name}举报{rng.choice(COMPANIES)}公司{words}的处理结果",
        f"{place}{rng.randint(1, 99)}号地块{words}",
        f"{rng.choice(COMPANIES)}{rng.choice(['建材', '物流', '化工', '餐饮'])}公司{words}",
    ]
    return Item(rng.choice(forms))


def generate(
    rng: random.Random, n: int, n_topics: int, noise_share: float
) -> tuple[list[RequestedItem], list[int]]:
    """N items and, for each, its topic (a negative number for noise: a topic of its own)."""
    topics = make_topics(rng, n_topics)
    popularity = [1.0 / (r + 1) ** 1.1 for r in range(n_topics)]
    applicants = [f"A{k:06d}" for k in range(max(1, n // 2))]
    frequent = applicants[: max(1, len(applicants) // 50)]
    start = date(2025, 3, 2)
    items: list[RequestedItem] = []
    labels: list[int] = []
    case_id = 0
    while len(items) < n:
        case_id += 1
        who = rng.choice(frequent) if rng.random() < 0.1 else rng.choice(applicants)
        day = start + timedelta(days=rng.randrange(365))
        for position in range(1, 1 + min(n - len(items), rng.choice([1, 1, 1, 2, 3]))):
            if rng.random() < noise_share:
                item, label = noise(rng), -1 - len(items)
            else:
                label = rng.choices(range(n_topics), popularity)[0]
                item = reword(rng, topics[label])
            items.append(
                RequestedItem(case_id, position, who, day, item.text, item.document_number)
            )
            labels.append(label)
    return items, labels


def timed(fn: Callable[[], list[ItemGroup]], runs: int) -> tuple[float, float, list[ItemGroup]]:
    """Median wall-clock and CPU seconds over the runs, and the last result."""
    wall, cpu, result = [], [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), result


def counting_scores(fn: Callable[[], object]) -> int:
    """How many pairs `fn` scores with item_similarity."""
    scored = 0
    real = proactive.item_similarity

    def counting(a: Profile, b: Profile) -> float:
        nonlocal scored
        scored += 1
        return real(a, b)

    proactive.item_similarity = counting  # type: ignore[assignment]
    try:
        fn()
    finally:
        proactive.item_similarity = real
    return scored


def brute_components(profiles: Sequence[Profile], t: float) -> list[list[int]]:
    """Single linkage by scoring every pair (union-find over all links)."""
    links = [(i, j) for i, j in combinations(range(len(profiles)), 2)]
    parent = list(range(len(profiles)))

    def find(a: int) -> int:
        while parent[a] != a:
            a = parent[a]
        return a

    for i, j in links:
        if item_similarity(profiles[i], profiles[j]) >= t:
            ri, rj = find(i), find(j)
            parent[max(ri, rj)] = min(ri, rj)
    out: dict[int, list[int]] = {}
    for a in range(len(profiles)):
        out.setdefault(find(a), []).append(a)
    return sorted(out.values(), key=lambda c: c[0])


def brute_centres(
    profiles: Sequence[Profile], order: Sequence[int], t: float
) -> list[tuple[int, list[int]]]:
    """Centres by scoring each item against every centre made so far."""
    made: dict[int, list[int]] = {}
    home: dict[str, int] = {}
    for x in order:
        number = profiles[x].number
        if number in home:
            made[home[number]].append(x)
            continue
        scores = [(item_similarity(profiles[x], profiles[c]), -k, c) for k, c in enumerate(made)]
        best = max(scores, default=(0.0, 0, -1))
        if best[0] >= t:
            made[best[2]].append(x)
            centre = best[2]
        else:
            made[x] = [x]
            centre = x
        if number:
            home[number] = centre
    return [(c, sorted(m)) for c, m in made.items()]


def pair_quality(parts: Sequence[Sequence[int]], labels: Sequence[int]) -> tuple[float, float]:
    """Pairwise precision and recall of a partition against the topics (noise never pairs)."""
    same_part = same_both = 0
    for part in parts:
        same_part += len(part) * (len(part) - 1) // 2
        for c in Counter(labels[i] for i in part).values():
            same_both += c * (c - 1) // 2
    same_topic = sum(c * (c - 1) // 2 for c in Counter(labels).values())
    return same_both / max(1, same_part), same_both / max(1, same_topic)


def describe(name: str, groups: list[ItemGroup], labels: Sequence[int]) -> None:
    sizes = sorted((len(g.items) for g in groups), reverse=True)
    topics = max((len({labels[i] for i in g.items if labels[i] >= 0}) for g in groups), default=0)
    noisy = max((sum(labels[i] < 0 for i in g.items) for g in groups), default=0)
    precision, recall = pair_quality([g.items for g in groups], labels)
    print(
        f"  {name:<22} {len(groups):>5} groups {sum(sizes):>6} items; largest {sizes[0] if sizes else 0:>5} "
        f"items; most topics in one {topics:>3}, most noise {noisy:>3}; "
        f"pairwise precision {precision:.3f} recall {recall:.3f}"
    )


def main() -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=20_000)
    ap.add_argument("--topics", type=int, default=300)
    ap.add_argument("--noise", type=float, default=0.3)
    ap.add_argument("--sample", type=int, default=2_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    t = ART44_THRESHOLD

    load = os.getloadavg()[0]
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.1f}, "
        f"threshold {t}, seed {args.seed}"
    )
    items, labels = generate(rng, args.items, args.topics, args.noise)
    distinct = len({(i.text, i.document_number) for i in items})
    sizes = Counter(label for label in labels if label >= 0).most_common()
    print(
        f"{len(items):,} items in {items[-1].case_id:,} cases, {distinct:,} distinct wordings; "
        f"{args.topics} topics (most asked {sizes[0][1]}, median {sizes[len(sizes) // 2][1]}), "
        f"{args.noise:.0%} noise"
    )
    print("  e.g. " + " | ".join(i.text for i in items[:4]))

    # 1. The whole grouping and its parts.
    t_group, c_group, groups = timed(
        lambda: group_requests(items, threshold=t, min_applicants=3), args.runs
    )
    t_chain, c_chain, chained = timed(
        lambda: group_requests(items, threshold=t, min_applicants=3, drift_guard=False), args.runs
    )
    t0 = time.perf_counter()
    profiles, members = proactive._nodes(items)
    t_nodes = time.perf_counter() - t0
    n = len(profiles)
    order = sorted(range(n), key=lambda v: (-len(members[v]), v))
    all_pairs = n * (n - 1) // 2
    scored_centres = counting_scores(lambda: centres(profiles, order, t))
    scored_single = counting_scores(lambda: single_linkage(profiles, t))
    print(
        f"group_requests, centres (served)     {t_group * 1e3:7.0f} ms wall {c_group * 1e3:7.0f} ms "
        f"CPU  (median of {args.runs})"
    )
    print(
        f"group_requests, single linkage       {t_chain * 1e3:7.0f} ms wall {c_chain * 1e3:7.0f} ms CPU"
    )
    print(f"  distinct wordings (normalising)    {t_nodes * 1e3:7.0f} ms: {n:,} nodes")
    print(
        f"  pairs scored: centres {scored_centres:,}, single linkage {scored_single:,}, "
        f"of {all_pairs:,} ({scored_centres / all_pairs:.3%}, {scored_single / all_pairs:.3%})"
    )

    # 2. Brute force on a sample.
    sample = rng.sample(items, min(args.sample, len(items)))
    sp, sm = proactive._nodes(sample)
    s_order = sorted(range(len(sp)), key=lambda v: (-len(sm[v]), v))
    t0 = time.perf_counter()
    fast = (single_linkage(sp, t), centres(sp, s_order, t))
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    slow = (brute_components(sp, t), brute_centres(sp, s_order, t))
    t_brute = time.perf_counter() - t0
    same = fast == slow
    scale = (n / max(1, len(sp))) ** 2
    print(
        f"sample of {len(sample):,} items ({len(sp):,} nodes), single linkage + centres: "
        f"indexed {t_fast * 1e3:.0f} ms, brute force {t_brute * 1e3:.0f} ms; same groups: {same}"
    )
    print(f"  brute force extrapolated to {n:,} nodes: {t_brute * scale:.0f} s")

    # 3. Against the topics.
    comps = single_linkage(profiles, t)
    biggest = max(([i for v in c for i in members[v]] for c in comps), key=len)
    print(
        f"single-linkage components: {len(comps):,}; the largest holds {len(biggest):,} items "
        f"({len(biggest) / len(items):.1%}) of {len({labels[i] for i in biggest if labels[i] >= 0})} "
        f"topics and {sum(labels[i] < 0 for i in biggest)} noise items"
    )
    print("groups against the generator's topics (noise items are topics of their own):")
    describe(
        "single linkage, all",
        group_requests(items, threshold=t, min_applicants=1, drift_guard=False),
        labels,
    )
    describe("centres, all", group_requests(items, threshold=t, min_applicants=1), labels)
    describe("single linkage, >= 3", chained, labels)
    describe("centres, >= 3 (served)", groups, labels)
    print("largest served groups:")
    for g in groups[:5]:
        print(f"  {g.applicants:>4} applicants {g.cases:>4} cases  {items[g.representative].text}")

    ok = same and c_group < 2.0
    print("verdict:", "OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
