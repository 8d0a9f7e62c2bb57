"""Create the editor account and the Editors group, once; safe to run on every deploy.

The account comes from NEWSROOM_EDITOR_USERNAME (default "editor"),
NEWSROOM_EDITOR_EMAIL (default "editor@localhost") and
NEWSROOM_EDITOR_PASSWORD. They are read here rather than in settings because
only this bootstrap step needs them, and a password has no business staying
in the settings of every running process.
"""

import os
import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

EDITORS_GROUP = "Editors"
EDITOR_APPS = ("articles", "comments", "flatpages")
EDITOR_ACTIONS = ("add", "change", "delete", "view")


def editors_group() -> Group:
    """The Editors group with every add/change/delete/view permission of the editorial apps."""
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=EDITOR_APPS)
    group.permissions.set([p for p in permissions if p.codename.split("_", 1)[0] in EDITOR_ACTIONS])
    return group


class Command(BaseCommand):
    help = (
        "Create the staff editor account (NEWSROOM_EDITOR_USERNAME / _EMAIL / _PASSWORD) "
        "in the Editors group if it does not exist. An existing password is never changed."
    )

    def handle(self, *args, **options):
        username = os.environ.get("NEWSROOM_EDITOR_USERNAME", "").strip() or "editor"
        email = os.environ.get("NEWSROOM_EDITOR_EMAIL", "").strip() or "editor@localhost"
        password = os.environ.get("NEWSROOM_EDITOR_PASSWORD", "")
        User = get_user_model()

        with transaction.atomic():
            group = editors_group()
            user = User.objects.filter(username=username).first()
            created = user is None
            if created:
                if User.objects.filter(email__iexact=email).exists():
                    raise CommandError(
                        f"Another account already uses {email}; set NEWSROOM_EDITOR_EMAIL."
                    )
                user = User(username=username, email=email, is_staff=True, is_superuser=False)
                generated = not password
                password = password or secrets.token_urlsafe(18)
                try:
                    validate_password(password, user)
                except ValidationError as error:
                    raise CommandError(
                        "NEWSROOM_EDITOR_PASSWORD is too weak: " + " ".join(error.messages)
                    ) from None
                user.set_password(password)
                user.save()
            elif not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            user.groups.add(group)
            self._verify_email(user)

        if not created:
            self.stdout.write(f"Editor account '{username}' exists")
            return
        self.stdout.write(self.style.SUCCESS(f"Created editor account '{username}' <{email}>."))
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Generated password for '{username}': {password}\n"
                    "Store it now: it is not shown again. "
                    "(Set NEWSROOM_EDITOR_PASSWORD to choose one.)"
                )
            )

    def _verify_email(self, user) -> None:
        """Give the editor a verified primary address, so sign-in skips email confirmation."""
        if not user.email:
            return
        address = EmailAddress.objects.filter(email__iexact=user.email).first()
        if address is not None and address.user_id != user.pk:
            raise CommandError(f"{user.email} belongs to another account.")
        if address is None:
            address = EmailAddress(user=user, email=user.email)
        EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(
            primary=False
        )
        address.verified = address.primary = True
        address.save()
