"""What was still wrong when Stepping Stones was walked in Chromium as a primary's lead, a secondary's lead, a police
allocator and a coordinator (issue 16): drafts by name, Change links back to check your answers, places filled that
agree with the list, a reference hint for the current transition, history lines that say what changed, the same
figures in the officers' queue and the school profile."""

import html
import re
from datetime import date

import pytest
from django.urls import reverse

from core.models import AuditEvent
from stepping_stones import figures, forms, models, pages, selectors, services
from stepping_stones.models import Cohort, ParticipatingSchool, Referral, current_transition_year

from .factories import NeedFactory, lead_of, primary_school, refer, secondary_school

pytestmark = pytest.mark.django_db


def url(name, referral=None, **kwargs):
    if referral is not None:
        kwargs["reference"] = referral.reference
    return reverse(f"stepping_stones:{name}", kwargs=kwargs)


def listed(verb_what: str):
    return AuditEvent.objects.filter(verb=services.LIST_VERB, data__what=verb_what)


# --- 1. a primary lead's drafts, by name ----------------------------------------------------------------------


def test_a_primary_leads_drafts_show_the_pupils_names_with_one_access_record(
    client, cohort, primary, primary_lead, participating
):
    draft = refer(
        actor=primary_lead, cohort=cohort, referring_school=primary, submit=False, consent=False, first_name="Zebedee"
    )
    client.force_login(primary_lead)
    page = client.get(url("home")).content.decode()
    drafts = page.split('id="drafts"', 1)[1].split("</ul>", 1)[0]
    assert f"Zebedee Fictional ({draft.reference})" in drafts
    assert url("referral_check", draft) in drafts  # the link carries the reference only
    [record] = listed("home page drafts")
    assert record.data["references"] == [draft.reference]
    assert "Zebedee" not in str(record.data) and "Zebedee" not in record.target_label


def test_the_home_page_leaves_no_access_record_when_no_name_is_shown(client, vru, cohort):
    client.force_login(vru)
    assert client.get(url("home")).status_code == 200
    assert not listed("home page drafts").exists()


# --- 2. Change links come back to check your answers -----------------------------------------------------------


@pytest.fixture
def draft(cohort, primary, secondary, primary_lead, participating, need):
    return refer(
        actor=primary_lead,
        cohort=cohort,
        referring_school=primary,
        receiving_school=secondary,
        submit=False,
        needs=[need],
    )


def test_every_change_link_on_check_your_answers_comes_back_to_it(client, primary_lead, draft):
    client.force_login(primary_lead)
    page = client.get(url("referral_check", draft)).content.decode()
    changes = re.findall(r'href="([^"]+)">Change<', page)
    assert len(changes) >= 8
    for link in changes:
        assert "?return=check" in link, link


def test_saving_a_changed_answer_returns_to_check_your_answers(client, primary_lead, draft):
    client.force_login(primary_lead)
    response = client.post(
        url("referral_contact", draft) + "?return=check",
        {"known_by_name": "Mr Other", "known_by_role": "Head of Year 6", "action": "continue"},
    )
    assert response.status_code == 302 and response["Location"] == url("referral_check", draft)
    # Without it, the journey goes on to the next question, as before.
    response = client.post(
        url("referral_contact", draft), {"known_by_name": "Mr Other", "known_by_role": "Head", "action": "continue"}
    )
    assert response["Location"] == url("referral_consent", draft)


@pytest.mark.parametrize("value", ["https://evil.example/", "//evil.example", "/stepping-stones/", "CHECK", ""])
def test_the_return_parameter_is_never_a_redirect_target(client, primary_lead, draft, value):
    client.force_login(primary_lead)
    response = client.post(
        url("referral_contact", draft) + "?return=" + value,
        {"known_by_name": "Mr Other", "known_by_role": "Head", "action": "continue"},
    )
    assert response["Location"] == url("referral_consent", draft)


def test_the_back_link_of_a_changed_answer_goes_back_to_check_your_answers(client, primary_lead, draft):
    client.force_login(primary_lead)
    back = 'class="govuk-back-link"'
    page = client.get(url("referral_needs", draft) + "?return=check").content.decode()
    assert f'<a href="{url("referral_check", draft)}" {back}' in page
    page = client.get(url("referral_needs", draft)).content.decode()
    assert f'<a href="{url("referral_destination", draft)}" {back}' in page


def test_what_is_still_missing_links_back_to_check_your_answers(client, cohort, primary, primary_lead, participating):
    bare = refer(actor=primary_lead, cohort=cohort, referring_school=primary, submit=False, consent=False)
    client.force_login(primary_lead)
    page = client.get(url("referral_check", bare)).content.decode()
    assert f'href="{url("referral_consent", bare)}?return=check">Record parental consent' in page


# --- 3. places filled and the pupils listed agree --------------------------------------------------------------


@pytest.fixture
def full_school_with_an_offer(cohort, primary, secondary, participating, primary_lead, secondary_lead):
    """The demo lead's school: every place taken, a waiting list, then a withdrawal offers a place from it."""
    placed = [
        refer(actor=primary_lead, cohort=cohort, referring_school=primary, receiving_school=secondary, n=n)
        for n in range(participating.places)
    ]
    for referral in placed:
        services.referral_accept(actor=secondary_lead, referral=referral)
    waiting = refer(actor=primary_lead, cohort=cohort, referring_school=primary, receiving_school=secondary, n=20)
    services.referral_waitlist(actor=secondary_lead, referral=waiting)
    services.referral_withdraw(actor=secondary_lead, referral=placed[0], reason="Moved away")
    waiting.refresh_from_db()
    assert waiting.status == Referral.Status.OFFERED
    return {"placed": placed[1:], "offered": waiting}


TO_ANSWER = "Referrals to answer, and places offered to confirm"


def _tables(page: str) -> dict[str, list[str]]:
    """{caption: the references in that table} for every table of referrals on a page."""
    tables = {}
    for caption, body in re.findall(r"<caption[^>]*>(.*?)</caption>(.*?)</table>", page, flags=re.S):
        tables[html.unescape(caption.strip())] = re.findall(r'href="/stepping-stones/referrals/([A-Z0-9-]+)/"', body)
    return tables


def test_places_filled_and_the_pupils_holding_a_place_agree(
    client, secondary, secondary_lead, full_school_with_an_offer
):
    client.force_login(secondary_lead)
    response = client.get(url("school_cohort", urn=secondary.pk))
    page = response.content.decode()
    filled = re.search(r"Places filled</dt><dd[^>]*>(\d+)<", page).group(1)
    # The pupils holding a place are in two lists: the places offered (not yet confirmed) and the confirmed ones.
    tables = _tables(page)
    to_answer = tables[TO_ANSWER]
    confirmed = tables["Pupils with a confirmed place"]
    offered = full_school_with_an_offer["offered"].reference
    assert offered in to_answer and offered not in confirmed
    assert int(filled) == len(confirmed) + 1 == 3
    assert len(response.context["placed"]) == response.context["figures"].places_filled


def test_no_pupil_is_in_two_lists_of_the_school_page_and_each_list_says_what_it_holds(
    client, cohort, primary, primary_lead, secondary, secondary_lead, full_school_with_an_offer
):
    """Charlie Placeholder of the demo (a place offered from the waiting list) was under both "Referrals to answer"
    and "Pupils holding a place" (the persona walk as a secondary's lead): an offered place holds a place and waits
    for the school to confirm it. It is listed once, under "Referrals to answer" (where the school acts on it), and
    the page says that places filled counts it."""
    new = refer(actor=primary_lead, cohort=cohort, referring_school=primary, receiving_school=secondary, n=30)
    client.force_login(secondary_lead)
    page = client.get(url("school_cohort", urn=secondary.pk)).content.decode()
    tables = _tables(page)
    every_row = [reference for rows in tables.values() for reference in rows]
    assert len(every_row) == len(set(every_row)), tables
    offered = full_school_with_an_offer["offered"].reference
    assert sorted(tables[TO_ANSWER]) == sorted([offered, new.reference])
    confirmed = tables["Pupils with a confirmed place"]
    assert sorted(confirmed) == sorted(r.reference for r in full_school_with_an_offer["placed"])
    filled = int(re.search(r"Places filled</dt><dd[^>]*>(\d+)<", page).group(1))
    assert filled == len(confirmed) + 1 == 3
    assert (
        "Places filled includes 1 place offered from the waiting list and not yet confirmed: the pupil is under "
        "“Referrals to answer, and places offered to confirm” until you confirm or decline the place" in page
    )


def test_every_places_filled_figure_is_the_one_selector(
    client, cohort, secondary, secondary_lead, vru, full_school_with_an_offer
):
    by_selector = selectors.places_filled_by_school(cohort)[secondary.pk]
    holding = selectors.pupils_with_a_place_for(secondary_lead, cohort=cohort, school=secondary)
    assert by_selector == holding.count() == ParticipatingSchool.objects.get(school=secondary).places_taken == 3
    client.force_login(secondary_lead)
    home = client.get(url("home")).content.decode()
    assert f"{by_selector} of 3 places filled" in home
    [row] = selectors.dashboard_figures(vru, cohort=cohort).places
    assert row.places_filled == by_selector
    assert selectors.counts_by_school([secondary.pk], cohort=cohort)[secondary.pk].in_programme == by_selector


# --- 4. the reference hint follows the transition under way ----------------------------------------------------


@pytest.mark.parametrize(
    ("today", "prefix"), [(date(2026, 12, 6), "SS27-"), (date(2027, 3, 1), "SS27-"), (date(2027, 9, 1), "SS28-")]
)
def test_the_reference_hint_follows_the_current_transition_year(monkeypatch, today, prefix):
    monkeypatch.setattr(models.timezone, "localdate", lambda: today)
    assert forms.ReferenceForm().fields["reference"].help_text == f"For example, {prefix}4K7Q2."


def test_the_find_page_shows_this_transitions_reference_format(client, vru):
    client.force_login(vru)
    page = client.get(url("find")).content.decode()
    assert f"For example, SS{current_transition_year() % 100:02d}-4K7Q2." in page
    if current_transition_year() != 2026:
        assert "SS26-" not in page


# --- 5. history lines that say what changed --------------------------------------------------------------------


def _changed(referral):
    return AuditEvent.objects.filter(verb="stepping_stones.referral.changed", target_id=str(referral.pk))


def _pupil_form(referral, **changes):
    dob = referral.date_of_birth
    data = {
        "school": str(referral.referring_school_id),
        "cohort": str(referral.cohort_id),
        "first_name": referral.first_name,
        "last_name": referral.last_name,
        "date_of_birth_day": str(dob.day),
        "date_of_birth_month": str(dob.month),
        "date_of_birth_year": str(dob.year),
        "upn": referral.upn,
        "outside_age_group_reason": "",
        "action": "continue",
    }
    return data | changes


def test_saving_the_same_answers_again_writes_no_history(client, primary_lead, draft):
    client.force_login(primary_lead)
    for _ in range(5):
        response = client.post(url("referral_pupil", draft), _pupil_form(draft))
        assert response.status_code == 302
    assert not _changed(draft).exists()
    services.referral_update(actor=primary_lead, referral=draft, strengths=draft.strengths)
    assert not _changed(draft).exists()


def test_a_history_line_says_which_fields_changed_and_never_a_pupils_details(client, primary_lead, draft):
    client.force_login(primary_lead)
    client.post(url("referral_pupil", draft), _pupil_form(draft, first_name="Zebedee"))
    [event] = _changed(draft)
    assert event.data["fields"] == ["first_name"]
    assert "Zebedee" not in str(event.data) and "Zebedee" not in event.reason
    [entry] = [e for e in pages.referral_history(draft) if e["title"].startswith("Changed")]
    assert entry["title"] == "Changed: first name"


def test_a_history_line_shows_from_and_to_for_the_school_priority_and_needs(
    primary_lead, vru, draft, cohort, secondary
):
    other = secondary_school(name="Mossbourne Community Academy")
    ParticipatingSchool.objects.create(cohort=cohort, school=other, places=5)
    young_carer = NeedFactory(name="Young carer")
    services.referral_update(
        actor=primary_lead, referral=draft, receiving_school=other, priority=1, needs=[*draft.needs.all(), young_carer]
    )
    [entry] = [e for e in pages.referral_history(draft) if e["title"].startswith("Changed")]
    assert entry["title"] == "Changed: needs, priority and receiving secondary"
    assert f"receiving secondary: {secondary.name} → Mossbourne Community Academy" in entry["detail"]
    assert "priority: Standard → High" in entry["detail"]
    assert "needs: Attendance → Attendance, Young carer" in entry["detail"]


def test_progress_saved_again_unchanged_is_not_a_new_history_line(secondary_lead, make_referral):
    referral = make_referral()
    services.referral_accept(actor=secondary_lead, referral=referral)
    for _ in range(3):
        services.progress_update(
            actor=secondary_lead, referral=referral, sessions_attended=2, engagement_day_attended=True
        )
    services.progress_update(actor=secondary_lead, referral=referral, sessions_attended=3)
    lines = [e for e in pages.referral_history(referral) if e["title"] == "Progress recorded"]
    assert [line["detail"] for line in lines] == [
        "engagement day: not recorded → attended; sessions attended: 0 → 2",
        "sessions attended: 2 → 3",
    ]


def test_consent_recorded_again_unchanged_is_not_a_new_history_line(primary_lead, draft):
    current = selectors.referral_consent_current(draft)
    again = services.consent_record(
        actor=primary_lead,
        referral=draft,
        given_by_name=current.given_by_name,
        relationship=current.relationship,
        method=current.method,
        given_on=current.given_on,
        text_version=current.text_version,
    )
    assert again.pk == current.pk
    recorded = AuditEvent.objects.filter(verb="stepping_stones.consent.recorded", target_id=str(draft.pk))
    assert recorded.count() == 1


# --- 6. the officers' queue and the school profile show the same figures --------------------------------------


@pytest.fixture
def reference_data(db):
    from schools.models import BasicCommandUnit, LocalAuthority
    from schools.reference_data import load_reference_data

    if LocalAuthority.objects.count() < 33:
        load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


def test_the_officers_queue_and_the_school_profile_show_the_same_stepping_stones_figures(client, reference_data):
    """11 referred and 6 holding a place (one offered) in the current transition, as at the demo lead's school: the
    police see 10 and 5 (core.suppression: other counts of pupils to the nearest 5) in the queue AND on the profile;
    a coordinator sees 11 and 6 on the profile, the exact figures of the same selector. An earlier transition's
    pupils are not current activity and count nowhere."""
    from tests.accounts.factories import with_two_factor
    from tests.officers.factories import allocator
    from tests.stepping_stones.factories import coordinator

    year = current_transition_year()
    cohort = Cohort.objects.create(transition_year=year, ends_on=Cohort.default_ends_on(year))
    earlier = Cohort.objects.create(transition_year=year - 1, ends_on=Cohort.default_ends_on(year - 1))
    secondary = secondary_school(number_of_pupils=900, latitude=51.545, longitude=-0.055)
    primary = primary_school()
    head = lead_of(primary)
    lead = lead_of(secondary)
    ParticipatingSchool.objects.create(cohort=cohort, school=secondary, places=6).feeder_primaries.set([primary])
    ParticipatingSchool.objects.create(cohort=earlier, school=secondary, places=6)
    for n in range(3):  # last year's pupils, placed
        old = refer(actor=head, cohort=earlier, referring_school=primary, receiving_school=secondary, n=900 + n)
        services.referral_accept(actor=lead, referral=old)
    made = [
        refer(actor=head, cohort=cohort, referring_school=primary, receiving_school=secondary, n=n) for n in range(11)
    ]
    for referral in made[:6]:
        services.referral_accept(actor=lead, referral=referral)
    services.referral_waitlist(actor=lead, referral=made[6])
    services.referral_withdraw(actor=lead, referral=made[0], reason="Moved away")  # made[6] is offered the place
    services.referral_waitlist(actor=lead, referral=made[7])

    [referred, holding] = figures.school_activity([secondary.pk])[secondary.pk]
    assert (referred.count, holding.count) == (11, 6)
    assert selectors.places_filled_by_school(cohort)[secondary.pk] == 6

    police = allocator("central-east")
    client.force_login(police)
    queue = client.get(reverse("officers:queue")).content.decode()
    assert "Pupils referred to Stepping Stones: 10" in queue
    assert "Pupils with a Stepping Stones place: 5" in queue
    response = client.get(reverse("insights:school_profile", kwargs={"urn": secondary.pk}))
    profile = response.context["profile"]
    shown = {item.label: item.display for item in profile.activity if item.programme == figures.PROGRAMME}
    assert shown == {"Pupils referred to Stepping Stones": "10", "Pupils with a Stepping Stones place": "5"}
    assert profile.stepping_stones.pupils_referred_display == "10"
    assert profile.stepping_stones.pupils_in_programme_display == "5"

    client.force_login(with_two_factor(coordinator()))
    response = client.get(reverse("insights:school_profile", kwargs={"urn": secondary.pk}))
    profile = response.context["profile"]
    assert profile.stepping_stones.pupils_referred_display == "11"
    assert profile.stepping_stones.pupils_in_programme_display == "6"
    assert "You see the exact numbers" in response.content.decode()
