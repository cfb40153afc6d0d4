"""Emails about roles. They carry only the recipient's own name and a link: everything else is behind sign-in."""

from core.emails import email_send

from ._common import absolute_url


def invitation_email(*, email: str, token: str, school_name: str, role_label: str, expires_on: str) -> None:
    email_send(
        to=[email],
        template="accounts_invitation",
        context={
            "school_name": school_name,
            "role_label": role_label,
            "expires_on": expires_on,
            "link": absolute_url("accounts:invitation_accept", token=token),
        },
    )


def join_request_received_email(*, to: list[str], school_name: str, urn: int) -> None:
    if not to:
        return
    email_send(
        to=to,
        template="accounts_join_request_received",
        context={"school_name": school_name, "link": absolute_url("accounts:school_people", urn=urn)},
    )


def join_request_decided_email(*, email: str, name: str, school_name: str, approved: bool) -> None:
    email_send(
        to=[email],
        template="accounts_join_request_decided",
        context={
            "name": name,
            "school_name": school_name,
            "approved": approved,
            "link": absolute_url("accounts:my_schools"),
        },
    )


def organisation_registered_email(*, to: list[str]) -> None:
    if not to:
        return
    email_send(
        to=to, template="accounts_organisation_registered", context={"link": absolute_url("accounts:organisations")}
    )


def organisation_decided_email(*, email: str, name: str, verified: bool) -> None:
    email_send(
        to=[email],
        template="accounts_organisation_decided",
        context={"name": name, "verified": verified, "link": absolute_url("accounts:organisations")},
    )


def access_review_due_email(*, email: str, name: str, count: int) -> None:
    email_send(
        to=[email],
        template="accounts_access_review_due",
        context={"name": name, "count": count, "link": absolute_url("accounts:access_reviews")},
    )


def organisation_invitation_email(*, email: str, token: str, organisation_name: str, expires_on: str) -> None:
    email_send(
        to=[email],
        template="accounts_organisation_invitation",
        context={
            "organisation_name": organisation_name,
            "expires_on": expires_on,
            "link": absolute_url("accounts:organisation_invitation_accept", token=token),
        },
    )
