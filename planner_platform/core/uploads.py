"""Reading uploaded text files the way Chinese offices produce them."""
from flask_babel import gettext as _

from planner_platform.core.errors import DomainError


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
