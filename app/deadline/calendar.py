"""Official PRC holiday calendar and working-day arithmetic.

A working day is a Monday–Friday that is not an official day off, plus every official make-up
working day (调休上班日, a Saturday or Sunday the State Council declares worked).  Days off and
make-up days come only from the State Council's yearly holiday notice; a year without loaded data
counts Monday–Friday and everything that reaches into it is provisional.

A period of N working days "from" day D does not count D: day 1 is the first working day after D
and the deadline is the N-th, so a deadline never falls on a day off.

Pure module: stdlib and PyYAML only, no I/O apart from `load_calendar_dir`.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeGuard

import yaml

__all__ = [
    "PROVISIONAL_REFERENCE",
    "CalendarYear",
    "WorkCalendar",
    "WorkingDaysExplanation",
    "load_calendar_dir",
    "weekend_only_calendar",
]

PROVISIONAL_REFERENCE = "provisional (no data)"

_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_TOP_KEYS = frozenset({"year", "reference", "title", "published", "days_off", "makeup_days"})
_OFF_KEYS_RANGE = frozenset({"name", "from", "to"})
_OFF_KEYS_SINGLE = frozenset({"name", "date"})
_MAKEUP_KEYS = frozenset({"date", "for"})


# --------------------------------------------------------------------------------------------
# One year of official data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarYear:
    """The days off and make-up working days one yearly State Council notice declares."""

    year: int
    days_off: frozenset[date]
    makeup_days: frozenset[date]
    reference: str
    title: str
    published: date | None = None
    # Excluded from the hash because a mapping is unhashable; equality still compares it.
    holiday_names: Mapping[date, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # Normalise so that callers may pass sets/dicts and still get an immutable value.
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        object.__setattr__(self, "makeup_days", frozenset(self.makeup_days))
        object.__setattr__(self, "holiday_names", MappingProxyType(dict(self.holiday_names)))
        self.validate()

    def validate(self) -> None:
        """Raise ValueError if the data cannot be an official yearly arrangement."""
        y = self.year
        if isinstance(y, bool) or not isinstance(y, int) or not 1 <= y <= 9999:
            raise ValueError(f"calendar year must be an integer between 1 and 9999, got {y!r}")
        if not isinstance(self.reference, str) or not self.reference.strip():
            raise ValueError(f"{y}: reference (the notice's document number) must not be empty")
        if not isinstance(self.title, str) or not self.title.strip():
            raise ValueError(f"{y}: title (the notice's title) must not be empty")
        if self.published is not None and not _is_plain_date(self.published):
            raise ValueError(f"{y}: published must be a date or None, got {self.published!r}")
        for kind, days in (("day off", self.days_off), ("make-up working day", self.makeup_days)):
            for d in sorted(days, key=_sort_key):
                if not _is_plain_date(d):
                    raise ValueError(f"{y}: {kind} {d!r} is not a datetime.date")
                if d.year != y:
                    raise ValueError(f"{y}: {kind} {d.isoformat()} is outside the year {y}")
        both = self.days_off & self.makeup_days
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"{y}: {listed} is both a day off and a make-up working day")
        for d in sorted(self.makeup_days):
            if d.weekday() < 5:
                raise ValueError(
                    f"{y}: make-up working day {d.isoformat()} is a {_WEEKDAYS_EN[d.weekday()]}; "
                    "only a Saturday or Sunday can be declared a make-up working day"
                )
        declared = self.days_off | self.makeup_days
        for d, name in self.holiday_names.items():
            if d not in declared:
                raise ValueError(
                    f"{y}: holiday name given for {d!r}, which is neither a day off "
                    "nor a make-up working day"
                )
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"{y}: empty holiday name for {d.isoformat()}")
        missing = sorted(declared - self.holiday_names.keys())
        if missing:
            listed = ", ".join(d.isoformat() for d in missing)
            raise ValueError(f"{y}: no holiday name for {listed}")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CalendarYear:
        """Parse the YAML shape of workflows/calendar/<year>.yaml."""
        if not isinstance(data, Mapping):
            raise ValueError(f"calendar data must be a mapping, got {type(data).__name__}")
        unknown = set(data) - _TOP_KEYS
        if unknown:
            raise ValueError(f"unknown calendar keys: {', '.join(sorted(map(str, unknown)))}")
        for key in ("year", "reference", "title"):
            if key not in data:
                raise ValueError(f"calendar data is missing {key!r}")
        year = data["year"]
        if isinstance(year, bool) or not isinstance(year, int):
            raise ValueError(f"year must be an integer, got {year!r}")
        where = str(year)
        published_raw = data.get("published")
        published = (
            None if published_raw is None else _parse_date(published_raw, f"{where}: published")
        )

        names: dict[date, str] = {}
        days_off: set[date] = set()
        for i, entry in enumerate(_entries(data.get("days_off"), f"{where}: days_off")):
            ctx = f"{where}: days_off[{i}]"
            keys = frozenset(entry)
            if keys == _OFF_KEYS_RANGE:
                first = _parse_date(entry["from"], f"{ctx}.from")
                last = _parse_date(entry["to"], f"{ctx}.to")
                if last < first:
                    raise ValueError(f"{ctx}: 'to' {last.isoformat()} is before 'from' {first}")
            elif keys == _OFF_KEYS_SINGLE:
                first = last = _parse_date(entry["date"], f"{ctx}.date")
            else:
                raise ValueError(
                    f"{ctx}: expected keys {{name, from, to}} or {{name, date}}, "
                    f"got {{{', '.join(sorted(map(str, keys)))}}}"
                )
            name = _parse_name(entry["name"], f"{ctx}.name")
            for ordinal in range(first.toordinal(), last.toordinal() + 1):
                d = date.fromordinal(ordinal)
                if d in days_off:
                    raise ValueError(f"{ctx}: {d.isoformat()} is listed as a day off twice")
                days_off.add(d)
                names[d] = name

        makeup: set[date] = set()
        for i, entry in enumerate(_entries(data.get("makeup_days"), f"{where}: makeup_days")):
            ctx = f"{where}: makeup_days[{i}]"
            if frozenset(entry) != _MAKEUP_KEYS:
                raise ValueError(
                    f"{ctx}: expected keys {{date, for}}, "
                    f"got {{{', '.join(sorted(map(str, entry)))}}}"
                )
            d = _parse_date(entry["date"], f"{ctx}.date")
            if d in makeup:
                raise ValueError(f"{ctx}: {d.isoformat()} is listed as a make-up day twice")
            if d in days_off:
                raise ValueError(f"{where}: {d.isoformat()} is both a day off and a make-up day")
            makeup.add(d)
            names[d] = _parse_name(entry["for"], f"{ctx}.for")

        return cls(
            year=year,
            days_off=frozenset(days_off),
            makeup_days=frozenset(makeup),
            reference=_parse_name(data["reference"], f"{where}: reference"),
            title=_parse_name(data["title"], f"{where}: title"),
            published=published,
            holiday_names=names,
        )

    def to_mapping(self) -> dict[str, Any]:
        """Return the YAML shape: consecutive days off with one name become one range."""
        runs: list[list[date]] = []
        for d in sorted(self.days_off):
            prev = runs[-1][-1] if runs else None
            if (
                prev is not None
                and d.toordinal() - prev.toordinal() == 1
                and self.holiday_names[prev] == self.holiday_names[d]
            ):
                runs[-1].append(d)
            else:
                runs.append([d])
        days_off: list[dict[str, Any]] = []
        for run in runs:
            name = self.holiday_names[run[0]]
            if len(run) == 1:
                days_off.append({"name": name, "date": run[0]})
            else:
                days_off.append({"name": name, "from": run[0], "to": run[-1]})
        return {
            "year": self.year,
            "reference": self.reference,
            "title": self.title,
            "published": self.published,
            "days_off": days_off,
            "makeup_days": [
                {"date": d, "for": self.holiday_names[d]} for d in sorted(self.makeup_days)
            ],
        }


def _is_plain_date(value: object) -> TypeGuard[date]:
    # datetime is a subclass of date but never equal to one, so it would silently miss lookups.
    return isinstance(value, date) and not isinstance(value, datetime)


def _sort_key(value: object) -> tuple[int, int, str]:
    # Report problems in date order even before the values are known to be dates.
    if _is_plain_date(value):
        return (0, value.toordinal(), "")
    return (1, 0, repr(value))


def _parse_date(value: object, ctx: str) -> date:
    if _is_plain_date(value):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{ctx}: expected a date (YYYY-MM-DD), got {value!r}")


def _parse_name(value: object, ctx: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{ctx}: expected a non-empty string, got {value!r}")
    return value.strip()


def _entries(value: object, ctx: str) -> Iterator[Mapping[str, Any]]:
    if value is None:
        return
    if not isinstance(value, list):
        raise ValueError(f"{ctx}: expected a list, got {type(value).__name__}")
    for i, entry in enumerate(value):
        if not isinstance(entry, Mapping):
            raise ValueError(f"{ctx}[{i}]: expected a mapping, got {entry!r}")
        yield entry


def load_calendar_dir(path: Path) -> list[CalendarYear]:
    """Load every <year>.yaml in a directory, sorted by year."""
    if not path.is_dir():
        raise FileNotFoundError(f"calendar directory not found: {path}")
    years: dict[int, CalendarYear] = {}
    for file in sorted([*path.glob("*.yaml"), *path.glob("*.yml")]):
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
            cy = CalendarYear.from_mapping(data)
        except (ValueError, yaml.YAMLError) as exc:
            raise ValueError(f"{file}: {exc}") from exc
        # A file named after another year is almost certainly a copy-paste slip.
        if file.stem.isdigit() and int(file.stem) != cy.year:
            raise ValueError(f"{file}: file is named {file.stem} but declares year {cy.year}")
        if cy.year in years:
            raise ValueError(f"{file}: year {cy.year} is defined twice")
        years[cy.year] = cy
    return [years[y] for y in sorted(years)]


# --------------------------------------------------------------------------------------------
# Working-day arithmetic
# --------------------------------------------------------------------------------------------
#
# Ordinals are date.toordinal(); ordinal 1 (0001-01-01) is a Monday, so ordinal o falls on
# weekday (o - 1) % 7.  B(o) = number of Mondays–Fridays in [1, o] is closed-form.  Official data
# only changes that count at a few hundred "exception" days (a weekday off: -1, a make-up
# weekend day: +1), so the number of working days in [1, o] is
#     rank(o) = B(o) + (sum of the exception deltas at ordinals <= o)
# and both rank and its inverse cost one bisect over the exceptions plus O(1) week arithmetic.
# This is exact for every date, inside and outside the loaded years, without a per-day table.


def _weekdays_through(ordinal: int) -> int:
    q, r = divmod(ordinal, 7)
    return 5 * q + min(r, 5)


def _first_with_weekdays(count: int) -> int:
    # Smallest ordinal o with _weekdays_through(o) >= count; it is always a Monday–Friday.
    q, r = divmod(count - 1, 5)
    return 7 * q + r + 1


def _check_date(d: object, what: str) -> None:
    if not _is_plain_date(d):
        raise TypeError(f"{what} must be a datetime.date (not a datetime), got {d!r}")


@dataclass(frozen=True)
class WorkingDaysExplanation:
    """Why N working days from `start` end on `due_date`, for letters and audit logs."""

    start: date
    n: int
    due_date: date
    provisional: bool
    days_off_skipped: tuple[tuple[date, str], ...]
    weekend_days_skipped: int
    makeup_days_counted: tuple[tuple[date, str], ...]
    years_used: tuple[tuple[int, str], ...]
    calendar_version: str

    @property
    def calendar_days(self) -> int:
        """Number of calendar days in (start, due_date]."""
        return (self.due_date - self.start).days

    @property
    def working_days_counted(self) -> int:
        """Calendar days minus skipped days; always equals n."""
        return self.calendar_days - len(self.days_off_skipped) - self.weekend_days_skipped

    @property
    def provisional_years(self) -> tuple[int, ...]:
        """Years in (start, due_date] without official data."""
        return tuple(y for y, ref in self.years_used if ref == PROVISIONAL_REFERENCE)

    def text_zh(self) -> str:
        """Short explanation in Chinese."""
        due = self.due_date
        parts = [
            f"自{self.start.isoformat()}起算第{self.n}个工作日为"
            f"{due.isoformat()}（{_WEEKDAYS_ZH[due.weekday()]}）"
        ]
        if self.days_off_skipped:
            groups = []
            for first, last, name, count in _group_days(self.days_off_skipped):
                if count == 1:
                    groups.append(f"{first.isoformat()}（{name}）")
                else:
                    groups.append(
                        f"{first.isoformat()}至{last.isoformat()}（{name}，其中周一至周五{count}天）"
                    )
            parts.append("跳过法定节假日 " + "、".join(groups))
        parts.append(f"跳过周末{self.weekend_days_skipped}天")
        if self.makeup_days_counted:
            parts.append(
                "计入调休上班日 "
                + "、".join(f"{d.isoformat()}（{name}）" for d, name in self.makeup_days_counted)
            )
        no_data = "无官方数据，按周一至周五计"
        basis = "，".join(
            f"{y}年{no_data if ref == PROVISIONAL_REFERENCE else ref}" for y, ref in self.years_used
        )
        parts.append(f"依据：{basis}")
        text = "；".join(parts) + "。"
        if self.provisional:
            years = "、".join(f"{y}年" for y in self.provisional_years)
            text += f"注意：{years}放假安排尚未载入，该期限为暂定。"
        return text + f"（日历版本 {self.calendar_version}）"

    def text_en(self) -> str:
        """Short explanation in English."""
        due = self.due_date
        parts = [
            f"The {_ordinal_en(self.n)} working day after {self.start.isoformat()} is "
            f"{_WEEKDAYS_EN[due.weekday()]} {due.isoformat()}"
        ]
        if self.days_off_skipped:
            groups = []
            for first, last, name, count in _group_days(self.days_off_skipped):
                if count == 1:
                    groups.append(f"{first.isoformat()} ({name})")
                else:
                    groups.append(
                        f"{first.isoformat()} to {last.isoformat()} ({name}, {count} weekdays)"
                    )
            parts.append("skipped official days off " + ", ".join(groups))
        parts.append(f"skipped {self.weekend_days_skipped} weekend days")
        if self.makeup_days_counted:
            parts.append(
                "counted make-up working days "
                + ", ".join(f"{d.isoformat()} ({name})" for d, name in self.makeup_days_counted)
            )
        no_data = "no official data, Monday-Friday counted"
        basis = ", ".join(
            f"{y} {no_data if ref == PROVISIONAL_REFERENCE else ref}" for y, ref in self.years_used
        )
        parts.append(f"basis: {basis}")
        text = "; ".join(parts) + "."
        if self.provisional:
            years = ", ".join(str(y) for y in self.provisional_years)
            text += f" Provisional: holiday data for {years} is not loaded."
        return text + f" (calendar version {self.calendar_version})"

    def summary(self) -> str:
        """Chinese and English explanation, one per line."""
        return f"{self.text_zh()}\n{self.text_en()}"


def _group_days(days: tuple[tuple[date, str], ...]) -> list[tuple[date, date, str, int]]:
    # Adjacent entries of the same holiday in the same year are one holiday block.
    groups: list[tuple[date, date, str, int]] = []
    for d, name in days:
        if groups:
            first, _last, gname, count = groups[-1]
            if gname == name and first.year == d.year:
                groups[-1] = (first, d, name, count + 1)
                continue
        groups.append((d, d, name, 1))
    return groups


def _ordinal_en(n: int) -> str:
    # 11th, 12th, 13th (and 111th …) are the exceptions to 1st, 2nd, 3rd.
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class WorkCalendar:
    """Working days under the loaded official years; other years count Monday–Friday."""

    def __init__(self, years: Iterable[CalendarYear] = ()) -> None:
        by_year: dict[int, CalendarYear] = {}
        for cy in years:
            if cy.year in by_year:
                raise ValueError(f"calendar year {cy.year} given twice")
            by_year[cy.year] = cy
        self._years: Mapping[int, CalendarYear] = MappingProxyType(
            {y: by_year[y] for y in sorted(by_year)}
        )

        off: set[date] = set()
        makeup: set[date] = set()
        names: dict[date, str] = {}
        for cy in self._years.values():
            off |= cy.days_off
            makeup |= cy.makeup_days
            names.update(cy.holiday_names)
        self._days_off = frozenset(off)
        self._makeup = frozenset(makeup)
        self._names: Mapping[date, str] = MappingProxyType(names)

        # Weekend days off change nothing (a weekend is not worked anyway): only weekday days
        # off and make-up days are exceptions to the Monday–Friday rule.
        self._off_ords = sorted(d.toordinal() for d in off if d.weekday() < 5)
        self._makeup_ords = sorted(d.toordinal() for d in makeup)
        events = sorted([(o, -1) for o in self._off_ords] + [(o, 1) for o in self._makeup_ords])
        self._ex_ords: list[int] = [o for o, _ in events]
        # _ex_cum[i] = sum of the deltas of the first i exceptions (len = k + 1).
        self._ex_cum: list[int] = [0]
        for _, delta in events:
            self._ex_cum.append(self._ex_cum[-1] + delta)
        # rank() at each exception ordinal; non-decreasing, so it can be bisected.
        self._ex_rank: list[int] = [
            _weekdays_through(o) + self._ex_cum[i + 1] for i, o in enumerate(self._ex_ords)
        ]

        canonical = json.dumps(
            [cy.to_mapping() for cy in self._years.values()],
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        self.version: str = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]

    @classmethod
    def from_dir(cls, path: Path) -> WorkCalendar:
        """Build a calendar from a directory of <year>.yaml files."""
        return cls(load_calendar_dir(path))

    @property
    def years(self) -> Mapping[int, CalendarYear]:
        """Loaded official years, keyed and ordered by year."""
        return self._years

    def __repr__(self) -> str:
        span = f"{min(self._years)}-{max(self._years)}" if self._years else "none"
        return f"WorkCalendar(years={span}, version={self.version})"

    # -- single days -------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """True for a Monday–Friday that is not a day off, and for a make-up working day."""
        _check_date(d, "d")
        if d in self._makeup:
            return True
        return d.weekday() < 5 and d not in self._days_off

    def is_provisional(self, d: date) -> bool:
        """True when d's year has no official data loaded."""
        _check_date(d, "d")
        return d.year not in self._years

    def holiday_name(self, d: date) -> str | None:
        """Name of the holiday d is a day off or make-up working day for, else None."""
        _check_date(d, "d")
        return self._names.get(d)

    # -- spans -------------------------------------------------------------------------------

    def _rank(self, ordinal: int) -> int:
        # Number of working days in [1, ordinal] (as an unbounded integer function).
        return _weekdays_through(ordinal) + self._ex_cum[bisect_right(self._ex_ords, ordinal)]

    def _unrank(self, target: int) -> int:
        # Smallest ordinal o with _rank(o) >= target; that ordinal is a working day.
        # Exceptions before index m have rank < target, so between exception m-1 and
        # exception m the correction is the constant _ex_cum[m] and B can be inverted directly.
        m = bisect_left(self._ex_rank, target)
        ordinal = _first_with_weekdays(target - self._ex_cum[m])
        if m < len(self._ex_ords) and ordinal >= self._ex_ords[m]:
            # The target is reached exactly at exception m, a make-up working day.
            ordinal = self._ex_ords[m]
        return ordinal

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after start (start itself is not counted); n >= 1."""
        _check_date(start, "start")
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, got {n!r}")
        if n < 1:
            raise ValueError(f"n must be at least 1 working day, got {n}")
        return date.fromordinal(self._unrank(self._rank(start.toordinal()) + n))

    def count_working_days(self, after: date, through: date) -> int:
        """Number of working days d with after < d <= through (0 if through <= after)."""
        _check_date(after, "after")
        _check_date(through, "through")
        if through <= after:
            return 0
        return self._rank(through.toordinal()) - self._rank(after.toordinal())

    def add_working_days_excluding(
        self, start: date, n: int, spans: Sequence[tuple[date, date]]
    ) -> tuple[date, int, tuple[bool, ...]]:
        """(n-th working day after start not inside any span, days excluded, which spans count)."""
        # A span (after, through] excludes the working days after < d <= through, the part
        # before start ignored.  Overlapping spans count once (union).  A span that opens on or
        # after the day the count is reached cannot move it: the clock had already run out.
        # Cost: O(s log s) to sort plus two O(log k) lookups per span, never a day-by-day walk.
        due = self.add_working_days(start, n)
        clipped = [(max(after, start), through) for after, through in spans]
        counted = [False] * len(clipped)
        excluded = 0
        reach: date | None = None  # end of the union of the spans counted so far
        for i in sorted(range(len(clipped)), key=lambda k: clipped[k][0]):
            a, b = clipped[i]
            # Sorted by opening day and `due` only grows, so once a span opens on/after `due`
            # every later one does too; each counted span ends before the new `due`.
            if b <= a or a >= due:
                continue
            counted[i] = True
            if reach is not None and a <= reach:
                if b <= reach:
                    continue
                a = reach
            excluded += self.count_working_days(a, b)
            reach = b
            due = self.add_working_days(start, n + excluded)
        return due, excluded, tuple(counted)

    def rank_tables(self) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
        """(exception ordinals, cumulative deltas, ranks) behind the O(log k) arithmetic."""
        # For vectorised batch arithmetic (bench/deadlines.py): working days in [1, o] are
        # B(o) + cumulative[bisect_right(ordinals, o)], B(o) the Mondays–Fridays through o.
        return tuple(self._ex_ords), tuple(self._ex_cum), tuple(self._ex_rank)

    def explain(self, start: date, n: int) -> WorkingDaysExplanation:
        """add_working_days with the days skipped and counted, for letters and audit."""
        due = self.add_working_days(start, n)
        lo, hi = start.toordinal(), due.toordinal()

        def between(ords: list[int]) -> tuple[tuple[date, str], ...]:
            picked = ords[bisect_right(ords, lo) : bisect_right(ords, hi)]
            return tuple((d, self._names[d]) for d in (date.fromordinal(o) for o in picked))

        days_off = between(self._off_ords)
        makeup = between(self._makeup_ords)
        weekend_days = (hi - lo) - (_weekdays_through(hi) - _weekdays_through(lo))
        first_year = date.fromordinal(lo + 1).year
        years_used = tuple(
            (y, self._years[y].reference if y in self._years else PROVISIONAL_REFERENCE)
            for y in range(first_year, due.year + 1)
        )
        return WorkingDaysExplanation(
            start=start,
            n=n,
            due_date=due,
            provisional=any(ref == PROVISIONAL_REFERENCE for _, ref in years_used),
            days_off_skipped=days_off,
            weekend_days_skipped=weekend_days - len(makeup),
            makeup_days_counted=makeup,
            years_used=years_used,
            calendar_version=self.version,
        )


def weekend_only_calendar() -> WorkCalendar:
    """A calendar with no official data: Monday–Friday, every date provisional."""
    return WorkCalendar(())
