"""One spreadsheet cell read as its column's type, and compared with the loaded value.

Dates are read from: `YYYY-MM-DD` (also with a midnight time, as Excel and pandas write it), Excel date cells,
Excel serial numbers (days since 1899-12-30, as a number or as digits), and day/month/year forms with `/`, `.`
or `-`. `03/04/2026` is ambiguous (3 April or March 4?), so it is a problem unless `date_format=` declares the
file's form (e.g. `"%d/%m/%Y"`); a form that only one reading allows (`25/12/2026`) is accepted.

    >>> from certnb.schema import FIELDS_BY_COLUMN
    >>> read_cell(FIELDS_BY_COLUMN["issuedDate"], "2026-03-01 00:00:00")
    Timestamp('2026-03-01 00:00:00')
    >>> certification_id = FIELDS_BY_COLUMN["certificationId"]
    >>> same_value(certification_id, "12345", read_cell(certification_id, 12345.0))
    True
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pandas as pd

from certnb.audience import Audience
from certnb.errors import Unreadable
from certnb.frame.layout import format_datetimes
from certnb.schema import Field, is_missing

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (the 1900 leap-year bug already folded in)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_LOCAL_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_SERIAL = re.compile(r"\d{1,7}(?:\.0+)?")


def cell_text(value: Any) -> str | None:
    """A cell's text without surrounding spaces, `None` when empty (a key, a mark, a reason)."""
    if value is None or is_missing(value):
        return None
    text = str(value).strip()
    return text or None


def plain(value: Any) -> Any:
    """`None` for a missing value (NaN, NaT, pd.NA), the value otherwise."""
    return None if is_missing(value) else value

def read_cell(f: Field, value: Any, *, date_format: str | None = None, sep: str | None = None) -> Any:
    """One spreadsheet cell → the frame's Python value for column `f` (`None` when empty), or `Unreadable`.

    >>> from certnb.schema import FIELDS_BY_COLUMN
    >>> read_cell(FIELDS_BY_COLUMN["endDate"], "46387")
    Timestamp('2026-12-31 00:00:00')
    >>> read_cell(FIELDS_BY_COLUMN["endDate"], "03/04/2026")
    Traceback (most recent call last):
    ...
    certnb.errors.Unreadable: ambiguous date '03/04/2026': 3 April or March 4? Pass date_format=...
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if f.kind == "date":
        return read_date(value, date_format)
    if f.kind == "datetime":
        try:
            moment = pd.Timestamp(value)
        except (TypeError, ValueError):
            raise Unreadable(f"not a date and time: {value!r}") from None
        return moment.tz_localize("UTC") if moment.tz is None else moment.tz_convert("UTC")
    if f.kind == "flags":
        try:
            return Audience.parse(str(value), strict=True)
        except ValueError as refusal:
            raise Unreadable(str(refusal)) from None
    if f.kind == "bool":
        return _bool(value)
    if f.kind == "number":
        return _number(value, sep)
    if f.kind == "list":
        try:
            return json.loads(value) if isinstance(value, str) else value
        except ValueError:
            raise Unreadable(f"not a JSON list: {value!r}") from None
    return value if isinstance(value, str) else _number_text(value)


def read_date(value: Any, date_format: str | None = None) -> pd.Timestamp:
    """A date cell in any form Excel leaves behind → a midnight Timestamp, or `Unreadable` saying why.

    >>> read_date("25/12/2026"), read_date(46387)
    (Timestamp('2026-12-25 00:00:00'), Timestamp('2026-12-31 00:00:00'))
    """
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise Unreadable(f"a date was expected, got a time of day too: {value!r}")
        return _day(value.date())
    if isinstance(value, dt.date):
        return _day(value)
    if isinstance(value, bool):
        raise Unreadable(f"not a date: {value!r}")
    if isinstance(value, int | float):
        return _serial(float(value))
    text = str(value).strip()
    if date_format:
        try:
            return _day(dt.datetime.strptime(text, date_format).date())
        except ValueError:
            pass  # not in the declared form: ISO and serial numbers are still accepted below
    iso = _ISO_DATE.fullmatch(text)
    if iso:
        return _day(_date(int(iso[1]), int(iso[2]), int(iso[3]), text))
    if _SERIAL.fullmatch(text):
        return _serial(float(text))
    local = _LOCAL_DATE.fullmatch(text)
    if local:
        first, second, year = int(local[1]), int(local[3]), int(local[4])
        if date_format:
            raise Unreadable(f"date {text!r} is not in the declared form {date_format!r}")
        if first > 12 >= second:
            return _day(_date(year, second, first, text))
        if second > 12 >= first:
            return _day(_date(year, first, second, text))
        if first == second:
            return _day(_date(year, first, second, text))
        raise Unreadable(
            f"ambiguous date {text!r}: {first} {_month(second)} or {_month(first)} {second}? "
            "Pass date_format=... (e.g. '%d/%m/%Y')"
        )
    hint = f" (declared form {date_format!r})" if date_format else ""
    raise Unreadable(f"not a date: {text!r}; write YYYY-MM-DD{hint}")


def _month(number: int) -> str:
    return dt.date(2000, number, 1).strftime("%B")


def _date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise Unreadable(f"no such day: {text!r}") from None


def _day(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day).as_unit("s")


def _serial(number: float) -> pd.Timestamp:
    if not number.is_integer() or not 1 <= number <= 2958465:  # 2958465 = 9999-12-31
        raise Unreadable(f"not a date: {number!r} (an Excel date serial is a whole number of days)")
    return _day(_EXCEL_EPOCH + dt.timedelta(days=int(number)))


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("true", "yes", "1", "wahr", "vrai"):
        return True
    if text in ("false", "no", "0", "falsch", "faux"):
        return False
    raise Unreadable(f"not true or false: {value!r}")


def _number(value: Any, sep: str | None) -> float:
    if isinstance(value, bool):
        raise Unreadable(f"not a number: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if sep == ";" and re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")  # a semicolon CSV is Excel in a decimal-comma locale
    try:
        return float(text)
    except ValueError:
        raise Unreadable(f"not a number: {value!r}") from None


def _number_text(value: Any) -> str:
    # Excel turns digit-only text (a certificationId) into a number; give back its digits.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def same_value(f: Field, before: Any, after: Any) -> bool:
    """Whether a read cell (`after`) holds the loaded value (`before`) of column `f`: then nothing changed."""
    # A blank text is an empty cell: a cell of only spaces reads as empty (`read_cell`), so it matches one.
    if is_missing(before) or (isinstance(before, str) and not before.strip() and f.kind in ("string", "url")):
        return after is None
    if after is None:
        return False
    if f.kind == "datetime":
        moment = pd.Timestamp(before)
        if after == moment:
            return True
        # A spreadsheet may show fewer fraction digits than Graph's seven: equal up to what is shown.
        shown = format_datetimes(pd.Series([after]))[0]
        digits = len(str(after).split(".")[1].rstrip("0+:Z").split("+")[0]) if "." in str(after) else 0
        return bool(moment.floor(pd.Timedelta(seconds=1) / 10**digits) == after) or shown == moment
    if f.kind == "flags":
        return isinstance(before, Audience) and before == after
    if f.kind == "number":
        return bool(float(before) == float(after))
    if f.kind == "list":
        return bool(list(before) == after)
    return bool(before == after)
