"""Factories for the toolkit. Workflow states are Traits; files are added through `with_file` so every version has a
stored file behind it."""

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.models import ProgrammeRole
from education_toolkit.models import AccessLevel, FileVersion, Resource, ResourceFile, ResourceTag, ResourceType
from education_toolkit.samples import pdf_bytes
from tests.accounts.factories import ProgrammeRoleFactory, UserFactory


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"resource-{n}")
    title = factory.Sequence(lambda n: f"Resource {n}")
    summary = "A lesson about the real consequences of carrying a knife."
    learning_objectives = "Know the law\nKnow where to get help"
    resource_type = ResourceType.LESSON_PLAN
    duration_minutes = 50
    content_guidance = "Discusses a young person's death from a stab wound."
    safeguarding_notes = "Tell the designated safeguarding lead before the lesson."
    access_level = AccessLevel.PUBLIC
    status = Resource.Status.PUBLISHED

    class Params:
        draft = factory.Trait(status=Resource.Status.DRAFT)
        archived = factory.Trait(status=Resource.Status.ARCHIVED)
        registered = factory.Trait(access_level=AccessLevel.REGISTERED)
        verified = factory.Trait(access_level=AccessLevel.VERIFIED)

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            ResourceTag.objects.bulk_create(
                [ResourceTag(resource=obj, kind=kind, value=value) for kind, value in extracted]
            )


def with_file(resource, *, title="Lesson plan", content=None, filename=None, number=1):
    """A file of `resource` with one current version stored in the default storage."""
    content = content if content is not None else pdf_bytes(title)
    file = ResourceFile.objects.create(resource=resource, title=title, position=resource.files.count())
    name = default_storage.save(f"toolkit/test-{resource.pk}-{file.pk}.pdf", ContentFile(content))
    version = FileVersion.objects.create(
        file=file,
        number=number,
        stored=name,
        filename=filename or f"{title.lower().replace(' ', '-')}.pdf",
        kind="pdf",
        content_type="application/pdf",
        size=len(content),
    )
    file.current_version = version
    file.save(update_fields=["current_version"])
    return file


def toolkit_editor(**user_kwargs):
    return ProgrammeRoleFactory(user=UserFactory(**user_kwargs), kind=ProgrammeRole.Kind.TOOLKIT_EDITOR).user
