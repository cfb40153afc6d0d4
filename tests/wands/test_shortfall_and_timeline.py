"""What a shortfall means for this request ("waits for stock: 3 wands"), and timelines that name people, not email
addresses."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.accounts.factories import SchoolFactory, headteacher_of
from wands import selectors, services
from wands.models import WandRequest

pytestmark = pytest.mark.django_db


def _at_another_school(submit, quantity):
    school = SchoolFactory(number_of_pupils=1500)
    return submit(quantity, actor=headteacher_of(school), target_school=school)


def test_a_request_behind_others_waits_for_its_own_wands_not_the_queues(admin, submit, add_stock):
    add_stock(4)
    first, second, third = (_at_another_school(submit, n) for n in (3, 5, 2))
    assert services.wand_request_approve(wand_request_id=first.pk, actor=admin).reserved  # 1 left
    second_outcome = services.wand_request_approve(wand_request_id=second.pk, actor=admin)
    assert second_outcome.waits_for == 4  # 5 asked, 1 available
    third_outcome = services.wand_request_approve(wand_request_id=third.pk, actor=admin)
    # The queue is 6 short (5 + 2 - 1) but this request lacks its own 2 wands, not 6.
    assert third_outcome.wands_short == 6 and third_outcome.waits_for == 2
    third.refresh_from_db()
    assert selectors.wand_request_waits_for(third) == 2
    details = [e["detail"] for e in selectors.wand_request_timeline(wand_request=third)]
    assert "Waits for stock: 2 wands" in details and not any("6" in d for d in details)


def test_the_school_page_and_email_say_what_the_wait_means_for_this_request(
    client, head, admin, submit, django_capture_on_commit_callbacks
):
    wand_request = submit(3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
    school_mail = next(m for m in mail.outbox if m.to == [head.email])
    assert "is approved and waits for stock: 3 wands" in school_mail.body
    client.force_login(head)
    page = client.get(reverse("wands:request_detail", kwargs={"pk": wand_request.pk})).content.decode()
    assert "is approved and waits for stock: 3 wands" in page


def test_timelines_name_people_not_email_addresses(client, head, admin, submit):
    User.objects.filter(pk=head.pk).update(full_name="Hana Head")
    User.objects.filter(pk=admin.pk).update(full_name="")
    wand_request = submit(2)
    services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
    wand_request = WandRequest.objects.get(pk=wand_request.pk)
    programme_view = selectors.wand_request_timeline(wand_request=wand_request, for_programme=True)
    people = [entry["by"] for entry in programme_view]
    assert "Hana Head" in people and "a programme admin, VRU" in people
    assert not any("@" in person for person in people)
    client.force_login(admin)
    page = client.get(reverse("wands:request_detail", kwargs={"pk": wand_request.pk})).content.decode()
    timeline = page[page.index(">Timeline<") :]
    assert "Hana Head" in timeline and admin.email not in timeline and head.email not in timeline
