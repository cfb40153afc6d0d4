"""The same test URLs with Django's default error handlers (as the project has unless it sets handler500)."""

from tests.core.urls import urlpatterns  # noqa: F401
