"""The toolkit catalogue and the editors' list are cached fragments (core.fragments): a second view runs fewer queries
and shows the same page, and a real change (through the services, the UI or a role) shows on the next view. The
download counts keep the days before today (education_toolkit.download_counts): a new download, and any change to
a past one, still shows at once."""

import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from education_toolkit import download_counts, services
from education_toolkit.models import Download, SearchSynonym
from education_toolkit.selectors import TERMS_VERSION
from education_toolkit.views import SESSION_TERMS
from tests.accounts.factories import SchoolMembershipFactory, UserFactory

from .factories import ResourceFactory, with_file

pytestmark = pytest.mark.django_db(transaction=True)
CATALOGUE = reverse("toolkit:catalogue")
EDITOR_LIST = reverse("toolkit:editor_list")


def get(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def twice(client, url):
    """The first view (a miss) and the second (a hit): the same page, fewer queries."""
    first, misses = get(client, url)
    second, hits = get(client, url)
    assert hits < misses
    return same(first), same(second)


def same(html: str) -> str:
    """The page without what belongs to one response (the CSP nonce, the CSRF token)."""
    html = re.sub(r'nonce="[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.fixture(autouse=True)
def settled(monkeypatch):
    """Keep the past downloads' counts whatever the time of day the test runs (not only after SETTLE)."""
    monkeypatch.setattr(download_counts, "SETTLE", timedelta(0))


@pytest.fixture
def catalogue_data():
    knives = ResourceFactory(title="Knife crime assembly", tags=[("topic", "knife_crime")])
    with_file(knives, title="Slides")
    verified = ResourceFactory(title="Verified workshop", verified=True)
    with_file(verified, title="Script")
    return knives, verified


class TestCatalogue:
    def test_a_second_view_is_the_same_page_with_fewer_queries(self, client, catalogue_data, editor):
        first, second = twice(client, CATALOGUE)
        assert first == second and "Knife crime assembly" in first and "Sign in or create an account" in first
        client.force_login(editor)
        first, second = twice(client, CATALOGUE)
        assert first == second
        assert "Manage toolkit resources" in first and 'id="pick-' in first and 'id="download-several"' in second

    def test_the_download_form_and_its_token_are_on_every_view(self, client, catalogue_data, teacher):
        client.force_login(teacher)
        twice(client, CATALOGUE)
        page, _ = get(client, CATALOGUE)
        assert 'id="download-several"' in page and 'name="csrfmiddlewaretoken"' in page
        assert 'name="accept_terms"' not in page  # the teacher accepted the terms

    def test_a_visitor_who_accepts_the_terms_is_not_asked_again_from_the_shared_fragment(self, client, catalogue_data):
        before, _ = get(client, CATALOGUE)
        assert 'name="accept_terms"' in before
        session = client.session
        session[SESSION_TERMS] = TERMS_VERSION
        session.save()
        after, _ = get(client, CATALOGUE)
        assert 'name="accept_terms"' not in after and 'id="download-several"' in after

    def test_an_archived_resource_leaves_at_once(self, client, catalogue_data, editor):
        knives, _ = catalogue_data
        twice(client, CATALOGUE)
        services.resource_archive(actor=editor, resource_id=knives.pk, reason="Out of date")
        page, _ = get(client, CATALOGUE)
        assert "Knife crime assembly" not in page and "Verified workshop" in page

    def test_a_published_resource_and_a_new_file_show_at_once(self, client, catalogue_data, editor):
        twice(client, CATALOGUE)
        new = ResourceFactory(title="Bleeding control", draft=True)
        with_file(new, title="Poster")
        services.resource_publish(actor=editor, resource_id=new.pk)
        page, _ = get(client, CATALOGUE)
        assert "Bleeding control" in page and "Poster" in page

    def test_an_edited_title_shows_at_once(self, client, catalogue_data, editor):
        knives, _ = catalogue_data
        twice(client, CATALOGUE)
        services.resource_update(actor=editor, resource_id=knives.pk, title="Knife crime: the assembly")
        page, _ = get(client, CATALOGUE)
        assert "Knife crime: the assembly" in page

    def test_a_new_search_synonym_widens_a_search_at_once(self, client, catalogue_data, editor):
        url = f"{CATALOGUE}?q=blade"
        page, _ = get(client, url)
        assert "Knife crime assembly" not in page
        get(client, url)
        services.synonym_save(actor=editor, term="blade", alternatives="knife")
        assert SearchSynonym.objects.filter(term="blade").exists()
        page, _ = get(client, url)
        assert "Knife crime assembly" in page

    def test_a_new_role_changes_what_the_person_may_tick(self, client, catalogue_data):
        person = UserFactory()
        services.terms_accept(user=person)
        client.force_login(person)
        first, second = twice(client, CATALOGUE)
        assert "how to get access" in second and 'data-resource="verified-' not in second
        _, verified = catalogue_data
        assert f'data-resource="{verified.slug}"' not in second
        SchoolMembershipFactory(user=person)  # school staff: a verified professional
        page, _ = get(client, CATALOGUE)
        assert f'data-resource="{verified.slug}"' in page


class TestEditorList:
    def test_a_second_view_is_the_same_page_with_fewer_queries(self, client, catalogue_data, editor):
        client.force_login(editor)
        first, second = twice(client, EDITOR_LIST)
        assert first == second and "Knife crime assembly" in first

    def test_a_download_shows_in_the_count_at_once(self, client, catalogue_data, editor):
        knives, _ = catalogue_data
        client.force_login(editor)
        twice(client, EDITOR_LIST)
        services.terms_accept(user=editor)
        services.downloads_record(user=editor, resource=knives, version_ids=None)
        page, _ = get(client, EDITOR_LIST)
        row = page.split("Knife crime assembly")[1].split("</tr>")[0]
        assert row.count(">1</td>") == 2  # one file, one download

    def test_a_new_file_and_a_status_change_show_at_once(self, client, catalogue_data, editor):
        knives, _ = catalogue_data
        client.force_login(editor)
        twice(client, EDITOR_LIST)
        with_file(knives, title="Teacher notes")
        services.resource_archive(actor=editor, resource_id=knives.pk, reason="Out of date")
        page, _ = get(client, EDITOR_LIST)
        row = page.split("Knife crime assembly")[1].split("</tr>")[0]
        assert "Archived" in row and ">2</td>" in row


def _download(resource, *, days_ago=0):
    file = resource.files.first()
    download = Download.objects.create(resource=resource, version=file.current_version, organisation_type="other")
    if days_ago:
        Download.objects.filter(pk=download.pk).update(downloaded_at=timezone.now() - timedelta(days=days_ago))
    return download


class TestDownloadCounts:
    def test_the_days_before_today_are_counted_once_and_today_live(self, catalogue_data):
        knives, verified = catalogue_data
        _download(knives, days_ago=3)
        _download(knives, days_ago=40)
        _download(verified, days_ago=1)
        assert download_counts.per_resource() == {knives.pk: 2, verified.pk: 1}
        _download(knives)  # today: an INSERT, which leaves the kept days alone
        with CaptureQueriesContext(connection) as captured:
            assert download_counts.per_resource() == {knives.pk: 3, verified.pk: 1}
        assert len(captured) == 1  # today's downloads only

    def test_a_past_download_changed_or_deleted_is_counted_again(self, catalogue_data):
        knives, verified = catalogue_data
        old = _download(knives, days_ago=3)
        assert download_counts.per_resource() == {knives.pk: 1}
        Download.objects.filter(pk=old.pk).update(resource=verified)
        assert download_counts.per_resource() == {verified.pk: 1}
        Download.objects.filter(pk=old.pk).delete()
        assert download_counts.per_resource() == {}

    def test_raw_sql_through_django_is_seen_too(self, catalogue_data):
        knives, _ = catalogue_data
        old = _download(knives, days_ago=3)
        assert download_counts.per_resource() == {knives.pk: 1}
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM education_toolkit_download WHERE id = %s", [old.pk])
        assert download_counts.per_resource() == {}

    def test_a_download_moved_to_today_from_the_past_is_counted_once(self, catalogue_data):
        knives, _ = catalogue_data
        old = _download(knives, days_ago=3)
        assert download_counts.per_resource() == {knives.pk: 1}
        Download.objects.filter(pk=old.pk).update(downloaded_at=timezone.now())
        assert download_counts.per_resource() == {knives.pk: 1}

    def test_nothing_is_kept_in_the_first_minutes_of_a_day(self, catalogue_data, monkeypatch):
        knives, _ = catalogue_data
        monkeypatch.setattr(download_counts, "SETTLE", timedelta(days=2))
        _download(knives, days_ago=3)
        download_counts.per_resource()
        with CaptureQueriesContext(connection) as captured:
            download_counts.per_resource()
        assert len(captured) == 2  # the past counted again, and today

    def test_what_a_rolled_back_change_showed_is_not_kept(self, catalogue_data):
        knives, verified = catalogue_data
        old = _download(knives, days_ago=3)
        assert download_counts.per_resource() == {knives.pk: 1}
        with transaction.atomic():
            Download.objects.filter(pk=old.pk).update(resource=verified)
            assert download_counts.per_resource() == {verified.pk: 1}
            transaction.set_rollback(True)
        assert download_counts.per_resource() == {knives.pk: 1}
