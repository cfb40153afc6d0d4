"""The open figures API: counts only, no sign-in, the same cached figures as the /figures page."""

import hashlib

from django.http import Http404
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.machine_scopes import FIGURES_READ
from core.api.negotiation import FileAnswer
from core.api.throttling import PublicReadThrottle
from core.csv_export import csv_streaming_response
from machine_clients.authentication import MachineClientAuthentication
from public import selectors


class _Suppressed(serializers.Serializer):
    suppressed = serializers.BooleanField(help_text="True when a count of 1 to 4 pupils is withheld (null).")


class OpenWandsLondon(serializers.Serializer):
    open_schools = serializers.IntegerField()
    schools_taken_up = serializers.IntegerField()
    percent_taken_up = serializers.FloatField(allow_null=True)
    wands_delivered = serializers.IntegerField()


class OpenBorough(serializers.Serializer):
    la_code = serializers.IntegerField(help_text="DfE local authority code, e.g. 204")
    la_name = serializers.CharField()
    gss_code = serializers.CharField(help_text="ONS GSS code, e.g. E09000012")


class OpenWandsBorough(OpenBorough):
    open_schools = serializers.IntegerField()
    schools_taken_up = serializers.IntegerField()
    percent_taken_up = serializers.FloatField(allow_null=True, help_text="Null when the borough has no open schools")
    wands_delivered = serializers.IntegerField()
    note = serializers.CharField(
        help_text="Why the percentage needs a word (no open school, or very few, as in the City of London); else empty"
    )


class OpenWands(serializers.Serializer):
    london = OpenWandsLondon()
    boroughs = OpenWandsBorough(many=True)


class OpenPoliceLondon(serializers.Serializer):
    open_schools = serializers.IntegerField()
    schools_with_contact = serializers.IntegerField()
    percent_with_contact = serializers.FloatField(allow_null=True)


class OpenPoliceBorough(OpenBorough, OpenPoliceLondon):
    bcu = serializers.CharField(allow_null=True, help_text="The Met BCU's slug; null for the City of London")
    police = serializers.CharField(help_text="The Met BCU, or City of London Police")
    percent_with_contact = serializers.FloatField(
        allow_null=True, help_text="Null when the borough has no open schools, or is not policed by the Met"
    )
    note = serializers.CharField(help_text="Why there is no percentage (the City of London Police); else empty")


class OpenPolice(serializers.Serializer):
    london = OpenPoliceLondon()
    boroughs = OpenPoliceBorough(many=True)


class OpenCohort(_Suppressed):
    cohort = serializers.CharField()
    transition_year = serializers.IntegerField(help_text="The September the pupils start Year 7")
    participating_schools = serializers.IntegerField()
    places_available = serializers.IntegerField()
    places_filled = serializers.IntegerField(
        allow_null=True, help_text="Pupils: null for 1 to 4, otherwise rounded to the nearest 5"
    )


class OpenSteppingStones(serializers.Serializer):
    cohorts = OpenCohort(many=True)


class OpenMonth(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    label = serializers.CharField()
    downloads = serializers.IntegerField()


class OpenToolkit(serializers.Serializer):
    months = OpenMonth(many=True)


class OpenFiguresSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(help_text="When these figures were computed (they are cached for 10 minutes).")
    suppression_threshold = serializers.IntegerField(help_text="Counts of pupils below this are withheld (null).")
    pupil_counts_rounded_to = serializers.IntegerField(
        help_text="Every other count of pupils is rounded to the nearest multiple of this; counts of schools are exact."
    )
    wands = OpenWands()
    police_contacts = OpenPolice()
    stepping_stones = OpenSteppingStones()
    toolkit_downloads = OpenToolkit()


class _Open(APIView):
    """Open data conventions: anyone may read (CORS `*`), caches may keep an answer as long as the figures are cached
    (`Cache-Control`), and an `ETag` from the figures' version lets a client ask again cheaply (304)."""

    # No sign-in: only a system's OAuth access token is read, so its calls are logged and need `figures:read`.
    authentication_classes = [MachineClientAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [PublicReadThrottle]  # anonymous by address, a system by its client
    machine_scope = FIGURES_READ

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            version = f"{request.path}|{selectors.open_figures()['as_of']}"
            etag = quote_etag(hashlib.sha256(version.encode()).hexdigest()[:32])
            response["ETag"] = etag
            response["Cache-Control"] = f"public, max-age={selectors.OPEN_FIGURES_CACHE_SECONDS}"
            not_modified = get_conditional_response(request, etag=etag, response=response)
            if not_modified is not response:
                not_modified["Access-Control-Allow-Origin"] = "*"
                return not_modified
        return response


class OpenFiguresView(_Open):
    @extend_schema(operation_id="open_figures", responses={200: OpenFiguresSerializer}, tags=["open"])
    def get(self, request):
        """Every open figure: wand take-up and deliveries, named police contacts, Stepping Stones places, toolkit
        downloads. No personal data; counts of 1 to 4 pupils are null with `suppressed: true`, other counts of pupils
        are rounded to the nearest 5."""
        return Response(selectors.open_figures())


class OpenDatasetCsvView(_Open):
    content_negotiation_class = FileAnswer
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="open_figures_csv",
        responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR, description="CSV, one row per line")},
        tags=["open"],
    )
    def get(self, request, dataset: str):
        """One open dataset as CSV: wands-take-up, police-contacts, stepping-stones-places or toolkit-downloads.
        Withheld counts of pupils are empty cells with `suppressed` = Yes."""
        found = selectors.open_dataset_rows(dataset)
        if found is None:
            raise Http404
        header, rows = found
        return csv_streaming_response(filename=f"open-figures-{dataset}.csv", header=header, rows=rows)
