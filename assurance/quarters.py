"""NHS quarters: the financial year starts on 1 April.

Quarter ``(year, 1)`` is April to June of ``year``, ``(year, 2)`` July to
September, ``(year, 3)`` October to December, and ``(year, 4)`` January to
March of ``year + 1``. ``year`` is the year the financial year starts in, as
for the WRES year (2025/26 starts on 1 April 2025).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

YEAR_MIN = 2000
YEAR_MAX = 2100


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise ValueError("A quarter is 1 to 4.")

    @property
    def index(self) -> int:
        """A count of quarters, so that ``Quarter.from_index(q.index - 1)`` is the one before."""
        return self.year * 4 + self.quarter - 1

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        year, offset = divmod(index, 4)
        return cls(year, offset + 1)

    @property
    def start(self) -> dt.date:
        month = 4 + 3 * (self.quarter - 1)  # 4, 7, 10, 13
        year = self.year + (month - 1) // 12
        return dt.date(year, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> dt.date:
        last = self.start.month + 2
        return dt.date(self.start.year, last, calendar.monthrange(self.start.year, last)[1])

    def shifted(self, quarters: int) -> Quarter:
        return Quarter.from_index(self.index + quarters)

    def previous(self, count: int) -> list[Quarter]:
        """The ``count`` quarters before this one, oldest first."""
        return [self.shifted(-n) for n in range(count, 0, -1)]

    @property
    def label(self) -> str:
        """``2025/26 Q1``."""
        return f"{self.year}/{(self.year + 1) % 100:02d} Q{self.quarter}"

    @property
    def short_label(self) -> str:
        return f"{(self.year) % 100:02d}/{(self.year + 1) % 100:02d} Q{self.quarter}"

    def __str__(self) -> str:
        return self.label


def quarter_of(day: dt.date) -> Quarter:
    """The NHS quarter ``day`` falls in."""
    year = day.year if day.month >= 4 else day.year - 1
    return Quarter(year, (day.month - 4) % 12 // 3 + 1)
