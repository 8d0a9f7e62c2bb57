from django.views.generic import DateDetailView, ListView

from articles.models import Article


class ArticleIndexView(ListView):
    queryset = Article.objects.published().for_listing()
    paginate_by = 10


class ArticleDetailView(DateDetailView):
    queryset = Article.objects.published().for_listing()
    date_field = "published_at"
    month_format = "%m"
