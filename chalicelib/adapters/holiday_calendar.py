"""China's public holidays and make-up working days (调休), from the ``holidays`` package.

The package computes statutory holidays for any year, but knows the State
Council's actual arrangement (which weekdays are off, which weekend days are
worked) only for years it has a notice for. Only those years are reported as
official; for the others the domain falls back (overrides, statutory days,
weekends) and says so.
"""

from __future__ import annotations

import functools

from chalicelib.domain.workdays import HolidayYear


@functools.cache
def _official_years() -> frozenset[int]:
    """Years with a State Council notice: the package keeps each one's swapped days per year."""
    import holidays

    return frozenset(getattr(holidays.country_holidays("CN"), "special_public_holidays", {}))


class PackageHolidays:
    """A ``HolidaySource`` over the package's China (``CN``); never raises.

    Built through ``holidays.country_holidays``, the package's typed entry
    point: its country classes are re-exported at the top level only at run
    time, by a loader, and take untyped ``*args, **kwargs``.
    """

    @functools.cache  # noqa: B019 (one instance per process; a year's answer never changes)
    def year(self, year: int) -> HolidayYear:
        try:
            import holidays

            if year in _official_years():
                arranged = holidays.country_holidays("CN", years=year)
                return HolidayYear(
                    year=year,
                    official=True,
                    days_off=frozenset(d for d in arranged if d.year == year),
                    make_up_workdays=frozenset(d for d in arranged.weekend_workdays if d.year == year),
                )
            # Statutory days only: the package's guesses at the arrangement
            # (observed days, no make-up days) would pass for facts.
            statutory = holidays.country_holidays("CN", years=year, observed=False)
            return HolidayYear(year=year, official=False, days_off=frozenset(d for d in statutory if d.year == year))
        except Exception:  # a calendar gap must never fail a request: fall back to weekends
            return HolidayYear(year=year, official=False)
