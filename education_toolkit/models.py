"""London Needs You Alive toolkit: resources, their facets, files and versions, terms, downloads and follow-ups.
Data and invariants only; writes live in services.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from core.workflow import Action


class ResourceType(models.TextChoices):
    LESSON_PLAN = "lesson_plan", "Lesson plan"
    SLIDES = "slides", "Slides"
    WORKSHEET = "worksheet", "Worksheet"
    ASSEMBLY = "assembly", "Assembly"
    VIDEO = "video", "Video"
    CAMPAIGN = "campaign_material", "Campaign material"
    GUIDANCE = "guidance", "Guidance"
    CASE_STUDY = "case_study", "Case study"


class AccessLevel(models.TextChoices):
    PUBLIC = "public", "Everyone"
    REGISTERED = "registered", "Registered users"
    VERIFIED = "verified", "Verified professionals"


# The facets a resource is tagged with (several values each). Fixed lists: they are the toolkit's vocabulary.
FACETS: dict[str, dict[str, str]] = {
    "audience": {
        "schools": "Schools and colleges",
        "youth": "Youth organisations",
        "community": "Community groups",
        "faith": "Faith groups",
    },
    "key_stage": {
        "ks2": "Key stage 2 (ages 7 to 11)",
        "ks3": "Key stage 3 (ages 11 to 14)",
        "ks4": "Key stage 4 (ages 14 to 16)",
        "ks5": "Key stage 5 (ages 16 to 18)",
        "adults": "Adults (parents, carers, staff)",
    },
    "setting": {
        "classroom": "Classroom",
        "assembly": "Assembly",
        "youth_club": "Youth club",
        "place_of_worship": "Place of worship",
        "online": "Online",
    },
    "topic": {
        "knife_crime": "Knife crime and its consequences",
        "peer_pressure": "Peer pressure and friendships",
        "exploitation": "County lines and exploitation",
        "social_media": "Social media and conflict",
        "first_aid": "Bleeding control and first aid",
        "bystander": "Speaking up and reporting",
        "trauma": "Loss, trauma and wellbeing",
        "law": "The law and its consequences",
    },
}
FACET_LABELS = {"audience": "Audience", "key_stage": "Key stage", "setting": "Setting", "topic": "Topic"}
FACET_KINDS = tuple(FACETS)
# The ages of each key stage (England's national curriculum): a resource's ages come from its key stages.
KEY_STAGE_AGES: dict[str, tuple[int, int]] = {"ks2": (7, 11), "ks3": (11, 14), "ks4": (14, 16), "ks5": (16, 18)}


def ages_label(key_stages, fallback: str = "") -> str:
    """The ages a resource is for, from its key stages: the whole range of adjoining stages ("14 to 18" for key stages
    4 and 5), stages apart listed apart ("7 to 11 and 14 to 16"), and "adults". No key stage: the editor's words."""
    ranges: list[list[int]] = []
    for low, high in sorted(KEY_STAGE_AGES[stage] for stage in set(key_stages) if stage in KEY_STAGE_AGES):
        if ranges and low <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], high)
        else:
            ranges.append([low, high])
    parts = [f"{low} to {high}" for low, high in ranges]
    if "adults" in key_stages:
        parts.append("adults")
    if not parts:
        return fallback
    return " and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " and " + parts[-1]


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Resource(models.Model):
    """A toolkit item: a lesson plan, assembly, campaign material... Only services._move() changes `status`."""

    Status = ResourceStatus

    NEXT = {
        Status.DRAFT: {Status.PUBLISHED, Status.ARCHIVED},
        Status.PUBLISHED: {Status.ARCHIVED},
        Status.ARCHIVED: {Status.PUBLISHED},
    }
    # What an editor may do in which status (core.workflow): the editor pages offer these. The pages themselves open
    # in any status and the services explain a refusal on the form (a file for an archived resource).
    ACTIONS = {
        "publish": Action("Publish", to=Status.PUBLISHED, allowed="education_toolkit.permissions.can_edit_resource"),
        "archive": Action("Archive", to=Status.ARCHIVED, allowed="education_toolkit.permissions.can_edit_resource"),
        "change_files": Action(
            "Add a file or a new version",
            statuses=(Status.DRAFT, Status.PUBLISHED),
            allowed="education_toolkit.permissions.can_edit_resource",
        ),
    }
    # The GOV.UK tag colour of each status (`{% status_tag resource %}`).
    TAG_COLOURS = {Status.DRAFT: "grey", Status.PUBLISHED: "green", Status.ARCHIVED: "orange"}

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    learning_objectives = models.TextField(blank=True, help_text="One objective a line.")
    resource_type = models.CharField(max_length=30, choices=ResourceType.choices, db_index=True)
    age_range = models.CharField(max_length=40, blank=True, help_text="For example: 11 to 14.")
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    content_guidance = models.TextField(
        help_text="What the material shows or discusses that may affect young people (knife crime can touch their "
        "lives directly)."
    )
    safeguarding_notes = models.TextField(help_text="What to prepare before delivering it, and supervision needed.")
    signposting = models.TextField(blank=True, help_text="Help services to point young people to.")
    licence = models.CharField(max_length=120, default="Open Government Licence v3.0")
    language = models.CharField(max_length=40, default="English")
    access_level = models.CharField(max_length=20, choices=AccessLevel.choices, default=AccessLevel.PUBLIC)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    content_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="When a new version of one of its files was last uploaded."
    )

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ResourceStatus.values), name="toolkit_resource_status_valid"),
            models.CheckConstraint(
                condition=Q(access_level__in=AccessLevel.values),
                name="toolkit_resource_access_level_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "resource_type"], name="toolkit_resource_browse_idx")]

    def __str__(self):
        return self.title

    @property
    def is_updated(self) -> bool:
        return self.content_updated_at is not None

    def tag_values(self, kind: str) -> list[str]:
        return [tag.value for tag in self.tags.all() if tag.kind == kind]

    def tag_labels(self, kind: str) -> list[str]:
        return [FACETS[kind].get(value, value) for value in self.tag_values(kind)]

    @property
    def ages(self) -> str:
        """The ages it is for: from its key stages (see ages_label), else what the editor wrote."""
        return ages_label(self.tag_values("key_stage"), self.age_range)

    @property
    def audiences(self):
        return self.tag_labels("audience")

    @property
    def key_stages(self):
        return self.tag_labels("key_stage")

    @property
    def settings_labels(self):
        return self.tag_labels("setting")

    @property
    def topics(self):
        return self.tag_labels("topic")

    @property
    def objectives_list(self) -> list[str]:
        return [line.strip() for line in self.learning_objectives.splitlines() if line.strip()]


class ResourceTag(models.Model):
    """One facet value of a resource (audience, key stage, setting or topic)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="tags")
    kind = models.CharField(max_length=20)
    value = models.CharField(max_length=40)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "kind", "value"], name="toolkit_tag_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["audience", "key_stage", "setting", "topic"]), name="toolkit_tag_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["kind", "value"], name="toolkit_tag_facet_idx")]

    def __str__(self):
        return f"{self.kind}={self.value}"


class ResourceFile(models.Model):
    """A file of a resource (e.g. "Teacher notes"); its content lives in versions, the newest is current."""

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="files")
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    current_version = models.ForeignKey(
        "FileVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.resource} — {self.title}"


def _version_path(instance, filename):
    return filename  # services give every file a generated name


class FileVersion(models.Model):
    """One uploaded version of a file. Earlier versions are kept, archived, never served to new downloaders."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word document"
        PPTX = "pptx", "PowerPoint slides"
        XLSX = "xlsx", "Excel spreadsheet"
        PNG = "png", "PNG image"
        JPEG = "jpeg", "JPEG image"
        MP4 = "mp4", "MP4 video"
        TEXT = "text", "Text"
        CSV = "csv", "CSV spreadsheet"

    file = models.ForeignKey(ResourceFile, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    stored = models.FileField(upload_to=_version_path, max_length=255)
    filename = models.CharField(max_length=200, help_text="The sanitised name downloaders get.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    change_note = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["file_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="toolkit_version_number_once"),
            models.UniqueConstraint(
                fields=["file"], condition=Q(archived_at__isnull=True), name="toolkit_one_current_version"
            ),
        ]

    def __str__(self):
        return f"{self.filename} (version {self.number})"


class TermsAcceptance(models.Model):
    """A signed-in person accepted the toolkit's terms of use (asked once per terms version)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    terms_version = models.CharField(max_length=20)
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "terms_version"], name="toolkit_terms_accepted_once"),
        ]

    def __str__(self):
        return f"Terms {self.terms_version} accepted by {self.user_id}"


class Download(models.Model):
    """One file version downloaded. The organisation type and borough are copied at download time so the analytics
    never need to look at who downloaded it."""

    class OrganisationType(models.TextChoices):
        SCHOOL = "school", "School"
        COMMUNITY = "community", "Community group"
        FAITH = "faith", "Faith group"
        YOUTH = "youth", "Youth organisation"
        OTHER = "other", "Other or not known"

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="downloads")
    version = models.ForeignKey(FileVersion, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation_type = models.CharField(max_length=20, choices=OrganisationType.choices)
    borough = models.ForeignKey(
        "schools.LocalAuthority", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    as_zip = models.BooleanField(default=False)
    downloaded_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-downloaded_at", "-id"]
        indexes = [
            # Downloads per borough over a window (the insights dashboard, the open figures): counted from the index
            # alone (docs/performance.md).
            models.Index(fields=["borough", "downloaded_at"], name="toolkit_download_borough_idx"),
        ]

    def __str__(self):
        return f"Download of {self.version_id}"


class UpdateSubscription(models.Model):
    """A person who downloaded a resource asked to be emailed when a new version of it is uploaded."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "resource"], name="toolkit_subscribe_once")]

    def __str__(self):
        return f"{self.user_id} follows {self.resource_id}"


class DeliveryReport(models.Model):
    """The optional "did you deliver it?" follow-up: reach figures for the programme."""

    class Setting(models.TextChoices):
        CLASSROOM = "classroom", "Classroom"
        ASSEMBLY = "assembly", "Assembly"
        YOUTH_CLUB = "youth_club", "Youth club"
        PLACE_OF_WORSHIP = "place_of_worship", "Place of worship"
        ONLINE = "online", "Online"
        OTHER = "other", "Somewhere else"

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="delivery_reports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    organisation_type = models.CharField(max_length=20, choices=Download.OrganisationType.choices)
    young_people = models.PositiveIntegerField()
    setting = models.CharField(max_length=20, choices=Setting.choices)
    notes = models.TextField(blank=True, help_text="Anything to report: how it went, concerns raised.")
    delivered_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(young_people__lte=100000), name="toolkit_report_reach_plausible"),
        ]

    def __str__(self):
        return f"Delivery of {self.resource_id} to {self.young_people}"


def file_download_name(*, resource_slug: str, file_title: str, number: int, filename: str) -> str:
    """Every downloaded file is named the same way: <resource>_<file title>_v<version>.<extension>."""
    _stem, dot, extension = filename.rpartition(".")
    extension = f".{extension.lower()}" if dot and extension else ""
    return f"{resource_slug}_{slugify(file_title)[:60] or 'file'}_v{number}{extension}"


def zip_download_name(resource_slugs: list[str]) -> str:
    """A zip of one resource is named after it; of several, after how many."""
    if len(resource_slugs) == 1:
        return f"{resource_slugs[0]}_files.zip"
    return f"toolkit_{len(resource_slugs)}-resources_files.zip"


class SearchSynonym(models.Model):
    """Words that mean the same to people searching the toolkit ("bleeding" ~ "first aid"), kept by toolkit editors.

    A search for any word of a row also finds resources with the others. Words may be phrases ("first aid").
    """

    term = models.CharField(max_length=60, unique=True, help_text="A word or phrase people search for.")
    alternatives = models.TextField(help_text="Other words or phrases meaning the same, separated by commas.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["term"]
        constraints = [models.CheckConstraint(condition=~Q(term=""), name="toolkit_synonym_term_not_blank")]

    def __str__(self):
        return self.term

    @property
    def alternatives_list(self) -> list[str]:
        return [word.strip() for word in self.alternatives.split(",") if word.strip()]

    @property
    def words(self) -> set[str]:
        return {self.term.lower(), *(word.lower() for word in self.alternatives_list)}
