import json

from allauth.idp.oidc.models import Client
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def add_redirect_uris(request):
    """Test set-up only: register the live server's callback addresses once its port is known."""
    for client_id, uris in json.loads(request.body).items():
        client = Client.objects.get(id=client_id)
        client.set_redirect_uris(sorted(set(client.get_redirect_uris()) | set(uris["redirect_uris"])))
        client.set_post_logout_redirect_uris(uris["post_logout_redirect_uris"])
        client.save()
    return JsonResponse({"ok": True})


def ready(request):
    return HttpResponse("ready")


urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("", include("allauth.idp.urls")),
    path("test-setup/redirect-uris", add_redirect_uris),
    path("test-setup/ready", ready),
]
