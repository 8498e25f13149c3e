"""Reading one kind of tally of a hall-month: the read every report is built on."""

import collections
from datetime import UTC, datetime, timedelta

from chalicelib.domain.callbacks import CallbackTask, SourceType, TaskType
from chalicelib.domain.ratings import Business, Channel, Rating, Reason
from chalicelib.domain.stats import StatKey, StatKind, merge

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def rating(n: int, **over) -> Rating:
    values = dict(
        id=f"00000000-0000-4000-8000-{n:012d}",
        channel=Channel.device if n % 2 else Channel.qr,
        hall_code="A01",
        counter_number=1 + n % 3,
        staff_no=f"S{n % 4}",
        level=1 + n % 5,
        business=list(Business)[n % 8],
        reasons=(list(Reason)[n % 8],) if n % 5 < 3 else (),
        rated_at=T0 + timedelta(hours=5 * n),  # spills into December
        received_at=T0,
        misuse=n % 11 == 0,
    )
    return Rating(**(values | over))


def test_each_kind_reads_exactly_its_tallies_of_the_hall_month(repos):
    batch = [rating(n) for n in range(120)] + [rating(500 + n, hall_code="B02") for n in range(10)]
    repos.ratings.save_batch(batch)
    expected = merge(batch)
    for month in ("2026-11", "2026-12"):
        for kind in (StatKind.month, StatKind.day, StatKind.staff, StatKind.business, StatKind.reason, StatKind.hour):
            wanted = {k: v for k, v in expected.items() if (k.hall_code, k.month, k.kind) == ("A01", month, kind)}
            assert wanted, (month, kind)
            assert repos.ratings.tallies_of_kind("A01", month, kind) == wanted


def test_a_kind_without_tallies_reads_as_nothing(repos):
    repos.ratings.save_batch([rating(1)])
    assert repos.ratings.tallies_of_kind("A01", "2026-11", StatKind.callbacks) == {}
    assert repos.ratings.tallies_of_kind("A01", "2026-10", StatKind.staff) == {}
    assert repos.ratings.tallies_of_kind("Z99", "2026-11", StatKind.month) == {}


def test_hall_wide_tallies_written_with_callback_tasks_are_read_back(repos):
    key = StatKey("A01", "2026-11", StatKind.callbacks, "", None)
    task = CallbackTask(
        id="rating-00000000-0000-4000-8000-000000000001",
        hall_code="A01",
        source_type=SourceType.rating,
        source_id="00000000-0000-4000-8000-000000000001",
        task_type=TaskType.bad_rating,
        created_at=T0,
        first_contact_due=T0 + timedelta(days=1),
        resolution_due=T0 + timedelta(days=7),
    )
    assert repos.callbacks.create(task, {key: collections.Counter(opened=1)})
    repos.ratings.save_batch([rating(1)])
    assert repos.ratings.tallies_of_kind("A01", "2026-11", StatKind.callbacks) == {key: collections.Counter(opened=1)}
    assert StatKind.callbacks not in {k.kind for k in repos.ratings.tallies_of_kind("A01", "2026-11", StatKind.month)}
