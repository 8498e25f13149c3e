import csv
import io

import pytest

from chalicelib.domain.csv_export import BOM, to_csv
from chalicelib.domain.labels import HEADERS_ZH


def read_back(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_a_file_starts_with_a_bom_ends_lines_with_crlf_and_heads_columns_in_chinese():
    text = to_csv(["hall_code", "events", "covered"], [{"hall_code": "A01", "events": 2, "covered": True}])
    assert text.startswith("\ufeff营业厅编码,活动次数,是否达标\r\n")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert read_back(text) == [["营业厅编码", "活动次数", "是否达标"], ["A01", "2", "是"]]


def test_english_files_use_the_keys_and_true_false():
    text = to_csv(["hall_code", "covered"], [{"hall_code": "A01", "covered": False}], lang="en")
    assert read_back(text) == [["hall_code", "covered"], ["A01", "false"]]


def test_every_spec_column_has_a_chinese_header():
    outreach = "quarter branch hall_code hall events community enterprise village household school participants"
    for key in (*outreach.split(), "households_visited", "safety_checks", "covered", "satisfaction_rate", "phone"):
        assert HEADERS_ZH[key] and HEADERS_ZH[key] != key


@pytest.mark.parametrize(
    "risky",
    [
        "=1+1",
        "+86",
        "-2",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "\0x",
        '=HYPERLINK("http://x")',
        "＝1+1",
        "＋86",
        "－2",
        "＠SUM(A1)",
    ],
)
def test_text_that_a_spreadsheet_would_run_is_prefixed_with_a_quote(risky):
    rows = read_back(to_csv(["hall"], [{"hall": risky}]))
    assert rows[1] == ["'" + risky]


def test_real_numbers_stay_numeric_even_when_negative():
    text = to_csv(["events", "rate"], [{"events": -3, "rate": 0.9512}])
    assert read_back(text)[1] == ["-3", "0.9512"]


def test_quotes_commas_and_line_breaks_survive_rfc_4180_quoting():
    tricky = 'He said "hi", then\r\nleft'
    text = to_csv(["hall", "branch"], [{"hall": tricky, "branch": None}])
    assert '"He said ""hi"", then\r\nleft"' in text
    assert read_back(text)[1] == [tricky, ""]
