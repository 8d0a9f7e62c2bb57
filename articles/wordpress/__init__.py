"""WordPress eXtended RSS (WXR 1.0–1.2): stories and their comment threads in
and out (`manage.py import_wordpress`, `manage.py export_wordpress`).

- `content`: WordPress HTML to what stories and comments store, and back.
- `wxr`: the streamed, defused reading of an export file (no database).
- `importing`: the import service (one transaction per story).
- `exporting`: WXR 1.2 of our stories and their threads.
"""
