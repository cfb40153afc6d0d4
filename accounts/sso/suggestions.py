"""What DfE Sign-in's organisation claim suggests: shown to the person, never acted on by itself."""

from __future__ import annotations

from . import trust


def join_request_suggestion(request) -> dict | None:
    """The register's school for the establishment the person chose at DfE Sign-in, with whether they may ask to join
    it (not already on its staff, no request waiting). None when the claim names no school in the register."""
    from accounts.models import JoinRequest, SchoolMembership
    from schools.models import School

    organisation = request.session.get(trust.SESSION_ORGANISATION_KEY) or {}
    urn = organisation.get("urn")
    user = request.user
    if not urn or not user.is_authenticated:
        return None
    school = School.objects.filter(urn=urn).first()
    if school is None:
        return None
    member = SchoolMembership.objects.current().filter(user=user, school=school).exists()
    waiting = JoinRequest.objects.filter(user=user, school=school, status=JoinRequest.Status.PENDING).exists()
    return {
        "school": school,
        "member": member,
        "waiting": waiting,
        "can_ask": not member and not waiting and school.status == School.Status.OPEN,
    }
