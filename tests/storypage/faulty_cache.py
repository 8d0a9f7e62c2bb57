"""A local-memory cache whose calls fail the ways Redis does, on demand.

`FaultyCache.mode` applies to every instance in the process:

- "ok": a plain local-memory cache;
- "error": every call raises, as with Redis down (connection refused);
- "timeout": every call raises a timeout, as with a Redis that hangs;
- "readonly": reads answer, writes raise, as a primary refuses writes
  during a failover;
- "dropped": reads answer, writes are silently lost, as the fail-open
  Redis cache answers while Redis refuses writes.
"""

from django.core.cache.backends.locmem import LocMemCache

MODES = ("ok", "error", "timeout", "readonly", "dropped")
_READS = ("get", "get_many", "has_key")
_WRITES = ("set", "set_many", "add", "delete", "delete_many", "touch", "incr", "decr", "clear")


class FaultyCache(LocMemCache):
    mode = "ok"


def _faulty(name: str, *, write: bool):
    def method(self, *args, **kwargs):
        mode = FaultyCache.mode
        if mode == "error":
            raise ConnectionError(f"Error 111 connecting to the cache ({name})")
        if mode == "timeout":
            raise TimeoutError(f"Timeout reading from the cache ({name})")
        if write and mode == "readonly":
            raise ConnectionError("READONLY You can't write against a read only replica.")
        if write and mode == "dropped":
            return [] if name == "set_many" else None
        return getattr(LocMemCache, name)(self, *args, **kwargs)

    method.__name__ = name
    return method


for _name in _READS:
    setattr(FaultyCache, _name, _faulty(_name, write=False))
for _name in _WRITES:
    setattr(FaultyCache, _name, _faulty(_name, write=True))
