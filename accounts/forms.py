from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms


class LoginForm(AllauthLoginForm):
    """allauth's log-in form with its identifier field named for what it takes.

    allauth labels the field "Login" and hints browsers to fill in an email
    address, though a username works too; "username" is the autocomplete
    token password managers pair with "current-password".
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = "Username or email"
        login.widget.attrs["autocomplete"] = "username"


class AccountDeleteForm(forms.Form):
    """Closing an account: confirmed by the reader's password when they have one."""

    password = forms.CharField(
        label="Your password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    remove_comments = forms.BooleanField(
        required=False,
        label="Also remove my comments that no one has replied to (the others show as “[deleted]”)",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]  # confirmed by a link sent by email instead

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password; nothing was deleted.")
        return password
