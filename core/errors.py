"""Domain errors shared by every app, and the error-report filter."""

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter


class DomainError(Exception):
    """A rule of the service was broken; the message tells a person what to do. Views show it, the API returns 400."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class Conflict(DomainError):
    """The request clashes with the current state (already decided, already taken): the API returns 409."""

    status_code = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class LimitReached(DomainError):
    """A limit on how often something may be done was reached: the API returns 429, with `Retry-After` when the
    service knows when the limit lifts (`retry_after`, in seconds)."""

    status_code = 429
    code = "limit_reached"

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class StorageUnavailable(DomainError):
    """File storage refused a write (read-only volume, full disk, the bucket down): nothing was saved; the page shows
    the form again with what was entered, with 503."""

    status_code = 503
    code = "storage_unavailable"
    MESSAGE = "We could not save the file. Try again later."

    def __init__(self, message: str = MESSAGE, *, field: str | None = "file", code: str | None = None):
        super().__init__(message, field=field, code=code)


# Request headers an error report may show as they are; every other value is replaced.
REPORTABLE_META = frozenset(
    {
        "REQUEST_METHOD",
        "PATH_INFO",
        "SCRIPT_NAME",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "HTTP_HOST",
        "HTTP_ACCEPT",
        "HTTP_ACCEPT_LANGUAGE",
        "HTTP_USER_AGENT",
        "HTTP_X_REQUEST_ID",
        "HTTP_X_FORWARDED_PROTO",
        "wsgi.url_scheme",
    }
)


class NoRequestBodyReporterFilter(SafeExceptionReporterFilter):
    """Error emails and debug pages never show request bodies, query strings, cookies or local variables.

    Pupil data passes through forms and searches: an error report names the fields and variables, never their values.
    """

    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_safe_cookies(self, request):
        # The session cookie would let a reader of the email act as the user.
        return dict.fromkeys(getattr(request, "COOKIES", {}), self.cleansed_substitute)

    def get_safe_request_meta(self, request):
        meta = getattr(request, "META", {})
        return {
            key: (value if key in REPORTABLE_META else self.cleansed_substitute)
            for key, value in meta.items()
            if isinstance(key, str)
        }

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class NoRequestDataExceptionReporter(ExceptionReporter):
    """Also hides what the filter cannot reach: query-string values and the full URI (it carries the query)."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is not None:
            substitute = self.filter.cleansed_substitute
            data["request_GET_items"] = [(key, substitute) for key in self.request.GET]
            data["request_FILES_items"] = [(key, substitute) for key in self.request.FILES]
            data["request_insecure_uri"] = f"{self.request.scheme}://{self.request._get_raw_host()}{self.request.path}"
        return data
