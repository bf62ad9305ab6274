"""Safe reading of uploaded workbooks (checklists, the roster): refuse what is not a plain XLSX
of sane size before openpyxl opens it, and return the non-blank rows of the named sheets."""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Sequence
from contextlib import closing
from typing import Any

from flask_babel import gettext as _
from openpyxl import load_workbook

#: Most bytes the zip members of an upload may expand to.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
#: Highest compression ratio of one member; Apache POI's zip-bomb guard uses the same.
MAX_COMPRESSION_RATIO = 100
#: Members smaller than this are not ratio-checked: they cannot hurt and compress well.
RATIO_GRACE_BYTES = 100 * 1024
MAX_ZIP_MEMBERS = 10_000
#: Columns read from any sheet; cells further right are ignored.
MAX_COLUMNS = 50
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SheetRows = list[tuple[int, tuple[Any, ...]]]


class XlsxFileError(ValueError):
    """An upload that is not a workbook we can safely read; the message says why."""


def check_xlsx_container(data: bytes) -> None:
    """Refuse anything but a plain XLSX zip of sane size before openpyxl opens it."""
    if not data:
        raise XlsxFileError(_("The file is empty."))
    if data.startswith(OLE2_SIGNATURE):
        raise XlsxFileError(
            _(
                "This is a password-protected workbook or an old Excel 97-2003 (.xls) file. "
                "Remove the password, save it as an Excel workbook (.xlsx) and upload it again."
            )
        )
    if not data.startswith(b"PK"):
        raise XlsxFileError(
            _(
                "This is not an Excel workbook (.xlsx). Save it as an Excel workbook and upload it again."
            )
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception as exc:  # zipfile raises many types on damaged or crafted input
        raise XlsxFileError(_("The workbook is damaged: it is not a readable zip file.")) from exc
    # zipfile stops inflating a member at its declared size, so the declared sizes can be trusted.
    if sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
        raise XlsxFileError(_("The workbook expands to more than 50 MB, which is too large."))
    if len(members) > MAX_ZIP_MEMBERS or any(
        m.file_size > RATIO_GRACE_BYTES and m.file_size > MAX_COMPRESSION_RATIO * m.compress_size
        for m in members
    ):
        raise XlsxFileError(
            _("The workbook is compressed suspiciously well (a zip bomb?) and was not opened.")
        )


def read_sheets(
    data: bytes, sheet_names: Sequence[str], *, max_rows: int, max_columns: int = MAX_COLUMNS
) -> dict[str, SheetRows]:
    """Return the non-blank rows, as (Excel row number, values), of each named sheet present."""
    check_xlsx_container(data)
    try:
        with warnings.catch_warnings(), closing(_open_workbook(data)) as workbook:
            titles = {title.strip(): title for title in workbook.sheetnames}
            sheets = {name: workbook[titles[name]] for name in sheet_names if name in titles}
            # A chart sheet has no cells; treat it as missing.
            return {
                name: _sheet_rows(sheet, name, max_rows, max_columns)
                for name, sheet in sheets.items()
                if hasattr(sheet, "iter_rows")
            }
    except XlsxFileError:
        raise
    except Exception as exc:  # openpyxl, zipfile, zlib and the XML parser fail in many ways
        raise XlsxFileError(
            _(
                "The workbook could not be read; it may be damaged. "
                "Open it in Excel, save it as an Excel workbook (.xlsx) and upload it again."
            )
        ) from exc


def _open_workbook(data: bytes) -> Any:
    # Harmless notes about styles and extensions that pytest would turn into errors.
    warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")
    return load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)


def _sheet_rows(sheet: Any, name: str, max_rows: int, max_columns: int) -> SheetRows:
    # A wrong <dimension> in the file would otherwise cut rows off without a word.
    sheet.reset_dimensions()
    rows: SheetRows = []
    data_rows = 0
    for number, values in enumerate(sheet.iter_rows(max_col=max_columns, values_only=True), 1):
        if values.count(None) == len(values) or all(
            v is None or (isinstance(v, str) and not v.strip()) for v in values
        ):
            continue
        data_rows += number > 1
        if data_rows > max_rows:
            raise XlsxFileError(
                _(
                    "The sheet %(sheet)s has more than %(n)s rows; split it into smaller files.",
                    sheet=name,
                    n=f"{max_rows:,}",
                )
            )
        rows.append((number, values))
    return rows
