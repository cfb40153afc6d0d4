"""What a school's succession does to Stepping Stones: in cohorts still open or running, the school's participation
(with its places), its place as a feeder primary and its referrals (referring or receiving) move to the successor;
ended cohorts stay as they were. Audit entries carry referral references only. Registered with the register's review
(schools/successions.py).
"""

from collections import defaultdict

from django.db.models import F, Q

from core.errors import DomainError
from schools.successions import Move, Pair, Preview, Question, SuccessionHandler, audit_moved, reassign, siblings

from .models import Cohort, ParticipatingSchool, Referral

OPEN_COHORTS = (Cohort.Status.OPEN, Cohort.Status.RUNNING)
PARTICIPATION_OPTIONS = (
    ("keep_successor", "The successor keeps its own places; the old school's referrals move into them"),
    ("add_places", "Add the old school's places to the successor's"),
)
FeederThrough = ParticipatingSchool.feeder_primaries.through


class SteppingStonesHandler(SuccessionHandler):
    key = "stepping_stones"
    programme = "Stepping Stones"

    def preview(self, pairs: list[Pair], *, questions_only: bool = False) -> dict[Pair, Preview]:
        urns = {urn for pair in pairs for urn in pair}
        participation = defaultdict(set)
        for school_id, cohort_id in ParticipatingSchool.objects.filter(
            school_id__in=urns, cohort__status__in=OPEN_COHORTS
        ).values_list("school_id", "cohort_id"):
            participation[school_id].add(cohort_id)
        olds = [old for old, _ in pairs]
        referring = defaultdict(int)
        receiving = defaultdict(int)
        for referring_id, receiving_id in (
            []
            if questions_only
            else Referral.objects.filter(cohort__status__in=OPEN_COHORTS)
            .filter(Q(referring_school_id__in=olds) | Q(receiving_school_id__in=olds))
            .order_by()
            .values_list("referring_school_id", "receiving_school_id")
        ):
            if referring_id in olds:
                referring[referring_id] += 1
            if receiving_id in olds:
                receiving[receiving_id] += 1
        feeders = defaultdict(int)
        for school_id in (
            []
            if questions_only
            else FeederThrough.objects.filter(
                school_id__in=olds, participatingschool__cohort__status__in=OPEN_COHORTS
            ).values_list("school_id", flat=True)
        ):
            feeders[school_id] += 1
        sharing = siblings(pairs)
        result = {}
        for old, new in pairs:
            preview = Preview()
            if participation[old]:
                preview.lines.append(
                    f"Its participation in {len(participation[old])} open cohort"
                    f"{'s' if len(participation[old]) != 1 else ''} moves, with its places"
                )
                others = set(participation[new]).union(*(participation[o] for o in sharing[new] if o != old))
                if participation[old] & others:
                    preview.questions.append(
                        Question("participation", "Both schools take part in the same cohort", PARTICIPATION_OPTIONS)
                    )
            if feeders[old]:
                count = feeders[old]
                preview.lines.append(
                    f"It is a feeder primary of {count} secondary school{'s' if count != 1 else ''} in open cohorts: "
                    "the successor takes its place as their feeder primary"
                )
            count = referring[old] + receiving[old]
            if count:
                preview.lines.append(f"{count} referral{'s' if count != 1 else ''} in open cohorts move")
            result[(old, new)] = preview
        return result

    def move(self, moves: list[Move], *, actor, now) -> dict[int, dict]:
        mapping = {move.old_urn: move.new_urn for move in moves}
        choice = {move.old_urn: move.choices.get("participation") for move in moves}
        rows = list(
            ParticipatingSchool.objects.select_for_update()
            .filter(school_id__in=set(mapping) | set(mapping.values()), cohort__status__in=OPEN_COHORTS)
            .values_list("pk", "school_id", "cohort_id", "places", "places_taken")
        )
        at_new = {(school_id, cohort_id): (pk, places) for pk, school_id, cohort_id, places, _ in rows}
        payloads = {
            m.change_id: {
                "from": m.old_urn,
                "to": m.new_urn,
                "participation": [],
                "merged": [],
                "referring": [],
                "receiving": [],
                "feeders": [],
                "feeders_dropped": [],
            }
            for m in moves
        }
        by_old = {m.old_urn: payloads[m.change_id] for m in moves}
        moving_participation = []
        for pk, school_id, cohort_id, places, taken in rows:
            if school_id not in mapping:
                continue
            payload = by_old[school_id]
            target = at_new.get((mapping[school_id], cohort_id))
            if target is None:
                moving_participation.append(pk)
                payload["participation"].append(pk)
                at_new[(mapping[school_id], cohort_id)] = (pk, places)
            else:
                added = places if choice[school_id] == "add_places" else 0
                # The old participation stays (with nothing left to fill); its referrals move into the successor's.
                payload["merged"].append([pk, target[0], added, places, taken])
        for _, target_pk, added, _, taken in [m for p in payloads.values() for m in p["merged"]]:
            # The old participation's places held by its referrals move into the successor's count.
            updated = ParticipatingSchool.objects.filter(
                pk=target_pk, places_taken__lte=F("places") + added - taken
            ).update(places=F("places") + added, places_taken=F("places_taken") + taken)
            if not updated:
                raise DomainError(
                    "The successor has too few Stepping Stones places left for the old school's pupils: "
                    "choose to add the old school's places.",
                    field="choices",
                )
        merged_from = [m[0] for p in payloads.values() for m in p["merged"]]
        if merged_from:
            ParticipatingSchool.objects.filter(pk__in=merged_from).update(places_taken=0)
        reassign(ParticipatingSchool.objects, "school_id", mapping, pks=moving_participation)

        referring = list(
            Referral.objects.filter(cohort__status__in=OPEN_COHORTS, referring_school_id__in=mapping).values_list(
                "pk", "reference", "referring_school_id"
            )
        )
        receiving = list(
            Referral.objects.filter(cohort__status__in=OPEN_COHORTS, receiving_school_id__in=mapping).values_list(
                "pk", "reference", "receiving_school_id"
            )
        )
        reassign(Referral.objects, "referring_school_id", mapping, pks=[r[0] for r in referring])
        reassign(Referral.objects, "receiving_school_id", mapping, pks=[r[0] for r in receiving])
        for pk, _, school_id in referring:
            by_old[school_id]["referring"].append(pk)
        for pk, _, school_id in receiving:
            by_old[school_id]["receiving"].append(pk)

        feeder_rows = list(
            FeederThrough.objects.filter(
                school_id__in=mapping, participatingschool__cohort__status__in=OPEN_COHORTS
            ).values_list("pk", "participatingschool_id", "school_id")
        )
        existing = set(
            FeederThrough.objects.filter(
                participatingschool_id__in=[r[1] for r in feeder_rows], school_id__in=set(mapping.values())
            ).values_list("participatingschool_id", "school_id")
        )
        dropped = []
        for pk, participating_id, school_id in feeder_rows:
            if (participating_id, mapping[school_id]) in existing:
                dropped.append(pk)
                by_old[school_id]["feeders_dropped"].append([participating_id, school_id])
            else:
                by_old[school_id]["feeders"].append(pk)
                existing.add((participating_id, mapping[school_id]))
        if dropped:
            FeederThrough.objects.filter(pk__in=dropped).delete()
        reassign(
            FeederThrough.objects, "school_id", mapping, pks=[pk for p in payloads.values() for pk in p["feeders"]]
        )

        references = {pk: reference for pk, reference, _ in referring + receiving}
        for change_id, payload in payloads.items():
            common = {"actor": actor, "from_urn": payload["from"], "to_urn": payload["to"], "change_id": change_id}
            audit_moved(
                verb="participation.moved",
                model=ParticipatingSchool,
                records=[(pk, f"Participation {pk}") for pk in payload["participation"]],
                **common,
            )
            audit_moved(
                verb="referral.referring_school_moved",
                model=Referral,
                records=[(pk, references[pk]) for pk in payload["referring"]],
                **common,
            )
            audit_moved(
                verb="referral.receiving_school_moved",
                model=Referral,
                records=[(pk, references[pk]) for pk in payload["receiving"]],
                **common,
            )
        return payloads

    def changed_since(self, payloads: dict[int, dict]) -> dict[int, list[str]]:
        result = {}
        for change_id, payload in payloads.items():
            problems = []
            if ParticipatingSchool.objects.filter(pk__in=payload["participation"]).exclude(school_id=payload["to"]):
                problems.append("A Stepping Stones participation has moved on since.")
            moved = Referral.objects.filter(
                (Q(pk__in=payload["referring"]) & ~Q(referring_school_id=payload["to"]))
                | (Q(pk__in=payload["receiving"]) & ~Q(receiving_school_id=payload["to"]))
            )
            problems += [f"Referral {r.reference} has since moved to another school." for r in moved]
            if problems:
                result[change_id] = problems
        return result

    def undo(self, payloads: dict[int, dict], *, actor, now) -> None:
        for change_id, payload in payloads.items():
            old, new = payload["from"], payload["to"]
            ParticipatingSchool.objects.filter(pk__in=payload["participation"]).update(school_id=old)
            for from_pk, target_pk, added, _, taken in payload["merged"]:
                ParticipatingSchool.objects.filter(pk=target_pk).update(
                    places=F("places") - added, places_taken=F("places_taken") - taken
                )
                ParticipatingSchool.objects.filter(pk=from_pk).update(places_taken=taken)
            Referral.objects.filter(pk__in=payload["referring"]).update(referring_school_id=old)
            Referral.objects.filter(pk__in=payload["receiving"]).update(receiving_school_id=old)
            FeederThrough.objects.filter(pk__in=payload["feeders"]).update(school_id=old)
            FeederThrough.objects.bulk_create(
                [FeederThrough(participatingschool_id=p, school_id=s) for p, s in payload["feeders_dropped"]]
            )
            references = dict(
                Referral.objects.filter(pk__in=payload["referring"] + payload["receiving"]).values_list(
                    "pk", "reference"
                )
            )
            audit_moved(
                actor=actor,
                verb="referral.moved_back",
                model=Referral,
                records=[(pk, references[pk]) for pk in payload["referring"] + payload["receiving"]],
                from_urn=new,
                to_urn=old,
                change_id=change_id,
            )


HANDLERS = [SteppingStonesHandler()]
