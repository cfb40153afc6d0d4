from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import Conflict, DomainError, InvalidTransition
from core.models import AuditEvent
from schools.models import School
from stepping_stones import services
from stepping_stones.models import Consent, ParticipatingSchool, Referral
from stepping_stones.upn import upn_check
from tests.accounts.factories import SchoolFactory, with_two_factor

from .factories import (
    ParticipatingSchoolFactory,
    coordinator,
    lead_of,
    primary_school,
    refer,
    secondary_school,
    upn_for,
    year6_dob,
)

pytestmark = pytest.mark.django_db
S = Referral.Status


def _create(actor, cohort, primary, **kwargs):
    values = {
        "first_name": "Testpupil",
        "last_name": "Fictional",
        "date_of_birth": year6_dob(cohort.transition_year),
        "upn": upn_for(1),
    }
    values.update(kwargs)
    return services.referral_create(actor=actor, cohort=cohort, referring_school=primary, **values)


def _consent(actor, referral):
    return services.consent_record(
        actor=actor,
        referral=referral,
        given_by_name="Pat Fictional",
        relationship="carer",
        method="verbal",
        given_on=timezone.localdate(),
        text_version=services.CONSENT_TEXT_VERSIONS[-1],
    )


# --- UPN ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("upn", ["F202234525001", "E316400124137", "A21336012507A", "B801200005001", "X00180001701A"])
def test_valid_upns_from_the_standard(upn):
    assert upn_check(upn).upn == upn


@pytest.mark.parametrize(
    ("upn", "message"),
    [
        ("A801200005001", "check letter"),
        ("F202234525002", "check letter"),
        ("I202234525001", "cannot be I, O or S"),
        ("X80120000A001", "must all be digits"),
        ("A21336012507O", "last character"),
        ("Q20700001604", "13 characters long; this one has 12"),
        ("", "Enter the pupil's UPN"),
    ],
)
def test_invalid_upns_say_what_is_wrong(upn, message, cohort, primary, primary_lead, participating):
    with pytest.raises(services.ReferralInvalid) as exc:
        _create(primary_lead, cohort, primary, upn=upn)
    upn_errors = [e for e in exc.value.errors if e.field == "upn"]
    assert upn_errors and message in upn_errors[0].message
    assert upn not in upn_errors[0].message or not upn
    assert not Referral.objects.exists()


def test_temporary_upn_is_accepted_but_flagged(cohort, primary, primary_lead):
    referral = _create(primary_lead, cohort, primary, upn=upn_for(7, temporary=True))
    assert referral.upn_is_temporary is True


def test_upn_is_normalised(cohort, primary, primary_lead):
    referral = _create(primary_lead, cohort, primary, upn=" f202 2345 25001 ")
    assert referral.upn == "F202234525001"


# --- checks -------------------------------------------------------------------------------------------------------


def test_reference_is_random_and_has_no_personal_data(cohort, primary, primary_lead):
    referral = _create(primary_lead, cohort, primary)
    assert referral.reference.startswith("SS26-") and len(referral.reference) == 10
    assert "Testpupil" not in referral.reference and referral.upn not in referral.reference
    assert str(referral) == referral.reference


def test_pupil_must_be_in_year_6_unless_a_reason_is_given(cohort, primary, primary_lead):
    too_young = date(2015, 9, 1)  # Year 5 in 2025/26
    with pytest.raises(services.ReferralInvalid) as exc:
        _create(primary_lead, cohort, primary, date_of_birth=too_young)
    assert exc.value.errors[0].field == "date_of_birth"
    assert "born between 1 September 2014 and 31 August 2015" in exc.value.message
    assert not Referral.objects.exists()
    referral = _create(
        primary_lead, cohort, primary, date_of_birth=too_young, outside_age_group_reason="Accelerated a year"
    )
    assert referral.outside_age_group_reason == "Accelerated a year"


@pytest.mark.parametrize("dob", [date(2014, 9, 1), date(2015, 8, 31)])
def test_age_rule_edges_are_year_6(dob, cohort, primary, primary_lead):
    assert _create(primary_lead, cohort, primary, date_of_birth=dob).date_of_birth == dob


def test_same_upn_twice_in_one_cohort_is_refused(cohort, primary, primary_lead):
    _create(primary_lead, cohort, primary)
    with pytest.raises(services.ReferralInvalid) as exc:
        _create(primary_lead, cohort, primary, first_name="Other")
    assert isinstance(exc.value.errors[0], services.DuplicateReferral)
    assert Referral.objects.count() == 1


def test_receiving_school_must_take_part(cohort, primary, primary_lead):
    outsider = secondary_school()
    with pytest.raises(services.ReferralInvalid) as exc:
        _create(primary_lead, cohort, primary, receiving_school=outsider)
    assert exc.value.errors[0].field == "receiving_school"
    assert "not taking part" in exc.value.message


def test_every_failed_check_is_reported_at_once(cohort, primary, primary_lead):
    with pytest.raises(services.ReferralInvalid) as exc:
        _create(primary_lead, cohort, primary, first_name="", upn="BAD", date_of_birth="31/02/2015")
    assert {e.field for e in exc.value.errors} == {"first_name", "upn", "date_of_birth"}


def test_only_the_primary_lead_or_a_coordinator_refers(cohort, primary, secondary_lead):
    with pytest.raises(PermissionDenied):
        _create(secondary_lead, cohort, primary)
    assert _create(coordinator(), cohort, primary).referring_school == primary


def test_a_secondary_school_cannot_be_the_referrer(cohort, secondary, secondary_lead):
    """Even a secondary's own lead (or a coordinator) cannot refer from a secondary: referrals come from feeders."""
    for actor in (secondary_lead, coordinator()):
        with pytest.raises(services.ReferralInvalid) as exc:
            _create(actor, cohort, secondary)
        assert [e.field for e in exc.value.errors] == ["referring_school"]
        assert "Only a primary school" in exc.value.errors[0].message
    assert not Referral.objects.exists()


# --- consent and submission ---------------------------------------------------------------------------------------


def test_cannot_submit_without_consent(cohort, primary, secondary, participating, primary_lead):
    referral = _create(primary_lead, cohort, primary, receiving_school=secondary)
    with pytest.raises(services.ConsentMissing) as exc:
        services.referral_submit(actor=primary_lead, referral=referral)
    assert exc.value.message.startswith("You cannot submit until you record parental consent")
    referral.refresh_from_db()
    assert referral.status == S.DRAFT and referral.submitted_at is None


def test_consent_fields_are_checked(cohort, primary, primary_lead):
    referral = _create(primary_lead, cohort, primary)
    with pytest.raises(services.ReferralInvalid) as exc:
        services.consent_record(
            actor=primary_lead,
            referral=referral,
            given_by_name="",
            relationship="aunt",
            method="pigeon",
            given_on=timezone.localdate() + timedelta(days=1),
            text_version="1999",
        )
    assert {e.field for e in exc.value.errors} == {
        "given_by_name",
        "relationship",
        "method",
        "given_on",
        "text_version",
    }
    assert not Consent.objects.exists()


def test_submit_with_consent_goes_to_the_secondary_and_emails_its_lead(
    cohort, primary, secondary, participating, primary_lead, secondary_lead, django_capture_on_commit_callbacks
):
    referral = _create(primary_lead, cohort, primary, receiving_school=secondary)
    _consent(primary_lead, referral)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_submit(actor=primary_lead, referral=referral)
    referral.refresh_from_db()
    assert referral.status == S.SUBMITTED
    assert [m.to for m in mail.outbox] == [[secondary_lead.email]]
    assert referral.reference in mail.outbox[0].body
    assert "Testpupil" not in mail.outbox[0].body and referral.upn not in mail.outbox[0].body


def test_unknown_destination_waits_for_the_vru_then_is_routed(cohort, primary, secondary, participating, primary_lead):
    referral = refer(actor=primary_lead, cohort=cohort, referring_school=primary)
    assert referral.status == S.PENDING_DESTINATION
    vru = coordinator()
    from stepping_stones.selectors import pending_destinations_for

    assert list(pending_destinations_for(vru)) == [referral]
    with pytest.raises(DomainError):
        services.referral_set_destination(actor=vru, referral=referral, receiving_school=secondary_school())
    services.referral_set_destination(actor=vru, referral=referral, receiving_school=secondary)
    referral.refresh_from_db()
    assert referral.status == S.SUBMITTED and referral.receiving_school == secondary
    assert not pending_destinations_for(vru).exists()


# --- decisions and places -----------------------------------------------------------------------------------------


def test_accept_takes_a_place_and_locks_the_record_for_the_primary(
    make_referral, secondary_lead, primary_lead, participating
):
    referral = make_referral()
    services.referral_accept(actor=secondary_lead, referral=referral)
    participating.refresh_from_db()
    assert participating.places_taken == 1
    with pytest.raises(services.RecordLocked):
        services.referral_update(actor=primary_lead, referral=referral, strengths="Changed")
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED and referral.strengths == "Loves drawing"
    services.referral_update(actor=coordinator(), referral=referral, strengths="Corrected by VRU")


def test_primary_cannot_decide(make_referral, primary_lead):
    with pytest.raises(PermissionDenied):
        services.referral_accept(actor=primary_lead, referral=make_referral())


def test_accepting_past_capacity_is_refused(make_referral, secondary_lead, participating):
    referrals = [make_referral(n) for n in range(4)]
    for referral in referrals[:3]:
        services.referral_accept(actor=secondary_lead, referral=referral)
    with pytest.raises(services.PlacesFull) as exc:
        services.referral_accept(actor=secondary_lead, referral=referrals[3])
    assert isinstance(exc.value, Conflict) and "waiting list" in exc.value.message
    referrals[3].refresh_from_db()
    participating.refresh_from_db()
    assert referrals[3].status == S.SUBMITTED and participating.places_taken == 3


def test_decline_needs_a_reason(make_referral, secondary_lead):
    referral = make_referral()
    with pytest.raises(DomainError) as exc:
        services.referral_decline(actor=secondary_lead, referral=referral, reason="  ")
    assert exc.value.field == "reason"
    services.referral_decline(actor=secondary_lead, referral=referral, reason="Lives outside our area")
    referral.refresh_from_db()
    assert referral.status == S.DECLINED and referral.decline_reason == "Lives outside our area"


def test_withdrawal_offers_the_place_to_the_top_of_the_waiting_list(
    make_referral, secondary_lead, participating, django_capture_on_commit_callbacks
):
    placed = [make_referral(n) for n in range(3)]
    for referral in placed:
        services.referral_accept(actor=secondary_lead, referral=referral)
    standard = make_referral(10)
    services.referral_waitlist(actor=secondary_lead, referral=standard)
    high = make_referral(11)
    services.referral_waitlist(actor=secondary_lead, referral=high, priority=Referral.Priority.HIGH)
    from stepping_stones.selectors import waiting_list_for, waiting_list_position

    assert list(waiting_list_for(secondary_lead, cohort=participating.cohort, school=participating.school)) == [
        high,
        standard,
    ]
    high.refresh_from_db()
    assert waiting_list_position(high) == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_withdraw(actor=secondary_lead, referral=placed[0], reason="Family moved away")
    high.refresh_from_db()
    standard.refresh_from_db()
    participating.refresh_from_db()
    assert high.status == S.OFFERED and standard.status == S.WAITLISTED
    assert participating.places_taken == 3
    assert any("place is free" in m.subject.lower() or "place" in m.subject.lower() for m in mail.outbox)
    services.referral_accept(actor=secondary_lead, referral=high)  # the lead confirms
    high.refresh_from_db()
    participating.refresh_from_db()
    assert high.status == S.ACCEPTED and participating.places_taken == 3


def test_declining_an_offer_passes_it_on(make_referral, secondary_lead, participating):
    placed = [make_referral(n) for n in range(3)]
    for referral in placed:
        services.referral_accept(actor=secondary_lead, referral=referral)
    first, second = make_referral(20), make_referral(21)
    services.referral_waitlist(actor=secondary_lead, referral=first)
    services.referral_waitlist(actor=secondary_lead, referral=second)
    services.referral_withdraw(actor=secondary_lead, referral=placed[1], reason="Moved", moved_school=True)
    first.refresh_from_db()
    assert first.status == S.OFFERED
    services.referral_decline(actor=secondary_lead, referral=first, reason="Family said no")
    second.refresh_from_db()
    participating.refresh_from_db()
    assert second.status == S.OFFERED and participating.places_taken == 3
    placed[1].refresh_from_db()
    assert placed[1].status == S.MOVED_SCHOOL and placed[1].leave_reason == "Moved"


def test_progress_and_the_programme_statuses(make_referral, secondary_lead, primary_lead):
    referral = make_referral()
    with pytest.raises(InvalidTransition):
        services.progress_update(actor=secondary_lead, referral=referral, sessions_attended=2)
    services.referral_accept(actor=secondary_lead, referral=referral)
    with pytest.raises(PermissionDenied):
        services.progress_update(actor=primary_lead, referral=referral, sessions_attended=2)
    with pytest.raises(DomainError):
        services.progress_update(actor=secondary_lead, referral=referral, sessions_attended="lots")
    progress = services.progress_update(
        actor=secondary_lead,
        referral=referral,
        engagement_day_attended=True,
        summer_school_attended=False,
        sessions_attended=4,
        peer_mentor_assigned=True,
    )
    assert (progress.engagement_day_attended, progress.sessions_attended, progress.peer_mentor_assigned) == (
        True,
        4,
        True,
    )
    with pytest.raises(InvalidTransition):
        services.referral_advance(actor=secondary_lead, referral=referral, to=S.COMPLETED, reason="Skipping ahead")
    for step in (S.ENROLLED, S.ACTIVE, S.COMPLETED):
        services.referral_advance(actor=secondary_lead, referral=referral, to=step, reason=f"Now {step}")
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED
    with pytest.raises(InvalidTransition):
        services.referral_withdraw(actor=secondary_lead, referral=referral, reason="Late")


def test_every_transition_is_audited_without_personal_data(make_referral, secondary_lead):
    referral = make_referral()
    services.referral_accept(actor=secondary_lead, referral=referral)
    events = AuditEvent.objects.filter(verb__startswith="stepping_stones.referral")
    assert {"stepping_stones.referral.created", "stepping_stones.referral.submitted"} <= set(
        events.values_list("verb", flat=True)
    )
    accepted = events.get(verb="stepping_stones.referral.accepted")
    assert (accepted.from_state, accepted.to_state, accepted.actor) == ("submitted", "accepted", secondary_lead)
    for event in AuditEvent.objects.all():
        text = f"{event.target_label} {event.data} {event.reason}"
        assert "Testpupil" not in text and referral.upn not in text and "2015-03-15" not in text


# --- consent withdrawal, SAR, erasure, retention --------------------------------------------------------------------


def test_consent_withdrawal_withdraws_frees_the_place_and_minimises(make_referral, secondary_lead, participating):
    referral = make_referral()
    services.referral_accept(actor=secondary_lead, referral=referral)
    waiting = make_referral(30)
    services.referral_waitlist(actor=secondary_lead, referral=waiting)
    services.consent_withdraw(actor=secondary_lead, referral=referral, reason="Parent asked")
    referral.refresh_from_db()
    assert referral.status == S.WITHDRAWN
    assert (referral.first_name, referral.last_name, referral.upn, referral.date_of_birth) == ("", "", "", None)
    assert referral.minimised_at is not None
    assert referral.cohort_id and referral.referring_school_id and referral.receiving_school_id  # counts survive
    assert not referral.consents.filter(withdrawn_at__isnull=True).exists()
    assert set(referral.consents.values_list("given_by_name", flat=True)) == {""}
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED


def test_subject_access_export_is_for_coordinators_and_audited(make_referral, primary_lead):
    referral = make_referral()
    with pytest.raises(PermissionDenied):
        services.referral_subject_access_export(actor=primary_lead, referral=referral)
    vru = coordinator()
    data = services.referral_subject_access_export(actor=vru, referral=referral)
    assert data["pupil"]["upn"] == referral.upn and data["pupil"]["first_name"] == "Testpupil0"
    assert data["consents"][0]["given_by_name"] == "Pat Fictional"
    assert any(h["what"] == "referral.submitted" for h in data["history"])
    assert AuditEvent.objects.filter(verb="stepping_stones.referral.subject_access_export", actor=vru).exists()


def test_erasure_removes_personal_data_keeps_the_count(make_referral, secondary_lead, participating):
    referral = make_referral()
    services.referral_accept(actor=secondary_lead, referral=referral)
    with pytest.raises(PermissionDenied):
        services.referral_erase(actor=secondary_lead, referral=referral, reason="Asked")
    vru = coordinator()
    with pytest.raises(DomainError):
        services.referral_erase(actor=vru, referral=referral, reason="")
    services.referral_erase(actor=vru, referral=referral, reason="Parent's erasure request")
    referral.refresh_from_db()
    participating.refresh_from_db()
    assert referral.erased_at and referral.upn == "" and referral.first_name == ""
    assert not referral.consents.exists()
    assert participating.places_taken == 0
    assert Referral.objects.count() == 1
    with pytest.raises(Conflict):
        services.referral_erase(actor=vru, referral=referral, reason="Again")
    # The same pupil may be referred again after erasure (the UPN is free).
    assert (
        services.referral_checks(
            cohort=referral.cohort,
            referring_school=referral.referring_school,
            first_name="A",
            last_name="B",
            date_of_birth=year6_dob(),
            upn=upn_for(0),
        )
        == []
    )


def test_retention_pseudonymises_expired_cohorts_and_keeps_counts(make_referral, cohort, secondary_lead, settings):
    referral = make_referral()
    services.referral_accept(actor=secondary_lead, referral=referral)
    settings.STEPPING_STONES_RETENTION_MONTHS = 12
    not_yet = timezone.now().replace(year=cohort.ends_on.year + 1, month=7, day=1)
    report = services.retention_run(now=not_yet)
    assert report.pseudonymised == 0
    later = timezone.now().replace(year=cohort.ends_on.year + 1, month=8, day=15)
    dry = services.retention_run(now=later, dry_run=True)
    assert dry.pseudonymised == 1 and "Would pseudonymise 1" in dry.summary()
    referral.refresh_from_db()
    assert referral.upn
    report = services.retention_run(now=later)
    assert report.pseudonymised == 1 and report.cohorts == [2026]
    referral.refresh_from_db()
    assert referral.upn == "" and referral.minimised_at and referral.status == S.ACCEPTED
    again = services.retention_run(now=later)
    assert again.pseudonymised == 0 and again.already_done == 1
    cohort.refresh_from_db()
    assert cohort.retention_applied_at is not None


def test_evaluation_export_is_pseudonymised(make_referral, secondary_lead, cohort, primary_lead):
    referral = make_referral()
    services.referral_accept(actor=secondary_lead, referral=referral)
    with pytest.raises(PermissionDenied):
        services.evaluation_export(actor=primary_lead, cohort=cohort)
    filename, header, rows = services.evaluation_export(actor=coordinator(), cohort=cohort)
    rows = list(rows)
    assert filename == "stepping-stones-evaluation-2026.csv"
    assert len(rows) == 1
    text = " ".join(str(cell) for cell in rows[0])
    assert referral.pseudonym in text and "2015-03" in text
    assert "Testpupil" not in text and referral.upn not in text and "2015-03-15" not in text
    assert "first_name" not in header and "upn" not in header
    assert AuditEvent.objects.filter(verb="stepping_stones.evaluation.exported").exists()


# --- set-up and import --------------------------------------------------------------------------------------------


def test_cohort_and_places_are_managed_by_coordinators(primary_lead):
    vru = coordinator()
    with pytest.raises(PermissionDenied):
        services.cohort_create(actor=primary_lead, transition_year=2027)
    cohort = services.cohort_create(actor=vru, transition_year=2027)
    assert cohort.ends_on == date(2028, 7, 31)
    with pytest.raises(Conflict):
        services.cohort_create(actor=vru, transition_year=2027)
    school = secondary_school()
    row = services.participating_school_set(actor=vru, cohort=cohort, school=school, places=2)
    with pytest.raises(DomainError):
        services.participating_school_set(actor=vru, cohort=cohort, school=primary_school(), places=2)
    with pytest.raises(DomainError):
        services.participating_school_set(actor=vru, cohort=cohort, school=school, places=0)
    row.places_taken = 2
    row.save()
    with pytest.raises(Conflict):
        services.participating_school_set(actor=vru, cohort=cohort, school=school, places=1)


def _csv(rows):
    header = ",".join(services.IMPORT_COLUMNS)
    return (header + "\n" + "\n".join(rows) + "\n").encode()


def _row(n, primary, secondary, **overrides):
    values = {
        "first_name": f"Importpupil{n}",
        "last_name": "Fictional",
        "date_of_birth": "2015-01-20",
        "upn": upn_for(900 + n),
        "referring_school_urn": str(primary.pk),
        "receiving_school_urn": str(secondary.pk) if secondary else "",
        "needs": "Attendance",
        "strengths": "Music",
        "priority": "high",
        "outside_age_group_reason": "",
        "consent_given_by": "Pat Fictional",
        "consent_relationship": "mother",
        "consent_method": "paper",
        "consent_given_on": "2026-01-10",
        "consent_text_version": services.CONSENT_TEXT_VERSIONS[-1],
    }
    values.update(overrides)
    return ",".join(values[c] for c in services.IMPORT_COLUMNS)


def test_import_rejects_the_whole_file_listing_every_bad_row(cohort, primary, secondary, participating, need):
    vru = coordinator()
    content = _csv(
        [
            _row(1, primary, secondary),
            _row(2, primary, secondary, upn="A801200005001"),
            _row(3, primary, secondary, date_of_birth="2012-01-01", consent_method="fax"),
            _row(4, primary, secondary, upn=upn_for(901)),
        ]
    )
    with pytest.raises(services.CsvRejected) as exc:
        services.cohort_import_csv(actor=vru, cohort=cohort, file=content)
    lines = {line for line, _ in exc.value.problems}
    assert lines == {3, 4, 5}
    assert all(upn_for(901) not in message for _, message in exc.value.problems)
    assert not Referral.objects.exists()


def test_import_creates_submitted_referrals_with_consent(cohort, primary, secondary, participating, need):
    vru = coordinator()
    content = _csv([_row(1, primary, secondary), _row(2, primary, None, upn=upn_for(40, temporary=True))])
    result = services.cohort_import_csv(actor=vru, cohort=cohort, file=content)
    assert len(result.created) == 2 and len(result.temporary_upns) == 1
    statuses = sorted(Referral.objects.values_list("status", flat=True))
    assert statuses == ["pending_destination", "submitted"]
    assert Consent.objects.count() == 2
    with pytest.raises(PermissionDenied):
        services.cohort_import_csv(actor=lead_of(primary), cohort=cohort, file=content)


def test_places_counter_never_exceeds_places_in_the_database(cohort):
    from django.db import IntegrityError, transaction

    row = ParticipatingSchoolFactory(cohort=cohort, places=1, places_taken=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(places_taken=2)


def test_consent_withdrawn_after_completion_minimises_and_keeps_the_status(make_referral, secondary_lead):
    referral = make_referral()
    services.referral_accept(actor=secondary_lead, referral=referral)
    for step in (S.ENROLLED, S.ACTIVE, S.COMPLETED):
        services.referral_advance(actor=secondary_lead, referral=referral, to=step, reason=f"Now {step}")
    services.consent_withdraw(actor=secondary_lead, referral=referral)
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED and referral.minimised_at and referral.upn == ""
    with pytest.raises(InvalidTransition):
        services.consent_withdraw(actor=secondary_lead, referral=referral)


# --- only a school that teaches Year 6 refers ----------------------------------------------------------------------


def infant_school(**kwargs):
    """An infant school: in the register's "Primary" phase, but its pupils are 3 to 7 (up to Year 2)."""
    return primary_school(name="Hillside Infant School", statutory_low_age=3, statutory_high_age=7, **kwargs)


def test_an_infant_school_cannot_refer(cohort):
    infant = infant_school()
    for actor in (with_two_factor(lead_of(infant)), coordinator()):
        with pytest.raises(services.ReferralInvalid) as exc:
            _create(actor, cohort, infant)
        assert [e.field for e in exc.value.errors] == ["referring_school"]
        assert exc.value.errors[0].message == (
            "Hillside Infant School does not teach Year 6: the school register lists it for pupils aged 3 to 7. "
            "Only a school with Year 6 pupils refers them to Stepping Stones."
        )
    assert not Referral.objects.exists()


def test_schools_with_year_6_refer_and_a_school_with_no_ages_in_the_register_is_not_refused(cohort):
    junior = primary_school(statutory_low_age=7, statutory_high_age=11)
    middle = SchoolFactory(phase=School.Phase.MIDDLE_PRIMARY, statutory_low_age=9, statutory_high_age=13)
    all_through = SchoolFactory(phase=School.Phase.ALL_THROUGH, statutory_low_age=4, statutory_high_age=18)
    unknown = primary_school(statutory_low_age=None, statutory_high_age=None)
    for n, school in enumerate((junior, middle, all_through, unknown)):
        assert not school.leaves_out_year_6
        assert _create(coordinator(), cohort, school, upn=upn_for(n + 1)).referring_school == school


def test_a_draft_from_an_infant_school_is_not_submitted(cohort, primary, primary_lead):
    """A draft made before the check (or before the register gave the school's ages) is refused at submission."""
    referral = _create(primary_lead, cohort, primary)
    _consent(primary_lead, referral)
    primary.statutory_low_age, primary.statutory_high_age = 3, 7
    primary.save()
    with pytest.raises(services.ReferralInvalid) as exc:
        services.referral_submit(actor=primary_lead, referral=referral)
    assert [e.field for e in exc.value.errors] == ["referring_school"]
    referral.refresh_from_db()
    assert referral.status == S.DRAFT


def test_an_infant_school_is_not_a_feeder_primary(cohort, secondary):
    infant = infant_school()
    with pytest.raises(DomainError) as exc:
        services.participating_school_set(
            actor=coordinator(), cohort=cohort, school=secondary, places=10, feeder_primaries=[primary_school(), infant]
        )
    assert exc.value.field == "feeder_primaries"
    assert exc.value.message.startswith("Hillside Infant School does not teach Year 6")
    assert not ParticipatingSchool.objects.exists()
