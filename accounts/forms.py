from allauth.account.forms import LoginForm as AllauthLoginForm


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
