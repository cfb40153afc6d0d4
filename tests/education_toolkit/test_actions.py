"""Resource.ACTIONS: which editor actions each status opens, to whom; the editor pages offer exactly those."""

import pytest
from django.urls import reverse

from core.workflow import open_actions
from education_toolkit.models import Resource

from .factories import ResourceFactory

pytestmark = pytest.mark.django_db

S = Resource.Status
OPEN_TO_EDITORS = {
    S.DRAFT: {"publish", "archive", "change_files"},
    S.PUBLISHED: {"archive", "change_files"},
    S.ARCHIVED: {"publish"},
}


def test_the_table_covers_every_status_and_action():
    assert set(OPEN_TO_EDITORS) == set(S.values)
    assert set().union(*OPEN_TO_EDITORS.values()) == set(Resource.ACTIONS)


@pytest.mark.parametrize("status", list(OPEN_TO_EDITORS))
def test_each_status_opens_its_actions_to_editors_and_none_to_others(status, editor, teacher):
    resource = ResourceFactory(status=status)
    assert set(open_actions(resource, editor)) == OPEN_TO_EDITORS[status]
    assert open_actions(resource, teacher) == {}


@pytest.mark.parametrize("status", list(OPEN_TO_EDITORS))
def test_the_editor_page_offers_what_the_declaration_opens(client, editor, status):
    resource = ResourceFactory(status=status)
    client.force_login(editor)
    body = client.get(reverse("toolkit:editor_edit", kwargs={"pk": resource.pk})).content.decode()
    offered = {
        "publish": reverse("toolkit:editor_publish", kwargs={"pk": resource.pk}) in body,
        "archive": reverse("toolkit:editor_archive", kwargs={"pk": resource.pk}) in body,
        "change_files": reverse("toolkit:editor_file_add", kwargs={"pk": resource.pk}) in body,
    }
    assert {name for name, shown in offered.items() if shown} == OPEN_TO_EDITORS[status]
