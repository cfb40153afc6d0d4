"""Demo content for the toolkit: a realistic catalogue across audiences and key stages, with small real files (a PDF
written by hand, Word and PowerPoint packages), made through the services; some downloads, a new version, delivery
reports, so search, filters, zips and analytics all show something. Deterministic; skipped when it has already run."""

import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.demo import demo_clock

from . import permissions, services
from .models import Download, Resource
from .samples import docx_bytes, pdf_bytes, pptx_bytes

ORDER = 60
MARKER_SLUG = "consequences-one-evening-three-lives"

SIGNPOSTING = (
    "Childline: 0800 1111 (free, 24 hours)\nFearless (crimestoppers, anonymous): fearless.org\n"
    "The Mix (under 25s): 0808 808 4994\nIn an emergency call 999"
)

# title, type, audiences, key stages, settings, topics, minutes, access, summary
CATALOGUE = [
    (
        "Consequences: one evening, three lives",
        "lesson_plan",
        ["schools"],
        ["ks3"],
        ["classroom"],
        ["knife_crime", "law"],
        50,
        "public",
        "Pupils follow one evening from the point of view of a victim, a perpetrator and a witness.",
    ),
    (
        "Myths and facts about carrying a knife",
        "slides",
        ["schools", "youth"],
        ["ks3", "ks4"],
        ["classroom", "youth_club"],
        ["knife_crime"],
        30,
        "public",
        'A quiz that tests common beliefs ("carrying a knife keeps you safe") against the evidence.',
    ),
    (
        "Friendship under pressure",
        "lesson_plan",
        ["schools"],
        ["ks3"],
        ["classroom"],
        ["peer_pressure", "bystander"],
        60,
        "public",
        "Role play and discussion on saying no to friends, and who to talk to.",
    ),
    (
        "Who can you tell? Speaking up safely",
        "worksheet",
        ["schools", "youth"],
        ["ks3"],
        ["classroom", "youth_club"],
        ["bystander"],
        25,
        "public",
        "A worksheet mapping trusted adults and anonymous ways to report.",
    ),
    (
        "County lines: how grooming works",
        "lesson_plan",
        ["schools"],
        ["ks3", "ks4"],
        ["classroom"],
        ["exploitation"],
        60,
        "verified",
        "How young people are drawn into drug running, the signs, and how to get out.",
    ),
    (
        "County lines: guidance for staff",
        "guidance",
        ["schools", "youth", "community"],
        ["adults"],
        ["classroom", "youth_club"],
        ["exploitation"],
        None,
        "verified",
        "Spotting exploitation and making a referral; for staff and volunteers.",
    ),
    (
        "Online conflict that spills over",
        "lesson_plan",
        ["schools"],
        ["ks3", "ks4"],
        ["classroom", "online"],
        ["social_media"],
        50,
        "public",
        "Drill videos, taunts and group chats: how online conflict becomes real-world harm.",
    ),
    (
        "Stop the bleed: emergency first aid",
        "slides",
        ["schools", "youth", "community", "faith"],
        ["ks4", "ks5", "adults"],
        ["classroom", "youth_club", "place_of_worship"],
        ["first_aid"],
        45,
        "registered",
        "What to do in the first minutes after a stabbing until the ambulance arrives.",
    ),
    (
        "Assembly: London needs you alive",
        "assembly",
        ["schools"],
        ["ks3", "ks4"],
        ["assembly"],
        ["knife_crime"],
        15,
        "public",
        "A 15-minute assembly built around the campaign's message and a young Londoner's story.",
    ),
    (
        "Assembly: the ripple effect",
        "assembly",
        ["schools"],
        ["ks2", "ks3"],
        ["assembly"],
        ["trauma", "knife_crime"],
        15,
        "public",
        "How one incident touches families, friends, schools and neighbourhoods.",
    ),
    (
        "Transition to secondary: staying safe on the way",
        "lesson_plan",
        ["schools"],
        ["ks2"],
        ["classroom"],
        ["peer_pressure", "bystander"],
        45,
        "public",
        "For Year 6: journeys, phones, older pupils, and where to get help.",
    ),
    (
        "Loss and grief after violence",
        "guidance",
        ["schools", "youth", "faith"],
        ["adults"],
        ["classroom", "place_of_worship"],
        ["trauma"],
        None,
        "verified",
        "Supporting young people bereaved by violence; when to refer to specialist services.",
    ),
    (
        "The law on knives: what young people need to know",
        "lesson_plan",
        ["schools", "youth"],
        ["ks4", "ks5"],
        ["classroom", "youth_club"],
        ["law"],
        50,
        "public",
        "Joint enterprise, sentencing and criminal records, explained with case examples.",
    ),
    (
        "Joint enterprise case study",
        "case_study",
        ["schools", "youth"],
        ["ks4", "ks5"],
        ["classroom", "youth_club"],
        ["law", "peer_pressure"],
        40,
        "registered",
        "A real (anonymised) case that shows how being there can be enough for a conviction.",
    ),
    (
        "Youth club session: my postcode, my future",
        "lesson_plan",
        ["youth"],
        ["ks3", "ks4"],
        ["youth_club"],
        ["knife_crime", "peer_pressure"],
        90,
        "public",
        "An informal session with games and discussion about territory and belonging.",
    ),
    (
        "Mentors' guide to difficult conversations",
        "guidance",
        ["youth", "community"],
        ["adults"],
        ["youth_club"],
        ["bystander", "trauma"],
        None,
        "verified",
        "How to respond when a young person discloses carrying a knife or being threatened.",
    ),
    (
        "Faith leaders' briefing",
        "guidance",
        ["faith"],
        ["adults"],
        ["place_of_worship"],
        ["knife_crime", "trauma"],
        None,
        "verified",
        "Talking about knife crime in sermons, youth groups and pastoral care.",
    ),
    (
        "Sermon and discussion outline",
        "lesson_plan",
        ["faith"],
        ["ks4", "ks5", "adults"],
        ["place_of_worship"],
        ["knife_crime"],
        30,
        "public",
        "An outline for a talk and small-group discussion, adaptable to any faith.",
    ),
    (
        "Community walk: mapping safe spaces",
        "worksheet",
        ["community", "youth"],
        ["ks3", "ks4"],
        ["youth_club"],
        ["bystander"],
        90,
        "public",
        "Young people map places they feel safe and unsafe, to share with local partners.",
    ),
    (
        "Campaign poster pack",
        "campaign_material",
        ["schools", "youth", "community", "faith"],
        ["ks3", "ks4", "ks5"],
        ["classroom", "youth_club", "place_of_worship"],
        ["knife_crime"],
        None,
        "public",
        "Posters with the London Needs You Alive message for corridors and noticeboards.",
    ),
    (
        "Social media campaign kit",
        "campaign_material",
        ["youth", "community"],
        ["ks4", "ks5"],
        ["online"],
        ["social_media", "knife_crime"],
        None,
        "public",
        "Graphics and suggested posts for a week of campaign activity.",
    ),
    (
        "Film: Lost hours",
        "video",
        ["schools", "youth"],
        ["ks4", "ks5"],
        ["classroom", "youth_club"],
        ["knife_crime", "trauma"],
        12,
        "registered",
        "A short film about the hours after a stabbing, with discussion questions.",
    ),
    (
        "Parents' evening talk",
        "slides",
        ["schools", "community"],
        ["adults"],
        ["classroom"],
        ["knife_crime", "exploitation"],
        30,
        "public",
        "Signs to look for at home and how to start a conversation with your child.",
    ),
    (
        "Peer mentors' training session",
        "lesson_plan",
        ["schools"],
        ["ks4"],
        ["classroom"],
        ["bystander", "peer_pressure"],
        120,
        "verified",
        "Trains Year 10 peer mentors to support younger pupils in Stepping Stones.",
    ),
    (
        "Debate: should stop and search be used more?",
        "lesson_plan",
        ["schools"],
        ["ks5"],
        ["classroom"],
        ["law"],
        60,
        "public",
        "A structured debate with evidence packs for both sides.",
    ),
    (
        "Worksheet: whose choice?",
        "worksheet",
        ["schools"],
        ["ks3"],
        ["classroom"],
        ["peer_pressure"],
        20,
        "public",
        "Scenario cards: pupils decide what each character could do differently.",
    ),
    (
        "Safeguarding checklist before delivering",
        "guidance",
        ["schools", "youth", "community", "faith"],
        ["adults"],
        ["classroom", "youth_club", "place_of_worship", "online"],
        ["trauma"],
        None,
        "public",
        "What to check before any session on knife crime: pupils affected, a quiet space, follow-up.",
    ),
    (
        "Case study: a school's response after an incident",
        "case_study",
        ["schools"],
        ["adults"],
        ["classroom"],
        ["trauma"],
        None,
        "verified",
        "How one London secondary school supported pupils and staff after a stabbing nearby.",
    ),
    (
        "Assembly: first aid saves lives",
        "assembly",
        ["schools"],
        ["ks4", "ks5"],
        ["assembly"],
        ["first_aid"],
        15,
        "public",
        "An assembly introducing bleeding control and the role of bystanders.",
    ),
    (
        "Online safety: recognising grooming",
        "slides",
        ["schools", "youth"],
        ["ks3"],
        ["classroom", "online"],
        ["exploitation", "social_media"],
        40,
        "public",
        "How exploiters use social media and gaming platforms to reach young people.",
    ),
    (
        "Key stage 2: feeling safe",
        "lesson_plan",
        ["schools"],
        ["ks2"],
        ["classroom"],
        ["bystander"],
        40,
        "public",
        "Gentle introduction for primary pupils: feelings, safe adults, and what to do if worried.",
    ),
    (
        "Youth worker toolkit: detached outreach",
        "guidance",
        ["youth"],
        ["adults"],
        ["youth_club"],
        ["exploitation", "knife_crime"],
        None,
        "verified",
        "Approaches for street-based youth work in areas affected by violence.",
    ),
    (
        "Reflection activity: hopes and goals",
        "worksheet",
        ["youth", "faith", "community"],
        ["ks3", "ks4"],
        ["youth_club", "place_of_worship"],
        ["trauma"],
        30,
        "public",
        "A reflective activity helping young people think about their future.",
    ),
    (
        "Conflict resolution role plays",
        "lesson_plan",
        ["schools", "youth"],
        ["ks3"],
        ["classroom", "youth_club"],
        ["peer_pressure", "social_media"],
        50,
        "public",
        "Practising ways to step back from escalating situations.",
    ),
]


def _files_for(title: str, resource_type: str) -> list[tuple[str, str, bytes]]:
    lines = [
        "London Needs You Alive toolkit",
        "Violence Reduction Unit, City Hall",
        "Read the safeguarding notes first.",
    ]
    notes = ("Teacher notes", f"{title[:40]} - notes.pdf", pdf_bytes(title, lines))
    if resource_type in {"slides", "assembly"}:
        return [("Slides", f"{title[:40]} - slides.pptx", pptx_bytes(title, lines)), notes]
    if resource_type == "lesson_plan":
        return [
            ("Lesson plan", f"{title[:40]} - plan.pdf", pdf_bytes(title, ["Lesson plan", *lines])),
            ("Slides", f"{title[:40]} - slides.pptx", pptx_bytes(title, lines)),
            ("Worksheet", f"{title[:40]} - worksheet.docx", docx_bytes(title, ["Worksheet", *lines])),
        ]
    if resource_type == "worksheet":
        return [("Worksheet", f"{title[:40]} - worksheet.docx", docx_bytes(title, lines)), notes]
    return [(resource_type.replace("_", " ").capitalize(), f"{title[:40]}.pdf", pdf_bytes(title, lines))]


def _user(local: str):
    from accounts.demo import demo_email

    return User.objects.filter(email=demo_email(local)).first()


@transaction.atomic
def _draft(editor, title, resource_type, audiences, stages, settings, topics, minutes, access, summary):
    resource = services.resource_create(
        actor=editor,
        title=title,
        summary=summary,
        learning_objectives="Understand the risks and the consequences\nKnow where to get help\n"
        "Practise what to say and do",
        resource_type=resource_type,
        duration_minutes=minutes,
        content_guidance="Talks about knife violence, injury and death. Some young people may have been "
        "affected directly or know someone who has.",
        safeguarding_notes="Tell your designated safeguarding lead before the session and check whether any "
        "young person has been affected recently. Give everyone a way to step out and a named adult to talk to "
        "afterwards. Have the signposting details ready.",
        signposting=SIGNPOSTING,
        access_level=access,
        facets={"audience": audiences, "key_stage": stages, "setting": settings, "topic": topics},
    )
    for file_title, filename, content in _files_for(title, resource_type):
        services.file_add(
            actor=editor, resource_id=resource.pk, title=file_title, upload=SimpleUploadedFile(filename, content)
        )
    return resource


def seed(*, stdout, options) -> None:
    if Resource.objects.filter(slug=MARKER_SLUG).exists():
        stdout.write("  toolkit resources already loaded")
        return
    editor = _user("toolkit-editor")
    if editor is None:
        stdout.write("  toolkit skipped: the demo toolkit editor is missing")
        return
    rng = random.Random(60)  # noqa: S311 - demo data, not security
    resources = []
    now = timezone.now()
    for index, (title, kind, audiences, stages, settings, topics, minutes, access, summary) in enumerate(CATALOGUE):
        # The catalogue was written over the past year, not when seed_demo ran (core.demo.demo_clock): each resource's
        # history shows it drafted, given its files and published a few days later.
        drafted = now - timedelta(days=360 - index * 300 // max(len(CATALOGUE), 1), hours=rng.randint(1, 6))
        with demo_clock(drafted):
            resource = _draft(editor, title, kind, audiences, stages, settings, topics, minutes, access, summary)
        if index % 12 != 11:  # a few stay drafts for the editor to publish
            with demo_clock(drafted + timedelta(days=rng.randint(2, 9), hours=rng.randint(1, 5))):
                services.resource_publish(actor=editor, resource_id=resource.pk)
        resources.append(resource)
    published = list(
        Resource.objects.filter(pk__in=[r.pk for r in resources], status=Resource.Status.PUBLISHED).order_by("pk")
    )

    downloaders = [u for u in (_user(n) for n in ("headteacher", "school-staff", "organisation-member")) if u]
    for user in downloaders:
        services.terms_accept(user=user)
    for user in downloaders:
        for resource in rng.sample(published, k=min(10, len(published))):
            if not permissions.can_download_resource(user, resource):
                continue  # a restricted item this demo user may not download
            services.downloads_record(
                user=user, resource=resource, as_zip=rng.random() < 0.5, subscribe=rng.random() < 0.5
            )
    # Spread the downloads over the last six months so the monthly chart has a shape.
    for download in Download.objects.filter(resource__in=published).order_by("pk"):
        Download.objects.filter(pk=download.pk).update(downloaded_at=now - timedelta(days=rng.randint(0, 180)))
    first = published[0]
    with demo_clock(now - timedelta(days=21, hours=2)):
        services.file_version_upload(
            actor=editor,
            file_id=first.files.order_by("position").first().pk,
            upload=SimpleUploadedFile("lesson-plan.pdf", pdf_bytes(first.title, ["Version 2: updated helplines"])),
            change_note="Updated the helpline numbers and added a plenary question.",
        )
    for user in downloaders:
        for resource in rng.sample(published, k=3):
            services.delivery_report_submit(
                actor=user,
                resource=resource,
                young_people=rng.choice([12, 25, 28, 30, 60, 180]),
                setting=rng.choice(["classroom", "assembly", "youth_club", "place_of_worship"]),
                delivered_on=(now - timedelta(days=rng.randint(1, 90))).date(),
            )
    stdout.write(f"  toolkit: {len(resources)} resources, {Download.objects.count()} downloads")
