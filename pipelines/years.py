"""The years the warehouse can hold: one window, for the readers, the loads and the checks.

The People's Republic's statistics start in 1949 and nothing can be counted after the current
year, so every year and date of a source file, a loaded row and a checked table falls in
``FIRST_DATA_YEAR .. current_year()``. A year after it is ``future`` (a shifted column, a
typo); a year before it is ``out_of_window`` (``0001-01-01`` as a "no date" filler, 1800).
The province-year readers call :func:`year_problem`, the micro loads build their SQL from
:func:`data_years`, and the validation suites check the staged tables against the same window.
"""

from __future__ import annotations

from datetime import date

from pipelines.readers.cells import FUTURE, OUT_OF_WINDOW

FIRST_DATA_YEAR = 1949


def current_year() -> int:
    return date.today().year


def data_years() -> tuple[int, int]:
    """(first, last): the window every year in the warehouse must fall in."""
    return FIRST_DATA_YEAR, current_year()


def year_problem(year: int) -> tuple[str, str] | None:
    """(rule, reason) for a year outside the window, or None for a year inside it."""
    first, last = data_years()
    if year > last:
        return FUTURE, f"year {year} is in the future"
    if year < first:
        return OUT_OF_WINDOW, before_window_reason(f"year {year}")
    return None


def before_window_reason(what: str) -> str:
    first, last = data_years()
    return (
        f"{what} is before {first}: the warehouse holds the years {first} (the first year of "
        f"the People's Republic's statistics) to {last}"
    )
