"""The public side in the browser, with axe on every page: sign up for VRU updates → confirm through the link in the
email → unsubscribe through the link in an update; the open figures page matches the API; a signed-in programme
admin sees their tasks on the landing page."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import expect

from public import services
from public.models import ConsentRecord, Subscriber, Topic
from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from tests.accounts.factories import SchoolFactory, london_authority, programme_admin
from tests.accounts.test_identity_support import give_totp
from tests.public.factories import defaults
from tests.wands.factories import WandRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"http://\S+(/updates/(?:confirm|unsubscribe)/\S+)")


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """A transactional test before this one flushed the tables, data-migrated rows included."""
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)
    defaults()
    cache.clear()
    mail.outbox.clear()


def sign_in_as(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _path(message, kind):
    return next(path for path in LINK.findall(message.body) if f"/updates/{kind}/" in path)


def test_sign_up_confirm_and_unsubscribe(page, live_server, axe_check):
    page.goto(live_server.url + "/")
    axe_check(page)
    page.get_by_role("link", name="Sign up to receive updates from the Violence Reduction Unit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign up to receive updates from the Violence Reduction Unit"
    )
    axe_check(page)
    page.get_by_role("button", name="Sign up").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select at least one topic")
    expect(page).to_have_title(re.compile("^Error: "))
    axe_check(page)
    page.get_by_label("Email address").fill("reader@example.org")
    page.get_by_label("Knife wands for schools").check()
    page.get_by_label("London Needs You Alive toolkit").check()
    page.get_by_label("I agree to the consent statement").check()
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    axe_check(page)

    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0]
    assert confirmation.to == ["reader@example.org"]
    record = ConsentRecord.objects.get()
    assert record.statement.version == 1 and record.confirmed_at is None

    page.goto(live_server.url + _path(confirmation, "confirm"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your sign-up")
    axe_check(page)
    page.get_by_role("button", name="Confirm sign-up").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("You are signed up")
    axe_check(page)
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED

    services.update_send(
        actor=programme_admin(),
        topic_id=Topic.objects.get(slug="toolkit").pk,
        subject="New assembly",
        body="A new assembly is in the toolkit.",
    )
    update = mail.outbox[-1]
    assert update.subject == "New assembly"

    page.context.clear_cookies()  # no session needed
    page.goto(live_server.url + _path(update, "unsubscribe"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribe from Violence Reduction Unit updates")
    axe_check(page)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("You have unsubscribed")
    axe_check(page)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED

    # A tampered link gets a clear page.
    page.goto(live_server.url + _path(confirmation, "confirm")[:-3] + "abc")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is not valid")
    axe_check(page)


def test_open_figures_page_matches_the_api(page, live_server, axe_check):
    hackney = [SchoolFactory(local_authority=london_authority(204)) for _ in range(6)]
    camden = [SchoolFactory(local_authority=london_authority(202)) for _ in range(3)]
    for school in hackney:
        WandRequestFactory(school=school, delivered=True, quantity=2)
    WandRequestFactory(school=camden[0], approved=True)

    page.goto(live_server.url + "/figures")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme figures")
    axe_check(page)
    api = page.request.get(live_server.url + "/api/v1/open/figures/").json()
    expect(page.locator("#as-of time")).to_have_attribute("datetime", api["as_of"])
    expect(page.locator('#wands-london [data-figure="wands_delivered"]')).to_have_text(
        str(api["wands"]["london"]["wands_delivered"])
    )
    for row in api["wands"]["boroughs"]:
        cell = page.locator(f'#wands-boroughs tr[data-code="{row["la_code"]}"] [data-figure="schools_taken_up"]')
        expect(cell).to_have_text(str(row["schools_taken_up"]))
    camden_row = next(row for row in api["wands"]["boroughs"] if row["la_code"] == 202)
    assert camden_row["schools_taken_up"] == 1  # a count of schools: published as it is

    with page.expect_download() as download:
        page.get_by_role("link", name="wands-take-up (CSV)").click()
    assert download.value.suggested_filename == "open-figures-wands-take-up.csv"


def test_signed_in_admin_sees_their_tasks(page, live_server, axe_check):
    WandRequestFactory()
    WandRequestFactory()
    admin = programme_admin(full_name="Pat Admin")
    give_totp(admin)
    sign_in_as(page, live_server, admin)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your tasks")
    expect(page.get_by_role("heading", name="Knife wands", exact=True)).to_be_visible()
    link = page.get_by_role("link", name="Wand requests waiting for approval")
    expect(link).to_be_visible()
    axe_check(page)
    link.click()
    expect(page).to_have_url(re.compile(r"/wands/queue/\?status=submitted$"))
    axe_check(page)


def test_admin_sends_an_update_and_publishes_a_new_statement(page, live_server, axe_check):
    admin = programme_admin(full_name="Pat Admin")
    give_totp(admin)
    reader = Subscriber.objects.create(
        email="reader@example.org", status=Subscriber.Status.CONFIRMED, confirmed_at="2026-01-01T10:00:00Z"
    )
    reader.topics.set([Topic.objects.get(slug="knife-wands")])
    sign_in_as(page, live_server, admin)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="VRU updates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("VRU updates sign-up")
    expect(page.locator("#topic-counts")).to_contain_text("Knife wands for schools")
    axe_check(page)

    page.get_by_role("link", name="Send an update").click()
    page.get_by_role("button", name="Send update").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a topic")
    axe_check(page)
    page.get_by_label("Topic").select_option(label="Knife wands for schools")
    page.get_by_label("Subject").fill("Wands for the new term")
    page.get_by_label("Update").fill("Schools can now ask for replacement wands.")
    page.get_by_role("button", name="Send update").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Update sent to 1 confirmed subscriber")
    axe_check(page)
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers

    page.get_by_role("link", name="Publish a new wording").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish a new consent statement")
    axe_check(page)
    page.get_by_label("New wording of the consent statement").fill("Version two: updates you chose, nothing else.")
    page.get_by_role("button", name="Publish new version").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Version 2 of the consent statement is now on")
    expect(page.get_by_role("heading", name=re.compile("^Version 1,"))).to_be_visible()
    axe_check(page)
