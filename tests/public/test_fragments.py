"""The public pages' cached fragments (core.fragments): the open figures, the same for every reader and keyed by the
figures themselves, and the sign-ups admin page, which follows every sign-up, confirmation and update at once.

Transactional tests: an ordinary test's open transaction has written every table, so nothing would be stored."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from public import selectors, services, views
from public.models import Subscriber, Topic
from tests.schools.factories import SchoolFactory
from tests.wands.factories import WandRequestFactory

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db(transaction=True)

FIGURES = reverse("public:figures")
ADMIN = reverse("public:updates_admin")
PER_RESPONSE = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')
BODY = re.compile(r"<main[^>]*>(.*)</main>", re.S)


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return PER_RESPONSE.sub("", response.content.decode()), len(queries)


def main(html: str) -> str:
    return BODY.search(html).group(1)


def london_school():
    from schools.models import LocalAuthority

    return SchoolFactory(local_authority=LocalAuthority.objects.get(code=204))


@pytest.fixture(autouse=True)
def reference_data(db):
    from schools.models import BasicCommandUnit, LocalAuthority
    from schools.reference_data import load_reference_data

    if LocalAuthority.objects.count() < 33:
        load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


class TestOpenFigures:
    def test_the_same_for_everyone_and_rendered_once(self, admin_client, monkeypatch):
        cache.delete(selectors.OPEN_FIGURES_CACHE_KEY)
        renders = []
        real_charts = views.figures_charts

        def counting_charts(data):
            renders.append(1)
            return real_charts(data)

        monkeypatch.setattr(views, "figures_charts", counting_charts)
        anonymous, _ = get(Client(), FIGURES)
        signed_in, _ = get(admin_client, FIGURES)
        again, _ = get(Client(), FIGURES)
        assert len(renders) == 1  # one render for everyone
        assert main(signed_in) == main(anonymous) == main(again)

    def test_new_figures_show_as_soon_as_the_copy_is_recomputed(self):
        cache.delete(selectors.OPEN_FIGURES_CACHE_KEY)
        school = london_school()
        html, _ = get(Client(), FIGURES)
        assert 'data-figure="wands_delivered">0<' in html
        WandRequestFactory(school=school, delivered=True, quantity=9)
        # The page shows the copy of the figures kept for 10 minutes (as before): a new copy is a new fragment.
        cache.delete(selectors.OPEN_FIGURES_CACHE_KEY)
        html, _ = get(Client(), FIGURES)
        assert 'data-figure="wands_delivered">9<' in html


class TestUpdatesAdmin:
    def test_a_second_view_is_cheaper_and_the_same(self, admin_client, topics):
        SubscriberFactory()
        first, cold = get(admin_client, ADMIN)
        second, warm = get(admin_client, ADMIN)
        assert warm < cold
        assert main(second) == main(first)

    def test_a_sign_up_a_confirmation_and_an_update_show_at_once(self, admin, admin_client, topics):
        def confirmed(html):
            return re.search(r"Confirmed</dt><dd[^>]*>(\d+)<", html).group(1)

        def waiting(html):
            return re.search(r"Waiting for confirmation</dt><dd[^>]*>(\d+)<", html).group(1)

        html, _ = get(admin_client, ADMIN)
        assert (confirmed(html), waiting(html)) == ("0", "0")
        get(admin_client, ADMIN)  # from the cache
        services.signup_request(
            email="parent@example.org",
            topic_slugs=[topics[0].slug],
            statement_version=selectors.current_consent_statement().version,
        )
        html, _ = get(admin_client, ADMIN)
        assert (confirmed(html), waiting(html)) == ("0", "1")
        consent = Subscriber.objects.get(email="parent@example.org").consents.get()
        services.signup_confirm(token=services.confirm_token_for(consent))
        html, _ = get(admin_client, ADMIN)
        assert (confirmed(html), waiting(html)) == ("1", "0")
        services.update_send(actor=admin, topic_id=topics[0].pk, subject="Half-term news", body="Hello")
        html, _ = get(admin_client, ADMIN)
        assert "Half-term news" in html
        services.consent_statement_publish(text="A new wording of the statement.", actor=admin)
        assert "A new wording of the statement." in get(admin_client, ADMIN)[0]
        Topic.objects.filter(pk=topics[0].pk).update(is_active=False)
        assert "Not offered" in get(admin_client, ADMIN)[0]
