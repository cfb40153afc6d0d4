"""The objects the schools access rows point at (schools/access_matrix.py names them as "schools.<builder>")."""

from django.utils import timezone

from schools.models import SchoolChange
from tests.schools.factories import SchoolFactory


def school():
    return {"urn": SchoolFactory().urn}


def closed_school():
    return {"urn": SchoolFactory(closed=True).urn}


def change():
    change = SchoolChange.objects.create(
        kind=SchoolChange.Kind.SUCCESSION, school=SchoolFactory(), successor=SchoolFactory(), found_at=timezone.now()
    )
    return {"pk": change.pk}
