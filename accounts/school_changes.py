"""What a school's succession does to its people: memberships and duties move to the successor, and they are told.

Registered with the register's review (schools/successions.py). Programme admins review the register's changes.
"""

from collections import defaultdict
from functools import partial

from django.db import transaction
from django.db.models import Count

from core.emails import email_send
from core.user_facts import facts_changed_for_everyone
from schools.models import School
from schools.successions import Move, Pair, Preview, Question, SuccessionHandler, audit_moved, reassign, siblings

from .models import ProgrammeRole, SchoolDuty, SchoolMembership, User
from .permissions import is_programme_admin
from .services._common import absolute_url

HEAD = SchoolMembership.Role.HEADTEACHER
LEAD = SchoolDuty.Duty.STEPPING_STONES_LEAD
HEAD_OPTIONS = (
    ("keep_both", "Keep both as headteachers"),
    ("demote_moving", "The successor's headteacher stays; the old school's headteacher joins as staff"),
    ("demote_existing", "The old school's headteacher takes over; the successor's headteacher becomes staff"),
)
LEAD_OPTIONS = (
    ("keep_both", "Keep both as Stepping Stones leads"),
    ("end_moving", "The successor's lead stays; the old school's lead joins without the duty"),
)


def can_review(user) -> bool:
    return is_programme_admin(user)


def review_recipients() -> list[str]:
    return list(
        User.objects.filter(
            is_active=True,
            programme_roles__kind=ProgrammeRole.Kind.PROGRAMME_ADMIN,
            programme_roles__ended_at__isnull=True,
        )
        .values_list("email", flat=True)
        .distinct()
    )


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class PeopleHandler(SuccessionHandler):
    key = "accounts"
    programme = "School staff"

    def preview(self, pairs: list[Pair], *, questions_only: bool = False) -> dict[Pair, Preview]:
        urns = {urn for pair in pairs for urn in pair}
        members = list(
            SchoolMembership.objects.current()
            .filter(school_id__in=urns)
            .order_by()
            .values_list("school_id", "role", "user_id")
        )
        leads = list(
            SchoolDuty.objects.current()
            .filter(membership__school_id__in=urns, membership__ended_at__isnull=True, duty=LEAD)
            .order_by()
            .values_list("membership__school_id", "membership__user_id")
        )
        duties = (
            {}
            if questions_only
            else dict(
                SchoolDuty.objects.current()
                .filter(membership__school_id__in=urns, membership__ended_at__isnull=True)
                .order_by()
                .values("membership__school_id")
                .annotate(n=Count("pk"))
                .values_list("membership__school_id", "n")
            )
        )
        heads = defaultdict(set)
        users = defaultdict(set)
        for school_id, role, user_id in members:
            users[school_id].add(user_id)
            if role == HEAD:
                heads[school_id].add(user_id)
        lead_users = defaultdict(set)
        for school_id, user_id in leads:
            lead_users[school_id].add(user_id)
        sharing = siblings(pairs)
        result = {}
        for old, new in pairs:
            preview = Preview()
            moving = users[old] - users[new]
            staying = users[old] & users[new]
            moving_heads = heads[old] & moving
            if moving:
                preview.lines.append(
                    f"{_plural(len(moving), 'membership moves', 'memberships move')} "
                    f"({_plural(len(moving_heads), 'headteacher', 'headteachers')}), "
                    f"with {_plural(duties.get(old, 0), 'duty', 'duties')}; each person is told by email"
                )
            if staying:
                preview.lines.append(
                    f"{_plural(len(staying), 'person is', 'people are')} already at the successor: "
                    "their membership of the old school ends"
                )
            others = set(heads[new]).union(*(heads[o] for o in sharing[new] if o != old))
            if moving_heads and others - moving_heads:
                preview.questions.append(
                    Question("headteacher", "Both schools have a headteacher: who leads the successor?", HEAD_OPTIONS)
                )
            other_leads = set(lead_users[new]).union(*(lead_users[o] for o in sharing[new] if o != old))
            if (lead_users[old] & moving) and other_leads - lead_users[old]:
                preview.questions.append(
                    Question("stepping_stones_lead", "Both schools have a Stepping Stones lead", LEAD_OPTIONS)
                )
            result[(old, new)] = preview
        return result

    def move(self, moves: list[Move], *, actor, now) -> dict[int, dict]:
        mapping = {move.old_urn: move.new_urn for move in moves}
        by_old = {move.old_urn: move for move in moves}
        news = set(mapping.values())
        at_old = list(
            SchoolMembership.objects.current()
            .filter(school_id__in=mapping)
            .values_list("pk", "school_id", "user_id", "role", "user__email")
        )
        at_new = list(
            SchoolMembership.objects.current()
            .filter(school_id__in=news)
            .values_list("pk", "school_id", "user_id", "role")
        )
        new_users = {(school_id, user_id) for _, school_id, user_id, _ in at_new}
        payloads = {
            move.change_id: {
                "from": move.old_urn,
                "to": move.new_urn,
                "memberships": [],
                "duties": [],
                "ended_memberships": [],
                "ended_duties": [],
                "demoted": [],
                "demoted_existing": [],
            }
            for move in moves
        }
        moving, ending, demote, notify = [], [], [], []
        for pk, school_id, user_id, role, email in at_old:
            move = by_old[school_id]
            payload = payloads[move.change_id]
            if (move.new_urn, user_id) in new_users:
                ending.append(pk)
                payload["ended_memberships"].append(pk)
                continue
            moving.append(pk)
            payload["memberships"].append(pk)
            notify.append((email, move.old_urn, move.new_urn))
            if role == HEAD and move.choices.get("headteacher") == "demote_moving":
                demote.append(pk)
                payload["demoted"].append(pk)
        demote_existing = []
        for pk, school_id, _, role in at_new:
            olds = [m for m in moves if m.new_urn == school_id and m.choices.get("headteacher") == "demote_existing"]
            if role == HEAD and olds:
                demote_existing.append(pk)
                payloads[olds[0].change_id]["demoted_existing"].append(pk)
        duties = list(
            SchoolDuty.objects.current()
            .filter(membership_id__in=moving + ending)
            .values_list("pk", "membership_id", "duty")
        )
        owner = {pk: change_id for change_id, p in payloads.items() for pk in p["memberships"] + p["ended_memberships"]}
        ending_set = set(ending)
        end_duties, moved_duties = [], []
        for pk, membership_id, duty in duties:
            change_id = owner[membership_id]
            move = next(m for m in moves if m.change_id == change_id)
            if membership_id in ending_set or (
                duty == LEAD and move.choices.get("stepping_stones_lead") == "end_moving"
            ):
                end_duties.append(pk)
                payloads[change_id]["ended_duties"].append(pk)
            else:
                moved_duties.append(pk)
                payloads[change_id]["duties"].append(pk)

        ended_by = actor if getattr(actor, "is_authenticated", False) else None
        reason = "The school closed and its successor took over"
        if end_duties:
            SchoolDuty.objects.filter(pk__in=end_duties).update(ended_at=now, ended_by=ended_by, end_reason=reason)
        if ending:
            SchoolMembership.objects.filter(pk__in=ending).update(ended_at=now, ended_by=ended_by, end_reason=reason)
        if demote:
            SchoolMembership.objects.filter(pk__in=demote).update(role=SchoolMembership.Role.STAFF)
        if demote_existing:
            SchoolMembership.objects.filter(pk__in=demote_existing).update(role=SchoolMembership.Role.STAFF)
        reassign(SchoolMembership.objects, "school_id", mapping, pks=moving)
        facts_changed_for_everyone()  # raw SQL sends nothing: the people's cached facts (core.user_facts) are stale

        for change_id, payload in payloads.items():
            common = {"actor": actor, "from_urn": payload["from"], "to_urn": payload["to"], "change_id": change_id}
            audit_moved(
                verb="membership.moved",
                model=SchoolMembership,
                records=[(pk, "School membership") for pk in payload["memberships"]],
                **common,
            )
            audit_moved(
                verb="duty.moved", model=SchoolDuty, records=[(pk, "School duty") for pk in payload["duties"]], **common
            )
            audit_moved(
                verb="membership.ended",
                model=SchoolMembership,
                records=[(pk, "School membership") for pk in payload["ended_memberships"]],
                **common,
                data={"reason": "already a member of the successor"},
            )
            audit_moved(
                verb="duty.removed",
                model=SchoolDuty,
                records=[(pk, "School duty") for pk in payload["ended_duties"]],
                **common,
            )
            audit_moved(
                verb="membership.role_changed",
                model=SchoolMembership,
                records=[(pk, "School membership") for pk in payload["demoted"] + payload["demoted_existing"]],
                **common,
                data={"from_role": HEAD, "to_role": "staff"},
            )
        if notify:
            names = dict(School.objects.filter(urn__in=set(mapping) | news).values_list("urn", "name"))
            transaction.on_commit(partial(_tell_people, notify=notify, names=names))
        return payloads

    def changed_since(self, payloads: dict[int, dict]) -> dict[int, list[str]]:
        result = {}
        for change_id, payload in payloads.items():
            moved = SchoolMembership.objects.filter(pk__in=payload["memberships"]).exclude(
                school_id=payload["to"], ended_at__isnull=True
            )
            problems = [
                f"{membership.user}'s membership has since ended or moved: restore it by hand after the undo, "
                "or leave the succession in place."
                for membership in moved.select_related("user")
            ]
            reopened = SchoolMembership.objects.current().filter(
                user_id__in=SchoolMembership.objects.filter(pk__in=payload["ended_memberships"]).values("user_id"),
                school_id=payload["from"],
            )
            problems += [f"{m.user} has a new membership of the old school." for m in reopened.select_related("user")]
            if problems:
                result[change_id] = problems
        return result

    def undo(self, payloads: dict[int, dict], *, actor, now) -> None:
        notify: list[tuple[str, int, int]] = []
        for change_id, payload in payloads.items():
            old, new = payload["from"], payload["to"]
            told = payload["memberships"] + payload["ended_memberships"]
            notify += [
                (email, old, new)
                for email in SchoolMembership.objects.filter(pk__in=told).values_list("user__email", flat=True)
            ]
            SchoolMembership.objects.filter(pk__in=payload["memberships"]).update(school_id=old)
            SchoolMembership.objects.filter(pk__in=payload["ended_memberships"]).update(
                ended_at=None, ended_by=None, end_reason=""
            )
            SchoolDuty.objects.filter(pk__in=payload["ended_duties"]).update(
                ended_at=None, ended_by=None, end_reason=""
            )
            SchoolMembership.objects.filter(pk__in=payload["demoted"] + payload["demoted_existing"]).update(role=HEAD)
            common = {"actor": actor, "from_urn": new, "to_urn": old, "change_id": change_id}
            audit_moved(
                verb="membership.moved_back",
                model=SchoolMembership,
                records=[(pk, "School membership") for pk in payload["memberships"]],
                **common,
            )
            audit_moved(
                verb="membership.restored",
                model=SchoolMembership,
                records=[(pk, "School membership") for pk in payload["ended_memberships"]],
                **common,
            )
            audit_moved(
                verb="duty.restored",
                model=SchoolDuty,
                records=[(pk, "School duty") for pk in payload["ended_duties"]],
                **common,
            )
        if notify:
            urns = {urn for _, old, new in notify for urn in (old, new)}
            names = dict(School.objects.filter(urn__in=urns).values_list("urn", "name"))
            transaction.on_commit(partial(_tell_people, notify=sorted(set(notify)), names=names, undone=True))


def _tell_people(*, notify: list[tuple[str, int, int]], names: dict[int, str], undone: bool = False) -> None:
    """After the commit: each person whose membership moved (or, on undo, moved back) gets one email (no one else's
    address in it)."""
    for email, old, new in notify:
        email_send(
            to=[email],
            template="accounts_school_succession_undone" if undone else "accounts_school_succession",
            context={
                "old_name": names.get(old, ""),
                "old_urn": old,
                "new_name": names.get(new, ""),
                "new_urn": new,
                "link": absolute_url("accounts:my_schools"),
            },
        )


HANDLERS = [PeopleHandler()]
