"""The nightly refresh (`manage.py gias_refresh`): links stored, openings and changes at once, closures and
successions to review, the 5% guard, bad links files refused, a repeated refresh changing nothing."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from core.models import AuditEvent
from schools.gias import GiasFileRefused
from schools.models import GiasImport, School, SchoolChange, SchoolLink
from schools.refresh import gias_refresh_run
from schools.selectors import school_links
from tests.accounts.factories import programme_admin

from .gias_fixtures import conversion_links, gias_row, link_row, write_gias, write_links

pytestmark = pytest.mark.django_db

BASE = 140001


def _rows(count: int, **changes) -> list[dict]:
    return [gias_row(BASE + n) for n in range(count)]


def _register(tmp_path, count: int = 40) -> list[dict]:
    """A register of `count` open Hackney primaries, imported through the refresh itself."""
    rows = _rows(count)
    write_gias(tmp_path / "first.csv", rows)
    write_links(tmp_path / "no-links.csv", [])
    gias_refresh_run(extract_path=tmp_path / "first.csv", links_path=tmp_path / "no-links.csv")
    return rows


def _refresh(tmp_path, rows, links, **options):
    extract = write_gias(tmp_path / "extract.csv", rows)
    links_file = write_links(tmp_path / "links.csv", links)
    return gias_refresh_run(extract_path=extract, links_path=links_file, **options)


def test_first_refresh_opens_every_school_and_stores_links_touching_the_register(tmp_path):
    rows = _rows(3)
    report = _refresh(
        tmp_path,
        rows,
        [link_row(BASE, BASE + 1, "Sixth Form Centre Link"), link_row(900001, 900002, "Successor")],
    )
    assert School.objects.filter(status=School.Status.OPEN).count() == 3
    assert report.run.created == 3
    assert list(SchoolLink.objects.values_list("urn", "link_urn")) == [(BASE, BASE + 1)]  # the other is not ours


def test_conversion_is_queued_for_review_and_changes_and_openings_apply_at_once(tmp_path):
    rows = _register(tmp_path)
    rows[0] = gias_row(BASE, status="Closed", close_date="31-08-2026", name="Renamed Old School")
    rows[1] = gias_row(BASE + 1, pupils="999")
    rows.append(gias_row(150001, name="Oakfield Academy", type="Academy converter", open_date="01-09-2026"))

    report = _refresh(tmp_path, rows, conversion_links(BASE, 150001))

    old = School.objects.get(urn=BASE)
    assert old.status == School.Status.OPEN  # the closure waits for review
    assert old.name == "Renamed Old School"  # its other fields apply now
    assert School.objects.get(urn=BASE + 1).number_of_pupils == 999
    assert School.objects.get(urn=150001).status == School.Status.OPEN
    change = SchoolChange.objects.get()
    assert (change.kind, change.school_id, change.successor_id, change.status) == (
        SchoolChange.Kind.SUCCESSION,
        BASE,
        150001,
        SchoolChange.Status.PENDING,
    )
    assert change.link_type == "Successor"
    assert report.run.changes_queued == 1
    assert report.run.closed == 0
    links = school_links(urn=150001)
    assert [entry.urn for entry in links["predecessors"]] == [BASE]
    assert [entry.urn for entry in school_links(urn=BASE)["successors"]] == [150001]


def test_a_school_missing_from_the_file_is_a_closure_for_review(tmp_path):
    rows = _register(tmp_path)
    _refresh(tmp_path, rows[1:], [])
    change = SchoolChange.objects.get()
    assert (change.kind, change.school_id, change.successor_id) == (SchoolChange.Kind.CLOSURE, BASE, None)
    assert School.objects.get(urn=BASE).status == School.Status.OPEN


def test_a_repeated_refresh_changes_nothing(tmp_path):
    rows = _register(tmp_path)
    rows[0] = gias_row(BASE, status="Closed")
    rows.append(gias_row(150001))
    links = conversion_links(BASE, 150001) + [link_row(BASE + 2, 150001, "Merged - change in age range")]
    _refresh(tmp_path, rows, links)
    stamps = dict(School.objects.values_list("urn", "updated_at"))
    link_ids = set(SchoolLink.objects.values_list("pk", flat=True))

    report = _refresh(tmp_path, rows, links)

    assert report.run.created == report.run.updated == report.run.changes_queued == 0
    assert (report.run.links_added, report.run.links_removed) == (0, 0)
    assert dict(School.objects.values_list("urn", "updated_at")) == stamps
    assert set(SchoolLink.objects.values_list("pk", flat=True)) == link_ids
    assert SchoolChange.objects.count() == 1


def test_a_dismissed_change_is_not_asked_again(tmp_path):
    rows = _register(tmp_path)
    _refresh(tmp_path, rows[1:], [])
    SchoolChange.objects.update(status=SchoolChange.Status.DISMISSED, reason="Still open: the file was wrong")
    _refresh(tmp_path, rows[1:], [])
    assert SchoolChange.objects.count() == 1


def test_guard_holds_back_a_refresh_closing_more_than_five_percent_and_alerts_the_admins(
    tmp_path, django_capture_on_commit_callbacks
):
    admin = programme_admin(email="vru-admin@example.org")
    rows = _register(tmp_path, count=40)
    mail.outbox.clear()
    truncated = rows[:37]  # 3 of 40 missing: 7.5%
    truncated[5] = gias_row(BASE + 5, pupils="999")
    truncated.append(gias_row(150001))

    with pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=True):  # exit 2: the timer fails
        call_command(
            "gias_refresh",
            extract=str(write_gias(tmp_path / "t.csv", truncated)),
            links=str(write_links(tmp_path / "l.csv", [])),
        )

    assert SchoolChange.objects.count() == 0
    assert not School.objects.filter(urn=150001).exists()
    assert School.objects.get(urn=BASE + 5).number_of_pupils == 420
    run = GiasImport.objects.first()
    assert run.guard_tripped
    assert AuditEvent.objects.filter(verb="gias_refresh.held_back").count() == 1
    assert [message.to for message in mail.outbox] == [[admin.email]]
    assert "Nothing was applied" in mail.outbox[0].body


def test_guard_lets_through_a_refresh_at_the_limit(tmp_path):
    rows = _register(tmp_path, count=40)
    _refresh(tmp_path, rows[2:], [])  # 2 of 40: 5%
    assert SchoolChange.objects.count() == 2


def test_guard_share_can_be_set(tmp_path):
    rows = _register(tmp_path, count=40)
    report = _refresh(tmp_path, rows[2:], [], max_close_share=0.01)
    assert report.guard_tripped
    assert SchoolChange.objects.count() == 0


@pytest.mark.parametrize(
    "content, message",
    [
        (b"URN,Name\r\n100001,x\r\n", "is not a GIAS links file"),
        ("URN,LinkURN,LinkType\r\n100001,100002,Successor \u2013 é\r\n".encode("utf-8"), "UTF-8"),
        (b"", "empty"),
    ],
)
def test_a_file_that_is_not_a_links_file_is_refused_and_nothing_is_written(tmp_path, content, message):
    rows = _register(tmp_path)
    rows.append(gias_row(150001))
    extract = write_gias(tmp_path / "extract.csv", rows)
    links = tmp_path / "links.csv"
    links.write_bytes(content)
    imports = GiasImport.objects.count()
    with pytest.raises(GiasFileRefused, match=message):
        gias_refresh_run(extract_path=extract, links_path=links)
    assert not School.objects.filter(urn=150001).exists()
    assert GiasImport.objects.count() == imports


def test_command_refuses_with_a_clear_message(tmp_path):
    extract = write_gias(tmp_path / "extract.csv", _rows(2))
    with pytest.raises(CommandError, match="No GIAS file at .*nowhere.csv"):
        call_command("gias_refresh", extract=str(extract), links=str(tmp_path / "nowhere.csv"))


def test_unknown_types_bad_rows_unknown_urns_and_cycles_are_reported_not_acted_on(tmp_path):
    rows = _register(tmp_path, count=80)
    rows[0] = gias_row(BASE, status="Closed")
    rows[1] = gias_row(BASE + 1, status="Closed")
    rows[2] = gias_row(BASE + 2, status="Closed")
    links = [
        link_row(BASE, BASE + 1, "Successor"),  # a cycle: BASE -> BASE+1 -> BASE
        link_row(BASE + 1, BASE, "Successor"),
        link_row(BASE + 2, 987654, "Successor"),  # not in the register
        link_row(BASE + 3, BASE + 4, "Twinned with"),  # a type we do not know
        link_row(BASE + 3, 12, "Successor"),  # a bad URN
    ]
    report = _refresh(tmp_path, rows, links)

    kinds = [problem["kind"] for problem in report.link_problems]
    assert kinds.count("cycle") == 1, report.link_problems
    assert "row" in kinds and "unknown_type" in kinds and "not_in_register" in kinds
    assert SchoolLink.objects.filter(link_type="Twinned with").count() == 1
    assert set(SchoolChange.objects.values_list("school_id", "kind")) == {
        (BASE, "closure"),
        (BASE + 1, "closure"),
        (BASE + 2, "closure"),
    }


def test_amalgamation_queues_a_succession_for_each_predecessor(tmp_path):
    rows = _register(tmp_path)
    rows[0] = gias_row(BASE, status="Closed")
    rows[1] = gias_row(BASE + 1, status="Closed")
    rows.append(gias_row(150001))
    links = conversion_links(BASE, 150001, kind="amalgamated") + conversion_links(BASE + 1, 150001, kind="amalgamated")
    _refresh(tmp_path, rows, links)
    assert set(SchoolChange.objects.values_list("school_id", "successor_id")) == {(BASE, 150001), (BASE + 1, 150001)}


def test_dry_run_writes_nothing(tmp_path):
    rows = _register(tmp_path)
    rows[0] = gias_row(BASE, status="Closed")
    rows.append(gias_row(150001))
    imports = GiasImport.objects.count()
    _refresh(tmp_path, rows, conversion_links(BASE, 150001), dry_run=True)
    assert GiasImport.objects.count() == imports
    assert not SchoolChange.objects.exists()
    assert not School.objects.filter(urn=150001).exists()


def test_a_school_that_moved_gets_new_coordinates_and_the_others_keep_theirs(tmp_path):
    rows = _register(tmp_path)
    before = dict(School.objects.values_list("urn", "latitude"))
    rows[0] = gias_row(BASE, easting="530000", northing="180000")
    _refresh(tmp_path, rows, [])
    after = dict(School.objects.values_list("urn", "latitude"))
    assert after[BASE] != before[BASE] and round(after[BASE], 2) == 51.50
    assert {urn: lat for urn, lat in after.items() if urn != BASE} == {
        urn: lat for urn, lat in before.items() if urn != BASE
    }
