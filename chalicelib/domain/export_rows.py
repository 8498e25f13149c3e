"""A report's rows as an export job reads them: segment after segment (one hall's
day of ratings, say), each read only when reached, with the position after the
last row given out, so a later run can resume there (SPEC §4.10).

Each row comes with a mark naming it within its segment: a rating's id, or its
number in a report read in one piece. A position is ``<segment key>@<mark>``.
Opened at a position, the rows skip every segment before it unread, then read
its segment and skip its rows up to and including the marked one (read again,
not written: a segment is small). Segments come in a fixed order and a
segment's rows too, so the rows after a position are those an uninterrupted
run would have written; a rating stored late into a day already written in
part comes after the mark or before it, never twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from .csv_export import Cell
from .errors import Conflict

Row = Mapping[str, Cell]
Marked = tuple[str, Row]  # a row and its mark, unique within its segment
Segment = tuple[str, Callable[[], Iterable[Marked]]]  # a key unique in the report, and how to read its rows


def numbered(rows: Iterable[Row]) -> Iterator[Marked]:
    """Rows marked by their number: for a segment read again in the same order."""
    return ((str(n), row) for n, row in enumerate(rows, 1))


class RowSource:
    """Rows read as iterated (once), from ``position`` on; ``position`` then follows the rows given."""

    def __init__(self, segments: Iterable[Segment], position: str | None = None) -> None:
        self.segments = segments
        self.position = position

    @classmethod
    def whole(cls, read: Callable[[], Iterable[Row]], position: str | None = None) -> RowSource:
        """A report read in one piece."""
        return cls([("all", lambda: numbered(read()))], position)

    def __iter__(self) -> Iterator[Row]:
        wanted, _, after = (self.position or "").rpartition("@")  # marks hold no "@"
        for key, read in self.segments:
            if wanted:
                if key != wanted:
                    continue
                wanted = ""
            skipping = bool(after)
            for mark, row in read():
                if skipping:
                    skipping = mark != after
                    continue
                self.position = f"{key}@{mark}"
                yield row
            if skipping:
                raise Conflict("The report changed while it was exported (a row written is gone): ask again.")
            after = ""
        if wanted:
            raise Conflict("The report changed while it was exported (a hall or part of it is gone): ask again.")
