"""The app as `newsroom.wsgi` serves it, less the optimisation named in
NEWSROOM_BENCH_WITHOUT (see bench.ablation). For `make bench` only."""

import os

from bench.ablation import switch_off

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
_without = os.environ.get("NEWSROOM_BENCH_WITHOUT", "")
if _without:
    switch_off(_without, before_setup=True)

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
if _without:
    switch_off(_without, before_setup=False)
