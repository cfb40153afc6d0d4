"""/api/v1/me/: who am I, my roles, my API tokens; and the programme admin's two-factor reset."""

from dataclasses import asdict

from django.contrib.auth import get_user_model
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, permissions, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.identity import selectors, services, view_as
from accounts.identity.api.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    MeSerializer,
    TwoFactorResetResultSerializer,
    TwoFactorResetSerializer,
)
from accounts.identity.permissions import is_programme_admin
from accounts.identity.roles_bridge import roles_summary
from core.api.pagination import PagePagination


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer, summary="The signed-in user, their roles and two-factor status")
    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "roles": roles_summary(user),
            "two_factor": asdict(selectors.two_factor_status(user)),
            "viewing_as": view_as.is_viewing_as(request._request),
        }
        return Response(MeSerializer(data).data)


class TokenListCreateView(mixins.ListModelMixin, generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ApiTokenSerializer
    pagination_class = PagePagination
    filter_backends: list = []

    def get_queryset(self):
        return selectors.api_tokens_of(self.request.user)

    @extend_schema(summary="Your API tokens (never the tokens themselves)")
    def get(self, request):
        return self.list(request)

    @extend_schema(
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer, 400: OpenApiResponse(description="Wrong password or code")},
        summary="Create an API token: re-enter your password (and two-factor code); the token is shown once",
    )
    def post(self, request):
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = services.api_token_create(user=request.user, **serializer.validated_data)
        data = ApiTokenSerializer(issued.token).data
        data["token"] = issued.plaintext
        response = Response(data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class TokenDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def _token(self, request, token_id):
        token = selectors.api_token_of(request.user, token_id)
        if token is None:
            raise Http404
        return token

    @extend_schema(responses=ApiTokenSerializer, summary="One of your API tokens")
    def get(self, request, token_id: int):
        return Response(ApiTokenSerializer(self._token(request, token_id)).data)

    @extend_schema(responses={200: ApiTokenSerializer, 409: OpenApiResponse(description="Already revoked")})
    def delete(self, request, token_id: int):
        """Revoke the token: it stops working at once."""
        token = services.api_token_revoke(token_id=self._token(request, token_id).pk, actor=request.user)
        return Response(ApiTokenSerializer(token).data)


class TwoFactorResetView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=TwoFactorResetSerializer,
        responses={200: TwoFactorResetResultSerializer, 409: OpenApiResponse(description="Nothing to reset")},
        summary="Programme admins: reset a user's two-factor sign-in after checking who they are",
    )
    def post(self, request, user_id: int):
        if not is_programme_admin(request.user):
            raise PermissionDenied("Only programme admins can reset two-factor sign-in.")
        serializer = TwoFactorResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            target = services.two_factor_reset(
                user_id=user_id, actor=request.user, reason=serializer.validated_data["reason"]
            )
        except get_user_model().DoesNotExist as exc:
            raise Http404 from exc
        data = {"id": target.pk, "email": target.email, "two_factor": asdict(selectors.two_factor_status(target))}
        return Response(TwoFactorResetResultSerializer(data).data)
