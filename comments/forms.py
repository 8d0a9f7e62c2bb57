"""Forms for the reader's actions on comments; the rules live in comments.services."""

from datetime import datetime, time

from django import forms
from django.conf import settings
from django.utils import timezone

from comments.models import Ban, Flag
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


class BanForm(forms.Form):
    """A moderator's ban of a comment's author (see `user_ban`)."""

    reason = forms.CharField(
        label="Reason shown to the reader",
        required=False,
        max_length=Ban._meta.get_field("reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3, "aria-describedby": "ban-reason-hint"}),
        help_text="The reader sees this when they try to comment, with a link to the comment "
        "guidelines. Leave it empty for the standard wording: “Your account may not comment "
        f"because of {Ban.STANDARD_REASON}.”",
    )
    until = forms.DateField(
        label="Ban ends on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "aria-describedby": "ban-until-hint"}),
        help_text="The reader may comment again from the start of this day. "
        "Leave it empty to ban them until a moderator lifts the ban.",
    )
    note = forms.CharField(
        label="Internal note",
        required=False,
        max_length=Ban._meta.get_field("note").max_length,
        widget=forms.TextInput(attrs={"aria-describedby": "ban-note-hint"}),
        help_text="For moderators only; never shown to the reader.",
    )

    def clean_until(self):
        day = self.cleaned_data["until"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError("Choose a day after today, or leave it empty.")
        return day

    def until_moment(self):
        """The end of the ban: the chosen day's first moment, in the site's time zone."""
        day = self.cleaned_data["until"]
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.min))
