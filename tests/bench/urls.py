"""The project's URLs plus the bare page of bench/urls.py (`bench/floor.html`: the service layout with an empty main),
without bench/urls.py itself (importing it patches the API throttles never to refuse, for the whole process)."""

from django.shortcuts import render
from django.urls import include, path


def floor_page(request):
    return render(request, "bench/floor.html", {})


urlpatterns = [
    path("bench/floor/page/", floor_page, name="bench-floor-page"),
    path("", include("schools_portal.urls")),
]
