"""The toolkit API: browse, search, download and analytics, through the same selectors and services as the pages."""

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.negotiation import FileAnswer
from core.api.pagination import PagePagination
from core.api.rows import ValuesListMixin
from core.idempotency import idempotent
from education_toolkit import permissions, selectors, services
from education_toolkit.filters import ResourceFilter
from education_toolkit.models import zip_download_name
from education_toolkit.uploads import ALLOWED
from education_toolkit.zips import unique_names, zip_stream

from . import serializers as s

# Each download is documented with its real media types, after application/octet-stream: a client generated from the
# schema reads the first type it knows, and every client knows bytes (docs/api.md, "Downloads").
OCTET_STREAM = "application/octet-stream"
ZIP = "application/zip"


def _binary(description: str, *media_types: str) -> dict:
    return {
        (200, t): OpenApiResponse(OpenApiTypes.BINARY, description=description) for t in (OCTET_STREAM, *media_types)
    }


ZIP_RESPONSES = _binary("A zip of the files, streamed", ZIP)
FILE_RESPONSES = _binary(
    "The file, in its own type", *dict.fromkeys(t.split(";")[0] for _, t in sorted(ALLOWED.values()))
)


def _served_type(request, own: str) -> str:
    """The file's own type, unless the client asks only for bytes (Accept: application/octet-stream)."""
    media_type = own.split(";")[0]
    if request.accepts(media_type) or not request.accepts(OCTET_STREAM):
        return own
    return OCTET_STREAM


class BinaryDownload(APIView):
    """A view whose answer is a file: never 406 for the Accept header (core.api.negotiation)."""

    permission_classes = [AllowAny]
    content_negotiation_class = FileAnswer


TERMS_NEEDED = "Accept the terms of use (accept_terms) to download toolkit files."


def _terms(request, accepted: bool) -> None:
    """Signed-in callers accept once (recorded); callers without an account accept on every call."""
    if request.user.is_authenticated:
        if accepted:
            services.terms_accept(user=request.user)
        return  # the service refuses a download until the terms are accepted
    if not accepted:
        raise ValidationError({"accept_terms": [TERMS_NEEDED]})


def _refuse(user, resource):
    if not getattr(user, "is_authenticated", False):
        raise NotAuthenticated(permissions.download_refusal(user, resource))
    raise ApiPermissionDenied(permissions.download_refusal(user, resource))


class ResourceList(ValuesListMixin, generics.ListAPIView):
    """Published resources, title order, with full-text search (`q`) and a filter for every facet."""

    permission_classes = [AllowAny]
    # The list: rows from `.values()` in ToolkitResourceSerializer's shape (docs/performance.md).
    values_fields = s.RESOURCE_LIST_VALUES
    serializer_class = s.ToolkitResourceSerializer
    pagination_class = PagePagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ResourceFilter

    def get_queryset(self):
        return selectors.catalogue_resources()

    def represent_rows(self, rows):
        return s.resource_rows(rows)


class FacetCounts(APIView):
    """How many resources the same filters give for each facet value and type."""

    permission_classes = [AllowAny]
    # Declared so the schema lists the list's filters here too (`filters=True`): they are this operation's parameters.
    filter_backends = [DjangoFilterBackend]
    filterset_class = ResourceFilter

    def get_queryset(self):
        return selectors.catalogue_resources()

    @extend_schema(responses=s.ToolkitFacetCountsSerializer, filters=True)
    def get(self, request):
        filterset = ResourceFilter(request.GET, queryset=selectors.catalogue_resources())
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        queryset = filterset.qs
        return Response({**selectors.facet_counts(queryset), "total": queryset.count()})


class ResourceDetail(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=s.ToolkitResourceDetailSerializer)
    def get(self, request, slug):
        resource = selectors.resource_get(user=request.user, slug=slug)
        if resource is None:
            raise Http404
        return Response(s.ToolkitResourceDetailSerializer(resource).data)


class ResourceZip(BinaryDownload):
    """Several (or all) current files of one resource as one zip, streamed. Terms must be accepted first."""

    @extend_schema(request=s.ToolkitZipRequestSerializer, responses=ZIP_RESPONSES)
    def post(self, request, slug):
        resource = selectors.resource_get(user=request.user, slug=slug)
        if resource is None:
            raise Http404
        if not permissions.can_download_resource(request.user, resource):
            _refuse(request.user, resource)
        data = s.ToolkitZipRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        _terms(request, values["accept_terms"])
        try:
            chosen = services.downloads_record(
                user=request.user,
                resource=resource,
                version_ids=None if values["all"] else values["files"],
                as_zip=True,
                subscribe=values["subscribe"],
            )
        except PermissionDenied as error:
            raise ApiPermissionDenied(str(error)) from None
        return _zip_response(request, chosen, zip_download_name([resource.slug]))


def _zip_response(request, chosen, filename: str) -> StreamingHttpResponse:
    names = unique_names(c.name for c in chosen)
    response = StreamingHttpResponse(
        zip_stream([(n, c.stored_name) for n, c in zip(names, chosen, strict=True)]),
        content_type=_served_type(request, ZIP),
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class SeveralZip(BinaryDownload):
    """Files ticked across resources (ids of current file versions), or every current file of resources by slug, as
    one zip, streamed. Each file keeps its resource's rules; all or nothing. Terms must be accepted first."""

    @extend_schema(request=s.ToolkitSeveralZipRequestSerializer, responses=ZIP_RESPONSES)
    def post(self, request):
        data = s.ToolkitSeveralZipRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        slugs = list(dict.fromkeys(values.get("resources", [])))
        for slug in slugs:
            if selectors.resource_get(user=request.user, slug=slug) is None:
                raise ValidationError({"resources": [f"No toolkit resource has the slug {slug}."]})
        files = selectors.current_files_ticked(
            user=request.user, version_ids=values.get("files", []), resource_slugs=slugs
        )
        _terms(request, values["accept_terms"])
        wanted = list(dict.fromkeys([*values.get("files", []), *(f.current_version_id for f in files)]))
        try:
            chosen = services.downloads_record_files(user=request.user, version_ids=wanted)
        except PermissionDenied as error:
            raise ApiPermissionDenied(str(error)) from None
        return _zip_response(request, chosen, zip_download_name(list(dict.fromkeys(c.resource_slug for c in chosen))))


class FileDownload(BinaryDownload):
    """One current file version, streamed by the storage backend."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "accept_terms", bool, description="Accept the terms of use (once for an account; always without one)"
            )
        ],
        responses=FILE_RESPONSES,
    )
    def get(self, request, version_id):
        version = selectors.file_version_for_download(user=request.user, version_id=version_id)
        if version is None:
            raise Http404
        resource = version.file.resource
        if not permissions.can_download_resource(request.user, resource):
            _refuse(request.user, resource)
        _terms(request, request.query_params.get("accept_terms", "").lower() in {"true", "1", "yes"})
        (chosen,) = services.downloads_record(user=request.user, resource=resource, version_ids=[version.pk])
        return FileResponse(
            default_storage.open(version.stored.name, "rb"),
            as_attachment=True,
            filename=chosen.name,
            content_type=_served_type(request, version.content_type),
        )


class Terms(APIView):
    """Whether you have accepted the toolkit's terms of use; POST to accept them (once)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.ToolkitTermsSerializer)
    def get(self, request):
        return Response({"terms_version": selectors.TERMS_VERSION, "accepted": selectors.terms_accepted(request.user)})

    @extend_schema(request=None, responses=s.ToolkitTermsSerializer)
    def post(self, request):
        services.terms_accept(user=request.user)
        return Response({"terms_version": selectors.TERMS_VERSION, "accepted": True})


class Analytics(APIView):
    """Downloads by resource, organisation type, borough and month; reach from delivery reports. Toolkit editors."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.ToolkitAnalyticsSerializer)
    def get(self, request):
        if not permissions.can_view_toolkit_analytics(request.user):
            raise ApiPermissionDenied
        return Response(selectors.toolkit_analytics())


def _require_editor(user) -> None:
    if not permissions.can_edit_toolkit(user):
        raise ApiPermissionDenied


class SynonymList(generics.ListAPIView):
    """The words search treats as meaning the same (toolkit editors); POST adds a row (audited)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.SearchSynonymSerializer
    pagination_class = PagePagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.search_synonyms().none()
        _require_editor(self.request.user)
        return selectors.search_synonyms()

    @extend_schema(request=s.SearchSynonymSerializer, responses={201: s.SearchSynonymSerializer})
    @idempotent("toolkit.synonym")
    def post(self, request):
        _require_editor(request.user)
        serializer = s.SearchSynonymSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        synonym = services.synonym_save(
            actor=request.user,
            term=serializer.validated_data["term"],
            alternatives=serializer.validated_data["alternatives_list"],
        )
        return Response(s.SearchSynonymSerializer(synonym).data, status=201)


class SynonymDetail(APIView):
    """One synonym row: read, change (PUT/PATCH) or remove (DELETE), each audited. Toolkit editors."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.SearchSynonymSerializer

    def _synonym(self, request, pk):
        _require_editor(request.user)
        synonym = selectors.search_synonym_get(pk=pk)
        if synonym is None:
            raise Http404
        return synonym

    @extend_schema(responses=s.SearchSynonymSerializer)
    def get(self, request, pk):
        return Response(s.SearchSynonymSerializer(self._synonym(request, pk)).data)

    def _change(self, request, pk, *, partial):
        synonym = self._synonym(request, pk)
        serializer = s.SearchSynonymSerializer(synonym, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        synonym = services.synonym_save(
            actor=request.user,
            synonym_id=synonym.pk,
            term=data.get("term", synonym.term),
            alternatives=data.get("alternatives_list", synonym.alternatives_list),
        )
        return Response(s.SearchSynonymSerializer(synonym).data)

    @extend_schema(request=s.SearchSynonymSerializer, responses=s.SearchSynonymSerializer)
    def put(self, request, pk):
        return self._change(request, pk, partial=False)

    @extend_schema(request=s.SearchSynonymSerializer, responses=s.SearchSynonymSerializer)
    def patch(self, request, pk):
        return self._change(request, pk, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        synonym = self._synonym(request, pk)
        services.synonym_delete(actor=request.user, synonym_id=synonym.pk)
        return Response(status=204)
