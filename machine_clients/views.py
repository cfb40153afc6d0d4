"""The programme admin's pages for machine clients (list, register and see the secret once, revoke) and the OAuth 2.0
token endpoint for systems. Views gate early and call services."""

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from oauth2_provider.models import AccessToken
from oauth2_provider.views import TokenView as OAuthTokenView

from accounts.identity.forms import add_domain_error
from core import fragments
from core.client_ip import client_ip
from core.errors import DomainError
from core.workflow import open_actions
from machine_clients import selectors, services
from machine_clients.forms import MachineClientRegisterForm, MachineClientRevokeForm
from machine_clients.models import MachineClient
from machine_clients.permissions import can_manage_machine_clients

PAGE_SIZE = 50
TOKEN_REQUESTS_PER_MINUTE = 30  # per client address: a nightly job needs one


def _token_requests_over_limit(request) -> bool:
    address = hashlib.sha256((client_ip(request) or "unknown").encode()).hexdigest()[:32]
    key = f"oauth-token:{address}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=61)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        count = 1
    return count > TOKEN_REQUESTS_PER_MINUTE


def _gate(request):
    if not can_manage_machine_clients(request.user):
        raise PermissionDenied


@never_cache
@login_required
def client_list(request):
    _gate(request)

    def context() -> dict:
        page = Paginator(selectors.machine_clients_visible_to(request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        now = timezone.now()
        for client in page:
            if client.status_at(now) == MachineClient.Status.ACTIVE:
                fragments.changes_at(client.expires_at)  # it shows as expired from then on
        return {"page": page}

    # The clients and their owners; a call's record (MachineClientCall) is not shown here.
    content_html = fragments.rendered(
        request,
        "machine-clients",
        "machine_clients/includes/list_content.html",
        context,
        depends_on=LIST_TABLES,
    )
    return render(request, "machine_clients/list.html", {"content_html": content_html})


LIST_TABLES = ("machine_clients.MachineClient", "oauth2_provider.Application", "schools.LocalAuthority", "accounts")

REGISTERED_FORMS = "machine_clients:registered_forms"  # session: form nonce -> the client it registered


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def client_register(request):
    """Register a system; its secret is shown once, in the answer to the form (it is never stored, so there is no page
    to redirect to). Each form carries a nonce: sending the same form again (reload, Back then submit, a second click)
    registers nothing more and goes to the system it registered, which says the secret was shown once."""
    _gate(request)
    form = MachineClientRegisterForm(request.POST or None)
    registered_forms = request.session.get(REGISTERED_FORMS, {})
    nonce = request.POST.get("form_nonce", "") if request.method == "POST" else secrets.token_urlsafe(16)
    if request.method == "POST" and nonce in registered_forms:
        messages.info(
            request,
            "This system is already registered: its client secret was shown once, when you registered it. "
            "If it was not copied, revoke this one and register the system again.",
        )
        return redirect("machine_clients:detail", registered_forms[nonce])
    if request.method == "POST" and form.is_valid():
        try:
            registered = services.machine_client_register(
                actor=request.user,
                name=form.cleaned_data["name"],
                local_authority_code=form.cleaned_data["local_authority"],
                organisation_id=form.cleaned_data["organisation"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if nonce:
                registered_forms = dict(list(registered_forms.items())[-19:])  # the last few forms are enough
                registered_forms[nonce] = registered.client.pk
                request.session[REGISTERED_FORMS] = registered_forms
            # Rendered, not redirected: the secret exists only in this response and is never stored.
            response = render(request, "machine_clients/registered.html", {"registered": registered})
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request, "machine_clients/register.html", {"form": form, "form_nonce": nonce or secrets.token_urlsafe(16)}
    )


@never_cache
@login_required
def client_detail(request, pk: int):
    _gate(request)
    client = selectors.machine_client_visible_to(request.user, pk)
    if client is None:
        raise Http404
    return render(
        request,
        "machine_clients/detail.html",
        {
            "client": client,
            "actions": open_actions(client, request.user),
            "calls": selectors.machine_client_recent_calls(client),
            "retention_days": settings.MACHINE_CLIENT_CALL_RETENTION_DAYS,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def client_revoke(request, pk: int):
    _gate(request)
    client = selectors.machine_client_visible_to(request.user, pk)
    if client is None:
        raise Http404
    form = MachineClientRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.machine_client_revoke(client_id=client.pk, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"'{client.name}' was revoked. Its credentials and tokens no longer work.")
            return redirect(reverse("machine_clients:list"))
    return render(request, "machine_clients/revoke.html", {"client": client, "form": form})


@method_decorator(csrf_exempt, name="dispatch")
class TokenView(OAuthTokenView):
    """`POST /oauth/token/` with `grant_type=client_credentials`: django-oauth-toolkit's token endpoint (RFC 6749
    answers: `{"access_token", "token_type", "expires_in", "scope"}` or `{"error", "error_description"}`), with each
    token issued audited and each request by a known client in the access log."""

    def post(self, request, *args, **kwargs):
        if _token_requests_over_limit(request):
            # Checking a secret costs a password hash: a flood of guesses must not take the CPU.
            response = JsonResponse(
                {"error": "too_many_requests", "error_description": "Too many token requests: wait a minute."},
                status=429,
            )
            response["Retry-After"] = "60"
            response["Cache-Control"] = "no-store"
            return response
        response = super().post(request, *args, **kwargs)
        client = None
        if response.status_code == 200:
            token = self._issued_token(response)
            if token is not None:
                client = token.application.machine_client
                services.machine_client_token_issued(client=client, token=token)
        if client is None:
            client = self._named_client(request)
        if client is not None:
            request.machine_client_call = {
                "client_id": client.pk,
                "refused": "" if response.status_code == 200 else "token_refused",
            }
        response["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _named_client(request) -> MachineClient | None:
        """The registered client a refused token request names (HTTP Basic or the body), for the access log."""
        client_id = request.POST.get("client_id", "")
        parts = request.headers.get("Authorization", "").split()
        if len(parts) == 2 and parts[0].lower() == "basic":
            try:
                client_id = unquote_plus(base64.b64decode(parts[1]).decode("utf-8").split(":", 1)[0])
            except (ValueError, UnicodeDecodeError):
                return None
        if not client_id:
            return None
        return MachineClient.objects.filter(application__client_id=client_id[:100]).first()

    @staticmethod
    def _issued_token(response) -> AccessToken | None:
        plaintext = json.loads(response.content).get("access_token")
        if not plaintext:
            return None
        checksum = hashlib.sha256(plaintext.encode("utf-8")).hexdigest()
        return AccessToken.objects.select_related("application__machine_client").filter(token_checksum=checksum).first()
