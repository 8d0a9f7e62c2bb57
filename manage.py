#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import os
import sys

# Settings fail closed: debug is off unless DJANGO_DEBUG=true. manage.py run in
# a bare checkout, with no configuration at all, is a developer's tool and asks
# for debug as the Makefile does; as soon as any production variable is set it
# does not, so a deploy that forgets one is refused. The server (gunicorn,
# newsroom.wsgi) never asks for it.
PRODUCTION_VARIABLES = ("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL")


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    if not any(os.environ.get(name) for name in PRODUCTION_VARIABLES):
        os.environ["DJANGO_DEBUG"] = "true"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
