"""Reports over the in-memory fakes: every CSV count is a recount of the stored ratings,
who may read what, the 31-day export limit, and how many reads a report costs."""

from __future__ import annotations

import collections
import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain import csv_export
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge
from chalicelib.domain.organisation import HallGrade
from chalicelib.domain.ranking import Flag
from chalicelib.domain.ratings import Business, Channel, Rating, Reason
from chalicelib.domain.reports import (
    HALL_COLUMNS,
    RATING_COLUMNS,
    STAFF_COLUMNS,
    capped,
    hall_csv_row,
    is_month,
    months_between,
    rating_csv_row,
    staff_csv_row,
)
from chalicelib.domain.stats import StatKey, StatKind
from chalicelib.services import organisation, reports
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.ratings import InMemoryRatingRepository

ADMIN = UserPrincipal(username="root", role=Role.admin)
MANAGER = UserPrincipal(username="m", role=Role.manager, halls=frozenset({"A01"}))
AGENT = UserPrincipal(username="a", role=Role.agent, halls=frozenset({"A01"}))
HALLS = {"A01": "城东分中心", "B02": "城东分中心", "C03": "城西分中心"}
STAFF = {"S1": "A01", "S2": "A01", "S3": "B02", "S4": "C03"}
T0 = datetime(2026, 10, 25, tzinfo=UTC)


def build_org() -> InMemoryOrganisationRepository:
    org, clock = InMemoryOrganisationRepository(), FixedClock()
    for code, branch in HALLS.items():
        organisation.create_hall(ADMIN, org, clock, code=code, name=f"{code}厅", branch=branch, grade=HallGrade.A)
    for staff_no, hall in STAFF.items():
        organisation.add_staff(ADMIN, org, clock, staff_no=staff_no, name=f"员工{staff_no}", hall_code=hall)
    return org


@pytest.fixture
def org() -> InMemoryOrganisationRepository:
    return build_org()


def read_csv(text: str) -> list[dict[str, str]]:
    """The rows of a CSV as written: BOM first, CRLF after every line."""
    assert text.startswith(csv_export.BOM)
    body = text[len(csv_export.BOM) :]
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    return list(csv.DictReader(io.StringIO(body, newline="")))


def rating(n: int, **over) -> Rating:
    values = dict(
        id=f"00000000-0000-4000-8000-{n:012d}",
        channel=Channel.device,
        hall_code="A01",
        counter_number=1,
        staff_no="S1",
        level=5,
        rated_at=datetime(2026, 11, 10, 2, tzinfo=UTC) + timedelta(minutes=n),
        received_at=T0,
    )
    return Rating(**(values | over))


ratings_strategy = st.lists(
    st.builds(
        dict,
        hall_code=st.sampled_from(sorted(HALLS)),
        counter_number=st.integers(1, 3),
        staff_no=st.sampled_from([None, "S1", "S2", "S3", "S4", "GONE"]),
        level=st.integers(1, 5),
        business=st.none() | st.sampled_from(Business),
        reasons=st.lists(st.sampled_from(Reason), max_size=3).map(tuple),
        channel=st.sampled_from([Channel.device, Channel.qr]),
        misuse=st.booleans(),
        minutes=st.integers(0, 60 * 24 * 40),  # 2026-10-25 to early December
        comment=st.none() | st.sampled_from(["=1+1", "@SUM(A1)", "好", "-2", "排队久, 但态度好", "请回电13812341234"]),
        phone=st.none() | st.just("13812341234"),
        again=st.integers(0, 4),  # how far back a retried id points, 0 for a new one
    ),
    max_size=60,
)


def stored_from(stream: list[dict]) -> InMemoryRatingRepository:
    repo = InMemoryRatingRepository()
    batch: list[Rating] = []
    for i, spec in enumerate(stream):
        n = i - spec["again"] if spec["again"] and i >= spec["again"] else i  # a retry re-sends an id
        fields = {k: v for k, v in spec.items() if k not in ("minutes", "again")}
        batch.append(rating(n, rated_at=T0 + timedelta(minutes=spec["minutes"]), **fields))
        if len(batch) == 7:
            repo.save_batch(list({r.id: r for r in batch}.values()))
            batch = []
    repo.save_batch(list({r.id: r for r in batch}.values()))
    return repo


def recount(ratings, **where) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    for r in ratings:
        if r.scored and all(getattr(r, k) == v for k, v in where.items()):
            counts[f"n{int(r.level)}"] += 1
            counts["score"] += int(r.level)
    return counts


def levels_of(row: dict[str, str]) -> collections.Counter:
    return collections.Counter({f"n{i}": int(row[f"n{i}"]) for i in range(1, 6) if int(row[f"n{i}"])})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stream=ratings_strategy, month=st.sampled_from(["2026-10", "2026-11", "2026-12"]))
def test_every_csv_count_is_a_recount_of_the_stored_ratings(stream, month):
    org, repo = build_org(), stored_from(stream)
    stored = list(repo.ratings.values())

    staff = reports.staff_monthly(ADMIN, org, repo, month=month, min_ratings=3)
    rows = read_csv(csv_export.to_csv(STAFF_COLUMNS, [staff_csv_row(r, "en") for r in staff.rows], "en"))
    assert list(rows[0]) == list(STAFF_COLUMNS)
    seen = set()
    for row in rows:
        counts = recount(stored, hall_code=row["hall_code"], staff_no=row["staff_no"], month=month)
        assert levels_of(row) == counts - collections.Counter(score=counts["score"])
        assert int(row["total"]) == counts.total() - counts["score"]
        if int(row["total"]):
            assert float(row["mean_score"]) == pytest.approx(counts["score"] / int(row["total"]), abs=5e-5)
        assert (row["rank"] != "") == (int(row["total"]) >= 3)
        seen.add((row["hall_code"], row["staff_no"]))
    rated = {(r.hall_code, r.staff_no) for r in stored if r.scored and r.staff_no and r.month == month}
    assert rated | {(h, s) for s, h in STAFF.items()} == seen

    halls = reports.hall_monthly(ADMIN, org, repo, month=month)
    rows = read_csv(csv_export.to_csv(HALL_COLUMNS, [hall_csv_row(r) for r in halls], "zh"))
    assert [row["营业厅编码"] for row in rows] == sorted(HALLS)
    for row in rows:
        counts = recount(stored, hall_code=row["营业厅编码"], month=month)
        n = counts.total() - counts["score"]
        assert int(row["评价数"]) == n
        assert int(row["差评数"]) == counts["n1"] + counts["n2"]
        assert [int(row[h]) for h in ("非常满意", "满意", "基本满意", "不满意", "非常不满意")] == [
            counts[f"n{i}"] for i in (5, 4, 3, 2, 1)
        ]
        assert row["满意率"] == (f"{(counts['n5'] + counts['n4']) / n:.4f}" if n else "")

    first = date(2026, 10, 25)
    exported = reports.ratings_export(ADMIN, org, repo, first=first, last=first + timedelta(days=30))
    rows = read_csv(csv_export.to_csv(RATING_COLUMNS, (rating_csv_row(r, "en") for r in exported), "en"))
    window = [r for r in stored if first <= r.local_time.date() <= first + timedelta(days=30)]
    assert len(rows) == len(window)
    assert collections.Counter(int(row["level"]) for row in rows) == collections.Counter(int(r.level) for r in window)
    assert all(row["phone"] in ("", "138****1234") for row in rows)
    assert all(not row["comment"].startswith(("=", "@", "-")) for row in rows)
    assert all("13812341234" not in row["comment"] for row in rows)


def test_a_branch_ranks_the_staff_of_all_its_halls_together(org):
    repo = InMemoryRatingRepository()
    repo.save_batch(
        [rating(i, staff_no="S1", level=5) for i in range(40)]
        + [rating(100 + i, staff_no="S3", hall_code="B02", level=4 if i % 2 else 1) for i in range(40)]
        + [rating(200 + i, staff_no="S2", level=3) for i in range(40)]
        + [rating(300 + i, staff_no="S4", hall_code="C03") for i in range(40)]
    )
    by_hall = reports.staff_monthly(ADMIN, org, repo, month="2026-11", hall="A01")
    assert [(r.result.staff_no, r.result.flag) for r in by_hall.rows] == [("S1", Flag.reward), ("S2", Flag.reward)]
    branch = reports.staff_monthly(ADMIN, org, repo, month="2026-11", branch="城东分中心", by_branch=True)
    assert [(r.result.staff_no, r.hall.code, r.result.rank, r.result.flag) for r in branch.rows] == [
        ("S1", "A01", 1, Flag.reward),
        ("S3", "B02", 2, Flag.reward),
        ("S2", "A01", 3, Flag.assess),
    ]
    of_hall = reports.staff_monthly(ADMIN, org, repo, month="2026-11", hall="C03", by_branch=True)
    assert [r.result.staff_no for r in of_hall.rows] == ["S4"]
    with pytest.raises(Forbidden):  # A01 is only part of 城东分中心
        reports.staff_monthly(MANAGER, org, repo, month="2026-11", branch="城东分中心", by_branch=True)
    with pytest.raises(NotFound) as unknown:
        reports.staff_monthly(ADMIN, org, repo, month="2026-11", branch="城南", by_branch=True)
    assert "branch" in unknown.value.fields


def test_managers_see_their_halls_agents_none(org):
    repo = InMemoryRatingRepository()
    assert [r.hall.code for r in reports.hall_monthly(MANAGER, org, repo, month="2026-11")] == ["A01"]
    assert {r.hall.code for r in reports.staff_monthly(MANAGER, org, repo, month="2026-11").rows} == {"A01"}
    with pytest.raises(Forbidden):
        reports.hall_monthly(MANAGER, org, repo, month="2026-11", hall="B02")
    with pytest.raises(Forbidden):
        reports.staff_monthly(AGENT, org, repo, month="2026-11", hall="A01")
    with pytest.raises(Forbidden):
        reports.ratings_export(AGENT, org, repo, first=date(2026, 11, 1), last=date(2026, 11, 2))
    with pytest.raises(NotFound):
        reports.hall_monthly(ADMIN, org, repo, month="2026-11", hall="Z99")


def test_callbacks_and_suggestions_come_from_their_tallies_and_count_zero_when_missing(org):
    repo = InMemoryRatingRepository()
    repo.tallies[StatKey("A01", "2026-11", StatKind.callbacks, "", None)] = collections.Counter(
        opened=5, closed=3, overdue=1
    )
    repo.tallies[StatKey("A01", "2026-11", StatKind.suggestions, "", None)] = collections.Counter(received=4)
    rows = {r.hall.code: r for r in reports.hall_monthly(ADMIN, org, repo, month="2026-11")}
    a, b = rows["A01"], rows["B02"]
    assert (a.callbacks_opened, a.callbacks_closed, a.callbacks_overdue, a.suggestions) == (5, 3, 1, 4)
    assert (b.callbacks_opened, b.callbacks_closed, b.callbacks_overdue, b.suggestions) == (0, 0, 0, 0)


def test_more_than_31_days_or_a_backward_range_is_refused_pointing_to_the_export_job(org):
    repo = InMemoryRatingRepository()
    with pytest.raises(InvalidInput) as long:
        reports.ratings_export(ADMIN, org, repo, first=date(2026, 10, 1), last=date(2026, 11, 1))
    assert "to" in long.value.fields and "export job" in long.value.message
    with pytest.raises(InvalidInput) as backward:
        reports.ratings_export(ADMIN, org, repo, first=date(2026, 11, 2), last=date(2026, 11, 1))
    assert "to" in backward.value.fields
    assert list(reports.ratings_export(ADMIN, org, repo, first=date(2026, 10, 1), last=date(2026, 10, 31))) == []


class CountingRatings(InMemoryRatingRepository):
    """Records every read, to show what a report costs."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[tuple] = []

    def ratings_of_day(self, hall_code, day):
        self.reads.append(("day", hall_code, day))
        return super().ratings_of_day(hall_code, day)

    def tallies_of_kind(self, hall_code, month, kind):
        self.reads.append(("kind", hall_code, month, kind))
        return super().tallies_of_kind(hall_code, month, kind)


def test_the_ratings_export_reads_one_day_at_a_time_as_rows_are_written(org):
    repo = CountingRatings()
    repo.save_batch([rating(1, rated_at=datetime(2026, 11, 1, 1, tzinfo=UTC)), rating(2)])
    rows = reports.ratings_export(ADMIN, org, repo, first=date(2026, 11, 1), last=date(2026, 11, 10), hall="A01")
    assert repo.reads == []  # nothing read before the first row is asked for
    assert next(rows).id == rating(1).id
    assert repo.reads == [("day", "A01", "2026-11-01")]
    assert [r.id for r in rows] == [rating(2).id]
    assert len(repo.reads) == 10


def test_a_hall_report_reads_a_fixed_number_of_tally_kinds_whatever_the_ratings(org):
    repo = CountingRatings()
    repo.save_batch([rating(i, level=1 + i % 5) for i in range(500)])
    reports.staff_monthly(ADMIN, org, repo, month="2026-11", hall="A01")
    assert repo.reads == [("kind", "A01", "2026-11", StatKind.staff)]
    repo.reads.clear()
    reports.hall_monthly(ADMIN, org, repo, month="2026-11", hall="A01")
    assert len(repo.reads) == 4  # month, callbacks, suggestions, tickets


def test_the_daily_series_covers_every_day_and_reads_one_day_kind_per_month(org):
    repo = CountingRatings()
    repo.save_batch(
        [
            rating(1, rated_at=datetime(2026, 10, 31, 16, 30, tzinfo=UTC)),  # 11-01 00:30 in Shanghai
            rating(2, rated_at=datetime(2026, 11, 24, 1, tzinfo=UTC), level=1),
            rating(3, rated_at=datetime(2026, 11, 24, 1, tzinfo=UTC), misuse=True),
        ]
    )
    series = reports.daily_series(ADMIN, org, repo, FixedClock(), hall="A01", days=90)
    assert len(series.days) == 90 and series.days[-1][0] == date(2026, 11, 24)
    assert series.days[0][0] == date(2026, 8, 27)
    per_day = {d: t for d, t in series.days}
    assert per_day[date(2026, 11, 1)].n5 == 1 and per_day[date(2026, 10, 31)].n == 0
    assert (per_day[date(2026, 11, 24)].n1, per_day[date(2026, 11, 24)].misuse) == (1, 1)
    assert [r[2] for r in repo.reads] == ["2026-08", "2026-09", "2026-10", "2026-11"]
    with pytest.raises(InvalidInput) as bad:
        reports.daily_series(ADMIN, org, repo, FixedClock(), hall="A01", days=0)
    assert "days" in bad.value.fields


def test_the_breakdown_adds_the_counter_shards_up(org):
    repo = InMemoryRatingRepository()
    repo.save_batch(
        [
            rating(1, business=Business.invoice, level=2, reasons=(Reason.long_wait,), counter_number=1),
            rating(2, business=Business.invoice, level=3, reasons=(Reason.long_wait, Reason.slow), counter_number=2),
            rating(3, business=Business.fee_payment, rated_at=datetime(2026, 11, 10, 1, 5, tzinfo=UTC)),
        ]
    )
    found = reports.hall_breakdown(
        ADMIN, org, repo, hall="A01", month="2026-11", kinds=(StatKind.business, StatKind.reason, StatKind.hour)
    )
    assert found.total.n == 3
    assert {k: t.n for k, t in found.parts[StatKind.business].items()} == {"invoice": 2, "fee_payment": 1}
    assert {k: t.n for k, t in found.parts[StatKind.reason].items()} == {"long_wait": 2, "slow": 1}
    assert {k: t.n for k, t in found.parts[StatKind.hour].items()} == {"2-10": 2, "2-09": 1}  # a Tuesday


def test_rating_rows_use_labels_in_chinese_and_keys_in_english():
    r = rating(1, level=2, business=Business.invoice, reasons=(Reason.long_wait, Reason.slow), phone="13812341234")
    zh, en = rating_csv_row(r, "zh"), rating_csv_row(r, "en")
    assert (zh["business"], zh["reasons"], zh["channel"], zh["phone"]) == (
        "发票打印",
        "等候时间长、办理效率低",
        "评价器",
        "138****1234",
    )
    assert (en["business"], en["reasons"], en["channel"], en["level"]) == ("invoice", "long_wait;slow", "device", 2)
    assert zh["rated_at"] == "2026-11-10 10:01:00"  # Asia/Shanghai


def test_rating_rows_mask_phone_and_id_numbers_inside_the_comment():
    r = rating(1, level=1, comment="请回电13812345678，身份证11010119900307123X")
    for lang in ("zh", "en"):
        assert rating_csv_row(r, lang)["comment"] == "请回电138****5678，身份证110***********123X"
    assert rating_csv_row(rating(2), "zh")["comment"] is None


def test_a_rows_status_and_id_say_where_the_rating_counts():
    cases = [
        (rating(1), "scored", "计分"),
        (rating(2, misuse=True), "misuse", "误按"),
        (rating(3, appeal_upheld=True), "appeal_upheld", "申诉核准"),
        (rating(4, misuse=True, appeal_upheld=True), "misuse", "误按"),  # counted once, as misuse (stats)
    ]
    for r, en, zh in cases:
        assert rating_csv_row(r, "en")["status"] == en and rating_csv_row(r, "zh")["status"] == zh
        assert rating_csv_row(r, "zh")["id"] == r.id
    assert RATING_COLUMNS[-2:] == ("status", "id")


def test_the_ratings_file_reconciles_with_the_hall_summary_through_status(org):
    repo = InMemoryRatingRepository()
    stored = [rating(i, level=1 + i % 5) for i in range(20)]
    stored += [rating(100 + i, misuse=True) for i in range(3)] + [rating(200 + i, appeal_upheld=True) for i in range(2)]
    repo.save_batch(stored)
    exported = reports.ratings_export(ADMIN, org, repo, first=date(2026, 11, 1), last=date(2026, 11, 30), hall="A01")
    rows = read_csv(csv_export.to_csv(RATING_COLUMNS, (rating_csv_row(r, "en") for r in exported), "en"))
    by_status = collections.Counter(row["status"] for row in rows)
    [hall] = reports.hall_monthly(ADMIN, org, repo, month="2026-11", hall="A01")
    assert (by_status["scored"], by_status["misuse"], by_status["appeal_upheld"]) == (
        hall.tally.n,
        hall.tally.misuse,
        hall.tally.appealed,
    )
    scored = [row for row in rows if row["status"] == "scored"]
    assert sum(int(row["level"]) for row in scored) == hall.tally.score
    assert len({row["id"] for row in rows}) == len(rows) == 25


@pytest.mark.parametrize(("value", "ok"), [("2026-11", True), ("2026-13", False), ("26-11", False), ("2026-1", False)])
def test_months_are_yyyy_mm(value, ok):
    assert is_month(value) is ok


def test_months_between_spans_year_ends():
    assert months_between(date(2026, 11, 30), date(2027, 2, 1)) == ["2026-11", "2026-12", "2027-01", "2027-02"]


def test_an_export_too_big_for_one_answer_stops_reading_and_is_refused():
    read = []

    def rows():
        for i in range(1000):
            read.append(i)
            yield {"comment": "x" * 97}

    assert len(list(capped(rows(), limit=100_000))) == 1000
    read.clear()
    with pytest.raises(PayloadTooLarge) as refused:
        list(capped(rows(), limit=10_000))
    assert len(read) == 101 and "export job" in refused.value.message
