"""The shipped holiday data (workflows/calendar) and CalendarYear validation."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.deadline.calendar import CalendarYear, WorkCalendar, load_calendar_dir

chinese_calendar = pytest.importorskip("chinese_calendar")

CALENDAR_DIR = Path(__file__).resolve().parents[2] / "workflows" / "calendar"
SHIPPED_YEARS = list(range(2019, 2027))


def _days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


@pytest.fixture(scope="module")
def years() -> dict[int, CalendarYear]:
    return {cy.year: cy for cy in load_calendar_dir(CALENDAR_DIR)}


@pytest.fixture(scope="module")
def calendar(years: dict[int, CalendarYear]) -> WorkCalendar:
    return WorkCalendar(years.values())


def _chinese_calendar_has(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 7, 1))
    except NotImplementedError:
        return False
    return True


def test_shipped_years_are_2019_through_2026(years: dict[int, CalendarYear]) -> None:
    assert sorted(years) == SHIPPED_YEARS


@pytest.mark.parametrize("year", SHIPPED_YEARS)
def test_every_day_of_the_year_agrees_with_chinesecalendar(
    calendar: WorkCalendar, year: int
) -> None:
    if not _chinese_calendar_has(year):
        pytest.skip(f"chinesecalendar {chinese_calendar.__version__} has no data for {year}")
    day = date(year, 1, 1)
    mismatches = []
    while day.year == year:
        if calendar.is_working_day(day) != chinese_calendar.is_workday(day):
            mismatches.append(day.isoformat())
        day += timedelta(days=1)
    assert mismatches == []


@pytest.mark.parametrize("year", SHIPPED_YEARS)
def test_days_off_and_makeup_days_match_chinesecalendar(
    years: dict[int, CalendarYear], year: int
) -> None:
    if not _chinese_calendar_has(year):
        pytest.skip(f"chinesecalendar {chinese_calendar.__version__} has no data for {year}")
    cy = years[year]
    cc_off = {d for d in chinese_calendar.holidays if d.year == year}
    cc_makeup = {d for d in chinese_calendar.workdays if d.year == year}
    # chinesecalendar also lists some ordinary weekends next to a holiday ("与周末连休");
    # ours carries only what the notice declares, so compare weekdays exactly and require
    # our weekend days off to be a subset.
    assert {d for d in cy.days_off if d.weekday() < 5} == {d for d in cc_off if d.weekday() < 5}
    assert cy.days_off <= cc_off
    assert cy.makeup_days == cc_makeup


@pytest.mark.parametrize("year", SHIPPED_YEARS)
def test_each_year_cites_its_state_council_notice(
    years: dict[int, CalendarYear], year: int
) -> None:
    cy = years[year]
    assert cy.title == f"国务院办公厅关于{year}年部分节假日安排的通知"
    assert re.match(r"国办发明电〔\d{4}〕\d+号", cy.reference)
    assert cy.published is not None
    assert cy.published.year in (year - 1, year)


@pytest.mark.parametrize("year", SHIPPED_YEARS)
def test_yaml_file_is_the_canonical_mapping_of_its_year(
    years: dict[int, CalendarYear], year: int
) -> None:
    raw = yaml.safe_load((CALENDAR_DIR / f"{year}.yaml").read_text(encoding="utf-8"))
    assert years[year].to_mapping() == raw
    assert CalendarYear.from_mapping(years[year].to_mapping()) == years[year]


def test_2025_matches_the_official_notice(years: dict[int, CalendarYear]) -> None:
    cy = years[2025]
    assert cy.reference == "国办发明电〔2024〕12号"
    assert cy.published == date(2024, 11, 12)
    assert cy.days_off == (
        {date(2025, 1, 1)}
        | _days(date(2025, 1, 28), date(2025, 2, 4))
        | _days(date(2025, 4, 4), date(2025, 4, 6))
        | _days(date(2025, 5, 1), date(2025, 5, 5))
        | _days(date(2025, 5, 31), date(2025, 6, 2))
        | _days(date(2025, 10, 1), date(2025, 10, 8))
    )
    assert cy.makeup_days == {
        date(2025, 1, 26),
        date(2025, 2, 8),
        date(2025, 4, 27),
        date(2025, 9, 28),
        date(2025, 10, 11),
    }


def test_2026_matches_the_official_notice(years: dict[int, CalendarYear]) -> None:
    cy = years[2026]
    assert cy.reference == "国办发明电〔2025〕7号"
    assert cy.published == date(2025, 11, 4)
    assert cy.days_off == (
        _days(date(2026, 1, 1), date(2026, 1, 3))
        | _days(date(2026, 2, 15), date(2026, 2, 23))
        | _days(date(2026, 4, 4), date(2026, 4, 6))
        | _days(date(2026, 5, 1), date(2026, 5, 5))
        | _days(date(2026, 6, 19), date(2026, 6, 21))
        | _days(date(2026, 9, 25), date(2026, 9, 27))
        | _days(date(2026, 10, 1), date(2026, 10, 7))
    )
    assert cy.makeup_days == {
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    }
    assert cy.holiday_names[date(2026, 9, 20)] == "国庆节"
    assert cy.holiday_names[date(2026, 9, 25)] == "中秋节"


def test_2020_includes_the_spring_festival_extension_to_february_2(
    calendar: WorkCalendar,
) -> None:
    assert not calendar.is_working_day(date(2020, 1, 31))
    # Saturday 2/1 was a make-up day in the original notice; the extension made it a day off.
    assert not calendar.is_working_day(date(2020, 2, 1))
    assert calendar.is_working_day(date(2020, 2, 3))


def test_calendar_version_is_stable_and_tracks_the_data(years: dict[int, CalendarYear]) -> None:
    a = WorkCalendar(years.values())
    b = WorkCalendar(reversed(list(years.values())))
    assert a.version == b.version
    assert re.fullmatch(r"[0-9a-f]{12}", a.version)
    assert WorkCalendar(y for y in years.values() if y.year != 2026).version != a.version


# --- validation ------------------------------------------------------------------------------


def _year(**overrides: Any) -> CalendarYear:
    fields: dict[str, Any] = {
        "year": 2026,
        "days_off": frozenset({date(2026, 1, 1)}),
        "makeup_days": frozenset({date(2026, 1, 4)}),
        "reference": "国办发明电〔2025〕7号",
        "title": "国务院办公厅关于2026年部分节假日安排的通知",
        "published": date(2025, 11, 4),
        "holiday_names": {date(2026, 1, 1): "元旦", date(2026, 1, 4): "元旦"},
    }
    fields.update(overrides)
    return CalendarYear(**fields)


def test_valid_year_constructs() -> None:
    assert _year().makeup_days == {date(2026, 1, 4)}


def test_day_off_outside_the_year_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"2025-12-31 is outside the year 2026"):
        _year(
            days_off=frozenset({date(2025, 12, 31)}),
            holiday_names={date(2025, 12, 31): "元旦", date(2026, 1, 4): "元旦"},
        )


def test_makeup_day_outside_the_year_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"make-up working day 2027-01-02 is outside"):
        _year(
            makeup_days=frozenset({date(2027, 1, 2)}),
            holiday_names={date(2026, 1, 1): "元旦", date(2027, 1, 2): "元旦"},
        )


def test_date_both_off_and_makeup_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"2026-01-04 is both a day off and a make-up"):
        _year(days_off=frozenset({date(2026, 1, 1), date(2026, 1, 4)}))


def test_makeup_day_on_a_weekday_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"2026-01-05 is a Mon; only a Saturday or Sunday"):
        _year(
            makeup_days=frozenset({date(2026, 1, 5)}),
            holiday_names={date(2026, 1, 1): "元旦", date(2026, 1, 5): "元旦"},
        )


def test_day_without_holiday_name_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"no holiday name for 2026-01-04"):
        _year(holiday_names={date(2026, 1, 1): "元旦"})


def test_datetime_instead_of_date_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"is not a datetime\.date"):
        _year(days_off=frozenset({datetime(2026, 1, 1)}))


def _mapping(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "year": 2026,
        "reference": "国办发明电〔2025〕7号",
        "title": "国务院办公厅关于2026年部分节假日安排的通知",
        "published": date(2025, 11, 4),
        "days_off": [{"name": "元旦", "from": date(2026, 1, 1), "to": date(2026, 1, 3)}],
        "makeup_days": [{"date": date(2026, 1, 4), "for": "元旦"}],
    }
    data.update(overrides)
    return data


def test_from_mapping_expands_ranges_and_accepts_iso_strings() -> None:
    cy = CalendarYear.from_mapping(
        _mapping(
            published=None,
            days_off=[
                {"name": "元旦", "from": "2026-01-01", "to": "2026-01-03"},
                {"name": "清明节", "date": "2026-04-06"},
            ],
        )
    )
    assert cy.days_off == _days(date(2026, 1, 1), date(2026, 1, 3)) | {date(2026, 4, 6)}
    assert cy.published is None
    assert cy.holiday_names[date(2026, 4, 6)] == "清明节"


def test_from_mapping_rejects_a_range_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match=r"days_off\[0\]: 'to' 2026-01-01 is before 'from'"):
        CalendarYear.from_mapping(
            _mapping(days_off=[{"name": "元旦", "from": "2026-01-03", "to": "2026-01-01"}])
        )


def test_from_mapping_rejects_overlapping_ranges() -> None:
    with pytest.raises(ValueError, match=r"2026-01-02 is listed as a day off twice"):
        CalendarYear.from_mapping(
            _mapping(
                days_off=[
                    {"name": "元旦", "from": "2026-01-01", "to": "2026-01-03"},
                    {"name": "元旦", "date": "2026-01-02"},
                ]
            )
        )


def test_from_mapping_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match=r"unknown calendar keys: make_up_days"):
        CalendarYear.from_mapping({**_mapping(), "make_up_days": []})
    with pytest.raises(ValueError, match=r"makeup_days\[0\]: expected keys \{date, for\}"):
        CalendarYear.from_mapping(_mapping(makeup_days=[{"date": "2026-01-04", "name": "元旦"}]))


def test_from_mapping_rejects_makeup_day_that_is_also_off() -> None:
    with pytest.raises(ValueError, match=r"2026-01-03 is both a day off and a make-up day"):
        CalendarYear.from_mapping(_mapping(makeup_days=[{"date": "2026-01-03", "for": "元旦"}]))


def test_load_calendar_dir_rejects_a_file_named_after_another_year(tmp_path: Path) -> None:
    (tmp_path / "2027.yaml").write_text(
        yaml.safe_dump(_mapping(), allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"named 2027 but declares year 2026"):
        load_calendar_dir(tmp_path)


def test_load_calendar_dir_reports_the_file_of_a_bad_entry(tmp_path: Path) -> None:
    bad = _mapping(makeup_days=[{"date": "2026-01-05", "for": "元旦"}])
    (tmp_path / "2026.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"2026\.yaml: 2026: make-up working day 2026-01-05"):
        load_calendar_dir(tmp_path)


def test_load_calendar_dir_requires_an_existing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_calendar_dir(tmp_path / "missing")


def test_work_calendar_rejects_the_same_year_twice() -> None:
    with pytest.raises(ValueError, match=r"calendar year 2026 given twice"):
        WorkCalendar([_year(), _year()])
