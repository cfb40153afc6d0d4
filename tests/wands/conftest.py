import pytest

from tests.accounts.factories import SchoolFactory, headteacher_of, programme_admin
from wands import services
from wands.models import AllowanceRule, StockLevel

from .factories import fulfilment_staff


@pytest.fixture
def rules():
    """The allowance bands and register reference data the tests rely on (transactional tests flush what the
    migrations loaded)."""
    from schools.models import BasicCommandUnit, LocalAuthority
    from schools.reference_data import load_reference_data

    if not LocalAuthority.objects.exists():
        load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)
    for phase, min_pupils, wands in [("", 0, 2), ("secondary", 0, 4), ("secondary", 750, 6), ("primary", 0, 1)]:
        AllowanceRule.objects.update_or_create(phase=phase, min_pupils=min_pupils, defaults={"wands": wands})
    StockLevel.objects.get_or_create(pk=1)


@pytest.fixture
def school(rules):
    return SchoolFactory(number_of_pupils=900, street="1 High Street", town="London", postcode="E8 1AA")


def with_two_factor(user):
    """Headteachers, programme admins and fulfilment staff must have two-factor set up to reach any page."""
    from tests.accounts.test_identity_support import give_totp

    give_totp(user)
    return user


@pytest.fixture
def head(school):
    return with_two_factor(headteacher_of(school))


@pytest.fixture
def admin():
    return with_two_factor(programme_admin())


@pytest.fixture
def fulfilment():
    return with_two_factor(fulfilment_staff())


@pytest.fixture
def add_stock(admin):
    def _add(quantity, batch="B-1"):
        return services.stock_delivery_record(actor=admin, quantity=quantity, batch=batch)

    return _add


@pytest.fixture
def submit(head, school):
    def _submit(quantity=2, *, actor=None, key="", target_school=None):
        return services.wand_request_submit(
            actor=actor or head,
            school=target_school or school,
            quantity=quantity,
            contact_name="Sam Site",
            contact_phone="020 7946 0000",
            delivery_address="1 High Street\nLondon",
            delivery_postcode="E8 1AA",
            policy_confirmed=True,
            idempotency_key=key,
        )

    return _submit
