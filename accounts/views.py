from django.http import Http404
from django.views.generic import ListView

from accounts.selectors import profile_comment_list, profile_user_get


class ProfileView(ListView):
    """A commenter's public page: who they are and what they have said."""

    template_name = "accounts/profile.html"
    context_object_name = "comments"
    paginate_by = 20

    def get_queryset(self):
        username = self.kwargs["username"]
        if "\x00" in username:
            # No username holds a NUL, and PostgreSQL refuses one in a query.
            raise Http404("No such reader.")
        self.profile_user = profile_user_get(username=username)
        return profile_comment_list(user=self.profile_user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["profile_user"] = self.profile_user
        return context
