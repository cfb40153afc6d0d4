"""The objects the toolkit access rows point at (education_toolkit/access_matrix.py names them as
"education_toolkit.<builder>")."""

from education_toolkit.models import SearchSynonym
from tests.education_toolkit.factories import ResourceFactory, with_file


def _resource(**traits):
    resource = ResourceFactory(**traits)
    with_file(resource)
    return resource


def slug():
    return {"slug": _resource().slug}


def draft_pk():
    return {"pk": _resource(draft=True).pk}


def file_id():
    return {"file_id": _resource(draft=True).files.get().pk}


def synonym_pk():
    return {"pk": SearchSynonym.objects.get_or_create(term="access test", defaults={"alternatives": "a, b"})[0].pk}


def verified_version():
    return {"version_id": _resource(verified=True).files.get().current_version_id}
