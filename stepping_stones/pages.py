"""What the Stepping Stones pages show, in words and responses (the reads themselves are selectors): consent texts, the
programme's contact, a record's history and access log in plain English, the dashboard's charts, the import summary,
the subject access and evaluation downloads.
"""

import json

from django.http import HttpResponse

from core.chart_html import chart_html
from core.charts import bar_chart
from core.csv_export import csv_streaming_response
from core.figures import SMALL_COUNT_THRESHOLD, small_count_label
from core.selectors import person_named

from . import permissions, selectors, services
from .models import Cohort, Referral

# The consent text a parent or carer is shown, by version (services.CONSENT_TEXT_VERSIONS: the last is current).
CONSENT_TEXTS = {
    "2025-1": (
        "I agree that my child's primary school may share my child's name, date of birth, unique pupil number, "
        "needs and strengths with their secondary school for the Stepping Stones programme.\n"
        "I understand that the Violence Reduction Unit will see this information to run and evaluate the "
        "programme, and that I can withdraw my consent at any time."
    ),
    "2026-1": (
        "I agree that my child's primary school may share my child's name, date of birth, unique pupil number, "
        "needs and strengths, and the name of a member of staff who knows them, with their secondary school for "
        "the Stepping Stones transition programme.\n"
        "I understand that the London Violence Reduction Unit will see this information to run the programme, "
        "that its evaluation uses no names, pupil numbers or full dates of birth, and that I can withdraw my "
        "consent at any time by telling the school: my child then leaves the programme and their details are "
        "removed."
    ),
}


def consent_version() -> str:
    return services.CONSENT_TEXT_VERSIONS[-1]


def consent_text(version: str | None = None) -> str:
    return CONSENT_TEXTS.get(version or consent_version(), "")


def programme_contact() -> dict:
    """The Stepping Stones team's contact details (settings), for confirmation pages."""
    from django.conf import settings

    return {"email": settings.STEPPING_STONES_CONTACT_EMAIL, "phone": settings.STEPPING_STONES_CONTACT_PHONE}


def cohort_from_query(request) -> Cohort | None:
    """The cohort named by ?year= (a transition year: public, not personal), else the current one."""
    year = request.GET.get("year", "")
    if year:
        return selectors.cohort_get_for(request.user, year)
    return selectors.cohort_current()


VERB_TITLES = {
    "referral.created": "Referral started",
    "referral.changed": "Referral changed",
    "referral.imported": "Referral imported",
    "referral.destination_set": "Receiving school chosen",
    "consent.recorded": "Parental consent recorded",
    "consent.withdrawn": "Parental consent withdrawn",
    "progress.updated": "Progress recorded",
    "referral.minimised": "Pupil's details removed",
    "referral.erased": "Pupil's details erased",
    "referral.submitted": "Referral sent to the secondary school",
    "referral.pending_destination": "Referral sent: waiting for a secondary school to be known",
    "referral.accepted": "Accepted: the pupil has a place",
    "referral.waitlisted": "Put on the waiting list",
    "referral.offered": "A place was offered from the waiting list",
    "referral.declined": "Declined",
    "referral.enrolled": "Enrolled",
    "referral.active": "Active in the programme",
    "referral.completed": "Completed the programme",
    "referral.withdrawn": "Withdrawn",
    "referral.moved_school": "Moved school",
}


def _history_person(event, referral: Referral) -> str:
    """A name, or a role and organisation when the account has no name; never an email address."""
    if event.actor_id is None:
        return "the portal"
    if (event.actor.full_name or "").strip():
        return event.actor.full_name.strip()
    if permissions.is_coordinator(event.actor):
        role = "a Stepping Stones coordinator, VRU"
    elif permissions.leads_school(event.actor, referral.referring_school_id):
        role = f"the Stepping Stones lead at {referral.referring_school.name}"
    elif referral.receiving_school_id and permissions.leads_school(event.actor, referral.receiving_school_id):
        role = f"the Stepping Stones lead at {referral.receiving_school.name}"
    else:
        role = "a member of school staff"
    return person_named(event.actor, otherwise=role)


# The referral's fields as a person names them, for "what changed" in its history.
FIELD_NAMES = {
    "first_name": "first name",
    "last_name": "last name",
    "date_of_birth": "date of birth",
    "upn": "UPN",
    "receiving_school": "receiving secondary",
    "needs": "needs",
    "strengths": "strengths",
    "known_by_name": "who at the school knows the pupil",
    "known_by_role": "their role",
    "outside_age_group_reason": "reason for being outside their age group",
    "priority": "priority",
    "engagement_day_attended": "engagement day",
    "summer_school_attended": "summer school",
    "sessions_attended": "sessions attended",
    "peer_mentor_assigned": "peer mentor",
}
PROGRESS_FIELDS = ("engagement_day_attended", "summer_school_attended", "sessions_attended", "peer_mentor_assigned")


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _shown(value, name: str) -> str:
    if isinstance(value, list):
        return ", ".join(value) or "none"
    if value is None:
        return "not recorded"
    if isinstance(value, bool):
        if name == "peer_mentor_assigned":
            return "assigned" if value else "not assigned"
        return "attended" if value else "did not attend"
    return str(value)


def _what_changed(verb: str, data: dict) -> tuple[str, str]:
    """(title, detail) of a change: the fields in words, and from → to where the value may be shown (never a pupil
    detail: those are recorded by name only)."""
    if verb == "referral.changed":
        fields = [FIELD_NAMES.get(name, name.replace("_", " ")) for name in data.get("fields", [])]
        changes = data.get("changes") or {}
        detail = "; ".join(
            f"{FIELD_NAMES.get(name, name)}: {_shown(old, name)} → {_shown(new, name)}"
            for name, (old, new) in changes.items()
        )
        return (f"Changed: {_and(fields)}" if fields else VERB_TITLES[verb]), detail
    if verb == "progress.updated":
        before = data.get("before") or {}
        parts = [
            f"{FIELD_NAMES[name]}: {_shown(before[name], name)} → {_shown(data[name], name)}"
            if name in before
            else f"{FIELD_NAMES[name]}: {_shown(data[name], name)}"
            for name in PROGRESS_FIELDS
            if name in data
        ]
        return VERB_TITLES[verb], "; ".join(parts)
    return VERB_TITLES.get(verb, ""), ""


def referral_history(referral: Referral) -> list[dict]:
    """The record's changes for its timeline (views and exports are in the access log, for coordinators): each says
    what changed, in words."""
    entries = []
    for event in selectors.referral_history_events(referral):
        verb = event.verb.removeprefix(services.VERB)
        title, detail = _what_changed(verb, event.data or {})
        entries.append(
            {
                "title": title or event.verb_display,
                "at": event.created_at,
                "by": _history_person(event, referral),
                "detail": detail,
                "reason": event.reason,
            }
        )
    return entries


def access_log_entries(events) -> list:
    """Each audit event of a record with a plain-English "what" (views name the page that was seen)."""
    events = list(events)
    for event in events:
        verb = event.verb.removeprefix(services.VERB)
        if verb == "referral.viewed":
            event.what = f"Viewed ({(event.data or {}).get('what', 'record')})"
        elif verb == "referrals.listed":
            event.what = f"Shown in a list of referrals ({(event.data or {}).get('what', 'list')}; reference only)"
        elif verb == "referral.subject_access_export":
            event.what = "Downloaded everything held (subject access)"
        else:
            event.what = VERB_TITLES.get(verb, event.verb_display)
    return events


PRIMARIES_CHARTED = 20  # the dashboard draws the primaries that referred most; the file lists every one


def _primaries_sentence(count: int, small: int, charted: int, cohort) -> str:
    """How many primaries referred, how many of them fewer than 5 pupils, and what the chart shows."""
    if count == small == 1:
        return f"1 primary school referred fewer than {SMALL_COUNT_THRESHOLD} pupils to the {cohort}."
    text = f"{count} primary school{'s' if count != 1 else ''} referred pupils to the {cohort}"
    if small == count:
        return f"{text}, each fewer than {SMALL_COUNT_THRESHOLD}."
    text += f"; {small} of them referred fewer than {SMALL_COUNT_THRESHOLD} each." if small else "."
    if charted:
        text += f" The chart shows the {charted if charted > 1 else 'one'} that referred the most."
    return text


def dashboard_context(figures) -> dict:
    """Charts and tables for the coordinator dashboard. Pupil counts below 5 show as "fewer than 5"."""
    places = [
        {
            "school_name": row.school_name,
            "places": row.places,
            "places_left": row.places_left,
            "filled_label": small_count_label(row.places_filled),
            "waiting_label": small_count_label(row.waiting),
        }
        for row in figures.places
    ]
    totals = {
        "places": sum(row.places for row in figures.places),
        "filled_label": small_count_label(sum(row.places_filled for row in figures.places)),
        "waiting_label": small_count_label(sum(row.waiting for row in figures.places)),
        "pending_label": small_count_label(figures.pending_destination),
    }
    places_chart = bar_chart(
        title=f"Places filled by school, {figures.cohort}",
        series=[(row.school_name, row.places_filled) for row in figures.places],
        label_heading="School",
        value_heading="Places filled",
        orientation="horizontal",
        suppress_below=5,
    )
    # The primaries that referred most, drawn; every primary is in the file the page links to (at national scale
    # there are thousands, nearly all "fewer than 5": a bar each drew a chart nobody could read, 5 MB of page).
    charted = [row for row in figures.by_primary if row[2] >= SMALL_COUNT_THRESHOLD][:PRIMARIES_CHARTED]
    primary_chart = None
    if charted:
        primary_chart = bar_chart(
            title=f"Primary schools that referred the most pupils, {figures.cohort}",
            series=[(name, count) for _, name, count in charted],
            label_heading="Primary school",
            value_heading="Referrals",
            orientation="horizontal",
            suppress_below=SMALL_COUNT_THRESHOLD,
        )
    small = sum(1 for row in figures.by_primary if row[2] < SMALL_COUNT_THRESHOLD)
    primaries = {
        "count": len(figures.by_primary),
        "sentence": _primaries_sentence(len(figures.by_primary), small, len(charted), figures.cohort),
    }
    status_chart = None
    if figures.by_status:
        status_chart = bar_chart(
            title=f"Referrals by status, {figures.cohort}",
            series=[
                (status.label, figures.by_status[status.value])
                for status in Referral.Status
                if figures.by_status.get(status.value)
            ],
            label_heading="Status",
            value_heading="Referrals",
            orientation="horizontal",
            suppress_below=5,
        )
    attendance = None
    if figures.attendance is not None:
        attendance = {
            name: small_count_label(getattr(figures.attendance, name))
            for name in ("pupils", "engagement_day", "summer_school", "peer_mentors")
        }
        attendance["sessions_total"] = figures.attendance.sessions_total
    return {
        "places": places,
        "totals": totals,
        "places_chart": places_chart,
        "primary_chart": primary_chart,
        "primaries": primaries,
        "status_chart": status_chart,
        # The charts' HTML built in one pass (core.chart_html, the same bytes as `{% chart %}`).
        "places_chart_html": chart_html(places_chart),
        "primary_chart_html": chart_html(primary_chart) if primary_chart else "",
        "status_chart_html": chart_html(status_chart) if status_chart else "",
        "attendance": attendance,
    }


def primary_referrals_response(*, cohort: Cohort, rows: list[tuple[int, str, int]]):
    """Every referring primary of a transition and its referrals, as the dashboard counts them (1 to 4 as "fewer
    than 5"): counts only, no pupil."""
    return csv_streaming_response(
        filename=f"stepping-stones-referrals-by-primary-{cohort.transition_year}.csv",
        header=["URN", "Primary school", "Referrals"],
        rows=((urn, name, small_count_label(count)) for urn, name, count in rows),
    )


def import_summary(result) -> str:
    count = len(result.created)
    message = f"{count} pupil{'s' if count != 1 else ''} imported."
    if result.temporary_upns:
        message += (
            f" {len(result.temporary_upns)} have a temporary UPN: "
            + ", ".join(result.temporary_upns[:20])
            + ("…" if len(result.temporary_upns) > 20 else "")
        )
    return message


def subject_access_response(*, actor, referral: Referral) -> HttpResponse:
    """The subject access file: JSON, downloaded, never cached. The service audits the export."""
    data = services.referral_subject_access_export(actor=actor, referral=referral)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="subject-access-{referral.reference}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


def evaluation_response(*, actor, cohort: Cohort):
    filename, header, rows = services.evaluation_export(actor=actor, cohort=cohort)
    return csv_streaming_response(filename=filename, header=header, rows=rows)


def search_results_logged(*, actor, referrals) -> None:
    """Each pupil a search shows is a view of their record: logged like any other."""
    for referral in referrals:
        services.referral_viewed(actor=actor, referral=referral, what="search result")
