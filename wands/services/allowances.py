"""Allowances: the rules by phase and size, and a school's own override."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.errors import DomainError
from core.services import audit_record
from schools.models import School

from .. import permissions
from ..models import (
    AllowanceChange,
    AllowanceRule,
    SchoolAllowance,
)
from ._common import _clean_quantity


@transaction.atomic
def allowance_rule_set(*, actor, phase: str, min_pupils: int, wands: int, reason: str) -> AllowanceRule:
    """Programme admins set a band of the allowance rule; every change is audited with its reason."""
    if not permissions.can_manage_wand_allowances(actor):
        raise PermissionDenied
    if phase and phase not in School.Phase.values:
        raise DomainError("Choose a phase from the list.", field="phase")
    if not reason or not reason.strip():
        raise DomainError("Enter why the rule is changing.", field="reason")
    wands = _clean_quantity(wands, field_name="wands") if str(wands).strip() != "0" else 0
    min_pupils = int(min_pupils)
    if min_pupils < 0:
        raise DomainError("Pupil numbers cannot be negative.", field="min_pupils")
    rule, created = AllowanceRule.objects.select_for_update().get_or_create(
        phase=phase, min_pupils=min_pupils, defaults={"wands": wands, "updated_by": actor}
    )
    before = None if created else rule.wands
    rule.wands = wands
    rule.updated_by = actor
    rule.save()
    audit_record(
        actor=actor,
        verb="wand_allowance_rule.set",
        target=rule,
        from_state="" if before is None else str(before),
        to_state=str(wands),
        reason=reason.strip(),
    )
    return rule


@transaction.atomic
def allowance_override_set(*, actor, school: School, override: int | None, reason: str) -> SchoolAllowance:
    """A per-school allowance replaces the rule for that school; each change keeps who, when and why."""
    if not permissions.can_manage_wand_allowances(actor):
        raise PermissionDenied
    if not reason or not reason.strip():
        raise DomainError("Enter why this school's allowance is changing.", field="reason")
    if override is not None:
        override = 0 if str(override).strip() == "0" else _clean_quantity(override, field_name="override")
    SchoolAllowance.objects.get_or_create(school=school)
    record = SchoolAllowance.objects.select_for_update().get(school=school)
    before = record.override
    record.override = override
    record.override_reason = reason.strip() if override is not None else ""
    record.save()
    AllowanceChange.objects.create(
        school=school, from_override=before, to_override=override, reason=reason.strip(), changed_by=actor
    )
    audit_record(
        actor=actor,
        verb="wand_allowance.override",
        target=school,
        from_state="rule" if before is None else str(before),
        to_state="rule" if override is None else str(override),
        reason=reason.strip(),
    )
    return record
