"""Bulk import: reading a sheet (domain) and applying it (service, on the fakes)."""

from __future__ import annotations

import pytest

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.audit import Action, RecordKind
from chalicelib.domain.errors import Forbidden, InvalidInput, PayloadTooLarge
from chalicelib.domain.imports import MAX_LINES, CounterRow, HallRow, ImportKind, Reason, read_sheet
from chalicelib.domain.organisation import HallGrade
from chalicelib.services import imports, organisation
from chalicelib.services.audit import Auditor
from chalicelib.services.imports import ImportPorts
from tests.fakes.audit import InMemoryAuditLog
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.ratings import InMemoryShiftRepository

ADMIN = UserPrincipal(username="root", role=Role.admin)
MANAGER = UserPrincipal(username="m", role=Role.manager, halls=frozenset({"A01"}))


# ---- reading ---------------------------------------------------------------------------
def test_chinese_or_english_headers_in_any_order_a_bom_and_crlf_read_alike():
    english = read_sheet(ImportKind.halls, "code,name,branch,grade\nA01,城东营业厅,城东分中心,A\n")
    chinese = read_sheet(
        ImportKind.halls, "\ufeff 等级 ,分中心,营业厅名称,营业厅编码\r\nA,城东分中心,城东营业厅,A01\r\n".encode()
    )
    assert (
        english.rows
        == chinese.rows
        == ((2, HallRow(code="A01", name="城东营业厅", branch="城东分中心", grade=HallGrade.A)),)
    )


def test_rows_pasted_from_a_spreadsheet_are_tab_separated():
    sheet = read_sheet(ImportKind.counters, "营业厅编码\t窗口号\nA01\t1\nA01\t12\n")
    assert [row for _, row in sheet.rows] == [
        CounterRow(hall_code="A01", number=1),
        CounterRow(hall_code="A01", number=12),
    ]


def test_each_bad_line_is_refused_with_its_number_and_the_others_are_kept():
    sheet = read_sheet(
        ImportKind.staff,
        'staff_no,name,hall_code\nS1,张三,A01\n\nS2,,A01\nS3,"王\x07五",A01\nS4,赵六\nS5,"钱\n七",A01\nS 6,孙八,A01\n',
    )
    assert [line for line, _ in sheet.rows] == [2, 7]  # a quoted line break keeps its record on the line it starts
    assert [(r.line, r.reason, r.field) for r in sheet.rejected] == [
        (4, Reason.invalid, "name"),
        (5, Reason.invalid, "name"),
        (6, Reason.cells, None),
        (9, Reason.invalid, "staff_no"),
    ]


def test_a_key_given_twice_counts_once_and_a_contradiction_is_refused():
    sheet = read_sheet(ImportKind.staff, "工号,姓名,营业厅编码\nS1,张三,A01\nS1,张三,A01\nS1,张三,B02\n")
    assert (len(sheet.rows), sheet.repeats) == (1, 1)
    ((line, reason, message),) = [(r.line, r.reason, r.message) for r in sheet.rejected]
    assert (line, reason) == (4, Reason.repeated) and "line 2" in message


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ("", "file"),
        ("\n\n", "file"),
        ("code,name,branch\nA01,x,y\n", "header"),  # no grade column
        ("code,name,branch,grade,colour\n", "header"),
        ("code,编码,name,branch,grade\n", "header"),  # the same column twice
        ("code,name,branch,grade\nA01,城东".encode("gb18030"), "file"),
        ("code,name,branch,grade\nA01,\ufffd,x,A", "file"),  # replaced on the way: it was not UTF-8
    ],
)
def test_a_sheet_that_cannot_be_read_is_refused_whole(data, field):
    with pytest.raises(InvalidInput) as e:
        read_sheet(ImportKind.halls, data)
    assert list(e.value.fields) == [field]


def test_a_sheet_is_at_most_max_lines_long():
    assert len(read_sheet(ImportKind.counters, "hall_code,number\n" + "A01,1\n" * MAX_LINES).rows) == 1
    with pytest.raises(PayloadTooLarge) as e:
        read_sheet(ImportKind.counters, "hall_code,number\n" + "A01,1\n" * (MAX_LINES + 1))
    assert list(e.value.fields) == ["file"]


# ---- applying ----------------------------------------------------------------------------
@pytest.fixture
def ports() -> ImportPorts:
    clock = FixedClock()
    return ImportPorts(
        InMemoryOrganisationRepository(), InMemoryShiftRepository(), clock, Auditor(InMemoryAuditLog(), clock)
    )


def log(ports: ImportPorts) -> InMemoryAuditLog:
    assert ports.auditor is not None and isinstance(ports.auditor.log, InMemoryAuditLog)
    return ports.auditor.log


HALLS = "code,name,branch,grade\nA01,城东营业厅,城东分中心,A\nB02,城西营业厅,城西分中心,B\n"


def test_importing_twice_creates_once_and_logs_once(ports):
    first = imports.import_sheet(ADMIN, ports, ImportKind.halls, HALLS)
    again = imports.import_sheet(ADMIN, ports, ImportKind.halls, HALLS)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, [])
    assert [
        e.action for e in log(ports).between(FixedClock().now(), FixedClock().now().replace(year=2027), None, 9).items
    ] == [
        Action.create,
        Action.create,
    ]


def test_a_line_that_differs_updates_through_the_same_use_case_and_is_logged(ports):
    imports.import_sheet(ADMIN, ports, ImportKind.halls, HALLS)
    organisation.update_hall(ADMIN, ports.org, "A01", {"active": False})  # not a column: the import leaves it
    assert isinstance(ports.clock, FixedClock)
    ports.clock.advance(minutes=1)
    report = imports.import_sheet(
        ADMIN, ports, ImportKind.halls, HALLS.replace("A01,城东营业厅,城东分中心,A", "A01,城东营业厅,城东分中心,C")
    )
    assert (report.updated, report.unchanged) == (1, 1)
    hall = ports.org.get_hall("A01")
    assert hall is not None and (hall.grade, hall.active) == (HallGrade.C, False)
    latest = log(ports).history(RecordKind.hall, "A01", None, 1).items[0]
    assert (latest.before or {})["grade"] == "A" and (latest.after or {})["grade"] == "C"


def test_counters_and_staff_of_an_unknown_hall_are_refused_by_line(ports):
    imports.import_sheet(ADMIN, ports, ImportKind.halls, HALLS)
    counters = imports.import_sheet(ADMIN, ports, ImportKind.counters, "hall_code,number\nA01,1\nZ9,1\nA01,1\n")
    assert (counters.created, counters.unchanged) == (1, 1)
    assert [(r.line, r.reason, r.field) for r in counters.rejected] == [(3, Reason.unknown_hall, "hall_code")]
    staff = imports.import_sheet(ADMIN, ports, ImportKind.staff, "staff_no,name,hall_code\nS1,张三,Z9\nS2,李四,B02\n")
    assert (staff.created, [(r.line, r.reason) for r in staff.rejected]) == (1, [(2, Reason.unknown_hall)])


def test_only_an_admin_imports(ports):
    with pytest.raises(Forbidden):
        imports.import_sheet(MANAGER, ports, ImportKind.halls, HALLS)
    assert ports.org.list_halls(None, 10).items == []
