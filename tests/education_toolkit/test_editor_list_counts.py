"""The editor's list of every resource (issue 22): its file and download counts are a count per resource, not a join
of files by downloads, so the queries do not grow with resources and the counts stay exact."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from education_toolkit.models import Download, Resource
from education_toolkit.selectors import resources_for_editor_list

from .factories import ResourceFactory, with_file

pytestmark = pytest.mark.django_db


def resource_with(*, files: int, downloads: int, **kwargs) -> Resource:
    resource = ResourceFactory(**kwargs)
    made = [with_file(resource, title=f"File {n}") for n in range(files)]
    if downloads:
        Download.objects.bulk_create(
            [
                Download(resource=resource, version=made[n % len(made)].current_version, organisation_type="school")
                for n in range(downloads)
            ]
        )
    return resource


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_editor_list_issues_the_same_queries_at_2_and_12_resources(client, editor):
    client.force_login(editor)
    url = reverse("toolkit:editor_list")
    resource_with(files=1, downloads=2)
    resource_with(files=0, downloads=0, draft=True)
    client.get(url)  # warm per-process caches (content types)
    small = queries_for(client, url)
    for n in range(10):
        resource_with(files=n % 3 + 1, downloads=n, archived=n % 4 == 0)
    assert queries_for(client, url) == small


def test_each_resource_counts_its_own_files_and_downloads():
    counts = {(0, 0), (1, 0), (2, 5), (3, 7)}
    made = {resource_with(files=files, downloads=downloads).pk: (files, downloads) for files, downloads in counts}
    listed = {r.pk: (r.file_count, r.download_count) for r in resources_for_editor_list()}
    assert listed == made
