"""Forms of the editors' admin for stories."""

from django import forms

from articles.images import LeadImageFormField
from articles.models import Article


class ArticleAdminForm(forms.ModelForm):
    """The story form: its lead image upload is checked against the lead image limits."""

    class Meta:
        model = Article
        fields = "__all__"
        field_classes = {"lead_image": LeadImageFormField}
