"""Domain errors shared by every app, and the error-report filter."""

from django.views.debug import SafeExceptionReporterFilter


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


class NoRequestBodyReporterFilter(SafeExceptionReporterFilter):
    """Error emails and debug pages never show POST data, cookies or settings values that might be personal."""

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def is_active(self, request):
        return True
