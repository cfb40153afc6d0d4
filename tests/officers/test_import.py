"""Officer CSV import: every row checked first; any bad row rejects the file and lists every bad row."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from officers import services
from officers.models import Assignment, Officer
from tests.accounts.factories import SchoolFactory, london_authority

pytestmark = pytest.mark.django_db

HEADER = "shoulder_number,name,bcu,base_name,base_postcode,base_latitude,base_longitude,capacity,school_urns\n"


def test_good_file_creates_officers_and_assignments(alloc, school, reference_data):
    other = SchoolFactory()
    data = HEADER + (
        f"123CE,Sam Near,central-east,Stoke Newington,N16 8DS,51.56,-0.075,100,{school.pk};{other.pk}\n"
        "124CE,Kit Far,Central East,Hackney,E8 1DY,51.545,-0.055,100,\n"
    )
    assert services.officers_import_csv(actor=alloc, data=data.encode()) == (2, 2)
    assert Officer.objects.get(shoulder_number="123CE").assignments.count() == 2
    # Re-importing the same file changes nothing and adds no assignments.
    assert services.officers_import_csv(actor=alloc, data=data.encode()) == (2, 0)


def test_any_bad_row_rejects_the_file_listing_every_bad_row(alloc, school, reference_data):
    barnet = SchoolFactory(local_authority=london_authority(302))
    data = HEADER + (
        f"123CE,Sam Near,central-east,Stoke Newington,N16 8DS,51.56,-0.075,100,{school.pk}\n"
        f"123CE,,north,X,N1,55,-0.1,0,{barnet.pk} 999999\n"
        f"125CE,Al,central-east,X,N1,51.5,-0.1,10,{school.pk} {barnet.pk}\n"
    )
    with pytest.raises(services.CsvRejected) as error:
        services.officers_import_csv(actor=alloc, data=data.encode())
    problems = dict(error.value.problems)
    assert set(problems) == {3, 4}
    assert "also on line 2" in problems[3] and "name is missing" in problems[3]
    assert "you do not allocate in North Area" in problems[3] and "999999 is not a known school" in problems[3]
    assert f"school {school.pk} is also on line 2" in problems[4] and "is not in Central East" in problems[4]
    assert not Officer.objects.exists() and not Assignment.objects.exists()


def test_import_page_shows_the_rows_to_fix(client, alloc, reference_data):
    client.force_login(alloc)
    upload = SimpleUploadedFile("officers.csv", (HEADER + "1,,nowhere,,,x,y,z,\n").encode(), content_type="text/csv")
    response = client.post(reverse("officers:officer_import"), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported: 1 row needs fixing" in body and "BCU &#x27;nowhere&#x27; is not a Met BCU" in body
    missing = SimpleUploadedFile("officers.csv", b"name\nx\n", content_type="text/csv")
    body = client.post(reverse("officers:officer_import"), {"file": missing}).content.decode()
    assert "missing the columns" in body


def test_api_import_rejects_with_rows_then_imports(alloc, school, reference_data):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(alloc)
    bad = SimpleUploadedFile("o.csv", (HEADER + "1,,nowhere,,,x,y,z,\n").encode())
    response = api.post(reverse("officers-api:officer-import"), {"file": bad}, format="multipart")
    assert response.status_code == 400 and response.json()["rows"][0]["line"] == 2
    good = SimpleUploadedFile("o.csv", (HEADER + f"9CE,Sam,central-east,S,N16,51.56,-0.075,100,{school.pk}\n").encode())
    response = api.post(reverse("officers-api:officer-import"), {"file": good}, format="multipart")
    assert response.status_code == 201 and response.json() == {"officers": 1, "schools": 1}


def test_rows_for_existing_officers_that_cannot_change_are_listed_not_half_applied(reference_data, school):
    from tests.accounts.factories import bcu

    from .factories import AssignmentFactory, OfficerFactory, allocator

    user = allocator("central-east", "north-west")
    ended = OfficerFactory(shoulder_number="200CE", active=False)
    elsewhere = OfficerFactory(shoulder_number="201NA", bcu=bcu("north"))
    busy = OfficerFactory(shoulder_number="202CE")
    AssignmentFactory(school=school, officer=busy)
    data = HEADER + (
        "200ce,Ended,central-east,X,N1,51.5,-0.1,100,\n"
        "201NA,Elsewhere,central-east,X,N1,51.5,-0.1,100,\n"
        "202CE,Busy,north-west,X,N1,51.6,-0.2,100,\n"
        "203CE,New,central-east,X,N1,51.5,-0.1,100,\n"
    )
    with pytest.raises(services.CsvRejected) as error:
        services.officers_import_csv(actor=user, data=data.encode())
    problems = dict(error.value.problems)
    assert set(problems) == {2, 3, 4}
    assert "officer 200CE has ended" in problems[2]
    assert "officer 201NA serves North Area, where you do not allocate" in problems[3]
    assert "would move from Central East to North West but still has 1 schools" in problems[4]
    assert not Officer.objects.filter(shoulder_number="203CE").exists()
    ended.refresh_from_db()
    elsewhere.refresh_from_db()
    assert ended.name != "Ended" and elsewhere.name != "Elsewhere"
