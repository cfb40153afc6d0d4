"""'View as': a programme admin sees the service as another user, read-only.

Programme apps must refuse pupil records while `is_viewing_as(request)` is true (Stepping Stones pupil pages and
their API), whatever roles the viewed user holds.
"""

SESSION_KEY = "identity.view_as"
MAX_SECONDS = 30 * 60


def is_viewing_as(request) -> bool:
    return getattr(request, "view_as_actor", None) is not None


def view_as_actor(request):
    """The programme admin behind the request while viewing as someone, else None."""
    return getattr(request, "view_as_actor", None)
