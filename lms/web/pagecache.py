"""Learner pages kept per worker process: the page a person was last given, with its ETag, so
asking for it again while nothing it shows has changed costs one query instead of a page.

The ETag (``lms.web.revalidation``) names everything the page shows, so a kept page is given
again only when a fresh check computes the same ETag; after progress, a re-import, a role or
name change, a language switch, a new day or a new CSRF window the check computes another one
and the page is built again. One entry per person and page (a new build replaces it), the
least recently used dropped first once ``PAGE_CACHE_BYTES`` is reached (per worker; 0 keeps
nothing). Each app has its own, in ``app.extensions``.

With an entry the worker may remember the answer of the check that last confirmed it (a
*memo*, ``remember``), valid while the database's change signal gives the same stamp
(``lms.changes``): then the page is given again without a query.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Hashable

from flask import Flask, current_app

EXTENSION = "lms.page_cache"


class PageCache:
    """A size-bounded LRU of (ETag, body, memo) per key; safe across threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[str, bytes, Any]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[str, bytes, Any] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, etag: str, body: bytes, memo: Any = None) -> None:
        if len(body) > self.max_bytes:
            self.discard(key)
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1])
            self._entries[key] = (etag, body, memo)
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                _, (_, dropped, _) = self._entries.popitem(last=False)
                self._bytes -= len(dropped)

    def remember(self, key: Hashable, etag: str, memo: Any) -> None:
        """Attach ``memo`` to the entry, if it is still the page tagged ``etag``."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] == etag:
                self._entries[key] = (etag, found[1], memo)

    def discard(self, key: Hashable) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1])

    @property
    def size(self) -> tuple[int, int]:
        """(pages, bytes) kept now."""
        with self._lock:
            return len(self._entries), self._bytes


def page_cache(app: Flask | None = None) -> PageCache | None:
    """This app's page cache; None when ``PAGE_CACHE_BYTES`` is 0 or the app runs in debug
    mode (templates reload)."""
    app = app or current_app
    if app.debug or not app.config.get("PAGE_CACHE_BYTES"):
        return None
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        cache = app.extensions[EXTENSION] = PageCache(int(app.config["PAGE_CACHE_BYTES"]))
    return cache
