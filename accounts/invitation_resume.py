"""An invitation carried through sign-up: someone who opens an invitation link before they have an account signs up,
confirms their email address (often after leaving the site), signs in and perhaps sets up two-factor. They then land
on the invitation they came from, with its action, not on the generic landing page.

The invitation page keeps its own address in the session (the address is the link from the email, a secret the
person already holds; it never goes into another URL, a log or an email). It is used once: the first page after
sign-in (and after two-factor set-up, when the person's roles require it) takes it.
"""

from django.urls import Resolver404, resolve

SESSION_KEY = "portal_invitation_to_resume"
INVITATION_PAGES = {"accounts:invitation_accept", "accounts:organisation_invitation_accept"}


def remember(request) -> None:
    """Called by an invitation link's page shown to someone not signed in."""
    request.session[SESSION_KEY] = request.path


def take(request) -> str | None:
    """The invitation page to resume, once, for a signed-in person whose two-factor is in order; else None."""
    from accounts.identity import mfa

    path = request.session.get(SESSION_KEY)
    if not path or not request.user.is_authenticated or mfa.two_factor_missing(request.user):
        return None
    del request.session[SESSION_KEY]
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return path if match.view_name in INVITATION_PAGES else None
