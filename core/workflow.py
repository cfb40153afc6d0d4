"""Workflows as data: a model declares `NEXT = {status: {statuses it may move to}}` (and `Status` choices); every move
goes through `transition`, which checks the map, writes the status, saves and records the audit entry in the caller's
transaction, or raises `InvalidTransition` (a Conflict: 409 in the API) and writes nothing.

    transition(
        wand_request,
        to=WandRequest.Status.APPROVED,
        actor=actor,
        verb="wand_request.approved",
        refused=f"{wand_request.reference} is {wand_request.get_status_display().lower()}, so it cannot be approved.",
    )

Which actions are open to whom is data too: the model declares `ACTIONS = {name: Action(...)}`. An action is open
when the object's status allows it (an action that moves the object is open where `NEXT` allows its `to`; any other
is open in its `statuses`, or in every status when none are named) and the permission it names says yes for this
user and object. Views pass `open_actions(obj, user)` to templates (`{% if actions.approve %}`) and refuse with
`require_action(obj, "approve", user)`; nothing else re-decides by comparing status strings.

    ACTIONS = {
        "approve": Action("Approve", to=Status.APPROVED, allowed="wands.permissions.can_decide_wand_request"),
        "report_issue": Action(
            "Report a problem", statuses=(Status.DELIVERED,), allowed="wands.permissions.acts_for_wand_request"
        ),
    }
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.module_loading import import_string

from .errors import InvalidTransition
from .services import audit_record


def may_move(obj: models.Model, to: str, *, field: str = "status", next_map: Mapping | None = None) -> bool:
    """Whether the object's workflow allows the move from where it is now."""
    return to in (type(obj).NEXT if next_map is None else next_map)[getattr(obj, field)]


def transition(
    obj: models.Model,
    *,
    to: str,
    actor,
    verb: str,
    refused: str | Callable[[], str],
    field: str = "status",
    next_map: Mapping | None = None,
    changes: Mapping[str, Any] | None = None,
    update_fields: Iterable[str] | None = None,
    reason: str = "",
    data: dict | None = None,
    audit_target: models.Model | None = None,
    from_label: str = "",
    target_label: str | None = None,
) -> str:
    """Move `obj.<field>` to `to` along `next_map` (the model's NEXT by default), with the other `changes` the move
    makes; save (`update_fields` plus the field and the changes, or the whole row when None); audit it (who, what,
    from -> to, why). Returns the state it moved from. `refused` is the message when the move is not allowed (or a
    function making it, when reading it costs a query). `target_label` names the object in the audit where `str()`
    would show personal data (a pupil's referral is named by its reference)."""
    current = getattr(obj, field)
    if not may_move(obj, to, field=field, next_map=next_map):
        raise InvalidTransition(refused() if callable(refused) else refused)
    setattr(obj, field, to)
    for name, value in (changes or {}).items():
        setattr(obj, name, value)
    obj.save(update_fields=None if update_fields is None else [field, *update_fields, *(changes or {})])
    audit_record(
        actor=actor,
        verb=verb,
        target=obj if audit_target is None else audit_target,
        from_state=current or from_label,
        to_state=to,
        reason=reason,
        data=data,
        target_label=target_label,
    )
    return current


@cache
def _permission(path: str) -> Callable[..., bool]:
    return import_string(path)


@dataclass(frozen=True)
class Action:
    """Something a person may do to a workflow object (see the module docstring). `allowed` is the dotted path of a
    permission predicate called as `allowed(user, obj)`; `to` is the status the action moves the object to (open
    where the model's `next_map` allows it), `statuses` where an action that does not move it is open (every status
    when empty)."""

    label: str
    allowed: str
    to: str = ""
    statuses: tuple[str, ...] = ()
    field: str = "status"
    next_map: str = "NEXT"

    def status_allows(self, obj: models.Model) -> bool:
        if self.to:
            return may_move(obj, self.to, field=self.field, next_map=getattr(type(obj), self.next_map))
        return not self.statuses or getattr(obj, self.field) in self.statuses

    def is_open(self, obj: models.Model, user) -> bool:
        return self.status_allows(obj) and bool(_permission(self.allowed)(user, obj))


def status_allows(obj: models.Model, name: str) -> bool:
    """Whether the object's status allows the named action, whoever asks."""
    return type(obj).ACTIONS[name].status_allows(obj)


def action_open(obj: models.Model, name: str, user) -> bool:
    return type(obj).ACTIONS[name].is_open(obj, user)


def open_actions(obj: models.Model, user) -> dict[str, Action]:
    """The actions open to this user on this object now, by name (what templates test: `{% if actions.approve %}`)."""
    return {name: action for name, action in type(obj).ACTIONS.items() if action.is_open(obj, user)}


def closed_by_status(obj: models.Model, name: str, user) -> bool:
    """The person may take this action on this object, but its status has moved on: someone did it (or something
    else) first, in another tab or as a colleague. Pages say so and show the object rather than refuse (403)."""
    action = type(obj).ACTIONS[name]
    return not action.status_allows(obj) and bool(_permission(action.allowed)(user, obj))


def require_action(obj: models.Model, name: str, user) -> None:
    """Refuse (403) an action not open to this user on this object now."""
    if not action_open(obj, name, user):
        raise PermissionDenied
