"""导出Excel: rows to an .xlsx file, streamed.

openpyxl's write-only workbook keeps each written row in a temporary file, not in memory; the
finished file is then sent in chunks by a generator. Rows come from the caller's query read in
batches (yield_per), so a hundred thousand rows never sit in memory at once.
"""
import tempfile
from datetime import datetime
from urllib.parse import quote

from flask import Response
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 1000
CHUNK = 64 * 1024


def cell(value):
    """A value a spreadsheet cell can hold, as the list shows it (HTML labels reduced to their text)."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        value = value.striptags()
    elif not isinstance(value, (int, float, datetime)) and not hasattr(value, "isoformat"):
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(("=", "+", "-", "@")):
            value = "'" + value  # text, never a formula, whatever an applicant typed
    return value


def write(headers, rows, title, buffer):
    """Write the workbook into `buffer` (a file). `rows` yields lists of cell values."""
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        header = WriteOnlyCell(sheet, value=str(text))
        header.font = bold
        header_cells.append(header)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([cell(value) for value in row])
    book.save(buffer)


def _file_chunks(buffer):
    try:
        buffer.seek(0)
        while True:
            data = buffer.read(CHUNK)
            if not data:
                break
            yield data
    finally:
        buffer.close()  # a temporary file: closing deletes it


def response(headers, rows, filename, title):
    """A download of the rows as .xlsx. The rows are read and written while the request still holds
    its database session (so its transaction ends with the request as usual); the file, kept on
    disk, is then sent in chunks by a generator."""
    buffer = tempfile.TemporaryFile()
    try:
        write(headers, rows, title, buffer)
    except Exception:
        buffer.close()
        raise
    return Response(_file_chunks(buffer), mimetype=MIMETYPE, headers={
        "Content-Disposition": f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "private, no-store",
    })
