"""Zips stream with flat memory; analytics figures equal the download records."""

import io
import os
import tracemalloc
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from education_toolkit import selectors, services
from education_toolkit.models import DeliveryReport, Download
from education_toolkit.zips import unique_names, zip_stream
from tests.accounts.factories import OrganisationMembershipFactory, SchoolFactory, SchoolMembershipFactory, UserFactory

from .factories import ResourceFactory, with_file


def _peak_while_streaming(entries, storage) -> tuple[int, int]:
    tracemalloc.start()
    tracemalloc.reset_peak()
    total = 0
    for chunk in zip_stream(entries, storage=storage):
        total += len(chunk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, total


def test_peak_memory_of_a_big_zip_stays_flat(tmp_path):
    """Six 8 MB files (48 MB) need no more memory than one 10 KB file, give or take a few chunks."""
    storage = FileSystemStorage(location=tmp_path)
    big = []
    for n in range(6):
        name = f"big-{n}.bin"
        with open(tmp_path / name, "wb") as handle:
            for _ in range(8):
                handle.write(os.urandom(1024 * 1024))  # random: deflate cannot shrink it
        big.append((f"file-{n}.pdf", name))
    storage.save("small.bin", ContentFile(os.urandom(10 * 1024)))

    small_peak, _ = _peak_while_streaming([("small.pdf", "small.bin")], storage)
    big_peak, big_total = _peak_while_streaming(big, storage)

    assert big_total > 48 * 1024 * 1024
    assert big_peak < small_peak + 2 * 1024 * 1024, (small_peak, big_peak)
    assert big_peak < 4 * 1024 * 1024


def test_the_streamed_zip_is_valid_and_complete(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    contents = {f"f{n}.bin": os.urandom(300 * 1024 + n) for n in range(3)}
    for name, data in contents.items():
        storage.save(name, ContentFile(data))
    data = b"".join(zip_stream([(f"out-{name}", name) for name in contents], storage=storage))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert {n: archive.read(n) for n in archive.namelist()} == {f"out-{k}": v for k, v in contents.items()}


def test_duplicate_names_in_a_zip_are_numbered():
    assert unique_names(["notes.pdf", "Notes.pdf", "slides.pptx"]) == ["notes.pdf", "Notes (2).pdf", "slides.pptx"]


@pytest.mark.django_db
def test_analytics_equal_the_download_records():
    from schools.models import LocalAuthority

    camden, hackney = LocalAuthority.objects.get(code=202), LocalAuthority.objects.get(code=204)
    lesson, assembly = ResourceFactory(title="Lesson"), ResourceFactory(title="Assembly")
    with_file(lesson), with_file(lesson, title="Slides"), with_file(assembly)
    teacher = SchoolMembershipFactory(school=SchoolFactory(local_authority=camden)).user
    faith = OrganisationMembershipFactory(organisation__type="faith", organisation__borough=hackney).user
    stranger = UserFactory()
    for user in (teacher, faith, stranger):
        services.terms_accept(user=user)
    services.downloads_record(user=teacher, resource=lesson)  # 2 files
    services.downloads_record(user=teacher, resource=assembly)
    services.downloads_record(user=faith, resource=lesson, as_zip=True)  # 2 files
    services.downloads_record(user=stranger, resource=assembly)
    Download.objects.filter(user=stranger).update(downloaded_at=datetime(2026, 1, 15, tzinfo=UTC))
    services.delivery_report_submit(
        actor=teacher, resource=lesson, young_people=30, setting="classroom", delivered_on=datetime(2026, 2, 1).date()
    )
    services.delivery_report_submit(
        actor=faith,
        resource=lesson,
        young_people=45,
        setting="place_of_worship",
        delivered_on=datetime(2026, 2, 1).date(),
    )

    figures = selectors.toolkit_analytics()

    assert figures["total_downloads"] == Download.objects.count() == 6
    assert {r["title"]: r["downloads"] for r in figures["by_resource"]} == {"Lesson": 4, "Assembly": 2}
    assert {r["organisation_type"]: r["downloads"] for r in figures["by_organisation_type"]} == {
        "school": 3,
        "faith": 2,
        "other": 1,
    }
    assert {r["borough"]: r["downloads"] for r in figures["by_borough"]} == {"Camden": 3, "Hackney": 2, "Not known": 1}
    by_month = {r["month"]: r["downloads"] for r in figures["by_month"]}
    assert by_month.pop("2026-01") == 1 and sum(by_month.values()) == 5
    assert figures["young_people_reached"] == 75 == sum(DeliveryReport.objects.values_list("young_people", flat=True))
    assert {r["setting"]: r["young_people"] for r in figures["reach"]} == {"classroom": 30, "place_of_worship": 45}
    # No personal data in the aggregates.
    flat = repr(figures)
    for user in (teacher, faith, stranger):
        assert user.email not in flat and user.full_name not in flat
