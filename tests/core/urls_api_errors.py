"""Test-only URLs under /api/ that fail in ways the DRF handler does not see: a crash, a view's own JSON error, a
plain Django view refusing a method."""

from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from schools_portal.urls import urlpatterns as project_urlpatterns


def broken(request):
    raise RuntimeError("the database fell over")


def plain_json(request):
    return JsonResponse({"bcu_id": ["Choose one of your BCUs."]}, status=400)


@require_GET
def get_only(request):
    return HttpResponse("ok")


urlpatterns = [
    path("api/core-test/broken/", broken),
    path("api/core-test/plain-json/", plain_json),
    path("api/core-test/get-only/", get_only),
    *project_urlpatterns,
]

handler500 = "core.views.server_error"
handler404 = "core.views.page_not_found"
