from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """Liveness probe for load balancers; also the benchmarks' baseline view."""
    return HttpResponse("ok", content_type="text/plain")
