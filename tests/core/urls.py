"""Test-only URLs: the project's, plus views that fail in each way an error page covers."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.shortcuts import render
from django.urls import path

from schools_portal.urls import urlpatterns as project_urlpatterns


def forbidden(request):
    raise PermissionDenied


def not_found(request, urn):
    raise Http404("No school with URN " + urn)


def suspicious(request):
    raise SuspiciousOperation("tampered form")


def broken(request, urn=""):
    raise RuntimeError("the database fell over")


def rate_limited(request):
    return render(request, "429.html", status=429)


urlpatterns = [
    path("core-test/forbidden", forbidden),
    path("core-test/schools/<str:urn>", not_found),
    path("core-test/suspicious", suspicious),
    path("core-test/broken", broken),
    path("core-test/broken/<str:urn>", broken),
    path("core-test/rate-limited", rate_limited),
    *project_urlpatterns,
]

handler500 = "core.views.server_error"
