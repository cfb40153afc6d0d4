from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from schools.models import BasicCommandUnit, LocalAuthority, School
from schools.selectors import school_links, school_successor_applied


class BasicCommandUnitSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = BasicCommandUnit
        fields = ["slug", "name"]
        read_only_fields = fields


class LocalAuthoritySummarySerializer(serializers.ModelSerializer):
    """A borough as every API answer names it: `la_code` (DfE), `la_name`, `gss_code` (ONS)."""

    la_code = serializers.IntegerField(source="code", read_only=True, help_text="DfE local authority code, e.g. 204")
    la_name = serializers.CharField(source="name", read_only=True)
    gss_code = serializers.CharField(read_only=True, help_text="ONS GSS code, e.g. E09000012")

    class Meta:
        model = LocalAuthority
        fields = ["la_code", "la_name", "gss_code"]
        read_only_fields = fields


class SchoolListSerializer(serializers.ModelSerializer):
    """A line in a list of schools; reads only the columns `selectors.school_list` loads."""

    local_authority = LocalAuthoritySummarySerializer(read_only=True)
    bcu = BasicCommandUnitSummarySerializer(
        source="local_authority.bcu", read_only=True, allow_null=True, help_text="Null for the City of London"
    )

    class Meta:
        model = School
        fields = ["urn", "name", "type_name", "phase", "status", "postcode", "local_authority", "bcu"]
        read_only_fields = fields


# The list endpoint builds SchoolListSerializer's shape from these `.values()` (core.api.rows; tests/bench checks both
# give the same output): a ModelSerializer list cost 3.3x the bare rows on the national register.
SCHOOL_LIST_VALUES = (
    "urn",
    "name",
    "type_name",
    "phase",
    "status",
    "postcode",
    "local_authority__code",
    "local_authority__name",
    "local_authority__gss_code",
    "local_authority__bcu__slug",
    "local_authority__bcu__name",
)


def school_list_row(row: dict) -> dict:
    bcu_slug = row["local_authority__bcu__slug"]
    return {
        "urn": row["urn"],
        "name": row["name"],
        "type_name": row["type_name"],
        "phase": row["phase"],
        "status": row["status"],
        "postcode": row["postcode"],
        "local_authority": {
            "la_code": row["local_authority__code"],
            "la_name": row["local_authority__name"],
            "gss_code": row["local_authority__gss_code"],
        },
        "bcu": None if bcu_slug is None else {"slug": bcu_slug, "name": row["local_authority__bcu__name"]},
    }


class LinkedSchoolSerializer(serializers.Serializer):
    """A school linked to this one in the GIAS links file; `in_register` is false for one outside the register."""

    urn = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    link_type = serializers.CharField(read_only=True, help_text="As GIAS gives it, e.g. 'Predecessor'")
    established_on = serializers.DateField(read_only=True, allow_null=True)
    in_register = serializers.BooleanField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="Empty when the school is not in the register")


class SchoolDetailSerializer(SchoolListSerializer):
    predecessors = serializers.SerializerMethodField()
    successors = serializers.SerializerMethodField()
    other_links = serializers.SerializerMethodField()
    succeeded_by = serializers.SerializerMethodField()
    is_open = serializers.BooleanField(read_only=True)
    is_pupil_referral_unit = serializers.BooleanField(read_only=True)
    is_special = serializers.BooleanField(read_only=True)
    address_lines = serializers.SerializerMethodField()

    class Meta:
        model = School
        fields = [
            "urn",
            "name",
            "type_name",
            "type_group_name",
            "phase",
            "status",
            "is_open",
            "is_pupil_referral_unit",
            "is_special",
            "statutory_low_age",
            "statutory_high_age",
            "number_of_pupils",
            "gender",
            "religious_character",
            "street",
            "locality",
            "address3",
            "town",
            "postcode",
            "address_lines",
            "telephone",
            "website",
            "easting",
            "northing",
            "latitude",
            "longitude",
            "open_date",
            "close_date",
            "local_authority",
            "bcu",
            "predecessors",
            "successors",
            "other_links",
            "succeeded_by",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_address_lines(self, school: School) -> list[str]:
        return school.address_lines

    def _links(self, school: School) -> dict:
        if getattr(self, "_links_cache", None) is None:
            self._links_cache = school_links(urn=school.urn)
        return self._links_cache

    @extend_schema_field(LinkedSchoolSerializer(many=True))
    def get_predecessors(self, school: School) -> list[dict]:
        return LinkedSchoolSerializer(self._links(school)["predecessors"], many=True).data

    @extend_schema_field(LinkedSchoolSerializer(many=True))
    def get_successors(self, school: School) -> list[dict]:
        return LinkedSchoolSerializer(self._links(school)["successors"], many=True).data

    @extend_schema_field(LinkedSchoolSerializer(many=True))
    def get_other_links(self, school: School) -> list[dict]:
        return LinkedSchoolSerializer(self._links(school)["other"], many=True).data

    @extend_schema_field(
        serializers.IntegerField(allow_null=True, help_text="URN of the school that took this one over, if any")
    )
    def get_succeeded_by(self, school: School) -> int | None:
        if school.status != School.Status.CLOSED:
            return None  # an applied succession always closes the old school
        successor = school_successor_applied(urn=school.urn)
        if successor is not None:
            return successor.urn
        return next((entry.urn for entry in self._links(school)["successors"] if entry.in_register), None)


class LocalAuthoritySerializer(LocalAuthoritySummarySerializer):
    bcu = BasicCommandUnitSummarySerializer(read_only=True, allow_null=True, help_text="Null for the City of London")

    class Meta:
        model = LocalAuthority
        fields = ["la_code", "la_name", "gss_code", "area", "bcu"]
        read_only_fields = fields


class BasicCommandUnitSerializer(serializers.ModelSerializer):
    local_authorities = LocalAuthoritySummarySerializer(many=True, read_only=True)

    class Meta:
        model = BasicCommandUnit
        fields = ["slug", "name", "local_authorities"]
        read_only_fields = fields
