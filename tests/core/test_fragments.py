"""Cached page fragments (core.fragments) and the table versions they are keyed by (core.data_versions): every way
Django writes a table makes its fragments stale, a fragment is per person unless said otherwise, and nothing a
rolled-back or still-open write showed is kept."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test import RequestFactory

from accounts.facts import facts_changed
from core import data_versions, fragments
from core.user_facts import facts_for
from schools.models import LocalAuthority, School
from tests.accounts.factories import UserFactory
from tests.schools.factories import SchoolFactory

SCHOOLS = data_versions.tables_for(("schools.School",))


class Renders:
    """A render function that counts its calls and shows how many schools there are."""

    def __init__(self, html="<p>{n} schools</p>"):
        self.calls = 0
        self.html = html

    def __call__(self):
        self.calls += 1
        return self.html.format(n=School.objects.count())


def get(user=None, query="", path="/schools/"):
    request = RequestFactory().get(f"{path}{query}")
    request.user = user or AnonymousUser()
    return request


def fragment(request, render, **kwargs):
    return fragments.cached(request, "test-schools", depends_on=("schools.School",), render=render, **kwargs)


class TestVersions:
    pytestmark = pytest.mark.django_db

    def versions(self):
        return data_versions.versions(SCHOOLS)

    def test_every_kind_of_write_bumps_the_tables_version(self):
        before = self.versions()
        school = SchoolFactory()
        after_insert = self.versions()
        School.objects.filter(pk=school.pk).update(name="Renamed")
        after_update = self.versions()
        School.objects.bulk_create([SchoolFactory.build(urn=999_001, local_authority=school.local_authority)])
        after_bulk = self.versions()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE schools_school SET name = %s WHERE urn = %s", ["Raw", school.pk])
        after_raw = self.versions()
        School.objects.filter(urn=999_001).delete()
        after_delete = self.versions()
        assert len({before, after_insert, after_update, after_bulk, after_raw, after_delete}) == 6

    def test_reads_and_other_tables_do_not(self):
        SchoolFactory()
        before = self.versions()
        list(School.objects.all())
        LocalAuthority.objects.filter(pk=-1).update(name="x")
        assert self.versions() == before

    def test_app_labels_cover_every_table_of_the_app(self):
        tables = data_versions.tables_for(("schools",))
        assert "schools_school" in tables and "schools_localauthority" in tables
        assert set(SCHOOLS) <= set(tables)

    def test_an_app_label_is_one_version_bumped_by_every_table_of_the_app(self):
        """A fragment showing a whole app reads one version for it, not one per table; a model still reads its own."""
        assert data_versions.versions_for(("schools",)) == (data_versions.app_version("schools"),)
        assert data_versions.versions_for(("schools.School", "wands")) == (
            data_versions.app_version("wands"),
            *SCHOOLS,
        )
        app = data_versions.versions_for(("schools",))
        before = data_versions.versions(app)
        SchoolFactory()
        after_school = data_versions.versions(app)
        LocalAuthority.objects.update(name="x")
        after_authority = data_versions.versions(app)
        assert len({before, after_school, after_authority}) == 3
        UserFactory()
        assert data_versions.versions(app) == after_authority  # another app's write: unchanged
        with pytest.raises(LookupError):
            data_versions.versions_for(("school",))  # a misspelt app label fails loudly

    def test_a_commit_bumps_again(self):
        start = len(connection.run_on_commit)
        SchoolFactory()
        SchoolFactory()
        during = self.versions()
        hooks = [hook for _, hook, *_ in connection.run_on_commit[start:]]
        ours = [hook for hook in hooks if isinstance(hook, data_versions._Transaction)]
        # One hook per transaction, with the table and its app.
        assert len(ours) == 1 and ours[0].tables == {"schools_school", data_versions.app_version("schools")}
        ours[0]()
        assert self.versions() != during


@pytest.mark.django_db(transaction=True)
class TestCachedFragments:
    def test_the_second_render_comes_from_the_cache_until_the_table_is_written(self):
        render = Renders()
        request = get()
        assert fragment(request, render) == "<p>0 schools</p>"
        assert fragment(request, render) == "<p>0 schools</p>"
        assert render.calls == 1
        SchoolFactory()
        assert fragment(get(), render) == "<p>1 schools</p>"
        assert render.calls == 2

    def test_a_write_to_another_table_keeps_it(self):
        render = Renders()
        fragment(get(), render)
        UserFactory()
        fragment(get(), render)
        assert render.calls == 1

    def test_each_person_has_their_own_until_it_is_shared(self):
        render = Renders()
        alice, bob = UserFactory(), UserFactory()
        fragment(get(alice), render)
        fragment(get(bob), render)
        fragment(get(), render)
        assert render.calls == 3
        fragment(get(alice), render, per_user=False)
        fragment(get(bob), render, per_user=False)
        assert render.calls == 4

    def test_a_change_to_the_persons_roles_renders_it_again(self):
        render = Renders()
        alice = UserFactory()
        fragment(get(alice), render)
        facts_changed([alice.pk])
        fragment(get(alice), render)
        assert render.calls == 2

    def test_another_path_is_another_fragment(self):
        render = Renders()
        fragment(get(path="/schools/100001/"), render)
        fragment(get(path="/schools/100002/"), render)
        fragment(get(path="/schools/100002/"), render)
        assert render.calls == 2

    def test_the_query_string_and_vary_make_another_fragment(self):
        render = Renders()
        fragment(get(query="?page=2"), render)
        fragment(get(query="?page=3"), render)
        fragment(get(query="?page=3"), render, vary=("sorted",))
        assert render.calls == 3

    def test_nothing_is_stored_while_the_open_transaction_has_written_what_it_shows(self):
        render = Renders()
        with transaction.atomic():
            SchoolFactory()
            assert fragment(get(), render) == "<p>1 schools</p>"
            transaction.set_rollback(True)
        assert fragment(get(), render) == "<p>0 schools</p>"
        assert render.calls == 2

    def test_a_transaction_that_wrote_something_else_may_store_it(self):
        render = Renders()
        with transaction.atomic():
            UserFactory()
            fragment(get(), render)
        fragment(get(), render)
        assert render.calls == 1

    def test_a_parameter_the_page_does_not_read_is_rendered_not_stored(self):
        render = Renders()
        known = frozenset({"page", "q"})
        fragment(get(query="?page=2&q=x"), render, params=known)
        fragment(get(query="?page=2&q=x"), render, params=known)
        assert render.calls == 1
        for n in range(3):
            fragment(get(query=f"?page=2&junk={n}"), render, params=known)
        assert render.calls == 4
        fragment(get(query="?page=2&junk=0"), render, params=known)
        assert render.calls == 5

    def test_what_changes_with_the_clock_is_kept_until_it_changes(self, monkeypatch):
        from datetime import timedelta

        from django.utils import timezone

        timeouts = []
        real_set = fragments.cache.set

        def recording_set(key, value, timeout):
            timeouts.append(timeout)
            real_set(key, value, timeout)

        monkeypatch.setattr(fragments.cache, "set", recording_set)

        def expiring_in(seconds):
            def render():
                fragments.changes_at(timezone.now() + timedelta(seconds=seconds))
                fragments.changes_at(None)  # nothing shown that expires
                return "<p>an invitation</p>"

            return render

        fragment(get(query="?soon"), expiring_in(90))
        assert len(timeouts) == 1 and 85 <= timeouts[0] <= 90
        fragment(get(query="?later"), expiring_in(86_400))
        assert timeouts[1] == fragments.FRAGMENT_TTL_SECONDS
        render = Renders()
        fragment(get(query="?past"), lambda: fragments.changes_at(timezone.now()) or render())
        fragment(get(query="?past"), lambda: fragments.changes_at(timezone.now()) or render())
        assert render.calls == 2 and len(timeouts) == 2  # already changed: never stored
        fragments.changes_at(timezone.now())  # outside a fragment: nothing happens

    def test_a_hit_is_one_cache_call_and_an_entry_older_than_the_versions_is_not_shown(self, monkeypatch):
        """The entry is read with the versions it was stored at, in one call (get_many), and used only when they are
        still the current ones: a write makes it stale in place, at the same key."""
        render = Renders()
        alice = UserFactory()
        fragment(get(alice), render)
        from django.core.cache import caches

        from tests.accounts.test_signed_in_facts import CacheReads

        request = get(alice)
        facts_for(alice.pk).attach(request.user)  # read with the session, as the authentication middleware does
        reads = CacheReads(monkeypatch, caches["default"])
        assert fragment(request, render) == "<p>0 schools</p>"
        assert reads.calls == ["get_many"] and render.calls == 1
        SchoolFactory()
        assert fragment(get(alice), render) == "<p>1 schools</p>"
        assert render.calls == 2

    def test_the_same_request_reads_the_same_key_whatever_the_versions(self):
        """One key per page and person (the versions are in what is stored there, not in the key): a write does not
        leave the old page behind under another key."""
        render = Renders()
        alice = UserFactory()
        request = get(alice)
        who, _ = fragments._who(request, per_user=True)
        before = fragments.key_for(request, "test-schools", who)
        fragment(request, render)
        SchoolFactory()
        facts_changed([alice.pk])
        fragment(get(alice), render)
        assert fragments.key_for(get(alice), "test-schools", fragments._who(get(alice), per_user=True)[0]) == before
        assert fragments.cache.get(before)[1] == "<p>1 schools</p>"

    def test_off_renders_every_time(self, settings):
        settings.FRAGMENT_CACHE = False
        render = Renders()
        fragment(get(), render)
        fragment(get(), render)
        assert render.calls == 2

    def test_a_csrf_token_or_nonce_is_refused(self):
        for html in ('<input name="csrfmiddlewaretoken" value="x">', '<script nonce="abc"></script>'):
            with pytest.raises(fragments.FragmentError):
                fragment(get(), Renders(html))

    def test_a_cache_failure_is_a_miss(self, monkeypatch):
        render = Renders()

        def broken(*args, **kwargs):
            raise ConnectionError("redis down")

        monkeypatch.setattr(fragments.cache, "get", broken)
        monkeypatch.setattr(fragments.data_versions.cache, "get_many", broken)
        assert fragment(get(), render) == "<p>0 schools</p>"
        assert fragment(get(), render) == "<p>0 schools</p>"
        assert render.calls == 2


@pytest.mark.django_db
def test_the_rows_changed_version_moves_on_update_and_delete_not_on_insert():
    changed = data_versions.changed("schools_school")
    (before,) = data_versions.versions([changed])
    school = SchoolFactory()
    assert data_versions.versions([changed]) == (before,)
    School.objects.filter(pk=school.pk).update(name="Renamed")
    (after_update,) = data_versions.versions([changed])
    assert after_update != before
    school.delete()
    assert data_versions.versions([changed]) != (after_update,)


def test_a_titled_fragment_gives_its_title_and_page_or_none_for_a_refusal():
    title, body = fragments.titled(f"St Mary&#x27;s School {fragments.TITLE_END}<h1>People</h1>")
    assert (title, body) == ("St Mary&#x27;s School", "<h1>People</h1>")
    assert fragments.titled("") is None and fragments.titled("\n") is None
