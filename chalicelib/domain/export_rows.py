"""A report's rows as an export job reads them: segment after segment (one hall's
day of ratings, say), each read only when reached, with the position after the
last row given out, so a later run can resume there (SPEC §4.10).

A position is ``<segment key>@<rows of it given>``. Opened at a position, the
rows skip every segment before it unread, and the rows of its segment already
given (read again, not written: a segment is small). A report of one piece is
one segment. Segments come in a fixed order and a segment's rows too, so the
rows after a position are the rows an uninterrupted run would have written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from .csv_export import Cell
from .errors import Conflict

Row = Mapping[str, Cell]
Segment = tuple[str, Callable[[], Iterable[Row]]]  # a key unique in the report, and how to read its rows


class RowSource:
    """Rows read as iterated (once), from ``position`` on; ``position`` then follows the rows given."""

    def __init__(self, segments: Iterable[Segment], position: str | None = None) -> None:
        self.segments = segments
        self.position = position

    @classmethod
    def whole(cls, read: Callable[[], Iterable[Row]], position: str | None = None) -> RowSource:
        """A report read in one piece."""
        return cls([("all", read)], position)

    def __iter__(self) -> Iterator[Row]:
        wanted, _, given = (self.position or "").rpartition("@")
        skip = int(given) if wanted else 0
        for key, read in self.segments:
            if wanted:
                if key != wanted:
                    continue
                wanted = ""
            count = 0
            for row in read():
                count += 1
                if count <= skip:
                    continue
                self.position = f"{key}@{count}"
                yield row
            skip = 0
        if wanted:
            raise Conflict("The report changed while it was exported (a hall or part of it is gone): ask again.")
