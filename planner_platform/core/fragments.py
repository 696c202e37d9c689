"""Rendered fragments kept in memory, keyed by everything they show.

A list page renders the same cards request after request: a card is a pure function of the values it shows, so
`{% call fragment('card', proposal.id, proposal.title, ...) %}…{% endcall %}` renders its body once per distinct
key and language and answers from memory after. A changed value (a new support, a new state) is a new key, so
nothing is ever stale and nothing needs invalidating; the least recently used entries make room for new ones.

Only fragments whose every shown value is in the key belong here: nothing of the viewer (no names, no CSRF token,
no "you supported this"), nothing of the clock that the key does not carry.
"""
import threading
from collections import OrderedDict

from flask import request
from flask_babel import get_locale
from markupsafe import Markup

#: Entries per process: a few pages of every list in both languages (a card is under 1 KB).
MAX_ENTRIES = 4096


class FragmentMemo:
    """A bounded least-recently-used map from keys to rendered HTML."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, Markup] = OrderedDict()
        self._lock = threading.Lock()  # the development server serves requests from threads

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __call__(self, *parts, caller) -> Markup:
        """The fragment for `parts` in the request's language and URL root: from memory, else `caller()`."""
        key = (str(get_locale()), request.script_root, *parts)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        html = Markup(caller())
        with self._lock:
            self._entries[key] = html
            if len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return html
