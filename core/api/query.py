"""Unknown query parameters on the API are a 400 naming them: a typo (`?stauts=open`) must not silently return every
row.

One mechanism for every GET operation, driven by the OpenAPI schema itself: the parameters an operation accepts are
the query parameters its schema declares (its filters, search, ordering and paging parameters, and any the view
declares with `extend_schema`), plus `format`. So what the documentation lists and what the service accepts cannot
drift apart: a view that reads a parameter it does not document rejects it (and its tests fail), and a documented one
is accepted. The schema is generated once per process, the first time a GET arrives with any query parameter; under
gunicorn it is built in the master before the workers fork (deploy/gunicorn.conf.py `when_ready`).

The check runs as middleware (`process_view`), before the view: the refusal is answered by a small DRF view, so it
has the API's error shape and content negotiation like any other 400.
"""

import functools

from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

# Accepted everywhere: DRF's format override (`?format=json`).
ALWAYS_ACCEPTED = frozenset({"format"})


@functools.cache
def declared_query_parameters() -> dict[tuple[type, str | None], frozenset[str]]:
    """(view class, viewset action or None) → the query parameter names its GET operation declares."""
    from drf_spectacular.generators import SchemaGenerator

    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    declared: dict[tuple[type, str | None], frozenset[str]] = {}
    for path, _regex, method, view in generator._get_paths_and_endpoints():
        if method != "GET":
            continue
        operation = schema["paths"].get(path, {}).get("get")
        if operation is None:
            continue
        names = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
        key = (type(view), getattr(view, "action", None))
        declared[key] = frozenset(names | declared.get(key, frozenset()))
    return declared


def unknown_query_parameters(view_func, request) -> tuple[list[str], list[str]] | None:
    """(unknown, known) for a GET to a documented API operation with parameters it does not declare, else None."""
    if request.method not in ("GET", "HEAD") or not request.GET:
        return None
    view_class = getattr(view_func, "cls", None)
    if view_class is None or not request.path_info.startswith("/api/"):
        return None
    actions = getattr(view_func, "actions", None)
    action = actions.get("get") if actions else None
    known = declared_query_parameters().get((view_class, action))
    if known is None:  # not in the schema (the schema view itself): nothing to check against
        return None
    unknown = sorted(set(request.GET) - known - ALWAYS_ACCEPTED)
    return (unknown, sorted(known)) if unknown else None


class UnknownQueryParameters(APIView):
    """Answers a request that `KnownQueryParametersMiddleware` refused: 400 with one error per unknown parameter."""

    permission_classes = [AllowAny]
    # Saying which parameters are unknown needs no credentials (and a system's scope check would answer 403 here,
    # since this view declares no scope): the operation itself still checks them once the query is right.
    authentication_classes: list = []
    unknown: list[str] = []
    known: list[str] = []

    def get(self, request, *args, **kwargs):
        accepted = ", ".join(self.known) if self.known else "none"
        raise ValidationError(
            {name: [f"Unknown query parameter. This operation accepts: {accepted}."] for name in self.unknown},
            code="unknown_parameter",
        )


class KnownQueryParametersMiddleware:
    """A GET to an API operation with a query parameter its schema does not declare is 400 naming the parameter."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        found = unknown_query_parameters(view_func, request)
        if found is None:
            return None
        unknown, known = found
        return UnknownQueryParameters.as_view(unknown=unknown, known=known)(request, *view_args, **view_kwargs)
