"""Services of the review of closures and successions (`/schools/changes/`): apply, dismiss, undo; all audited.

A succession moves each programme's records through the handlers the apps register (schools/successions.py); the
whole of it happens in one transaction, with a constant number of queries per kind of record.
"""

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import JSONField, Q
from django.utils import timezone

from core.errors import Conflict, DomainError, InvalidTransition

from .counts import register_changed
from .models import School, SchoolChange
from .successions import Move, Pair, Preview, audit_batch, audit_moved, can_review_changes, handlers

REASON_MAX = 2000


@dataclass
class ChangePreview:
    """What applying one change would do, programme by programme, and the questions it needs answered."""

    change: SchoolChange
    programmes: list[tuple[str, list[str]]] = field(default_factory=list)
    questions: list = field(default_factory=list)


def school_change_previews(changes: list[SchoolChange], *, questions_only: bool = False) -> list[ChangePreview]:
    """Previews of many changes at once (each handler asked once for all of them); `questions_only` when applying."""
    pairs = [(change.school_id, change.successor_id) for change in changes if change.successor_id]
    by_handler: list[tuple[str, dict[Pair, Preview]]] = []
    if pairs:
        by_handler = [
            (handler.programme, handler.preview(pairs, questions_only=questions_only)) for handler in handlers()
        ]
    previews = []
    for change in changes:
        preview = ChangePreview(change=change)
        if change.successor_id:
            pair = (change.school_id, change.successor_id)
            for programme, results in by_handler:
                result = results.get(pair)
                if result is None:
                    continue
                if result.lines:
                    preview.programmes.append((programme, result.lines))
                preview.questions.extend(result.questions)
        previews.append(preview)
    return previews


def _require_reviewer(actor) -> None:
    if not can_review_changes(actor):
        raise PermissionDenied


def _reason(reason: str, *, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(what, field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"The reason must be {REASON_MAX:,} characters or fewer", field="reason")
    return reason


def _audit_changes(changes, *, actor, verb, from_state, to_state, reason="") -> None:
    for change in changes:
        audit_moved(
            actor=actor,
            verb=verb,
            model=SchoolChange,
            records=[(change.pk, str(change))],
            from_urn=from_state,
            to_urn=to_state,
            change_id=change.pk,
            data={"school_urn": change.school_id, "successor_urn": change.successor_id},
            reason=reason,
        )


def _locked_pending(change_ids: list[int]) -> list[SchoolChange]:
    changes = list(SchoolChange.objects.select_for_update().filter(pk__in=change_ids).order_by("pk"))
    if len(changes) != len(set(change_ids)):
        raise DomainError("A change in the list does not exist", code="not_found")
    decided = [change for change in changes if change.status != SchoolChange.Status.PENDING]
    if decided:
        raise InvalidTransition(
            f"{decided[0]} has already been {decided[0].get_status_display().lower()}: reload the list"
        )
    return changes


def _save_decisions(changes: list[SchoolChange], names: list[str]) -> None:
    """Save these fields of many changes in one statement on PostgreSQL (`UPDATE ... FROM UNNEST(column arrays)`),
    elsewhere one UPDATE run for every change (executemany): bulk_update's CASE per field per row cost more than the
    rest of applying 50 successions."""
    if not changes:
        return
    fields = [SchoolChange._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    table = quote(SchoolChange._meta.db_table)

    def value(change, field):
        if isinstance(field, JSONField):
            return json.dumps(getattr(change, field.attname), cls=field.encoder)
        return field.get_db_prep_save(getattr(change, field.attname), connection)

    rows = [[value(change, field) for field in fields] + [change.pk] for change in changes]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = ["jsonb" if isinstance(f, JSONField) else f.db_type(connection) for f in fields] + ["bigint"]
            aliases = [f"v{i}" for i in range(len(fields))] + ["pk"]
            assignments = ", ".join(f"{quote(f.column)} = v.v{i}" for i, f in enumerate(fields))
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            sql = (
                f"UPDATE {table} SET {assignments} FROM UNNEST({arrays}) AS v({', '.join(aliases)}) "  # noqa: S608  # nosec B608 (identifiers from the model, values as parameters)
                f"WHERE {table}.{quote('id')} = v.pk"
            )
            cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
        else:
            assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
            sql = f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608  # nosec B608 (identifiers from the model, values as parameters)
            cursor.executemany(sql, rows)


def _rounds(changes: list[SchoolChange]) -> list[list[SchoolChange]]:
    """Apply order: a school's own predecessors before it moves on (A -> B -> C), one predecessor of a successor per
    round so that an amalgamation meets each conflict as it comes."""
    remaining = list(changes)
    rounds = []
    while remaining:
        olds = {change.school_id for change in remaining}
        succeeding = Counter(change.successor_id for change in remaining if change.successor_id)
        this_round, successors = [], set()
        for change in remaining:
            # Another remaining change names this school as its successor (a change never succeeds itself).
            waits_for_predecessors = succeeding[change.school_id] > (change.successor_id == change.school_id)
            if waits_for_predecessors or (change.successor_id and change.successor_id in successors):
                continue
            this_round.append(change)
            if change.successor_id:
                successors.add(change.successor_id)
        if not this_round:  # only a cycle is left, which the refresh never queues
            raise DomainError(f"These schools succeed each other in a cycle: {sorted(olds)}")
        rounds.append(this_round)
        taken = {id(change) for change in this_round}
        remaining = [change for change in remaining if id(change) not in taken]
    return rounds


def _clean_choices(preview: ChangePreview, given: dict | None) -> tuple[dict, list[str]]:
    """The admin's answers to this change's questions, and what is still unanswered."""
    given = given or {}
    answers, missing = {}, []
    for question in preview.questions:
        value = given.get(question.key)
        if value in question.values:
            answers[question.key] = value
        else:
            missing.append(question.text)
    return answers, missing


@transaction.atomic
def school_changes_apply(
    *,
    actor,
    change_ids: list[int],
    choices: dict[int, dict] | None = None,
    skip_unanswered: bool = False,
    now=None,
) -> tuple[list[SchoolChange], list[SchoolChange]]:
    """Apply closures and successions (old school closed, records moved to the successor), each audited; a conflict
    is never chosen silently: a change with an unanswered question is refused (or skipped, for "apply all")."""
    _require_reviewer(actor)
    now = now or timezone.now()
    choices = choices or {}
    changes = _locked_pending(change_ids)
    # FOR NO KEY UPDATE: a wand request being inserted for the old school checks its foreign key with FOR KEY SHARE,
    # which this lock does not block (FOR UPDATE would, and deadlock with the allowance lock that request holds).
    schools = {
        school.urn: school
        for school in School.objects.select_for_update(no_key=True).filter(
            Q(urn__in=[c.school_id for c in changes]) | Q(urn__in=[c.successor_id for c in changes if c.successor_id])
        )
    }
    previews = {preview.change.pk: preview for preview in school_change_previews(changes, questions_only=True)}
    applying, skipped, errors = [], [], []
    for change in changes:
        successor = schools.get(change.successor_id)
        if successor is not None and not successor.is_open and successor.urn not in {c.school_id for c in changes}:
            errors.append(f"{successor.name} ({successor.urn}) is not open, so it cannot take over {change.school_id}")
            continue
        answers, missing = _clean_choices(previews[change.pk], choices.get(change.pk))
        if missing:
            if skip_unanswered:
                skipped.append(change)
                continue
            errors.append(f"{schools[change.school_id].name}: choose what to do: {'; '.join(missing)}")
            continue
        change.choices = answers
        applying.append(change)
    if errors:
        raise DomainError(". ".join(errors), field="choices", code="unanswered")

    with audit_batch():
        _apply_rounds(applying, schools=schools, actor=actor, now=now)
        if applying:
            _audit_changes(
                applying, actor=actor, verb="school_change.applied", from_state="pending", to_state="applied"
            )
    if applying:
        _save_decisions(applying, ["status", "decided_at", "decided_by", "choices", "moves", "previous_status"])
        register_changed()
    return applying, skipped


def _apply_rounds(applying: list[SchoolChange], *, schools: dict, actor, now) -> None:
    by_id = {change.pk: change for change in applying}
    for round_changes in _rounds(applying):
        olds = [change.school_id for change in round_changes]
        for change in round_changes:
            change.previous_status = schools[change.school_id].status
        School.objects.filter(urn__in=olds).update(status=School.Status.CLOSED, updated_at=now)
        moves = [
            Move(change_id=c.pk, old_urn=c.school_id, new_urn=c.successor_id, choices=c.choices)
            for c in round_changes
            if c.successor_id
        ]
        if moves:
            for handler in handlers():
                for change_id, payload in handler.move(moves, actor=actor, now=now).items():
                    by_id[change_id].moves[handler.key] = payload
        for change in round_changes:
            change.status = SchoolChange.Status.APPLIED
            change.decided_at = now
            change.decided_by = actor if getattr(actor, "is_authenticated", False) else None


def school_change_apply(*, actor, change_id: int, choices: dict | None = None, now=None) -> SchoolChange:
    """Apply one closure or succession with the admin's answers to its questions."""
    applied, _ = school_changes_apply(actor=actor, change_ids=[change_id], choices={change_id: choices or {}}, now=now)
    return applied[0]


@transaction.atomic
def school_changes_dismiss(*, actor, change_ids: list[int], reason: str, now=None) -> list[SchoolChange]:
    """Dismiss closures or successions with a reason: the school stays as it is, and the refresh does not ask again."""
    _require_reviewer(actor)
    reason = _reason(reason, what="Give a reason for dismissing")
    now = now or timezone.now()
    changes = _locked_pending(change_ids)
    for change in changes:
        change.status = SchoolChange.Status.DISMISSED
        change.reason = reason
        change.decided_at = now
        change.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    _save_decisions(changes, ["status", "reason", "decided_at", "decided_by"])
    with audit_batch():
        _audit_changes(
            changes,
            actor=actor,
            verb="school_change.dismissed",
            from_state="pending",
            to_state="dismissed",
            reason=reason,
        )
    return changes


def school_change_undo_blockers(change: SchoolChange, *, now=None) -> list[str]:
    """Why this applied change can no longer be undone (empty: it can)."""
    now = now or timezone.now()
    if change.status != SchoolChange.Status.APPLIED:
        return [f"It is {change.get_status_display().lower()}, not applied."]
    if change.decided_at and now - change.decided_at > datetime.timedelta(days=SchoolChange.UNDO_DAYS):
        return [f"It was applied more than {SchoolChange.UNDO_DAYS} days ago."]
    later = (
        SchoolChange.objects.filter(
            status=SchoolChange.Status.APPLIED, school_id=change.successor_id, decided_at__gt=change.decided_at
        ).first()
        if change.successor_id
        else None
    )
    if later is not None:
        return [f"{later} was applied after it: undo that first."]
    blockers = []
    for handler in handlers():
        payload = change.moves.get(handler.key)
        if payload:
            blockers.extend(handler.changed_since({change.pk: payload}).get(change.pk, []))
    return blockers


@transaction.atomic
def school_change_undo(*, actor, change_id: int, reason: str = "", now=None) -> SchoolChange:
    """Undo an applied closure or succession within 30 days: the school reopens and every moved record goes back,
    unless a moved record changed since (then nothing is undone and the blockers are named)."""
    _require_reviewer(actor)
    now = now or timezone.now()
    change = SchoolChange.objects.select_for_update().get(pk=change_id)
    if change.status != SchoolChange.Status.APPLIED:
        raise InvalidTransition(f"{change} is {change.get_status_display().lower()}: only an applied change is undone")
    blockers = school_change_undo_blockers(change, now=now)
    if blockers:
        raise Conflict("It cannot be undone: " + " ".join(blockers), code="undo_blocked")
    with audit_batch():
        for handler in reversed(handlers()):
            payload = change.moves.get(handler.key)
            if payload:
                handler.undo({change.pk: payload}, actor=actor, now=now)
    School.objects.filter(urn=change.school_id).update(
        status=change.previous_status or School.Status.OPEN, updated_at=now
    )
    change.status = SchoolChange.Status.UNDONE
    change.undone_at = now
    change.reason = (reason or "").strip()[:REASON_MAX] or change.reason
    change.save(update_fields=["status", "undone_at", "reason"])
    _audit_changes(
        [change],
        actor=actor,
        verb="school_change.undone",
        from_state="applied",
        to_state="undone",
        reason=change.reason,
    )
    register_changed()
    return change


MOVED_LABELS = {
    "accounts.memberships": "Memberships moved",
    "accounts.duties": "Duties moved with them",
    "accounts.ended_memberships": "Memberships ended (already at the successor)",
    "accounts.ended_duties": "Duties ended",
    "accounts.demoted": "Headteachers who joined as staff",
    "accounts.demoted_existing": "Successor's headteachers who became staff",
    "wands.requests": "Open wand requests moved",
    "officers.moved": "Officer assignments moved",
    "officers.ended": "Officer assignments ended",
    "stepping_stones.participation": "Stepping Stones participations moved",
    "stepping_stones.merged": "Stepping Stones participations merged",
    "stepping_stones.referring": "Referrals moved (referring school)",
    "stepping_stones.receiving": "Referrals moved (receiving school)",
    "stepping_stones.feeders": "Feeder primary links moved",
}


def moved_counts(change: SchoolChange) -> list[tuple[str, int]]:
    """How many records each programme moved, for the page (kinds with none left out)."""
    counts: Counter = Counter()
    for key, payload in (change.moves or {}).items():
        for kind, ids in payload.items():
            if isinstance(ids, list) and ids:
                counts[f"{key}.{kind}"] += len(ids)
    return [(MOVED_LABELS.get(key, key), count) for key, count in counts.items()]
