"""The objects the wands access rows point at (wands/access_matrix.py names them as "wands.<builder>").

They are built at a school none of the role users belong to."""

from tests.accounts.factories import SchoolFactory
from tests.wands.factories import WandIssueFactory, WandRequestFactory


def urn():
    return {"urn": SchoolFactory(number_of_pupils=900).pk}


def request_pk():
    return {"pk": WandRequestFactory().pk}


def approved_request_pk():
    return {"pk": WandRequestFactory(approved=True).pk}


def dispatched_request_pk():
    return {"pk": WandRequestFactory(dispatched=True).pk}


def delivered_request_pk():
    return {"pk": WandRequestFactory(delivered=True).pk}


def pickup_pk():
    return {"pk": WandIssueFactory(pickup_arranged=True).pk}
