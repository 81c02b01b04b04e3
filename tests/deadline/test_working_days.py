"""Working-day arithmetic: the worked examples of the rules, edge cases and properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.deadline.calendar import (
    PROVISIONAL_REFERENCE,
    CalendarYear,
    WorkCalendar,
    weekend_only_calendar,
)

CALENDAR_DIR = Path(__file__).resolve().parents[2] / "workflows" / "calendar"
# Built once at import: hypothesis rejects function-scoped fixtures inside @given tests.
CAL = WorkCalendar.from_dir(CALENDAR_DIR)


def naive_is_working_day(cal: WorkCalendar, d: date) -> bool:
    """The rule as written, straight from the loaded years' data."""
    cy = cal.years.get(d.year)
    if cy is not None and d in cy.makeup_days:
        return True
    if cy is not None and d in cy.days_off:
        return False
    return d.weekday() < 5


def naive_add(cal: WorkCalendar, start: date, n: int) -> date:
    """Day-by-day reference implementation of add_working_days."""
    d, counted = start, 0
    while counted < n:
        d += timedelta(days=1)
        if naive_is_working_day(cal, d):
            counted += 1
    return d


def naive_count(cal: WorkCalendar, after: date, through: date) -> int:
    """Day-by-day reference implementation of count_working_days."""
    days = (through - after).days
    return sum(naive_is_working_day(cal, after + timedelta(days=i)) for i in range(1, days + 1))


# --- worked examples ---------------------------------------------------------------------------


def test_received_fri_2026_09_18_twenty_working_days_due_thu_2026_10_22() -> None:
    # Sunday 9-20 is a make-up day and counts; 9-25 and 10-01..10-07 are skipped.
    assert CAL.add_working_days(date(2026, 9, 18), 20) == date(2026, 10, 22)


def test_received_tue_2026_02_10_seven_working_days_due_thu_2026_02_26() -> None:
    assert CAL.add_working_days(date(2026, 2, 10), 7) == date(2026, 2, 26)


def test_received_tue_2026_02_10_twenty_working_days_due_mon_2026_03_16() -> None:
    assert CAL.add_working_days(date(2026, 2, 10), 20) == date(2026, 3, 16)


def test_received_mon_2026_09_28_twenty_working_days_due_fri_2026_10_30() -> None:
    assert CAL.add_working_days(date(2026, 9, 28), 20) == date(2026, 10, 30)


# --- holidays and make-up days -----------------------------------------------------------------


def test_crossing_spring_festival_2025_counts_makeup_sunday_then_skips_the_holiday() -> None:
    start = date(2025, 1, 24)  # Friday
    assert CAL.add_working_days(start, 1) == date(2025, 1, 26)  # Sunday make-up day
    assert CAL.add_working_days(start, 2) == date(2025, 1, 27)
    assert CAL.add_working_days(start, 3) == date(2025, 2, 5)  # after 1-28..2-04


def test_crossing_national_day_2025_resumes_after_the_eight_day_break() -> None:
    assert CAL.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert CAL.add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)  # make-up Saturday


def test_starting_on_a_weekday_day_off_counts_from_the_next_working_day() -> None:
    assert CAL.add_working_days(date(2026, 10, 5), 1) == date(2026, 10, 8)  # Monday, day off
    assert CAL.add_working_days(date(2026, 2, 16), 1) == date(2026, 2, 24)


def test_starting_on_a_weekend_day_off_counts_from_the_next_working_day() -> None:
    assert CAL.add_working_days(date(2026, 10, 3), 1) == date(2026, 10, 8)


def test_starting_the_day_before_a_makeup_saturday_lands_on_it() -> None:
    assert CAL.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)


def test_starting_on_a_makeup_day_does_not_count_it() -> None:
    assert CAL.add_working_days(date(2026, 10, 10), 1) == date(2026, 10, 12)
    assert CAL.add_working_days(date(2026, 9, 20), 1) == date(2026, 9, 21)


def test_deadline_across_a_year_boundary_uses_both_years() -> None:
    # 2025-12-31 (Wed) + 2 → 2026-01-01..03 off, 01-04 Sunday make-up, 01-05 Monday.
    assert CAL.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 4)
    assert CAL.add_working_days(date(2025, 12, 31), 2) == date(2026, 1, 5)
    explanation = CAL.explain(date(2025, 12, 31), 2)
    assert explanation.years_used == ((2026, "国办发明电〔2025〕7号"),)
    assert not explanation.provisional


def test_reaching_into_2027_without_data_is_provisional_weekend_only() -> None:
    start = date(2026, 12, 25)  # Friday
    due = CAL.add_working_days(start, 10)
    # Weekend-only in 2027: Friday 2027-01-01 counts, as would any Monday–Friday.
    assert due == date(2027, 1, 8)
    assert due == weekend_only_calendar().add_working_days(start, 10)
    explanation = CAL.explain(start, 10)
    assert explanation.provisional
    assert explanation.years_used == (
        (2026, "国办发明电〔2025〕7号"),
        (2027, PROVISIONAL_REFERENCE),
    )
    assert CAL.is_provisional(date(2027, 1, 1))
    assert not CAL.is_provisional(date(2026, 12, 31))
    assert "暂定" in explanation.text_zh()
    assert "Provisional" in explanation.text_en()


def test_deadline_within_loaded_data_is_not_provisional() -> None:
    assert not CAL.explain(date(2026, 9, 18), 20).provisional


def test_weekend_only_calendar_counts_monday_to_friday_and_is_always_provisional() -> None:
    cal = weekend_only_calendar()
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 1)
    assert not cal.is_working_day(date(2026, 9, 20))
    assert cal.is_provisional(date(2026, 1, 1))
    assert cal.explain(date(2026, 9, 30), 5).provisional


def test_n_below_one_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CAL.add_working_days(date(2026, 1, 5), 0)
    with pytest.raises(ValueError, match="at least 1"):
        CAL.explain(date(2026, 1, 5), -3)


def test_datetime_instead_of_date_is_rejected() -> None:
    with pytest.raises(TypeError, match=r"datetime\.date"):
        CAL.add_working_days(datetime(2026, 1, 5, 9, 30), 1)
    with pytest.raises(TypeError, match=r"datetime\.date"):
        CAL.is_working_day(datetime(2026, 1, 5, 9, 30))


def test_count_is_zero_when_through_is_not_after_after() -> None:
    assert CAL.count_working_days(date(2026, 1, 5), date(2026, 1, 5)) == 0
    assert CAL.count_working_days(date(2026, 1, 6), date(2026, 1, 5)) == 0


def test_count_over_the_whole_of_2026() -> None:
    # 261 Mondays–Fridays, 19 of them official days off, plus 6 make-up days.
    assert CAL.count_working_days(date(2025, 12, 31), date(2026, 12, 31)) == 261 - 19 + 6


def test_long_spans_far_outside_the_data_use_week_arithmetic() -> None:
    start = date(2100, 1, 4)  # Monday
    assert CAL.add_working_days(start, 5) == date(2100, 1, 11)
    due = CAL.add_working_days(date(2000, 1, 3), 1_000_000)
    assert CAL.count_working_days(date(2000, 1, 3), due) == 1_000_000
    assert CAL.is_working_day(due)


# --- explanation -------------------------------------------------------------------------------


def test_explanation_of_the_national_day_example_lists_skipped_and_counted_days() -> None:
    e = CAL.explain(date(2026, 9, 18), 20)
    assert e.due_date == date(2026, 10, 22)
    assert e.days_off_skipped == (
        (date(2026, 9, 25), "中秋节"),
        (date(2026, 10, 1), "国庆节"),
        (date(2026, 10, 2), "国庆节"),
        (date(2026, 10, 5), "国庆节"),
        (date(2026, 10, 6), "国庆节"),
        (date(2026, 10, 7), "国庆节"),
    )
    assert e.makeup_days_counted == ((date(2026, 9, 20), "国庆节"), (date(2026, 10, 10), "国庆节"))
    assert e.weekend_days_skipped == 8
    assert e.calendar_version == CAL.version
    zh = e.text_zh()
    assert zh.startswith("自2026-09-18起算第20个工作日为2026-10-22")
    assert "2026-10-01至2026-10-07（国庆节" in zh
    assert "计入调休上班日 2026-09-20（国庆节）" in zh
    assert "国办发明电〔2025〕7号" in zh
    assert e.text_en().startswith("The 20th working day after 2026-09-18 is Thu 2026-10-22")
    assert e.summary() == f"{zh}\n{e.text_en()}"


# --- properties --------------------------------------------------------------------------------

dates = st.dates(min_value=date(2018, 1, 1), max_value=date(2028, 12, 31))
counts = st.integers(min_value=1, max_value=200)


@given(start=dates, n=counts)
def test_due_date_is_a_working_day(start: date, n: int) -> None:
    due = CAL.add_working_days(start, n)
    assert due > start
    assert CAL.is_working_day(due)


@given(start=dates, n=counts, m=counts)
def test_adding_twice_equals_adding_the_sum(start: date, n: int, m: int) -> None:
    assert CAL.add_working_days(CAL.add_working_days(start, n), m) == CAL.add_working_days(
        start, n + m
    )


@given(start=dates, n=counts)
def test_count_inverts_add(start: date, n: int) -> None:
    assert CAL.count_working_days(start, CAL.add_working_days(start, n)) == n


@given(start=dates, n=counts)
def test_add_agrees_with_day_by_day_reference(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n) == naive_add(CAL, start, n)


@given(after=dates, through=dates)
def test_count_agrees_with_day_by_day_reference(after: date, through: date) -> None:
    assert CAL.count_working_days(after, through) == naive_count(CAL, after, through)


@given(start=dates, n=counts)
def test_explanation_counts_add_up_to_n(start: date, n: int) -> None:
    e = CAL.explain(start, n)
    assert e.working_days_counted == n
    weekdays = sum((start + timedelta(days=i)).weekday() < 5 for i in range(1, e.calendar_days + 1))
    assert weekdays - len(e.days_off_skipped) + len(e.makeup_days_counted) == n
    assert all(d.weekday() < 5 and start < d <= e.due_date for d, _ in e.days_off_skipped)
    assert all(d.weekday() >= 5 and start < d <= e.due_date for d, _ in e.makeup_days_counted)
    assert e.provisional == any(CAL.is_provisional(y) for y in _years_between(start, e.due_date))


def _years_between(start: date, due: date) -> list[date]:
    return [date(y, 1, 1) for y in range((start + timedelta(days=1)).year, due.year + 1)]


@st.composite
def random_years(draw: st.DrawFn) -> list[CalendarYear]:
    """Arbitrary (not official) years, to exercise adjacent and clustered exceptions."""
    result = []
    for year in (2030, 2031):
        days = [date(year, 1, 1) + timedelta(days=i) for i in range(365)]
        marked = draw(st.sets(st.sampled_from(days), max_size=60))
        off = frozenset(d for d in marked if d.weekday() < 5 or d.day % 2)
        makeup = frozenset(d for d in marked - off if d.weekday() >= 5)
        result.append(
            CalendarYear(
                year=year,
                days_off=off,
                makeup_days=makeup,
                reference="test",
                title="test",
                holiday_names=dict.fromkeys(off | makeup, "test"),
            )
        )
    return result


@settings(max_examples=60)
@given(
    years=random_years(),
    start=st.dates(min_value=date(2029, 10, 1), max_value=date(2031, 12, 31)),
    n=counts,
)
def test_add_agrees_with_reference_on_arbitrary_calendars(
    years: list[CalendarYear], start: date, n: int
) -> None:
    cal = WorkCalendar(years)
    due = cal.add_working_days(start, n)
    assert due == naive_add(cal, start, n)
    assert cal.count_working_days(start, due) == n
