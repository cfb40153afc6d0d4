"""What a school's succession does to each programme's records, without the register importing any programme.

Each app may provide a `school_changes.py` module with any of:

- `HANDLERS`: a list of `SuccessionHandler`s: what the app would move from an old URN to its successor (for the review
  page), how to move it, and how to undo the move. Every method takes all successions at once and runs a constant
  number of queries per kind of record (bulk UPDATEs), inside the caller's transaction.
- `can_review(user) -> bool`: whether this person may review the register's changes (accounts: programme admins).
- `review_recipients() -> list[str]`: whom to alert when a refresh is held back (accounts: programme admins).

`schools.services` collects them; the direction of imports stays core <- schools <- accounts <- programmes.
"""

import json
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from core.discovery import app_modules
from core.models import AuditEvent
from core.request_context import current_request_id

Pair = tuple[int, int]  # (old URN, successor URN)


@dataclass(frozen=True)
class Question:
    """A conflict the admin must answer before a succession is applied: never chosen silently."""

    key: str  # unique across handlers, e.g. "headteacher"
    text: str  # "Both schools have a headteacher"
    options: tuple[tuple[str, str], ...]  # (value, label)

    @property
    def values(self) -> set[str]:
        return {value for value, _ in self.options}


@dataclass
class Preview:
    lines: list[str] = field(default_factory=list)  # "3 staff memberships move", in the words users use
    questions: list[Question] = field(default_factory=list)


@dataclass(frozen=True)
class Move:
    change_id: int
    old_urn: int
    new_urn: int
    choices: dict  # question key -> chosen value


class SuccessionHandler:
    """One programme's part of a succession. Subclasses override what they need."""

    key = ""  # where this handler's payload is kept in SchoolChange.moves
    programme = ""  # "School staff", "Knife wands", ...

    def preview(self, pairs: list[Pair], *, questions_only: bool = False) -> dict[Pair, Preview]:
        """What moving would do, and the conflicts to answer; `questions_only` (when applying) may skip the counts."""
        return {}

    def move(self, moves: list[Move], *, actor, now) -> dict[int, dict]:
        """Move the records; return, per change id, what was moved (JSON) for undo."""
        return {}

    def changed_since(self, payloads: dict[int, dict]) -> dict[int, list[str]]:
        """Per change id, the moved records that changed after the move (undo would lose those changes)."""
        return {}

    def undo(self, payloads: dict[int, dict], *, actor, now) -> None:
        return None


@cache
def _modules() -> tuple:
    """Each app's `school_changes` module (found once: the installed apps do not change while running, and applying
    50 successions asked for them hundreds of times)."""
    return tuple(app_modules("school_changes"))


def handlers() -> list[SuccessionHandler]:
    return [handler for module in _modules() for handler in getattr(module, "HANDLERS", [])]


def can_decide_school_change(user, change=None) -> bool:
    """Reviewers apply, dismiss and undo changes (SchoolChange.ACTIONS says in which status)."""
    return can_review_changes(user)


def can_review_changes(user) -> bool:
    """Whether an app says this person reviews the register's closures and successions."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return any(module.can_review(user) for module in _modules() if callable(getattr(module, "can_review", None)))


def review_recipients() -> list[str]:
    recipients: list[str] = []
    for module in _modules():
        provider = getattr(module, "review_recipients", None)
        if callable(provider):
            recipients.extend(provider())
    return sorted(set(recipients))


def audit_moved(
    *,
    actor,
    verb: str,
    model: type[models.Model],
    records: Iterable[tuple[object, str]],
    from_urn: int,
    to_urn: int,
    change_id: int,
    data: dict | None = None,
    reason: str = "",
) -> int:
    """One audit entry per moved record (`records`: (pk, label without personal data)), written in one INSERT.

    Entries are kept as rows of AUDIT_COLUMNS values (not model instances: building hundreds of those cost more than
    inserting them)."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    actor_id, actor_label = (actor.pk, actor.email) if actor is not None else (None, "system")
    content_type_id = ContentType.objects.get_for_model(model, for_concrete_model=False).pk
    request_id = current_request_id()
    payload = json.dumps({"school_change": change_id, **(data or {})}, cls=DjangoJSONEncoder)
    rows = [
        (
            None,  # created_at: one timestamp for the whole batch, set when written
            actor_id,
            actor_label,
            verb,
            content_type_id,
            str(pk),
            label[:255],
            str(from_urn),
            str(to_urn),
            reason,
            payload,
            request_id,
        )
        for pk, label in records
    ]
    batch = _BATCH.get()
    if batch is not None:
        batch.extend(rows)
    else:
        audit_insert_many(rows)
    return len(rows)


_BATCH: ContextVar[list | None] = ContextVar("succession_audit_batch", default=None)


@contextmanager
def audit_batch():
    """Inside it, `audit_moved` collects its entries; they are written together at the end (one statement on
    PostgreSQL), so the number of queries does not grow with the number of successions."""
    rows: list[tuple] = []
    token = _BATCH.set(rows)
    try:
        yield rows
    finally:
        _BATCH.reset(token)
    audit_insert_many(rows)


AUDIT_COLUMNS = (
    "created_at",
    "actor_id",
    "actor_label",
    "verb",
    "target_type_id",
    "target_id",
    "target_label",
    "from_state",
    "to_state",
    "reason",
    "data",
    "request_id",
)


def audit_insert_many(rows: list[tuple]) -> None:
    """Insert audit entries (rows of AUDIT_COLUMNS values, JSON already encoded) in as few statements as the database
    allows: on PostgreSQL one `INSERT ... SELECT * FROM UNNEST(column arrays)` per 5,000 entries, elsewhere one
    statement run for every row (executemany). Django's bulk_create spent longer assembling one big INSERT than the
    database spent on it. Every entry of a batch has the same time."""
    if not rows:
        return
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [(stamp, *row[1:]) for row in rows]
    quote = connection.ops.quote_name
    table = quote(AuditEvent._meta.db_table)
    columns = ", ".join(quote(AuditEvent._meta.get_field(name).column) for name in AUDIT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = ", ".join(f"%s::{t}[]" for t in _PG_AUDIT_TYPES)
            sql = f"INSERT INTO {table} ({columns}) SELECT * FROM UNNEST({types})"  # noqa: S608  # nosec B608 (identifiers from the model, values as parameters)
            for start in range(0, len(rows), 5000):
                batch = rows[start : start + 5000]
                cursor.execute(sql, [list(column) for column in zip(*batch, strict=True)])
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(AUDIT_COLUMNS))})"  # noqa: S608  # nosec B608 (identifiers from the model, values as parameters)
            cursor.executemany(sql, rows)


# The PostgreSQL array type of each AUDIT_COLUMNS value (JSON goes in as text and is cast by the column).
_PG_AUDIT_TYPES = (
    "timestamptz",
    "bigint",
    "text",
    "text",
    "int",
    "text",
    "text",
    "text",
    "text",
    "text",
    "jsonb",
    "text",
)


def reassign(queryset, field: str, mapping: dict[int, int], *, pks: list | None = None) -> int:
    """Move each row's `field` from an old URN to its successor: one SELECT of the rows, then one
    `UPDATE ... SET field = CASE field WHEN old THEN new ... END WHERE pk IN (...)` per 500 rows.

    Plain SQL: Django's Case/When builds and resolves a filter per WHEN, which cost more than the UPDATE itself.
    With `pks` (the rows the caller already read) the SELECT is skipped and `queryset` only names the model.
    """
    if not mapping:
        return 0
    model = queryset.model
    if pks is None:
        pks = list(queryset.filter(**{f"{field}__in": list(mapping)}).order_by().values_list("pk", flat=True))
    if not pks:
        return 0
    quote = connection.ops.quote_name
    column = quote(model._meta.get_field(field).column)
    whens = " ".join(["WHEN %s THEN %s"] * len(mapping))
    case_params = [value for pair in mapping.items() for value in pair]
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 500):
            batch = pks[start : start + 500]
            sql = (
                f"UPDATE {quote(model._meta.db_table)} SET {column} = CASE {column} {whens} ELSE {column} END "  # noqa: S608  # nosec B608 (identifiers from the model, values as parameters)
                f"WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(batch))})"
            )
            cursor.execute(sql, [*case_params, *batch])
            updated += cursor.rowcount
    return updated


def siblings(pairs: list[Pair]) -> dict[int, list[int]]:
    """Successor URN -> every old URN in `pairs` that it takes over (an amalgamation has several)."""
    result: dict[int, list[int]] = {}
    for old, new in pairs:
        result.setdefault(new, []).append(old)
    return result
