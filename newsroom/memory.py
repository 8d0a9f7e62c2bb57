"""A small per-process memory of things that cannot go stale.

The page versions in the database decide what is current
(`storypage.versions`); the shared cache's small entries carry those
versions or content hashes. Big values that those entries point to,
such as a rendered page or thread, are kept here too, under a key that
changes whenever their content does, so reading them needs no invalidation,
only a bound on memory. Small entries that carry the versions they were
made from may be kept too, by a caller that compares those versions with
the database's before using one (`storypage.shared_pages`). Reading a few hundred kilobytes back from Redis
costs several times a small read, on every request; this saves that.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings


class BoundedMemory:
    """Least recently used values, up to `share` of NEWSROOM_PAGE_MEMORY_BYTES.

    A setting of 0 switches every such memory off: each value is then read
    from the shared cache or built again.

    The shares of all the memories in a process add up to 1, so together
    they stay within the setting. `size` tells how many bytes a value takes;
    a value bigger than the memory's whole share is not kept.
    """

    def __init__(self, *, size: Callable[[object], int], share: float):
        self._size = size
        self._share = share
        self._items: OrderedDict[str, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str):
        if settings.NEWSROOM_PAGE_MEMORY_BYTES <= 0:  # switched off
            return None
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: str, value) -> None:
        limit = int(settings.NEWSROOM_PAGE_MEMORY_BYTES * self._share)
        size = self._size(value)
        if size > limit:
            return
        with self._lock:
            previous = self._items.pop(key, None)
            if previous is not None:
                self._bytes -= previous[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > limit:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)
