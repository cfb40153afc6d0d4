"""Existence oracles: nothing a school does tells it whether a record it cannot see exists (issue 17, finding 1).

The probe: any primary's lead could create a referral with another school's pupil's UPN and read "This pupil (the same
UPN) has already been referred into the 2026 transition", free to repeat without creating anything. Every way a lead
can hand the portal a UPN (the API's create and change, the form's create and change, the checks a form step runs,
submitting) must answer the same whether or not another school has referred that UPN.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from stepping_stones import services
from stepping_stones.models import PossibleDuplicate, Referral
from tests.accounts.factories import with_two_factor
from tests.stepping_stones.factories import (
    CohortFactory,
    ParticipatingSchoolFactory,
    lead_of,
    primary_school,
    refer,
    secondary_school,
    upn_for,
    year6_dob,
)

pytestmark = pytest.mark.django_db

REFERRED = upn_for(611)  # referred by the other school
NEVER = upn_for(612)  # referred by nobody


@pytest.fixture
def setting():
    cohort = CohortFactory(transition_year=2026)
    theirs, mine, secondary = primary_school(), primary_school(), secondary_school()
    ParticipatingSchoolFactory(cohort=cohort, school=secondary, places=10, feeder_primaries=[theirs, mine])
    refer(actor=lead_of(theirs), cohort=cohort, referring_school=theirs, receiving_school=secondary, upn=REFERRED)
    return {"cohort": cohort, "mine": mine, "secondary": secondary, "lead": with_two_factor(lead_of(mine))}


def _strip(body: dict) -> dict:
    """The parts of a referral's JSON that differ between any two referrals."""
    volatile = {"reference", "upn", "created_at", "updated_at", "submitted_at", "id", "history", "timeline"}
    return {k: v for k, v in body.items() if k not in volatile}


def _api_create(setting, upn):
    api = APIClient()
    api.force_authenticate(setting["lead"])
    payload = {
        "cohort": 2026,
        "referring_school_urn": setting["mine"].pk,
        "receiving_school_urn": setting["secondary"].pk,
        "first_name": "Probe",
        "last_name": "Pupil",
        "date_of_birth": year6_dob().isoformat(),
        "upn": upn,
    }
    return api.post(reverse("stepping_stones-api:referrals"), payload, format="json")


def test_api_create_answers_the_same_for_a_referred_and_an_unreferred_upn(setting):
    referred, never = _api_create(setting, REFERRED), _api_create(setting, NEVER)
    assert referred.status_code == never.status_code == 201
    assert _strip(referred.json()) == _strip(never.json())
    assert referred.headers.keys() == never.headers.keys()


def test_checks_a_form_step_runs_say_nothing_about_other_schools(setting):
    for upn in (REFERRED, NEVER):
        errors = services.referral_checks(
            cohort=setting["cohort"],
            referring_school=setting["mine"],
            first_name="Probe",
            last_name="Pupil",
            date_of_birth=year6_dob(),
            upn=upn,
            receiving_school=setting["secondary"],
        )
        assert errors == []


def _pupil_form(upn):
    return {
        "first_name": "Probe",
        "last_name": "Pupil",
        "date_of_birth_day": "15",
        "date_of_birth_month": "3",
        "date_of_birth_year": str(year6_dob().year),
        "upn": upn,
        "outside_age_group_reason": "",
        "action": "continue",
    }


def test_form_create_answers_the_same(client, setting):
    client.force_login(setting["lead"])
    answers = []
    for upn in (REFERRED, NEVER):
        created = client.post(reverse("stepping_stones:referral_new"), _pupil_form(upn))
        reference = Referral.objects.filter(referring_school=setting["mine"], upn=upn).get().reference
        assert created["Location"] == reverse("stepping_stones:referral_destination", kwargs={"reference": reference})
        page = client.get(created["Location"])
        answers.append((created.status_code, page.status_code, "error-summary" in page.content.decode()))
    assert answers[0] == answers[1] == (302, 200, False)


def test_form_change_answers_as_any_change(client, setting):
    client.force_login(setting["lead"])
    client.post(reverse("stepping_stones:referral_new"), _pupil_form(NEVER))
    mine = Referral.objects.get(referring_school=setting["mine"])
    changed = client.post(
        reverse("stepping_stones:referral_pupil", kwargs={"reference": mine.reference}), _pupil_form(REFERRED)
    )
    assert changed.status_code == 302
    assert changed["Location"] == reverse("stepping_stones:referral_destination", kwargs={"reference": mine.reference})
    assert PossibleDuplicate.objects.count() == 1


def test_submitting_is_not_an_oracle_either(setting):
    mine = refer(
        actor=setting["lead"],
        cohort=setting["cohort"],
        referring_school=setting["mine"],
        receiving_school=setting["secondary"],
        upn=REFERRED,
    )
    assert mine.status == Referral.Status.SUBMITTED


def test_repeating_the_probe_creates_records_the_coordinators_see(setting):
    """The old oracle was free: refused, nothing written. Each probe now leaves a referral and a flagged pair."""
    for _ in range(3):
        assert _api_create(setting, upn_for(700 + _)).status_code == 201
    _api_create(setting, REFERRED)
    assert PossibleDuplicate.objects.filter(decision="open").count() == 1
