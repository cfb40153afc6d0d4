"""All-London optimiser runs: queued, solved one BCU at a time in the worker, reviewed, applied in one action."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from officers import selectors, services
from officers.models import Assignment, OptimiserRun
from tests.accounts.factories import SchoolFactory, bcu, london_authority

from .factories import OfficerFactory, allocator

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_bcus(reference_data):
    """An allocator for Central East and North West, with one officer and one waiting school in each."""
    user = allocator("central-east", "north-west")
    hackney = SchoolFactory(name="Hackney Academy", latitude=51.545, longitude=-0.055)
    barnet = SchoolFactory(name="Barnet School", local_authority=london_authority(302), latitude=51.65, longitude=-0.2)
    ce = OfficerFactory(name="Central Officer", base_latitude=51.546, base_longitude=-0.056)
    nw = OfficerFactory(name="North West Officer", bcu=bcu("north-west"), base_latitude=51.65, base_longitude=-0.21)
    return user, (hackney, ce), (barnet, nw)


def _start(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("officers:optimiser_run_create"), data)
    assert response.status_code == 302
    return OptimiserRun.objects.latest("pk"), response


def test_run_for_all_bcus_in_the_worker_then_apply_some_in_one_action(
    client, two_bcus, django_capture_on_commit_callbacks
):
    user, (hackney, ce), (barnet, nw) = two_bcus
    client.force_login(user)
    run, response = _start(client, django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("officers:optimiser_run", kwargs={"pk": run.pk})
    assert run.status == "done" and run.created_by == user
    assert sorted(run.params["bcu_ids"]) == sorted([ce.bcu_id, nw.bcu_id])
    page = client.get(response["Location"]).content.decode()
    assert "http-equiv" not in page  # finished: no refresh
    assert "Proposal for Central East" in page and "Proposal for North West" in page
    assert f'value="{ce.bcu_id}:{hackney.pk}:{ce.pk}"' in page
    assert f'value="{nw.bcu_id}:{barnet.pk}:{nw.pk}"' in page
    assert not Assignment.objects.exists()  # nothing until applied

    applied = client.post(
        reverse("officers:optimiser_run_apply", kwargs={"pk": run.pk}),
        {"pair": [f"{ce.bcu_id}:{hackney.pk}:{ce.pk}", f"{nw.bcu_id}:{barnet.pk}:{nw.pk}"]},
        follow=True,
    )
    assert "2 schools have a named officer" in applied.content.decode()
    assert selectors.named_officer_for(hackney) == ce and selectors.named_officer_for(barnet) == nw
    run.refresh_from_db()
    assert run.applied_at is not None
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"optimiser_run.queued", "optimiser_run.finished", "optimiser_run.applied", "assignment.created"} <= verbs


def test_queued_run_page_refreshes_itself(client, two_bcus):
    user = two_bcus[0]
    client.force_login(user)
    client.post(reverse("officers:optimiser_run_create"))  # no commit callbacks run: the worker has not started
    run = OptimiserRun.objects.get()
    page = client.get(reverse("officers:optimiser_run", kwargs={"pk": run.pk})).content.decode()
    assert run.status == "queued"
    assert '<meta http-equiv="refresh" content="3">' in page and "Queued" in page


def test_another_allocators_run_is_404(client, two_bcus, django_capture_on_commit_callbacks):
    user = two_bcus[0]
    client.force_login(user)
    run, _ = _start(client, django_capture_on_commit_callbacks)
    client.force_login(allocator("central-east"))
    assert client.get(reverse("officers:optimiser_run", kwargs={"pk": run.pk})).status_code == 404
    assert client.post(reverse("officers:optimiser_run_apply", kwargs={"pk": run.pk})).status_code == 404


def test_a_pair_the_run_did_not_propose_is_refused_and_nothing_written(
    client, two_bcus, django_capture_on_commit_callbacks
):
    user, (hackney, ce), (barnet, nw) = two_bcus
    client.force_login(user)
    run, _ = _start(client, django_capture_on_commit_callbacks)
    other = OfficerFactory(name="Other", base_latitude=51.6)
    response = client.post(
        reverse("officers:optimiser_run_apply", kwargs={"pk": run.pk}),
        {"pair": [f"{ce.bcu_id}:{hackney.pk}:{other.pk}", f"{nw.bcu_id}:{barnet.pk}:{nw.pk}"]},
        follow=True,
    )
    assert "1 chosen assignment is not in this proposal" in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_school_assigned_since_the_run_makes_the_whole_apply_fail(
    client, two_bcus, django_capture_on_commit_callbacks
):
    user, (hackney, ce), (barnet, nw) = two_bcus
    client.force_login(user)
    run, _ = _start(client, django_capture_on_commit_callbacks)
    services.assignment_create(actor=user, school_urn=barnet.pk, officer_id=nw.pk)
    response = client.post(
        reverse("officers:optimiser_run_apply", kwargs={"pk": run.pk}),
        {"pair": [f"{ce.bcu_id}:{hackney.pk}:{ce.pk}", f"{nw.bcu_id}:{barnet.pk}:{nw.pk}"]},
        follow=True,
    )
    body = response.content.decode()
    assert "Nothing was applied" in body and "already the named officer" in body
    assert selectors.named_officer_for(hackney) is None  # the good pair was rolled back too


def test_a_failing_run_is_marked_failed_with_a_message(
    client, two_bcus, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**_kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(selectors, "area_plan", broken)
    client.force_login(two_bcus[0])
    run, response = _start(client, django_capture_on_commit_callbacks)
    assert run.status == "failed" and run.result == {}
    page = client.get(response["Location"]).content.decode()
    assert "The optimiser run failed" in page and "RuntimeError" in page


def test_non_allocator_cannot_start_a_run(client, head):
    client.force_login(head)
    assert client.post(reverse("officers:optimiser_run_create")).status_code == 403
    assert not OptimiserRun.objects.exists()


def test_api_run_poll_apply(two_bcus, django_capture_on_commit_callbacks):
    user, (hackney, ce), (barnet, nw) = two_bcus
    api = APIClient()
    api.force_authenticate(user)
    assert api.post(reverse("officers-api:optimiser-runs"), {"bcus": ["atlantis"]}, format="json").status_code == 400
    assert api.post(reverse("officers-api:optimiser-runs"), {"bcus": "x"}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(reverse("officers-api:optimiser-runs"), {"bcus": [ce.bcu.slug]}, format="json")
    assert started.status_code == 202 and started.json()["status"] == "queued"
    run = api.get(reverse("officers-api:optimiser-run", kwargs={"pk": started.json()["id"]})).json()
    assert run["status"] == "done"
    [area] = run["areas"]
    assert run["params"]["bcus"] == [ce.bcu.slug]
    assert area["bcu"] == ce.bcu.slug and area["rows"][0]["urn"] == hackney.pk
    url = reverse("officers-api:optimiser-run-apply", kwargs={"pk": run["id"]})
    assert api.post(url, {"proposals": []}, format="json").status_code == 400
    wrong = {"proposals": [{"bcu": nw.bcu.slug, "school_urn": barnet.pk, "officer_id": nw.pk}]}
    assert api.post(url, wrong, format="json").status_code == 400  # not in this run's proposal
    good = {"proposals": [{"bcu": ce.bcu.slug, "school_urn": hackney.pk, "officer_id": ce.pk}]}
    made = api.post(url, good, format="json")
    assert made.status_code == 201 and len(made.json()) == 1
    assert api.post(url, good, format="json").status_code == 409  # already applied: the school has that officer


def test_a_run_the_worker_never_finished_says_so_and_stops_refreshing(client, two_bcus):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(two_bcus[0])
    client.post(reverse("officers:optimiser_run_create"))  # queued; no worker runs it
    run = OptimiserRun.objects.get()
    OptimiserRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=20))
    page = client.get(reverse("officers:optimiser_run", kwargs={"pk": run.pk})).content.decode()
    assert "the background worker may have stopped" in page
    assert "http-equiv" not in page
