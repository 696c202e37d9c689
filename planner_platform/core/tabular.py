"""Tables in files, the way Chinese offices exchange them: an uploaded CSV (UTF-8 or GBK) or XLSX read into rows that
collect their own problems and are then imported all or nothing, and CSV (with BOM) or XLSX downloads.

A feature defines its columns, what a row must hold (through Row's checks) and what importing a row does; its
service calls import_all (no commit) and its view commit_import.
"""
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import BinaryIO

from email_validator import EmailNotValidError, validate_email
from flask import Response
from flask_babel import gettext as _
import xlsxwriter
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from planner_platform.core.errors import DomainError
from planner_platform.core.forms import CONTROL_CHARACTERS, PHONE_PATTERN, normalise_phone
from planner_platform.extensions import db

#: Uncompressed size a workbook may claim; a 10 MB upload must not unpack into gigabytes.
MAX_XLSX_BYTES = 50 * 1024 * 1024
TRUE_WORDS = {"是", "全职", "yes", "y", "true", "1"}
FALSE_WORDS = {"否", "兼职", "no", "n", "false", "0", ""}
_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$")
#: A cell starting with one of these is a formula to spreadsheet programs (CSV/formula injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ImportFailed(DomainError):
    """The import was refused as a whole; `errors` lists (row number, message) pairs."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(_("Nothing was imported: %(count)d rows have problems.", count=len(errors)))
        self.errors = errors


def decode_text(raw: bytes) -> str:
    """The text of an uploaded CSV: UTF-8 (with or without BOM) or GB18030/GBK, which Excel in China writes."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # a binary file can decode by accident; text never holds NUL
            return text
    raise DomainError(_("The file cannot be read: it is neither an .xlsx workbook nor UTF-8 or GBK text."))


def read_table(filename: str, raw: bytes, max_rows: int) -> list[tuple[int, list]]:
    """(row number, cells) of the header and every non-empty row of an uploaded .csv or .xlsx file."""
    if (filename or "").lower().rpartition(".")[2] not in ("csv", "xlsx"):
        raise DomainError(_("Upload a .csv or .xlsx file (save .xls workbooks as .xlsx first)."))
    # Decided by content, not by the name: an .xlsx is a zip archive, anything else must be text.
    return _read_xlsx(raw, max_rows) if raw.startswith(b"PK\x03\x04") else read_csv(raw, max_rows)


def read_csv(raw: bytes, max_rows: int, too_many: str | None = None) -> list[tuple[int, list]]:
    """As read_table, for a file that can only be CSV; `too_many` replaces the message for a file that is too long."""
    try:
        return _collect(csv.reader(io.StringIO(decode_text(raw), newline="")), max_rows, too_many)
    except csv.Error:
        raise DomainError(_("The file cannot be read as CSV.")) from None


def _read_xlsx(raw: bytes, max_rows: int) -> list[tuple[int, list]]:
    """The first worksheet's rows, read streaming (openpyxl read-only mode)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_BYTES:
                raise DomainError(_("The workbook is too large once unpacked."))
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        try:
            return _collect(workbook.worksheets[0].iter_rows(values_only=True), max_rows)
        finally:
            workbook.close()
    except DomainError:
        raise
    except Exception:  # a damaged or foreign archive fails in many ways (zip, XML, missing parts): all mean this
        raise DomainError(_("The file cannot be read as an .xlsx workbook.")) from None


def _collect(rows, max_rows: int, too_many: str | None = None) -> list[tuple[int, list]]:
    """The header and at most `max_rows` rows after it, numbered as a spreadsheet shows them; blank rows skipped."""
    table = []
    for number, cells in enumerate(rows, start=1):
        if not any(str(cell).strip() for cell in cells if cell is not None):
            continue
        if len(table) > max_rows:
            raise DomainError(too_many or _("A file may hold at most %(n)d rows.", n=max_rows))
        table.append((number, list(cells)))
    return table


def _header_key(text) -> str:
    return re.sub(r"\s+", "_", str(text or "").strip().strip("*＊").strip().lower())


class Header:
    """Where each column stands in a file's first row, found by its name or one of its other names (`columns`:
    {column: aliases}) whatever the case, surrounding spaces or the * that marks a required column in a template."""

    def __init__(self, cells: list, columns: dict[str, tuple[str, ...]]):
        names = {_header_key(alias): column for column, aliases in columns.items() for alias in (column, *aliases)}
        #: {column: position} and {column: the header as the file writes it, for messages}.
        self.positions, self.labels = {}, {}
        for position, text in enumerate(cells):
            column = names.get(_header_key(text))
            if column and column not in self.positions:
                self.positions[column], self.labels[column] = position, str(text).strip()

    def missing(self, required: Iterable[str]) -> list[str]:
        return [column for column in required if column not in self.positions]

    def row(self, number: int, cells: list) -> "Row":
        return Row(number, {column: cells[position] if position < len(cells) else None
                            for column, position in self.positions.items()}, self.labels)


class Row:
    """One row of a file: its raw cells by column, and what its checks made of them: the accepted values and the
    problems, each naming the column as the file's header does."""

    def __init__(self, number: int, raw: dict | None = None, labels: dict | None = None):
        self.number, self.raw, self.labels = number, raw or {}, labels or {}
        #: Checked values by column, e.g. {"name": "李规划", "type": PlannerType.institute}.
        self.values: dict = {}
        self.errors: list[str] = []

    def _label(self, column: str) -> str:
        return self.labels.get(column, column)

    def string(self, column: str) -> str:
        """The cell as stripped text ("" when empty)."""
        value = self.raw.get(column)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # Excel stores 13800138000 as 13800138000.0
        return "" if value is None else str(value.date() if isinstance(value, datetime) else value).strip()

    def text(self, column: str, max_length: int, required: bool = False) -> str:
        value, label = self.string(column), self._label(column)
        if required and not value:
            self.errors.append(_("%(column)s is required.", column=label))
        elif len(value) > max_length:
            self.errors.append(_("%(column)s is longer than %(max)d characters.", column=label, max=max_length))
        elif CONTROL_CHARACTERS.search(value):
            self.errors.append(_("%(column)s contains characters that cannot be stored.", column=label))
        else:
            self.values[column] = value
        return value

    def choice(self, column: str, enum_cls, aliases: dict) -> None:
        """A member of `enum_cls`, written as its value, its label or one of its `aliases` (every member has at
        least one; the first is shown in the message)."""
        accepted = {name.lower(): member for member in reversed(enum_cls)
                    for name in (member.value, str(member.label)) + aliases[member]}
        member = accepted.get(self.string(column).lower())
        if member is None:
            self.errors.append(_("%(column)s must be one of: %(choices)s.", column=self._label(column),
                                 choices=", ".join(f"{m.value} ({aliases[m][0]})" for m in enum_cls)))
        self.values[column] = member

    def phone(self, column: str) -> None:
        value, label = normalise_phone(self.string(column)), self._label(column)
        if value and re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", value):
            self.errors.append(_("%(column)s was shortened by Excel (%(value)s): format the column as text and "
                                 "export again.", column=label, value=value))
        elif value and not re.match(PHONE_PATTERN, value):
            self.errors.append(_("%(column)s must be an 11-digit mainland mobile number, e.g. 13800138000.",
                                 column=label))
        self.values[column] = value or None

    def email(self, column: str) -> None:
        value = self.string(column).lower()
        try:
            self.values[column] = validate_email(value, check_deliverability=False).normalized if value else None
        except EmailNotValidError:
            self.errors.append(_("%(column)s is not a valid email address.", column=self._label(column)))

    def flag(self, column: str) -> None:
        value, word = self.raw.get(column), self.string(column).lower()
        if isinstance(value, bool) or word in TRUE_WORDS | FALSE_WORDS:
            self.values[column] = value if isinstance(value, bool) else word in TRUE_WORDS
        else:
            self.errors.append(_("%(column)s must be 是 or 否 (yes or no).", column=self._label(column)))

    def day(self, column: str, required: bool = False) -> None:
        value, text, label = self.raw.get(column), self.string(column), self._label(column)
        if isinstance(value, (datetime, date)):  # a date cell of a workbook
            self.values[column] = value.date() if isinstance(value, datetime) else value
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
            self.values[column] = from_excel(value).date()  # a date cell formatted as a number: Excel's day count
        elif not text:
            if required:
                self.errors.append(_("%(column)s is required.", column=label))
            self.values[column] = None
        elif (parsed := _parse_day(text)) is not None:
            self.values[column] = parsed
        else:
            self.errors.append(_("%(column)s must be a date written as YYYY-MM-DD, e.g. 2025-03-01.", column=label))


def _parse_day(text: str) -> date | None:
    """2025-03-01, or 2025/3/1 as Chinese Excel writes dates into CSV files."""
    match = _DAY.match(text)
    try:
        return date(*map(int, match.groups())) if match else None
    except ValueError:  # 2025-02-30
        return None


def import_all(rows: list[Row], apply: Callable[[Row], None]) -> None:
    """apply(row) for every row without problems, in the order given, all or nothing.

    Each row runs in its own savepoint, so a refused row does not stop the others from being checked. Raises
    ImportFailed listing (row number, message) for every problem, the DomainErrors of apply() included; in that case
    nothing is stored.
    """
    errors = [(row.number, message) for row in rows for message in row.errors]
    savepoint = db.session.begin_nested()
    for row in rows:
        if row.errors:
            continue
        try:
            with db.session.begin_nested():
                apply(row)
        except DomainError as error:
            errors.append((row.number, error.message))
    if errors:
        savepoint.rollback()
        raise ImportFailed(sorted(errors, key=lambda error: error[0]))
    savepoint.commit()


def commit_import(form, action):
    """Run an all-or-nothing import and commit; on a refusal roll back and return the problems by row.

    Returns (result, []) on success and (None, [(row, message), ...]) otherwise; the summary goes on form.file.
    """
    try:
        result = action()
        db.session.commit()
    except ImportFailed as failure:
        db.session.rollback()
        form.file.errors = [failure.message]
        return None, failure.errors
    except DomainError as error:
        db.session.rollback()
        form.file.errors = [error.message]
        return None, []
    return result, []


def neutralised(rows: Iterable[list]):
    """The rows with every text that would start a formula prefixed with an apostrophe, so that it shows as typed
    and never runs (the test written inline: a file of a million rows has ten million cells)."""
    for row in rows:
        yield [f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) else value
               for value in row]


def write(kind: str, rows: Iterable[list], out: BinaryIO, sheet_title: str) -> None:
    """`rows` (the header first) into the binary file `out` as CSV or XLSX, row by row as they come (a generator is
    consumed as it goes, so memory stays flat whatever their number)."""
    if kind == "csv":
        # UTF-8 with a BOM, which Excel in China opens correctly.
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
        csv.writer(text).writerows(neutralised(rows))
        text.detach()  # leave `out` open for the caller
        return
    write_workbook([(sheet_title, rows)], out)


#: Characters Excel refuses in a sheet's name ("Roster: …" in English), and its limit on a name's length.
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_MAX = 31


def sheet_name(title: str, taken: set[str]) -> str:
    """`title` as Excel accepts a sheet's name: without any of []:*?/\\ nor quotes at its ends, at most 31 characters,
    unlike the names in `taken` (which gains it) ignoring case."""
    name = " ".join(_NOT_IN_SHEET_NAMES.sub(" ", str(title)).split()).strip("'")[:_SHEET_NAME_MAX].strip(" '")
    name = name or "Sheet"
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[:_SHEET_NAME_MAX - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


def write_workbook(sheets: Iterable[tuple[str, Iterable[list]]], out: BinaryIO) -> None:
    """An XLSX of several sheets, (title, rows) each, into `out`; numbers stay numbers, text never runs."""
    # XlsxWriter's constant-memory mode writes each row to a temporary file once the next one begins, so memory
    # stays flat; text is always text (no formulas, links or numbers made of strings).
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False, "strings_to_numbers": False})
    taken: set[str] = set()
    for title, rows in sheets:
        write_row = workbook.add_worksheet(sheet_name(title, taken)).write_row
        for number, row in enumerate(neutralised(rows)):
            write_row(number, 0, row)
    workbook.close()


def download(kind: str, rows: Iterable[list], name: str, sheet_title: str) -> Response:
    """`rows` (the header first) as the attachment `name.kind`, a CSV or XLSX file whose cells never run."""
    body = io.BytesIO()
    write(kind, rows, body, sheet_title)
    return Response(body.getvalue(), mimetype=MIMETYPES[kind], headers=attachment_headers(f"{name}.{kind}"))


def attachment_headers(filename: str) -> dict:
    return {"Content-Disposition": f"attachment; filename={filename}"}
