"""Benchmark: the case search (app.search) over a million cases, beside a LIKE scan of the same
data in the same run, on PostgreSQL and SQLite.

For each database (an SQLite file, and PostgreSQL when reachable) it:

1. creates a fresh database, runs the real migrations and creates one organ;
2. generates `--cases` cases (default 1,000,000) with varied text — applicants' names from
   surname and given-name lists, one to three items composed from a vocabulary of places,
   subjects and document kinds (a few thousand distinct phrases), document numbers such as
   沪府办〔2024〕12号, and for most cases a letter (reply, extension or correction notice)
   built from several templates around the case's own items and numbers — and writes the
   cases, the search index's rows exactly as the service builds them (app.search.sources) and,
   for the scan, the same texts normalised in a plain table `bench_texts` (bench only):
   PostgreSQL by COPY (the GIN index dropped during the load and rebuilt, timed), SQLite by
   executemany in one transaction (the FTS5 index rebuilt at the end, timed); then ANALYZE;
3. draws `--queries` two-character and as many four-character queries from the data (a random
   case, one of its texts, a random position: common words come up as often as they occur)
   and times `app.cases.repository.list_cases` with the query (the worklist's first page of
   50, ranked, with its capped count) for a name-searching role; then, for `--scan-queries` of
   them, the same page computed from a LIKE '%…%' scan of `bench_texts`, checking that both
   find the same page and total; prints p50/p99 of both and the ratio of the p50s.

    PYTHONPATH=. .venv/bin/python bench/search.py [--cases 1000000] [--db sqlite|postgres|both]
                                      [--postgres URL] [--queries 200] [--scan-queries 20]

Target (issue 17): p50 under 50 ms on PostgreSQL and at least 20x faster than the scan. Exit
status 0 when every PostgreSQL figure meets it (SQLite is reported, not judged), 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from databases import Database, postgres_database  # noqa: E402  (bench/ is the script's dir)
from sqlalchemy import Integer, Text, column, table, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.cases import repository as cases_repo  # noqa: E402
from app.config import Settings  # noqa: E402
from app.migrate import upgrade_to_head  # noqa: E402
from app.models.search import GIN_INDEX, KINDS, fts_table, gin_index  # noqa: E402
from app.organs.schemas import OrganCreate  # noqa: E402
from app.organs.service import create_organ  # noqa: E402
from app.runtime import Runtime, build_runtime  # noqa: E402
from app.search import sources  # noqa: E402
from app.search.sources import RANK, Kind, Source  # noqa: E402
from app.search.text import plan  # noqa: E402
from tests.reports.synthetic import case_row  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TARGET_P50_S = 0.050
TARGET_RATIO = 20.0
FIRST = date(2023, 1, 1)
DAYS = 4 * 365
NOW = datetime(2027, 1, 15, 2, 0, tzinfo=UTC)
ORGAN = "bench-org"
BATCH = 20_000
PAGE = 50

# ---------------------------------------------------------------------------------------------
# The text: names, items, document numbers, letters
# ---------------------------------------------------------------------------------------------

SURNAMES = [
    *"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤",
    *("欧阳", "司马", "诸葛", "上官", "东方", "皇甫"),
]
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂建华文辉力峰玉萍红鹏飞志国庆云海燕春梅"
    "雪琳晶斌宇浩凯健俊帆鑫博然婷倩颖佳欣怡晨阳亮林波宁琴莉慧嘉瑞睿诚晓东南北新家佩思远德"
)
COMPANY_TAILS = [
    "科技有限公司",
    "实业有限公司",
    "建设工程有限公司",
    "物业管理有限公司",
    "律师事务所",
]
PLACE_CHARS = list(
    "东西南北中新老青松竹梅兰桃李杏柳石金银龙凤华光明安宁平和兴盛泰丰茂林湖河山江海桥湾"
)
PLACE_KINDS = ["区", "街道", "镇", "村", "社区", "路", "开发区", "工业园"]
SUBJECTS = [
    "土地征收",
    "房屋拆迁",
    "拆迁补偿",
    "征地补偿",
    "安置房分配",
    "旧城改造",
    "棚户区改造",
    "老旧小区改造",
    "环境影响评价",
    "排污许可",
    "河道整治",
    "垃圾处理",
    "污水处理",
    "大气污染防治",
    "建设工程规划许可",
    "建设用地规划许可",
    "施工许可",
    "竣工验收",
    "消防验收",
    "道路拓宽",
    "地铁建设",
    "公交线路调整",
    "学校布局调整",
    "医院建设",
    "养老服务",
    "低保审批",
    "医疗保险报销",
    "住房公积金",
    "最低工资标准",
    "财政预算",
    "政府采购",
    "招标投标",
    "专项资金",
    "补贴发放",
    "农业补贴",
    "宅基地审批",
    "林地占用",
    "矿产开采",
    "违法建设查处",
    "行政处罚",
    "食品安全抽检",
    "药品监管",
    "市场监管",
    "物价调整",
    "水费标准",
    "电价调整",
    "燃气价格",
    "停车收费",
    "户籍迁移",
    "人才引进",
    "教育经费",
    "校舍安全",
    "防汛抗旱",
    "应急预案",
    "安全生产",
    "交通事故处理",
    "噪声扰民",
    "油烟污染",
    "绿化工程",
    "公园建设",
]
DOC_KINDS = [
    "批复",
    "通知",
    "决定",
    "方案",
    "报告",
    "会议纪要",
    "合同",
    "台账",
    "清单",
    "名单",
    "审批表",
    "许可证",
    "验收意见",
    "评估报告",
    "公示材料",
    "协议",
    "文件",
    "意见",
    "规划图",
    "预算表",
]
ASPECTS = [
    "及附件",
    "及资金安排",
    "的审批依据",
    "的公示情况",
    "的执行情况",
    "的具体标准",
    "的会议记录",
    "",
]
ORG_ABBR = [
    "沪府办",
    "浦府",
    "京政发",
    "苏政办发",
    "浙政发",
    "粤府函",
    "川府发",
    "鲁政字",
    "本区府办",
    "区建委",
]
UNITS = [
    "人民政府",
    "住房和城乡建设局",
    "自然资源局",
    "生态环境局",
    "财政局",
    "发展和改革委员会",
    "交通运输局",
]
LETTER_OPENINGS = [
    "本机关于{date}收到您提出的政府信息公开申请，申请获取“{item}”。",
    "你（单位）于{date}提出的政府信息公开申请收悉，所申请的信息为“{item}”。",
    "关于您申请公开“{item}”的申请，本机关已于{date}登记受理（登记编号{number}）。",
]
LETTER_BODIES = [
    "经审查，您申请获取的信息属于公开范围，现予以提供，详见附件{doc}。",
    "经检索，本机关未制作或者获取过您申请的{subject}相关信息，该信息不存在。",
    "经审查，您申请的信息中涉及第三方商业秘密的部分不予公开，其余部分予以提供，参见{doc}。",
    "因需征求第三方意见，答复期限延长二十个工作日，延长后的答复期限为{due}。",
    "您的申请内容不明确，请于收到本通知之日起十五个工作日内补正，说明所需{subject}信息的名称、文号。",
    "您申请的{subject}信息已于{date}在{unit}门户网站主动公开，可通过网站查询获取。",
]
LETTER_CLOSINGS = [
    "依据《中华人民共和国政府信息公开条例》第{art}条之规定，特此告知。",
    "如对本答复不服，可以自收到之日起六十日内向{unit}申请行政复议，或者六个月内向人民法院提起行政诉讼。",
    "联系人：{handler}，联系电话：021-{phone}。",
]


def _place(rng: random.Random) -> str:
    return rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS) + rng.choice(PLACE_KINDS)


def _doc_number(rng: random.Random) -> str:
    return f"{rng.choice(ORG_ABBR)}〔{rng.randint(2010, 2026)}〕{rng.randint(1, 300)}号"


def _item(rng: random.Random) -> tuple[str, str | None]:
    year = rng.randint(2010, 2026)
    subject = rng.choice(SUBJECTS)
    shape = rng.random()
    if shape < 0.4:
        text = f"{_place(rng)}{subject}项目的{rng.choice(DOC_KINDS)}{rng.choice(ASPECTS)}"
    elif shape < 0.7:
        text = f"{year}年{_place(rng)}{subject}{rng.choice(DOC_KINDS)}"
    else:
        text = (
            f"关于{_place(rng)}{rng.choice(SUBJECTS)}和{subject}的{rng.choice(DOC_KINDS)}"
            f"{rng.choice(ASPECTS)}，以及{rng.choice(UNITS)}的{rng.choice(DOC_KINDS)}"
        )
    return text, _doc_number(rng) if rng.random() < 0.3 else None


def _name(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return _place(rng)[:2] + rng.choice(COMPANY_TAILS)
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _letter(rng: random.Random, number: str, item: str, received: date) -> str:
    values = {
        "date": f"{received.year}年{received.month}月{received.day}日",
        "item": item,
        "number": number,
        "doc": _doc_number(rng),
        "subject": rng.choice(SUBJECTS),
        "due": f"{received.year}年{received.month}月{min(28, received.day + 20)}日",
        "unit": rng.choice(UNITS),
        "art": rng.choice(["二十七", "三十三", "三十六", "三十八", "四十", "十五"]),
        "handler": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "phone": f"{rng.randint(10000000, 99999999)}",
    }
    parts = [rng.choice(LETTER_OPENINGS), rng.choice(LETTER_BODIES)]
    parts += rng.sample(LETTER_CLOSINGS, 2)
    return "".join(p.format(**values) for p in parts)


@dataclass(frozen=True)
class Texts:
    number: str
    name: str
    items: list[tuple[str, str | None]]
    letter: str | None

    def sources(self) -> list[Source]:
        out = [sources.source(Kind.number, [self.number]), sources.source(Kind.name, [self.name])]
        out += [sources.source(Kind.item, [d, n]) for d, n in self.items]
        if self.letter:
            out.append(sources.source(Kind.letter, [self.letter]))
        return out


def texts_of(seed: int, seq: int, received: date) -> Texts:
    """A case's texts, from its own random stream (so a query can be drawn from any case)."""
    rng = random.Random(seed * 10_000_019 + seq)
    number = f"{ORGAN}依申〔{received.year}〕{seq:07d}号"
    items = [_item(rng) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
    letter = _letter(rng, number, items[0][0], received) if rng.random() < 0.85 else None
    return Texts(number, _name(rng), items, letter)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------

BENCH_TEXTS = table(
    "bench_texts",
    column("case_id", Integer),
    column("organ_id", Integer),
    column("rank", Integer),
    column("norm", Text),
)
CASE_COLUMNS: list[str] = []


def _row(seed: int, organ_id: int, seq: int) -> tuple[dict[str, Any], Texts]:
    rng = random.Random(seed + seq)
    row = case_row(rng, organ_id, seq, FIRST, DAYS)
    received = row["arrived_at"].date()
    texts = texts_of(seed, seq, received)
    row.update(id=seq, number=texts.number, applicant_name=texts.name)
    return row, texts


def batches(
    seed: int, organ_id: int, n: int, dialect: str
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]]:
    """(cases, index rows, scan rows) in batches; the index rows numbered in case order."""
    next_search_id = 1
    for start in range(0, n, BATCH):
        cases, index, scan = [], [], []
        for seq in range(start + 1, min(n, start + BATCH) + 1):
            row, texts = _row(seed, organ_id, seq)
            cases.append(row)
            found = texts.sources()
            for r in sources.rows(seq, organ_id, found, dialect):
                index.append({"id": next_search_id, **r})
                next_search_id += 1
            for src in found:
                if src.kind is Kind.name:
                    continue  # the scan is for the roles that may not search names, see below
                for segment in src.segments:
                    scan.append(
                        {
                            "case_id": seq,
                            "organ_id": organ_id,
                            "rank": RANK[src.kind],
                            "norm": segment,
                        }
                    )
        yield cases, index, scan


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _naive_utc(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def load_postgres(url: str, organ_id: int, n: int, seed: int) -> dict[str, float]:
    timings = {"generate": 0.0, "write": 0.0}
    with psycopg.connect(_conninfo(url)) as conn, conn.cursor() as cur:
        for kind in KINDS:
            cur.execute(f"DROP INDEX {gin_index(kind)}")
        cur.execute("CREATE TABLE bench_texts (case_id int, organ_id int, rank int, norm text)")
        rows = batches(seed, organ_id, n, "postgresql")
        while True:
            t = time.perf_counter()
            got = next(rows, None)
            timings["generate"] += time.perf_counter() - t
            if got is None:
                break
            t = time.perf_counter()
            for name, part in zip(("cases", "case_search", "bench_texts"), got, strict=True):
                cols = list(part[0])
                with cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in part:
                        copy.write_row([_naive_utc(row[c]) for c in cols])
            timings["write"] += time.perf_counter() - t
        cur.execute("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))")
        cur.execute("SELECT setval('case_search_id_seq', (SELECT max(id) FROM case_search))")
        conn.commit()
        t = time.perf_counter()
        cur.execute("SET maintenance_work_mem = '512MB'")
        for kind in KINDS:
            cur.execute(
                f"CREATE INDEX {gin_index(kind)} ON case_search USING gin (grams) "
                f"WHERE kind = '{kind}'"
            )
        conn.commit()
        timings["index"] = time.perf_counter() - t
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")
    return timings


def load_sqlite(url: str, organ_id: int, n: int, seed: int) -> dict[str, float]:
    timings = {"generate": 0.0, "write": 0.0}
    path = make_url(url).database
    assert path
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'case_search'"
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("CREATE TABLE bench_texts (case_id int, organ_id int, rank int, norm text)")
    cases_sql = index_sql = None
    rows = batches(seed, organ_id, n, "sqlite")
    while True:
        t = time.perf_counter()
        got = next(rows, None)
        timings["generate"] += time.perf_counter() - t
        if got is None:
            break
        t = time.perf_counter()
        cases, index, scan = got
        if cases_sql is None:
            cols = list(cases[0])
            cases_sql = (
                f"INSERT INTO cases ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            )
            index_sql = "INSERT INTO case_search (id, case_id, organ_id, kind, grams) VALUES (?, ?, ?, ?, ?)"
        conn.executemany(cases_sql, [[_sqlite_value(r[c]) for c in cases[0]] for r in cases])
        conn.executemany(
            index_sql,
            [(r["id"], r["case_id"], r["organ_id"], r["kind"], r["grams"]) for r in index],
        )
        conn.executemany(
            "INSERT INTO bench_texts VALUES (?, ?, ?, ?)",
            [(r["case_id"], r["organ_id"], r["rank"], r["norm"]) for r in scan],
        )
        timings["write"] += time.perf_counter() - t
    conn.commit()
    t = time.perf_counter()
    for kind in KINDS:
        conn.execute(
            f"INSERT INTO {fts_table(kind)}(rowid, grams) "
            f"SELECT id, grams FROM case_search WHERE kind = '{kind}'"
        )
    for _, sql in triggers:
        conn.execute(sql)
    conn.commit()
    timings["index"] = time.perf_counter() - t
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return timings


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _naive_utc(value).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------------------------------------
# Querying
# ---------------------------------------------------------------------------------------------


def draw_queries(seed: int, n_cases: int, length: int, count: int) -> list[str]:
    """Queries of `length` normalised characters taken from the data: a random case, one of
    its texts, a random position."""
    rng = random.Random(seed * 7 + length)
    out: list[str] = []
    while len(out) < count:
        seq = rng.randint(1, n_cases)
        _row_values, texts = _row(seed, 0, seq)
        found = [s for src in texts.sources() for s in src.segments if len(s) >= length]
        if not found:
            continue
        segment = rng.choice(found)
        start = rng.randrange(len(segment) - length + 1)
        out.append(segment[start : start + length])
    return out


def search(rt: Runtime, organ_id: int, q: str, *, names: bool) -> tuple[list[int], int, bool]:
    f = cases_repo.CaseFilter(organ_id=organ_id, search=plan(q, names=names), search_names=names)
    with rt.sessions.read() as session:
        found = cases_repo.list_cases(session, f, offset=0, limit=PAGE)
        return [c.id for c in found.rows], found.total, found.capped


def scan(rt: Runtime, organ_id: int, q: str) -> tuple[list[int], int, bool]:
    """The same first page and capped total from a LIKE '%q%' scan of the same texts (a
    supervisor's search: no names; `q` is already normalised, so no wildcard is in it)."""
    stmt = text(
        "SELECT case_id, min(rank) AS rank FROM bench_texts "
        "WHERE organ_id = :organ AND norm LIKE :pattern GROUP BY case_id"
    )
    with rt.sessions.read() as session:
        rows = session.execute(stmt, {"organ": organ_id, "pattern": f"%{q}%"}).all()
    ordered = [r.case_id for r in sorted(rows, key=lambda r: (r.rank, -r.case_id))]
    cap = cases_repo.SEARCH_COUNT_CAP
    return ordered[:PAGE], min(len(ordered), cap), len(ordered) > cap


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t, out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Figures:
    kind: str
    length: int
    p50: float
    p99: float
    scan_p50: float
    scan_p99: float
    capped_share: float

    @property
    def ratio(self) -> float:
        return self.scan_p50 / self.p50 if self.p50 else float("inf")


def measure(
    rt: Runtime, db: Database, organ_id: int, n: int, seed: int, queries: int, scans: int
) -> list[Figures]:
    out = []
    for length in (2, 4):
        qs = draw_queries(seed, n, length, queries)
        for q in qs[:5]:  # warm the caches as a running service would have them
            search(rt, organ_id, q, names=False)
        times, capped, results = [], 0, {}
        for q in qs:
            s, got = timed(search, rt, organ_id, q, names=False)
            times.append(s)
            capped += got[2]
            results[q] = got
        scan_times, agree = [], 0
        for q in qs[:scans]:
            s, got = timed(scan, rt, organ_id, q)
            scan_times.append(s)
            agree += got == results[q]
            if got != results[q]:
                print(f"    DIFFERENT for {q!r}: index {results[q][1:]}, scan {got[1:]}")
        fig = Figures(
            db.kind,
            length,
            statistics.median(times),
            pct(times, 99),
            statistics.median(scan_times),
            pct(scan_times, 99),
            capped / len(qs),
        )
        print(
            f"  {length}-character queries ({len(qs)}; {fig.capped_share:.0%} find more than "
            f"{cases_repo.SEARCH_COUNT_CAP}): index p50 {fig.p50 * 1000:.1f} ms, p99 "
            f"{fig.p99 * 1000:.1f} ms | LIKE scan ({len(scan_times)}) p50 "
            f"{fig.scan_p50 * 1000:.0f} ms, p99 {fig.scan_p99 * 1000:.0f} ms | {fig.ratio:.0f}x "
            f"faster; same page and total as the scan: {agree}/{len(scan_times)}"
        )
        out.append(fig)
    return out


@contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as tmp:
        yield Database("sqlite", f"sqlite:///{tmp}/bench.db", sqlite3.sqlite_version)


def table_sizes(rt: Runtime) -> str:
    if rt.engine.dialect.name != "postgresql":
        path = make_url(rt.settings.database_url).database
        return f"database file {os.path.getsize(path or '') / 2**20:,.0f} MB"
    with rt.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname IN "
                "('cases', 'case_search', 'bench_texts') OR relname LIKE :gin"
            ),
            {"gin": f"{GIN_INDEX}%"},
        ).all()
    return ", ".join(f"{name} {size / 2**20:,.0f} MB" for name, size in sorted(rows))


def bench(db: Database, n: int, seed: int, queries: int, scans: int) -> list[Figures]:
    print(f"\n== {db.kind} {db.version} (load average {os.getloadavg()[0]:.2f})")
    upgrade_to_head(db.url)
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-storage-") as storage:
        settings = Settings(
            database_url=db.url,
            secret_key=secrets.token_urlsafe(32),
            storage_dir=Path(storage),
            letter_render_workers=0,
        )
        rt = build_runtime(settings)
        rt.clock = lambda: NOW
        try:
            with rt.sessions.read() as session:
                kept = session.scalar(text("SELECT count(*) FROM cases"))
                organ_id = session.scalar(text("SELECT min(id) FROM organs"))
            if kept == n and organ_id is not None:
                # A kept database already loaded (--keep): measure again.
                print(f"  reusing the {n:,} cases loaded before; {table_sizes(rt)}")
                return measure(rt, db, organ_id, n, seed, queries, scans)
            if kept:
                raise SystemExit(f"the kept database holds {kept:,} cases, not {n:,}")
            with rt.sessions.write.begin() as session:
                organ_id = create_organ(
                    session,
                    OrganCreate(
                        code=ORGAN,
                        name="示例市人民政府办公室",
                        reconsideration_body="示例省人民政府",
                        court="示例市中级人民法院",
                    ),
                    now=NOW,
                ).id
            t = time.perf_counter()
            load = load_postgres if db.kind == "postgresql" else load_sqlite
            timings = load(db.url, organ_id, n, seed)
            with rt.sessions.read() as session:
                rows = session.scalar(text("SELECT count(*) FROM case_search"))
            print(
                f"  loaded {n:,} cases and {rows:,} index rows in {time.perf_counter() - t:.0f} s "
                f"(generating {timings['generate']:.0f} s, writing {timings['write']:.0f} s, "
                f"building the index {timings['index']:.0f} s); {table_sizes(rt)}"
            )
            return measure(rt, db, organ_id, n, seed, queries, scans)
        finally:
            rt.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres", default=os.environ.get("GONGKAI_BENCH_PG", DEFAULT_PG_URL))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--scan-queries", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--keep",
        metavar="NAME",
        help="PostgreSQL: load into the database NAME and keep it; a later run with the same "
        "NAME measures again without loading",
    )
    args = parser.parse_args()
    print(f"search over {args.cases:,} cases; {os.cpu_count()} cores")
    figures: list[Figures] = []
    if args.db in ("postgres", "both"):
        with postgres_database(args.postgres, args.keep) as db:
            if db is not None:
                figures += bench(db, args.cases, args.seed, args.queries, args.scan_queries)
    if args.db in ("sqlite", "both"):
        with sqlite_database() as db:
            figures += bench(db, args.cases, args.seed, args.queries, args.scan_queries)
    ok = True
    for f in figures:
        if f.kind == "postgresql":
            met = f.p50 < TARGET_P50_S and f.ratio >= TARGET_RATIO
            ok = ok and met
            print(
                f"PostgreSQL {f.length}-character: p50 {f.p50 * 1000:.1f} ms (< 50 ms), "
                f"{f.ratio:.0f}x the scan (>= 20x): {'PASS' if met else 'FAIL'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
