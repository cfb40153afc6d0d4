"""Request emails: the allocators covering the school's BCU hear of a headteacher's request; the headteacher hears of
the named officer. After commit, and nothing personal beyond work details."""

import pytest

from officers import services

from .factories import allocator

pytestmark = pytest.mark.django_db


def test_headteacher_request_emails_the_allocators_of_that_bcu_only(
    alloc, school, head, mailoutbox, django_capture_on_commit_callbacks
):
    north = allocator("north")
    alloc.email, north.email = "alloc-ce@met.police.example", "alloc-north@met.police.example"
    alloc.save(update_fields=["email"])
    north.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        services.officer_request_create(
            actor=head, school_urn=school.pk, kind="new", reason="A pupil named Sam was threatened"
        )
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["alloc-ce@met.police.example"]
    assert school.name in message.subject and "asks for a named officer" in message.subject
    assert f"/officers/schools/{school.pk}/" in message.body
    assert "Sam" not in message.body  # the reason stays in the service
    assert "Sam" not in message.alternatives[0][0]


def test_nothing_is_sent_if_the_request_is_refused(alloc, school, head, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.DomainError):
        services.officer_request_create(actor=head, school_urn=school.pk, kind="new", reason="   ")
    assert mailoutbox == []


def test_headteacher_is_told_the_named_officer_with_work_contact(
    alloc, school, head, near, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_create(actor=alloc, school_urn=school.pk, officer_id=near.pk)
    to_head = [m for m in mailoutbox if m.to == [head.email]]
    assert len(to_head) == 1
    body = to_head[0].body
    assert near.name in body and near.work_email in body and near.work_phone in body
    assert "Safer Schools Officer" in body
    assert "/officers/named-officer/" in body
    assert [m.to for m in mailoutbox if m is not to_head[0]] == [[near.work_email]]
