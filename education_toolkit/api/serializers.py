from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.rows import iso_datetime
from education_toolkit.models import FACETS, FileVersion, Resource, ResourceTag, SearchSynonym, ages_label


class ToolkitFileSerializer(serializers.ModelSerializer):
    file_id = serializers.IntegerField(source="file.pk", read_only=True)
    title = serializers.CharField(source="file.title", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = FileVersion
        fields = [
            "id",
            "file_id",
            "title",
            "filename",
            "kind",
            "kind_label",
            "content_type",
            "size",
            "number",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("toolkit-api:file-download", kwargs={"version_id": obj.pk})


class _FacetsMixin(serializers.Serializer):
    age_range = serializers.CharField(
        source="ages", read_only=True, help_text='The ages it is for, from its key stages ("14 to 18 and adults").'
    )
    audiences = serializers.SerializerMethodField()
    key_stages = serializers.SerializerMethodField()
    settings = serializers.SerializerMethodField()
    topics = serializers.SerializerMethodField()

    def get_audiences(self, obj) -> list[str]:
        return obj.tag_values("audience")

    def get_key_stages(self, obj) -> list[str]:
        return obj.tag_values("key_stage")

    def get_settings(self, obj) -> list[str]:
        return obj.tag_values("setting")

    def get_topics(self, obj) -> list[str]:
        return obj.tag_values("topic")


RESOURCE_LIST_FIELDS = [
    "slug",
    "title",
    "summary",
    "resource_type",
    "age_range",
    "duration_minutes",
    "access_level",
    "language",
    "licence",
    "published_at",
    "content_updated_at",
    "audiences",
    "key_stages",
    "settings",
    "topics",
]


class ToolkitResourceSerializer(_FacetsMixin, serializers.ModelSerializer):
    class Meta:
        model = Resource
        fields = RESOURCE_LIST_FIELDS
        read_only_fields = fields


# The list endpoint builds ToolkitResourceSerializer's shape from `.values()` and one query for the page's tags
# (core.api.rows; tests/bench compares the two): the ModelSerializer list cost 3.2x the bare rows.
RESOURCE_LIST_VALUES = (
    "id",
    "slug",
    "title",
    "summary",
    "resource_type",
    "age_range",
    "duration_minutes",
    "access_level",
    "language",
    "licence",
    "published_at",
    "content_updated_at",
)
_FACET_FIELDS = {"audience": "audiences", "key_stage": "key_stages", "setting": "settings", "topic": "topics"}


def resource_rows(rows: list[dict]) -> list[dict]:
    ids = [row["id"] for row in rows]
    tags: dict[int, dict[str, list[str]]] = {}
    page_tags = ResourceTag.objects.filter(resource_id__in=ids).order_by("kind", "value")
    for resource_id, kind, value in page_tags.values_list("resource_id", "kind", "value"):
        tags.setdefault(resource_id, {}).setdefault(kind, []).append(value)
    out = []
    for row in rows:
        own = tags.get(row["id"], {})
        out.append(
            {
                "slug": row["slug"],
                "title": row["title"],
                "summary": row["summary"],
                "resource_type": row["resource_type"],
                "age_range": ages_label(own.get("key_stage", []), row["age_range"]),
                "duration_minutes": row["duration_minutes"],
                "access_level": row["access_level"],
                "language": row["language"],
                "licence": row["licence"],
                "published_at": iso_datetime(row["published_at"]),
                "content_updated_at": iso_datetime(row["content_updated_at"]),
                **{field: own.get(kind, []) for kind, field in _FACET_FIELDS.items()},
            }
        )
    return out


class ToolkitResourceDetailSerializer(_FacetsMixin, serializers.ModelSerializer):
    files = serializers.SerializerMethodField()
    learning_objectives = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = [
            *RESOURCE_LIST_FIELDS,
            "learning_objectives",
            "content_guidance",
            "safeguarding_notes",
            "signposting",
            "files",
        ]
        read_only_fields = fields

    def get_learning_objectives(self, obj) -> list[str]:
        return obj.objectives_list

    @extend_schema_field(ToolkitFileSerializer(many=True))
    def get_files(self, obj):
        return ToolkitFileSerializer(
            [f.current_version for f in obj.files.all() if f.current_version_id], many=True
        ).data


class ToolkitZipRequestSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=100,
        help_text="Ids of current file versions of this resource.",
    )
    all = serializers.BooleanField(default=False, help_text="Every current file of the resource.")
    subscribe = serializers.BooleanField(default=False, help_text="Email me when a new version is published.")
    accept_terms = serializers.BooleanField(
        default=False,
        help_text="Accept the terms of use, including reading the safeguarding notes before delivering. Needed once "
        "for an account, and on every call without one.",
    )

    def validate(self, data):
        if not data.get("all") and not data.get("files"):
            raise serializers.ValidationError({"files": ["Select at least one file to download, or set all."]})
        return data


class ToolkitTermsSerializer(serializers.Serializer):
    terms_version = serializers.CharField(read_only=True)
    accepted = serializers.BooleanField(read_only=True)


class ToolkitFacetCountsSerializer(serializers.Serializer):
    audience = serializers.DictField(child=serializers.IntegerField())
    key_stage = serializers.DictField(child=serializers.IntegerField())
    setting = serializers.DictField(child=serializers.IntegerField())
    topic = serializers.DictField(child=serializers.IntegerField())
    resource_type = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class _CountRow(serializers.Serializer):
    downloads = serializers.IntegerField()


class ToolkitDownloadsByResourceSerializer(_CountRow):
    resource_id = serializers.IntegerField()
    title = serializers.CharField()


class ToolkitDownloadsByOrganisationTypeSerializer(_CountRow):
    organisation_type = serializers.CharField()
    label = serializers.CharField()


class ToolkitDownloadsByBoroughSerializer(_CountRow):
    la_code = serializers.IntegerField(allow_null=True, help_text="DfE LA code; null when the borough is not known")
    la_name = serializers.CharField(source="borough", help_text='"Not known" when the downloader gave none')
    gss_code = serializers.CharField(allow_null=True, help_text="ONS GSS code; null when the borough is not known")


class ToolkitDownloadsByMonthSerializer(_CountRow):
    month = serializers.CharField(help_text="YYYY-MM")
    label = serializers.CharField()


class ToolkitReachSerializer(serializers.Serializer):
    setting = serializers.CharField()
    label = serializers.CharField()
    reports = serializers.IntegerField()
    young_people = serializers.IntegerField()


class ToolkitAnalyticsSerializer(serializers.Serializer):
    total_downloads = serializers.IntegerField()
    by_resource = ToolkitDownloadsByResourceSerializer(many=True)
    by_organisation_type = ToolkitDownloadsByOrganisationTypeSerializer(many=True)
    by_borough = ToolkitDownloadsByBoroughSerializer(many=True)
    by_month = ToolkitDownloadsByMonthSerializer(many=True)
    reach = ToolkitReachSerializer(many=True)
    young_people_reached = serializers.IntegerField()
    delivery_reports = serializers.IntegerField()


FACET_KINDS = tuple(FACETS)


class SearchSynonymSerializer(serializers.ModelSerializer):
    """A row of the search's synonyms: a word or phrase and the others that mean the same."""

    alternatives = serializers.ListField(
        child=serializers.CharField(max_length=60), source="alternatives_list", allow_empty=False, max_length=30
    )

    class Meta:
        model = SearchSynonym
        fields = ["id", "term", "alternatives", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        extra_kwargs = {"term": {"validators": []}}  # the service says which row already has it


class ToolkitSeveralZipRequestSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=100,
        help_text="Ids of current file versions (the `id` of each of a resource's `files`), from any resources: "
        "exactly these files go in the zip, in this order.",
    )
    resources = serializers.ListField(
        child=serializers.SlugField(max_length=120),
        required=False,
        max_length=50,
        help_text="Slugs of resources whose every current file goes in the zip (after `files`).",
    )
    accept_terms = serializers.BooleanField(
        default=False,
        help_text="Accept the terms of use, including reading the safeguarding notes before delivering. Needed once "
        "for an account, and on every call without one.",
    )

    def validate(self, data):
        if not data.get("files") and not data.get("resources"):
            raise serializers.ValidationError({"files": ["Select at least one file (or resource) to download."]})
        return data
