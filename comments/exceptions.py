"""Errors the comment services raise."""

from django.core.exceptions import ValidationError


class CommentError(ValidationError):
    """A refused write, with the reason to show the reader in `.message`.

    Raised for everything that is not a permission problem (those raise
    `django.core.exceptions.PermissionDenied`): closed comments, an empty or
    overlong body, a reply to a removed comment, a second report, and so on.
    """

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message, code=code)
