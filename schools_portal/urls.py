from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from core.api_docs import api_docs
from core.views import healthz

api_v1 = [
    path("", include("schools.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("accounts.identity.api_urls")),
    path("wands/", include("wands.api.urls")),
    path("toolkit/", include("education_toolkit.api.urls")),
    path("officers/", include("officers.api.urls")),
    path("stepping-stones/", include("stepping_stones.api.urls")),
    path("insights/", include("insights.api.urls")),
    path("open/", include("public.api.urls")),
    path("audit/", include("core.api.audit")),
]

handler500 = "core.views.server_error"

urlpatterns = [
    path("", include("public.urls")),
    path("schools/", include("schools.urls")),
    path("wands/", include("wands.urls")),
    path("toolkit/", include("education_toolkit.urls")),
    path("officers/", include("officers.urls")),
    path("stepping-stones/", include("stepping_stones.urls")),
    path("insights/", include("insights.urls")),
    path("account/", include("accounts.identity.urls")),
    path("audit/", include("core.audit_urls")),
    path("account/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
