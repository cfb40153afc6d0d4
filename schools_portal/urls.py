from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts.identity.views import activate_totp, django_admin_login
from core.api_docs import api_docs
from core.views import favicon, healthz
from machine_clients.views import TokenView as MachineClientTokenView

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
    path("audit/", include("insights.api.audit")),
    path("api-clients/", include("machine_clients.api.urls")),
]

handler500 = "core.views.server_error"
# Problem details under /api/, Django's pages elsewhere.
handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"

urlpatterns = [
    path("", include("public.urls")),
    path("schools/", include("schools.urls")),
    path("wands/", include("wands.urls")),
    path("toolkit/", include("education_toolkit.urls")),
    path("officers/", include("officers.urls")),
    path("stepping-stones/", include("stepping_stones.urls")),
    path("insights/", include("insights.urls")),
    path("account/", include("accounts.identity.urls")),
    path("audit/", include("insights.audit_urls")),
    # allauth's set-up page, with a secret that stays the same until set-up ends (accounts.identity.mfa_forms).
    path("account/2fa/totp/activate/", activate_totp, name="mfa_activate_totp"),
    path("account/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("api-clients/", include("machine_clients.urls")),
    # OAuth 2.0 token endpoint for systems (client credentials only): RFC 6749 JSON, not the API's error shape.
    path("oauth/token/", MachineClientTokenView.as_view(), name="oauth-token"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
]

# The Django admin is for operations staff, signed in through the portal's own sign-in (password and two-factor):
# its own login page sends them there. Production serves it only when DJANGO_ADMIN_ENABLED is set.
if settings.ADMIN_ENABLED:
    urlpatterns += [
        path("django-admin/login/", django_admin_login, name="django_admin_login"),
        path("django-admin/", admin.site.urls),
    ]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
