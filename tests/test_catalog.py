"""Every string the platform shows has a Chinese translation: the messages of every template and Python file,
extracted in memory with babel.cfg as `make extract-messages` does, are all in the zh_Hans_CN catalog, translated
and not fuzzy."""
import os
from fnmatch import fnmatch
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "planner_platform/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
#: The folders `make extract-messages` skips (its --ignore-dirs). Babel's default skips every folder whose name
#: starts with "_" as well, which dropped templates/_macros/ from the catalog.
IGNORE_DIRS = ".* __pycache__"


def _keep(path: str) -> bool:
    return not any(fnmatch(os.path.basename(path), pattern) for pattern in IGNORE_DIRS.split())


def _used_messages() -> dict:
    """msgid (a string, or (singular, plural)) → the first place it is used."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    used = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords={**DEFAULT_KEYWORDS, "_l": None}, directory_filter=_keep):
        used.setdefault(message, f"{filename}:{lineno}")
    return used


def _catalog():
    with open(CATALOG, "rb") as po:
        return read_po(po)


def test_make_extract_messages_skips_the_same_folders():
    assert f'--ignore-dirs="{IGNORE_DIRS}"' in (ROOT / "Makefile").read_text()


def test_the_macros_are_extracted():
    assert "Remove the point" in _used_messages(), "templates/_macros/ must be part of the catalog"


def test_every_message_used_has_a_chinese_translation():
    catalog = _catalog()
    missing = []
    for message, where in _used_messages().items():
        msgid = message[0] if isinstance(message, tuple) else message
        if not msgid:
            continue
        entry = catalog.get(msgid)
        strings = entry.string if entry and isinstance(entry.string, tuple) else (entry.string if entry else "",)
        if not all(strings):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, "untranslated in zh_Hans_CN:\n" + "\n".join(missing)


def test_no_catalog_entry_is_fuzzy():
    fuzzy = [message.id for message in _catalog() if message.id and message.fuzzy]
    assert not fuzzy, f"fuzzy entries in zh_Hans_CN: {fuzzy}"
