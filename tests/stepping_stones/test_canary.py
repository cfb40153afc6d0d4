"""The canary pupil: a unique name, UPN and date of birth go through the whole API flow; they must never appear in a
log record, an email, an audit entry outside the record itself, or a requested URL."""

import logging
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from stepping_stones import services
from stepping_stones.upn import upn_make
from tests.etag import patch_with_etag

from .factories import coordinator, refer

pytestmark = pytest.mark.django_db

CANARY_FIRST = "Zebediahcanary"
CANARY_LAST = "Quillfeathertest"
CANARY_UPN = upn_make("202999925777")
CANARY_DOB = date(2015, 2, 28)
CANARY_STRINGS = (CANARY_FIRST, CANARY_LAST, CANARY_UPN, CANARY_UPN.lower(), "2015-02-28", "28/02/2015", "28 February")


class RecordingClient(APIClient):
    """Remembers every path and query string requested."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.requested: list[str] = []

    def generic(self, method, path, *args, **kwargs):
        self.requested.append(f"{method} {path} {kwargs.get('QUERY_STRING', '')}")
        return super().generic(method, path, *args, **kwargs)


def _leaks(text: str) -> list[str]:
    return [canary for canary in CANARY_STRINGS if canary.lower() in text.lower()]


@pytest.fixture
def capture_all_logs(caplog):
    """caplog at DEBUG on the root logger and on loggers that do not propagate."""
    caplog.set_level(logging.DEBUG)
    extra = [logging.getLogger(name) for name in ("django.request", "django.server", "portal", "django.security")]
    for logger in extra:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in extra:
        logger.removeHandler(caplog.handler)


def test_the_canary_never_leaks(
    capture_all_logs,
    cohort,
    primary,
    secondary,
    participating,
    primary_lead,
    secondary_lead,
    django_capture_on_commit_callbacks,
):
    caplog = capture_all_logs
    participating.places = 1
    participating.save()
    api = RecordingClient()

    def call(method, name, data=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(api, method)(
                reverse(f"stepping_stones-api:{name}", kwargs=kwargs or None), data or {}, format="json"
            )
        return response

    # Someone else holds the only place.
    other = refer(actor=primary_lead, cohort=cohort, referring_school=primary, receiving_school=secondary, n=1)
    services.referral_accept(actor=secondary_lead, referral=other)

    api.force_authenticate(primary_lead)
    pupil = {
        "cohort": cohort.transition_year,
        "referring_school_urn": primary.pk,
        "first_name": CANARY_FIRST,
        "last_name": CANARY_LAST,
        "date_of_birth": CANARY_DOB.isoformat(),
        "upn": CANARY_UPN,
    }
    # Bad input first: a wrong check letter and an impossible date, with the canary's name in the body.
    bad = call("post", "referrals", {**pupil, "upn": "A" + CANARY_UPN[1:], "date_of_birth": "2015-02-30"})
    assert bad.status_code == 400
    assert not _leaks(str(bad.json()))
    created = call("post", "referrals", pupil)
    assert created.status_code == 201
    reference = created.json()["reference"]
    assert not _leaks(reference)
    assert call("post", "submit", reference=reference).status_code == 400  # no consent yet
    consent = {
        "given_by_name": "Canaryparent Quillfeathertest",
        "relationship": "mother",
        "method": "paper",
        "given_on": "2026-01-10",
        "text_version": services.CONSENT_TEXT_VERSIONS[-1],
    }
    assert call("post", "consent", consent, reference=reference).status_code == 200
    assert call("post", "submit", reference=reference).json()["status"] == "pending_destination"
    duplicate = call("post", "referrals", pupil)
    assert duplicate.status_code == 409 and not _leaks(str(duplicate.json()))

    api.force_authenticate(coordinator())
    assert call("post", "search", {"name": CANARY_LAST}).json()[0]["reference"] == reference
    assert call("post", "search", {"upn": CANARY_UPN}).json()[0]["reference"] == reference
    routed = call("post", "destination", {"receiving_school_urn": secondary.pk}, reference=reference)
    assert routed.json()["status"] == "submitted"

    api.force_authenticate(secondary_lead)
    assert call("get", "referral", reference=reference).json()["upn"] == CANARY_UPN
    assert call("post", "accept", reference=reference).status_code == 409  # full
    assert call("post", "waitlist", {"priority": 1}, reference=reference).json()["status"] == "waitlisted"
    call("post", "withdraw", {"reason": "Family moved"}, reference=other.reference)
    assert call("get", "referral", reference=reference).json()["status"] == "offered"
    assert call("post", "accept", reference=reference).json()["status"] == "accepted"
    progress = {"engagement_day_attended": True, "sessions_attended": 3, "peer_mentor_assigned": True}
    assert call("post", "progress", progress, reference=reference).status_code == 200
    assert (
        call("post", "advance", {"to": "enrolled", "reason": "Started Year 7"}, reference=reference).json()["status"]
        == "enrolled"
    )

    api.force_authenticate(primary_lead)
    referral_url = reverse("stepping_stones-api:referral", kwargs={"reference": reference})
    assert patch_with_etag(api, referral_url, {"first_name": CANARY_FIRST + "x"}).status_code == 409

    api.force_authenticate(coordinator())
    assert call("get", "subject-access", reference=reference).json()["record"]["pupil"]["upn"] == CANARY_UPN
    export = api.get(reverse("stepping_stones-api:evaluation-export", kwargs={"year": cohort.transition_year}))
    export_text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert reference not in export_text  # the export uses the pseudonym, not even the reference
    assert not _leaks(export_text.replace("2015-02", ""))  # month and year of birth are allowed
    assert call("get", "access-log", reference=reference).status_code == 200
    assert call("post", "withdraw-consent", {"reason": "Parent asked"}, reference=reference).status_code == 200

    # Emails went out (new referral, decisions, place offered) and none carries the canary.
    assert len(mail.outbox) >= 3
    for message in mail.outbox:
        content = message.subject + message.body + "".join(str(alt[0]) for alt in getattr(message, "alternatives", []))
        assert not _leaks(content), message.subject
        assert reference in content or other.reference in content
    # Logs: message, arguments and every extra attribute of every record.
    assert caplog.records, "nothing was logged: the capture is not working"
    for record in caplog.records:
        assert not _leaks(f"{record.getMessage()} {record.args} {record.__dict__}"), record.name
    # URLs requested.
    assert api.requested
    for requested in api.requested:
        assert not _leaks(requested), requested
    # Audit entries: labels, reasons and data.
    for event in AuditEvent.objects.all():
        assert not _leaks(f"{event.target_label} {event.reason} {event.data} {event.from_state} {event.to_state}")
