"""Every write of the toolkit: resources and their workflow, files and versions, terms, downloads, follow-ups."""

import uuid
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.selectors import organisations_of, schools_acting_for
from core.emails import email_send
from core.errors import Conflict, DomainError, StorageUnavailable
from core.outage import log_outage
from core.services import audit_record
from core.user_facts import facts_changed
from core.workflow import transition

from . import permissions
from .models import (
    FACETS,
    AccessLevel,
    DeliveryReport,
    Download,
    FileVersion,
    Resource,
    ResourceFile,
    ResourceTag,
    ResourceType,
    SearchSynonym,
    TermsAcceptance,
    UpdateSubscription,
    file_download_name,
)
from .selectors import TERMS_VERSION, terms_accepted
from .uploads import check_upload

EDITABLE_FIELDS = (
    "title",
    "summary",
    "learning_objectives",
    "resource_type",
    "age_range",
    "duration_minutes",
    "content_guidance",
    "safeguarding_notes",
    "signposting",
    "licence",
    "language",
    "access_level",
)
REQUIRED_FIELDS = ("title", "summary", "resource_type", "content_guidance", "safeguarding_notes")


@dataclass(frozen=True)
class DownloadedFile:
    name: str
    stored_name: str
    version: FileVersion
    resource_slug: str = ""


# --- helpers -------------------------------------------------------------------------------------------------


def _require_editor(actor) -> None:
    if not permissions.can_edit_toolkit(actor):
        raise PermissionDenied


def _locked_resource(resource_id: int) -> Resource:
    try:
        return Resource.objects.select_for_update().get(pk=resource_id)
    except Resource.DoesNotExist:
        raise DomainError("There is no toolkit resource with that id.", code="not_found") from None


def _move(resource: Resource, *, to: str, actor, reason: str = "") -> None:
    """A resource's move along its workflow (core.workflow); publishing stamps the first publication date."""
    first_published = to == Resource.Status.PUBLISHED and resource.published_at is None
    transition(
        resource,
        to=to,
        actor=actor,
        verb=f"toolkit_resource.{to}",
        refused=f"“{resource.title}” is {resource.get_status_display().lower()}, so it cannot become "
        f"{Resource.Status(to).label.lower()}.",
        changes={"published_at": timezone.now() if first_published else resource.published_at},
        update_fields=("updated_at",),
        reason=reason,
    )


def _clean_values(values: dict, *, partial: bool) -> dict:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be set: {', '.join(sorted(unknown))}.")
    cleaned = {}
    for name, value in values.items():
        cleaned[name] = value.strip() if isinstance(value, str) else value
    for name in REQUIRED_FIELDS:
        if (name in cleaned or not partial) and not cleaned.get(name):
            raise DomainError(f"Enter the {Resource._meta.get_field(name).verbose_name}.", field=name)
    if "resource_type" in cleaned and cleaned["resource_type"] not in ResourceType.values:
        raise DomainError("Choose a resource type from the list.", field="resource_type")
    if "access_level" in cleaned and cleaned["access_level"] not in AccessLevel.values:
        raise DomainError("Choose who may download it.", field="access_level")
    return cleaned


def _set_tags(resource: Resource, facets: dict[str, list[str]]) -> None:
    for kind, values in facets.items():
        if kind not in FACETS:
            raise DomainError(f"There is no facet called {kind}.")
        bad = set(values) - set(FACETS[kind])
        if bad:
            raise DomainError(f"Choose {kind.replace('_', ' ')} values from the list.", field=kind)
        ResourceTag.objects.filter(resource=resource, kind=kind).exclude(value__in=values).delete()
        existing = set(ResourceTag.objects.filter(resource=resource, kind=kind).values_list("value", flat=True))
        ResourceTag.objects.bulk_create(
            [ResourceTag(resource=resource, kind=kind, value=v) for v in values if v not in existing]
        )


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "resource"
    slug, n = base, 1
    while Resource.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _stored_then(upload, checked, write):
    """Store the upload under a generated name, then run `write(stored_name)`; if that fails, delete the file again so
    a refused upload leaves nothing behind."""
    try:
        stored_name = default_storage.save(f"toolkit/{uuid.uuid4().hex}{checked.extension}", upload)
    except Exception as error:  # noqa: BLE001 - read-only volume, full disk, object storage refusing writes
        log_outage("storage:toolkit", "storage refused a toolkit upload: nothing saved", error=error)
        raise StorageUnavailable() from None
    try:
        return write(stored_name)
    except BaseException:
        default_storage.delete(stored_name)
        raise


def _version_create(
    *, file: ResourceFile, stored_name: str, checked, actor, change_note: str, number: int
) -> FileVersion:
    version = FileVersion(
        file=file,
        number=number,
        filename=checked.filename,
        kind=checked.kind,
        content_type=checked.content_type,
        size=checked.size,
        change_note=change_note,
        uploaded_by=actor,
    )
    version.stored.name = stored_name
    version.save()
    file.current_version = version
    file.save(update_fields=["current_version"])
    return version


# --- editors: resources ---------------------------------------------------------------------------------------


@transaction.atomic
def resource_create(*, actor, facets: dict[str, list[str]] | None = None, **values) -> Resource:
    """Toolkit editors create resources as drafts; facets come from the toolkit's fixed lists."""
    _require_editor(actor)
    cleaned = _clean_values(values, partial=False)
    resource = Resource.objects.create(slug=_unique_slug(cleaned["title"]), created_by=actor, **cleaned)
    _set_tags(resource, facets or {})
    audit_record(actor=actor, verb="toolkit_resource.created", target=resource, to_state=resource.status)
    return resource


@transaction.atomic
def resource_update(*, actor, resource_id: int, facets: dict[str, list[str]] | None = None, **values) -> Resource:
    """Editors change the description of any resource; the history records which fields changed."""
    _require_editor(actor)
    resource = _locked_resource(resource_id)
    cleaned = _clean_values(values, partial=True)
    changed = sorted(name for name, value in cleaned.items() if getattr(resource, name) != value)
    for name in changed:
        setattr(resource, name, cleaned[name])
    if changed:
        resource.save()
    if facets is not None:
        before = {kind: sorted(resource.tag_values(kind)) for kind in facets}
        _set_tags(resource, facets)
        changed += [kind for kind in facets if sorted(facets[kind]) != before[kind]]
    if changed:
        audit_record(
            actor=actor,
            verb="toolkit_resource.edited",
            target=resource,
            data={"fields": changed},
            reason="Changed: " + ", ".join(c.replace("_", " ") for c in changed),
        )
    return resource


@transaction.atomic
def resource_publish(*, actor, resource_id: int, reason: str = "") -> Resource:
    """Only a resource with at least one file can be published."""
    _require_editor(actor)
    resource = _locked_resource(resource_id)
    if not ResourceFile.objects.filter(resource=resource, current_version__isnull=False).exists():
        raise Conflict("Add at least one file before publishing this resource.")
    _move(resource, to=Resource.Status.PUBLISHED, actor=actor, reason=reason)
    return resource


@transaction.atomic
def resource_archive(*, actor, resource_id: int, reason: str = "") -> Resource:
    """Archived resources leave the catalogue; their download records stay."""
    _require_editor(actor)
    resource = _locked_resource(resource_id)
    _move(resource, to=Resource.Status.ARCHIVED, actor=actor, reason=reason)
    return resource


# --- editors: files ------------------------------------------------------------------------------------------


def file_add(*, actor, resource_id: int, upload, title: str) -> ResourceFile:
    """A new file for a resource that is not archived, checked by its content."""
    _require_editor(actor)
    title = (title or "").strip()
    if not title:
        raise DomainError("Enter a title for the file.", field="title")
    checked = check_upload(upload)
    _refuse_if_archived(Resource.objects.filter(pk=resource_id).values_list("status", flat=True).first())
    return _stored_then(
        upload,
        checked,
        lambda stored_name: _file_add(
            actor=actor, resource_id=resource_id, stored_name=stored_name, checked=checked, title=title
        ),
    )


def _refuse_if_archived(status: str | None) -> None:
    if status is None:
        raise DomainError("There is no toolkit resource with that id.", code="not_found")
    if status == Resource.Status.ARCHIVED:
        raise Conflict("This resource is archived, so its files cannot change. Publish it again first.")


@transaction.atomic
def _file_add(*, actor, resource_id, stored_name, checked, title) -> ResourceFile:
    resource = _locked_resource(resource_id)
    _refuse_if_archived(resource.status)
    position = ResourceFile.objects.filter(resource=resource).count()
    file = ResourceFile.objects.create(resource=resource, title=title, position=position)
    version = _version_create(
        file=file, stored_name=stored_name, checked=checked, actor=actor, change_note="", number=1
    )
    audit_record(
        actor=actor,
        verb="toolkit_file.added",
        target=resource,
        data={"file": file.title, "filename": version.filename, "size": version.size},
    )
    return file


def file_version_upload(*, actor, file_id: int, upload, change_note: str) -> FileVersion:
    """A new version replaces the current one (kept, archived), marks the resource updated, and emails once each
    person who downloaded an earlier version and asked for updates."""
    _require_editor(actor)
    change_note = (change_note or "").strip()
    if not change_note:
        raise DomainError(
            "Say what changed in this version: people who downloaded it will be told.", field="change_note"
        )
    checked = check_upload(upload)
    _refuse_if_archived(ResourceFile.objects.filter(pk=file_id).values_list("resource__status", flat=True).first())
    return _stored_then(
        upload,
        checked,
        lambda stored_name: _file_version_upload(
            actor=actor, file_id=file_id, stored_name=stored_name, checked=checked, change_note=change_note
        ),
    )


@transaction.atomic
def _file_version_upload(*, actor, file_id, stored_name, checked, change_note) -> FileVersion:
    file = ResourceFile.objects.select_for_update().get(pk=file_id)
    resource = _locked_resource(file.resource_id)
    _refuse_if_archived(resource.status)
    now = timezone.now()
    previous = FileVersion.objects.filter(file=file, archived_at__isnull=True).first()
    number = (previous.number if previous else 0) + 1
    FileVersion.objects.filter(file=file, archived_at__isnull=True).update(archived_at=now)
    version = _version_create(
        file=file, stored_name=stored_name, checked=checked, actor=actor, change_note=change_note, number=number
    )
    resource.content_updated_at = now
    resource.save(update_fields=["content_updated_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="toolkit_file.new_version",
        target=resource,
        reason=change_note,
        data={"file": file.title, "version": number, "filename": version.filename},
    )
    recipients = sorted(
        set(
            UpdateSubscription.objects.filter(
                resource=resource,
                user__is_active=True,
                user__in=Download.objects.filter(version__file=file, version__number__lt=number).values("user"),
            ).values_list("user__email", flat=True)
        )
    )
    context = {
        "resource_title": resource.title,
        "file_title": file.title,
        "version": number,
        "change_note": change_note,
        "url": settings.SITE_URL.rstrip("/") + reverse("toolkit:resource", kwargs={"slug": resource.slug}),
    }
    for email in recipients:  # one email each: no one sees another downloader's address
        email_send(to=[email], template="toolkit/resource_updated", context=context)
    return version


# --- everyone: terms, downloads, follow-ups -------------------------------------------------------------------


@transaction.atomic
def terms_accept(*, user) -> TermsAcceptance:
    """Accepting the terms of use (including reading the safeguarding notes before delivering) is recorded once."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    acceptance, created = TermsAcceptance.objects.get_or_create(user=user, terms_version=TERMS_VERSION)
    if created:
        audit_record(actor=user, verb="toolkit_terms.accepted", target=acceptance, to_state=TERMS_VERSION)
        facts_changed([user.pk])  # `selectors.terms_accepted` is kept in the person's cached facts
    return acceptance


def _who(user) -> tuple[str, int | None]:
    """The organisation type and borough a download counts under; nothing that names the person."""
    if not getattr(user, "is_authenticated", False):
        return Download.OrganisationType.OTHER, None
    school = schools_acting_for(user).order_by("pk").first()
    if school is not None:
        return Download.OrganisationType.SCHOOL, school.local_authority_id
    organisation = organisations_of(user).filter(status="verified").order_by("pk").first()
    if organisation is not None:
        return organisation.type, organisation.borough_id
    return Download.OrganisationType.OTHER, None


@transaction.atomic
def downloads_record(
    *,
    user,
    resource: Resource,
    version_ids: list[int] | None = None,
    as_zip: bool = False,
    subscribe: bool = False,
) -> list[DownloadedFile]:
    """A download of some (or all) current files of one resource: access level and terms checked, one record each.

    A file of another resource, or an earlier version, is refused and nothing is recorded."""
    if not permissions.can_download_resource(user, resource):
        raise PermissionDenied(permissions.download_refusal(user, resource))
    if getattr(user, "is_authenticated", False) and not terms_accepted(user):
        raise DomainError("Accept the terms of use before downloading.", field="accept_terms", code="terms")
    current = {
        f.current_version_id: f
        for f in ResourceFile.objects.filter(resource=resource, current_version__isnull=False).select_related(
            "current_version"
        )
    }
    if version_ids is None:
        chosen = list(current)
    else:
        chosen = list(dict.fromkeys(version_ids))
        if not chosen:
            raise DomainError("Select at least one file to download.", field="files")
        strangers = [v for v in chosen if v not in current]
        if strangers:
            raise DomainError(
                "Choose files of this resource only (one you chose belongs to another resource or is an "
                "earlier version).",
                field="files",
            )
    if not chosen:
        raise DomainError("This resource has no files to download yet.", field="files")
    organisation_type, borough_id = _who(user)
    account = user if getattr(user, "is_authenticated", False) else None
    Download.objects.bulk_create(
        [
            Download(
                resource=resource,
                version_id=v,
                user=account,
                organisation_type=organisation_type,
                borough_id=borough_id,
                as_zip=as_zip,
            )
            for v in chosen
        ]
    )
    if subscribe and account is not None:
        UpdateSubscription.objects.get_or_create(user=account, resource=resource)
    ordered = sorted(chosen, key=lambda v: (current[v].position, current[v].pk))
    return [
        DownloadedFile(
            name=file_download_name(
                resource_slug=resource.slug,
                file_title=current[v].title,
                number=current[v].current_version.number,
                filename=current[v].current_version.filename,
            ),
            stored_name=current[v].current_version.stored.name,
            version=current[v].current_version,
            resource_slug=resource.slug,
        )
        for v in ordered
    ]


@transaction.atomic
def update_emails_set(*, user, resource: Resource, wanted: bool) -> bool:
    """Anyone signed in may ask for (or stop) emails when a resource they can see gets a new version."""
    if not getattr(user, "is_authenticated", False) or not permissions.can_view_resource(user, resource):
        raise PermissionDenied
    if wanted:
        try:
            with transaction.atomic():
                UpdateSubscription.objects.get_or_create(user=user, resource=resource)
        except IntegrityError:
            pass
    else:
        UpdateSubscription.objects.filter(user=user, resource=resource).delete()
    return wanted


@transaction.atomic
def delivery_report_submit(
    *, actor, resource: Resource, young_people: int, setting: str, delivered_on: date, notes: str = ""
) -> DeliveryReport:
    """ "Did you deliver it?": how many young people, where, anything to report. Counts feed the reach figures."""
    if not permissions.can_report_delivery(actor, resource):
        raise PermissionDenied
    if young_people is None or young_people < 1 or young_people > 100000:
        raise DomainError("Enter how many young people took part, between 1 and 100,000.", field="young_people")
    if setting not in DeliveryReport.Setting.values:
        raise DomainError("Choose where you delivered it.", field="setting")
    if delivered_on > timezone.localdate():
        raise DomainError("The date you delivered it must be today or in the past.", field="delivered_on")
    organisation_type, _ = _who(actor)
    report = DeliveryReport.objects.create(
        resource=resource,
        user=actor,
        organisation_type=organisation_type,
        young_people=young_people,
        setting=setting,
        delivered_on=delivered_on,
        notes=(notes or "").strip(),
    )
    audit_record(
        actor=actor,
        verb="toolkit_delivery.reported",
        target=resource,
        data={"young_people": young_people, "setting": setting},
    )
    return report


# --- search synonyms ---------------------------------------------------------------------------------------------


def _synonym_values(*, term: str, alternatives) -> tuple[str, str]:
    term = " ".join((term or "").lower().split())
    if isinstance(alternatives, str):
        alternatives = alternatives.split(",")
    words = []
    for word in alternatives or []:
        word = " ".join(str(word).lower().split())
        if word and word != term and word not in words:
            words.append(word)
    if not term:
        raise DomainError("Enter a word or phrase people search for.", field="term")
    if len(term) > 60:
        raise DomainError("The word or phrase must be 60 characters or fewer.", field="term")
    if not words:
        raise DomainError("Enter at least one other word or phrase meaning the same.", field="alternatives")
    joined = ", ".join(words)
    if len(joined) > 1000:
        raise DomainError("Keep the other words to 1,000 characters or fewer.", field="alternatives")
    return term, joined


@transaction.atomic
def synonym_save(*, actor, term: str, alternatives, synonym_id: int | None = None) -> SearchSynonym:
    """Toolkit editors keep the search's synonyms; a word or phrase has one row."""
    _require_editor(actor)
    term, joined = _synonym_values(term=term, alternatives=alternatives)
    clash = SearchSynonym.objects.filter(term=term).exclude(pk=synonym_id)
    if clash.exists():
        raise Conflict(f"“{term}” already has a row: change that one.", field="term")
    if synonym_id is None:
        synonym = SearchSynonym.objects.create(term=term, alternatives=joined)
        audit_record(actor=actor, verb="toolkit_synonym.created", target=synonym, to_state=joined)
        return synonym
    try:
        synonym = SearchSynonym.objects.select_for_update().get(pk=synonym_id)
    except SearchSynonym.DoesNotExist as missing:
        raise DomainError("This synonym no longer exists.", field="term") from missing
    before = f"{synonym.term}: {synonym.alternatives}"
    synonym.term, synonym.alternatives = term, joined
    synonym.save(update_fields=["term", "alternatives", "updated_at"])
    audit_record(
        actor=actor, verb="toolkit_synonym.changed", target=synonym, from_state=before, to_state=f"{term}: {joined}"
    )
    return synonym


@transaction.atomic
def synonym_delete(*, actor, synonym_id: int) -> None:
    """Toolkit editors may remove a synonym row; the audit keeps what it said."""
    _require_editor(actor)
    synonym = SearchSynonym.objects.select_for_update().filter(pk=synonym_id).first()
    if synonym is None:
        return  # already gone: deleting twice is not an error
    audit_record(
        actor=actor,
        verb="toolkit_synonym.deleted",
        target=synonym,
        from_state=f"{synonym.term}: {synonym.alternatives}",
    )
    synonym.delete()


MAX_FILES_IN_ONE_ZIP = 100


def downloads_record_files(*, user, version_ids: list[int]) -> list[DownloadedFile]:
    """Files ticked across several resources (ids of their current versions) in one zip.

    Each file keeps its resource's rules, as a single download does (access level, terms of use, one download record
    per file); all or nothing: a file that is not current, or of a resource this person may not download, refuses the
    whole zip and records nothing."""
    chosen = list(dict.fromkeys(version_ids))
    if not chosen:
        raise DomainError("Select at least one file to download.", field="files")
    if len(chosen) > MAX_FILES_IN_ONE_ZIP:
        raise DomainError(f"Select {MAX_FILES_IN_ONE_ZIP} files or fewer for one download.", field="files")
    files = {
        f.current_version_id: f
        for f in ResourceFile.objects.filter(current_version_id__in=chosen).select_related("resource")
        if permissions.can_view_resource(user, f.resource)
    }
    if any(v not in files for v in chosen):
        raise DomainError(
            "One of the files you ticked has a new version or is no longer in the toolkit: tick the files again.",
            field="files",
        )
    groups: dict[int, tuple[Resource, list[int]]] = {}
    for v in chosen:
        resource = files[v].resource
        groups.setdefault(resource.pk, (resource, []))[1].append(v)
    refused = [r.title for r, _ in groups.values() if not permissions.can_download_resource(user, r)]
    if refused:
        raise DomainError(
            f"You cannot download {', '.join(refused)}: untick its files and try again.",
            field="files",
        )
    result: list[DownloadedFile] = []
    with transaction.atomic():
        for resource, ids in groups.values():
            result += downloads_record(user=user, resource=resource, version_ids=ids, as_zip=True)
    return result


def downloads_record_several(*, user, resources: list[Resource]) -> list[DownloadedFile]:
    """Every current file of several resources in one zip: each resource's own rules, all or nothing."""
    if not resources:
        raise DomainError("Select at least one resource to download.", field="resources")
    refused = [r.title for r in resources if not permissions.can_download_resource(user, r)]
    if refused:
        raise DomainError(
            f"You cannot download {', '.join(refused)}: untick {'it' if len(refused) == 1 else 'them'} and try again.",
            field="resources",
        )
    empty = [r.title for r in resources if not any(f.current_version_id for f in r.files.all())]
    if empty:
        raise DomainError(f"{', '.join(empty)} has no files yet: untick it and try again.", field="resources")
    chosen: list[DownloadedFile] = []
    with transaction.atomic():
        for resource in resources:
            chosen += downloads_record(user=user, resource=resource, as_zip=True)
    return chosen
