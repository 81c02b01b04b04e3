"""Benchmark: working-day deadlines with WorkCalendar against numpy.busday_offset.

Computes the due date for 1,000,000 (start date, N working days) pairs with starts across
2019–2026 three ways and checks that all three agree day for day:

1. `WorkCalendar.add_working_days`, one call per pair (the O(log k) per-call path the service uses);
2. the same rank/unrank arithmetic vectorised with numpy over `WorkCalendar.rank_tables()`;
3. `numpy.busday_offset` on an exact calendar: weekmask "1111111" and every non-working day
   (weekends that are not make-up days, plus official days off) listed as a holiday.

The rule is "the N-th working day after D, D not counted".  busday_offset first rolls D when D is
not a valid day and then moves N valid days.  roll="forward" would roll a day off D to the first
working day after it, which is already day 1, and land one day late; roll="backward" rolls to the
last working day before D, from which the N-th working day is the right one, and leaves a working
D alone.  So the matching call is `busday_offset(D, N, roll="backward", busdaycal=exact)`.

Also times one case's full explanation (every deadline of a rich ledger, with both texts).

    .venv/bin/python bench/deadlines.py [--pairs 1000000] [--explain-runs 10000] [--seed 7]

Exit status 0 when the vectorised path is no slower than numpy and one explanation takes under
1 ms, 1 otherwise.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.deadline.calendar import WorkCalendar  # noqa: E402
from app.deadline.ledger import (  # noqa: E402
    ConsultationAnswered,
    ConsultationStarted,
    CorrectionReceived,
    CorrectionRequested,
    Extended,
    FeeNoticeSent,
    FeePaid,
    LedgerEntry,
    Received,
    Served,
    Stopped,
    compute_deadlines,
)

I64 = npt.NDArray[np.int64]
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # datetime64[D] counts days from 1970-01-01


def make_pairs(n: int, seed: int) -> tuple[npt.NDArray[np.datetime64], I64]:
    """Random starts in 2019–2026 and statutory-looking lengths (mostly 7/15/20/40, some 1–60)."""
    rng = np.random.default_rng(seed)
    first = np.datetime64("2019-01-01")
    span = int((np.datetime64("2027-01-01") - first).astype(np.int64))
    starts = first + rng.integers(0, span, n).astype("timedelta64[D]")
    typical = rng.choice(np.array([7, 15, 20, 40], dtype=np.int64), n)
    ns = np.where(rng.random(n) < 0.5, typical, rng.integers(1, 61, n))
    return starts, ns.astype(np.int64)


def vectorised_add(cal: WorkCalendar, starts: npt.NDArray[np.datetime64], ns: I64) -> I64:
    """add_working_days for whole arrays: the calendar's rank/unrank with np.searchsorted."""
    ords_t, cum_t, ranks_t = cal.rank_tables()
    ex_ords = np.asarray(ords_t, dtype=np.int64)
    ex_cum = np.asarray(cum_t, dtype=np.int64)
    ex_rank = np.asarray(ranks_t, dtype=np.int64)
    o = starts.astype(np.int64) + EPOCH_ORDINAL
    # rank(o) = Mondays–Fridays in [1, o] + the exception deltas at ordinals <= o.
    q, r = np.divmod(o, 7)
    target = 5 * q + np.minimum(r, 5) + ex_cum[np.searchsorted(ex_ords, o, side="right")] + ns
    # unrank: invert the Monday–Friday count between two exceptions, then snap to a make-up
    # day when the target is reached exactly on one.
    m = np.searchsorted(ex_rank, target, side="left")
    q, r = np.divmod(target - ex_cum[m] - 1, 5)
    result = 7 * q + r + 1
    at = np.minimum(m, len(ex_ords) - 1)
    snap = (m < len(ex_ords)) & (result >= ex_ords[at])
    return np.where(snap, ex_ords[at], result) - EPOCH_ORDINAL


def exact_busdaycalendar(cal: WorkCalendar, first: date, last: date) -> np.busdaycalendar:
    """Every day valid except the non-working days, taken from the yearly notices' data."""
    holidays = []
    d = first
    while d <= last:  # set-up only, outside the timed region
        cy = cal.years.get(d.year)
        if cy is not None and d in cy.makeup_days:
            working = True
        else:
            working = d.weekday() < 5 and not (cy is not None and d in cy.days_off)
        if not working:
            holidays.append(d)
        d += timedelta(days=1)
    return np.busdaycalendar(weekmask="1111111", holidays=np.array(holidays, "datetime64[D]"))


def rich_ledger() -> list[LedgerEntry]:
    """A case that uses every kind of entry: correction, consultations, extension, fee, service."""
    return [
        Received(date(2026, 2, 10)),
        CorrectionRequested(date(2026, 2, 12), date(2026, 2, 13), 15),
        CorrectionReceived(date(2026, 3, 2)),
        ConsultationStarted("c1", "third_party", date(2026, 3, 5), date(2026, 3, 6)),
        ConsultationStarted("c2", "other_organ", date(2026, 3, 10), None),
        ConsultationStarted("lo", "legal_office", date(2026, 3, 11), date(2026, 3, 11)),
        ConsultationAnswered("c1", date(2026, 3, 20)),
        Extended(10, "王主任", date(2026, 4, 1), "需检索多个年度的档案"),
        FeeNoticeSent(date(2026, 4, 2), date(2026, 4, 3)),
        FeePaid(date(2026, 4, 10)),
        Stopped(date(2026, 5, 6), "已答复"),
        Served(date(2026, 5, 8)),
    ]


def main() -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=1_000_000)
    ap.add_argument("--explain-runs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    cal = WorkCalendar.from_dir(ROOT / "workflows" / "calendar")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {cal!r}")
    starts, ns = make_pairs(args.pairs, args.seed)
    print(f"{args.pairs:,} pairs, starts {starts.min()}..{starts.max()}, N {ns.min()}..{ns.max()}")

    start_dates: list[date] = starts.astype(object).tolist()
    n_list: list[int] = ns.tolist()
    add = cal.add_working_days
    t0 = time.perf_counter()
    per_call = [add(s, n) for s, n in zip(start_dates, n_list, strict=True)]
    t_call = time.perf_counter() - t0
    per_call_arr = np.array(per_call, dtype="datetime64[D]")

    t0 = time.perf_counter()
    vec = vectorised_add(cal, starts, ns).astype("datetime64[D]")
    t_vec = time.perf_counter() - t0

    horizon = per_call_arr.max().astype(object) + timedelta(days=30)
    t0 = time.perf_counter()
    busdaycal = exact_busdaycalendar(cal, date(2018, 12, 1), horizon)
    t_setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = np.busday_offset(starts, ns, roll="backward", busdaycal=busdaycal)
    t_np = time.perf_counter() - t0

    same_vec = bool(np.array_equal(vec, ref))
    same_call = bool(np.array_equal(per_call_arr, ref))
    per = 1e9 / args.pairs
    print(f"identical dates: per-call vs numpy {same_call}, vectorised vs numpy {same_vec}")
    print(f"WorkCalendar per call   {t_call:8.3f} s  {t_call * per:8.1f} ns/pair")
    print(f"WorkCalendar vectorised {t_vec:8.3f} s  {t_vec * per:8.1f} ns/pair")
    print(f"numpy.busday_offset     {t_np:8.3f} s  {t_np * per:8.1f} ns/pair")
    print(f"  (exact busdaycalendar set-up, untimed above: {t_setup * 1e3:.1f} ms)")
    print(f"ratio numpy / vectorised: {t_np / t_vec:.2f}x  (>= 1 means no slower than numpy)")
    print(f"ratio numpy / per call:   {t_np / t_call:.2f}x")

    ledger = rich_ledger()
    today = date(2026, 5, 9)
    for _ in range(200):  # warm-up
        compute_deadlines(ledger, cal, today=today)
    t0 = time.perf_counter()
    for _ in range(args.explain_runs):
        for d in compute_deadlines(ledger, cal, today=today):
            d.text_zh()
            d.text_en()
    t_explain = (time.perf_counter() - t0) / args.explain_runs
    count = len(compute_deadlines(ledger, cal, today=today))
    print(
        f"one case's full explanation ({len(ledger)} ledger entries, {count} deadlines, "
        f"both texts): {t_explain * 1e6:.1f} us mean over {args.explain_runs:,}"
    )

    ok = same_vec and same_call and t_vec <= t_np and t_explain < 1e-3
    print("verdict:", "OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
