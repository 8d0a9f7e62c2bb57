"""Forms for the reader's actions on comments; the rules live in comments.services."""

from django import forms
from django.conf import settings

from comments.models import Flag
from comments.selectors import SORTS


class CommentForm(forms.Form):
    """A new comment, or a reply when `parent` is set."""

    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(
            attrs={"rows": 5, "dir": "auto", "aria-describedby": "comment-form-hint"}
        ),
        max_length=settings.NEWSROOM_COMMENT_MAX_LENGTH,
        strip=True,
        error_messages={"required": "Write something before posting."},
    )
    notify_replies = forms.BooleanField(
        required=False, label="Email me replies to this comment"
    )
    # A honeypot: hidden from people by CSS, filled in by naive bots.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(
        required=False, choices=[(key, key) for key in SORTS], widget=forms.HiddenInput
    )


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        max_length=settings.NEWSROOM_COMMENT_MAX_LENGTH,
        strip=True,
        error_messages={"required": "A comment cannot be empty; delete it instead."},
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label="Why are you reporting this comment?", choices=Flag.Reason)
    note = forms.CharField(
        label="Anything the moderators should know (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
