"""What Stepping Stones shows elsewhere (core.figures): per school, how many pupils were referred and how many are in
the programme (pupil counts: shown as "fewer than 5" for 1-4); per person, what they have to do. Counts only, never a
pupil's details; a constant number of queries however many schools."""

from collections.abc import Collection

from django.urls import NoReverseMatch, reverse

from core.figures import Activity, Task

from . import permissions
from .selectors import cohort_current, counts_by_school, drafts_for, pending_destinations_for, referrals_to_answer_for

PROGRAMME = "Stepping Stones"


def _url(name: str, fallback: str) -> str:
    try:
        return reverse(f"stepping_stones:{name}")
    except NoReverseMatch:
        return fallback


def school_activity(school_ids: Collection[int]) -> dict[int, list[Activity]]:
    """Per school with any Stepping Stones pupils in the current transition: referred (from or to it) and holding a
    place there. The same selector and cohort as the school profile's Stepping Stones section, so the officers' queue
    and the profile show the same figures (each through core.suppression for people who may not see the pupils)."""
    result: dict[int, list[Activity]] = {}
    cohort = cohort_current()
    if cohort is None:
        return result
    for school_id, counts in counts_by_school(school_ids, cohort=cohort).items():
        result[school_id] = [
            Activity(PROGRAMME, "Pupils referred to Stepping Stones", counts.referred, suppress_small=True),
            Activity(PROGRAMME, "Pupils with a Stepping Stones place", counts.in_programme, suppress_small=True),
        ]
    return result


def tasks_for(user) -> list[Task]:
    """A secondary's lead: referrals to answer (and offered places to confirm). A primary's lead: drafts to finish.
    A coordinator: referrals waiting for a destination."""
    tasks: list[Task] = []
    if permissions.is_coordinator(user):
        pending = pending_destinations_for(user).count()
        tasks.append(
            Task(PROGRAMME, "Referrals waiting for a secondary school", pending, _url("pending", "/stepping-stones/"))
        )
    if permissions.is_lead(user):
        referrals = _url("referral_list", "/stepping-stones/")
        to_answer = referrals_to_answer_for(user).count()
        tasks.append(Task(PROGRAMME, "Stepping Stones referrals to answer", to_answer, referrals))
        drafts = drafts_for(user).count()
        tasks.append(Task(PROGRAMME, "Stepping Stones referrals to finish", drafts, referrals))
    return tasks
