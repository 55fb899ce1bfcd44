"""The sheet writer behind every export (app/excel.py): what a cell holds after a round trip through
openpyxl, and the read-ahead that fetches PostgreSQL's batches while the sheet is written."""
import io
import threading
from datetime import date, datetime

import pytest
from markupsafe import Markup
from openpyxl import load_workbook

from app import excel


def read_back(rows, headers=("甲", "乙", "丙")):
    book = io.BytesIO()
    written = excel.write(list(headers), rows, "表", book)
    sheet = load_workbook(io.BytesIO(book.getvalue()), read_only=True).active
    found = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert found[0] == list(headers)
    return written, found[1:]


def test_cells_keep_their_text_and_their_kind():
    written, rows = read_back([
        ["A&B <公司>", "=SUM(A1:A2)", ""],
        [None, 42, 1.5],
        [date(2026, 1, 2), datetime(2026, 1, 2, 10, 30), Markup("<b>已通过</b>")],
        ["+86 138", "-", "@x"],
    ])
    assert written == 4
    assert rows[0] == ["A&B <公司>", "'=SUM(A1:A2)", None]  # typed text is never a formula
    assert rows[1] == [None, 42, 1.5]
    assert rows[2][0] == datetime(2026, 1, 2) and rows[2][1] == datetime(2026, 1, 2, 10, 30)
    assert rows[2][2] == "已通过"
    assert rows[3] == ["'+86 138", "'-", "'@x"]


def test_characters_xml_cannot_hold_are_removed_and_the_rest_kept():
    _, rows = read_back([["a\x00b\x01c\x0bd\x1fe", "tab\there", "line\nbreak"]])
    assert rows == [["abcde", "tab\there", "line\nbreak"]]


def test_read_ahead_gives_every_batch_in_order():
    batches = [[i, i + 1] for i in range(0, 200, 2)]
    assert list(excel.read_ahead(iter(batches))) == batches


def test_a_failed_fetch_is_raised_to_the_reader():
    def fetches():
        yield [1]
        raise RuntimeError("connection lost")

    got = []
    with pytest.raises(RuntimeError, match="connection lost"):
        for batch in excel.read_ahead(fetches()):
            got.append(batch)
    assert got == [[1]]


def test_a_reader_that_stops_early_stops_the_fetching():
    fetched = []

    def fetches():
        for number in range(1000):
            fetched.append(number)
            yield [number]

    reader = excel.read_ahead(fetches(), depth=2)
    assert next(reader) == [0]
    reader.close()  # the writer failed (a full disk): the thread must end before the cursor closes
    assert not any(t.name == "export-read-ahead" for t in threading.enumerate())
    assert len(fetched) <= 5  # at most the batches already handed over, not the rest of the cursor
