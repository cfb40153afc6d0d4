"""Races with a succession: real threads against PostgreSQL (skipped on SQLite, which serialises writers)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import DomainError
from schools.models import School, SchoolChange
from schools.reviews import school_change_apply
from tests.accounts.factories import SchoolFactory, headteacher_of, programme_admin
from tests.concurrency import run_together
from wands import services
from wands.models import AllowanceRule, WandRequest
from wands.selectors import wands_held_against_allowance

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _submit(*, actor, school):
    return services.wand_request_submit(
        actor=actor,
        school=school,
        quantity=1,
        contact_name="Sam Site",
        contact_phone="020 7946 0000",
        delivery_address="1 High Street\nLondon",
        delivery_postcode="E8 1AA",
        policy_confirmed=True,
    )


@pytest.mark.parametrize("attempt", range(4))
def test_applying_a_succession_while_the_old_school_requests_wands_ends_consistent(attempt):
    from schools.models import BasicCommandUnit, LocalAuthority
    from schools.reference_data import load_reference_data

    if not LocalAuthority.objects.exists():
        load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)
    AllowanceRule.objects.update_or_create(phase="", min_pupils=0, defaults={"wands": 4})
    old, new = SchoolFactory(), SchoolFactory()
    head = headteacher_of(old)
    _submit(actor=head, school=old)  # one wand already requested on the old URN
    admin = programme_admin()
    change = SchoolChange.objects.create(
        kind=SchoolChange.Kind.SUCCESSION, school=old, successor=new, found_at=timezone.now()
    )
    stale_old = School.objects.get(pk=old.pk)  # what the school's page had loaded: still open

    results = run_together(
        [
            lambda: school_change_apply(actor=admin, change_id=change.pk),
            lambda: _submit(actor=head, school=stale_old),
        ]
    )

    applied, submitted = results
    assert isinstance(applied, SchoolChange), applied
    assert isinstance(submitted, WandRequest | DomainError | PermissionDenied), submitted
    assert School.objects.get(pk=old.pk).status == School.Status.CLOSED
    # Nothing open is left behind on the closed school: a request made before the move moved with it.
    assert not WandRequest.objects.filter(school=old, status__in=WandRequest.OPEN).exists()
    expected = 2 if isinstance(submitted, WandRequest) else 1
    assert WandRequest.objects.filter(school=new).count() == expected
    assert wands_held_against_allowance(School.objects.get(pk=new.pk)) == expected
