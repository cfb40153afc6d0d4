"""/api/v1/api-clients/: programme admins register, list and revoke systems' OAuth clients (personal token or
session; systems themselves cannot call these)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import PagePagination
from machine_clients import selectors, services
from machine_clients.permissions import can_manage_machine_clients

from .serializers import (
    MachineClientRegisteredSerializer,
    MachineClientRegisterSerializer,
    MachineClientRevokeSerializer,
    MachineClientSerializer,
)

FORBIDDEN = OpenApiResponse(description="Only programme admins manage API clients")


class _AdminOnly:
    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not can_manage_machine_clients(request.user):
            raise PermissionDenied("Only programme admins manage API clients.")


class MachineClientListCreate(_AdminOnly, generics.GenericAPIView):
    serializer_class = MachineClientSerializer
    pagination_class = PagePagination
    filter_backends: list = []

    def get_queryset(self):
        return selectors.machine_clients_visible_to(self.request.user)

    @extend_schema(
        operation_id="api_clients_list",
        summary="Systems registered to call the API (never their secrets)",
        responses={200: MachineClientSerializer(many=True), 403: FORBIDDEN},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MachineClientSerializer(page, many=True).data)

    @extend_schema(
        operation_id="api_clients_create",
        summary="Register a system for a local authority: the client secret is in this answer only",
        request=MachineClientRegisterSerializer,
        responses={
            201: MachineClientRegisteredSerializer,
            400: OpenApiResponse(description="Field errors"),
            403: FORBIDDEN,
        },
    )
    def post(self, request):
        serializer = MachineClientRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        registered = services.machine_client_register(
            actor=request.user,
            name=data["name"],
            local_authority_code=data.get("la_code"),
            organisation_id=data.get("organisation_id"),
            scopes=data["scopes"],
            days=int(data["days"]),
        )
        body = MachineClientSerializer(registered.client).data
        body["client_secret"] = registered.client_secret
        response = Response(body, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class _OneClient(_AdminOnly, APIView):
    def _client(self, request, pk):
        client = selectors.machine_client_visible_to(request.user, pk)
        if client is None:
            raise Http404
        return client


class MachineClientDetail(_OneClient):
    @extend_schema(
        operation_id="api_clients_retrieve",
        summary="One registered system",
        responses={200: MachineClientSerializer, 403: FORBIDDEN, 404: OpenApiResponse(description="No such client")},
    )
    def get(self, request, pk: int):
        return Response(MachineClientSerializer(self._client(request, pk)).data)


class MachineClientRevoke(_OneClient):
    @extend_schema(
        operation_id="api_clients_revoke",
        summary="Revoke a system's credentials: its secret and tokens stop working at once",
        request=MachineClientRevokeSerializer,
        responses={
            200: MachineClientSerializer,
            403: FORBIDDEN,
            404: OpenApiResponse(description="No such client"),
            409: OpenApiResponse(description="Already revoked"),
        },
    )
    def post(self, request, pk: int):
        serializer = MachineClientRevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client = services.machine_client_revoke(
            client_id=self._client(request, pk).pk, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(MachineClientSerializer(selectors.machine_client_visible_to(request.user, client.pk)).data)
