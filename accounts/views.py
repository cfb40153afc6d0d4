"""Pages for invitations, school people, join requests, programme roles, organisations and access reviews.

Views gate early (403 for pages a role never gets, 404 for objects outside the user's scope), then call a service.
"""

from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core import fragments
from core.csv_import import CsvRejected, upload_bytes
from core.errors import DomainError
from core.forms import form_add_domain_error
from core.pagination import paginate
from core.permissions import require as _require
from core.workflow import action_open, closed_by_status, may_move, open_actions, status_allows
from schools.models import School

from . import forms, invitation_resume, selectors, services
from .models import (
    InvitationStatus,
    JoinRequest,
    Organisation,
    PoliceRole,
    ProgrammeRole,
    SchoolDuty,
    SchoolMembership,
)
from .permissions import (
    can_confirm_role,
    can_decide_join_request,
    can_end_membership,
    can_grant_programme_roles,
    can_invite_headteacher,
    can_invite_staff,
    can_invite_to_organisation,
    can_list_invitations,
    can_manage_duties,
    can_manage_school_members,
    can_resend_invitations,
    can_review_access,
    can_review_role,
    can_revoke_invitation,
    can_verify_organisation,
    can_view_school_members,
    is_programme_admin,
    may_act_for_organisation,
)

CSV_SESSION_KEY = "accounts.invitation_rows"
PAGE_SIZE = 50
# What the cached parts of these pages read (core.fragments): people, roles, invitations, organisations ("accounts")
# and the schools, boroughs and BCUs they name ("schools").
PEOPLE_TABLES = ("accounts", "schools")


def _fragment(request, name: str, template: str, context, *, vary: tuple = ()) -> str:
    """The part of a page that reads the data, cached until a table it shows is written. `context` is a callable, so
    its queries run only on a miss. Nothing in it may hold a form posting back (CSRF token); what changes with the
    time of day (an invitation open until 14:00) is declared with `_open_until` and kept no longer."""
    return fragments.rendered(request, name, template, context, depends_on=PEOPLE_TABLES, vary=vary)


def _open_until(invitations) -> list:
    """The open invitations a fragment shows, as a list; the fragment is kept no longer than the first expires."""
    invitations = list(invitations)
    fragments.changes_at(min((invitation.expires_at for invitation in invitations), default=None))
    return invitations


def _posted(request):
    """Bind forms on POST even when nothing was filled in, so an empty submission shows its errors."""
    return request.POST if request.method == "POST" else None


def _bound(request):
    if request.method != "POST":
        return (None, None)
    return (request.POST, request.FILES)


# Invitations ----------------------------------------------------------------------------------------------------------


@login_required
def invitation_list(request):
    user = request.user
    _require(can_list_invitations(user))
    is_admin = is_programme_admin(user)

    def context() -> dict:
        invitations = selectors.invitations_visible_to(user)
        if not is_admin:
            invitations = invitations.filter(school_id__in=selectors.headteacher_school_ids(user))
        page = paginate(request, invitations, PAGE_SIZE)
        now = timezone.now()
        for invitation in page:
            invitation.current_status = invitation.status_at(now)
            invitation.can_revoke = action_open(invitation, "revoke", user)
            if invitation.current_status == InvitationStatus.PENDING:
                fragments.changes_at(invitation.expires_at)  # it shows as expired from then on
        return {"page": page}

    content_html = _fragment(request, "accounts-invitations", "accounts/includes/invitation_list_content.html", context)
    return render(request, "accounts/invitation_list.html", {"content_html": content_html, "is_admin": is_admin})


@login_required
@require_http_methods(["GET", "POST"])
def invitations_expired(request):
    """Invitations that expired with nobody accepting them: tick and send them again, all at once."""
    _require(can_resend_invitations(request.user))
    page = paginate(request, selectors.invitations_expired_unanswered(request.user), PAGE_SIZE)
    form = forms.ExpiredInvitationsForm(_posted(request), invitations=page.object_list)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.invitations_resend_expired(
                actor=request.user, invitation_ids=form.cleaned_data["invitations"]
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"{len(sent)} invitation{'s' if len(sent) != 1 else ''} sent again")
            return redirect("accounts:invitations")
    return render(request, "accounts/invitations_expired.html", {"form": form, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def invite_headteacher(request):
    _require(can_invite_headteacher(request.user))
    form = forms.HeadteacherInviteForm(_posted(request), initial={"urn": request.GET.get("urn", "")[:6]})
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.headteacher_invite(
                actor=request.user, school=form.cleaned_data["urn"], email=form.cleaned_data["email"]
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            return redirect("accounts:invitation_sent", pk=invitation.pk)
    return render(request, "accounts/invite_headteacher.html", {"form": form})


@login_required
def invitation_sent(request, pk: int):
    invitation = get_object_or_404(selectors.invitations_visible_to(request.user), pk=pk)
    _require(invitation.invited_by_id == request.user.pk or is_programme_admin(request.user))
    return render(request, "accounts/invitation_sent.html", {"invitation": invitation})


@login_required
@require_http_methods(["GET", "POST"])
def invite_headteacher_csv(request):
    _require(can_invite_headteacher(request.user))
    form = forms.InvitationFileForm(*_bound(request))
    file_errors: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = upload_bytes(upload, max_bytes=services.invitations.MAX_CSV_BYTES)  # by its size, before reading
            rows = services.headteacher_invitations_check_csv(data=data)
        except CsvRejected as exc:
            file_errors = exc.problems
            count = len({line for line, _ in file_errors})
            if exc.message.startswith("No invitation was sent"):  # rows to fix, listed below
                form.add_error(
                    "file", f"The file has {count} row{'s' if count != 1 else ''} with problems: fix them all"
                )
            else:
                form.add_error("file", exc.message)
        else:
            request.session[CSV_SESSION_KEY] = [
                {"line": r.line, "urn": r.urn, "email": r.email, "school_name": r.school_name} for r in rows
            ]
            return redirect("accounts:invite_headteacher_csv_check")
    return render(request, "accounts/invite_headteacher_csv.html", {"form": form, "file_errors": file_errors})


@login_required
@require_http_methods(["GET", "POST"])
def invite_headteacher_csv_check(request):
    _require(can_invite_headteacher(request.user))
    stored = request.session.get(CSV_SESSION_KEY)
    if not stored:
        return redirect("accounts:invite_headteacher_csv")
    rows = [services.InvitationRow(**row) for row in stored]
    form = forms.ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitations = services.headteacher_invitations_send(actor=request.user, rows=rows)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            del request.session[CSV_SESSION_KEY]
            messages.success(request, f"{len(invitations)} invitations sent")
            return redirect("accounts:invitations")
    return render(request, "accounts/invite_headteacher_csv_check.html", {"form": form, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(request, pk: int):
    invitation = get_object_or_404(selectors.invitations_visible_to(request.user), pk=pk)
    _require(can_revoke_invitation(request.user, invitation))

    def back():
        if is_programme_admin(request.user):
            return redirect("accounts:invitations")
        return redirect("accounts:school_people", urn=invitation.school_id)

    if closed_by_status(invitation, "revoke", request.user):
        # Back after revoking, a second tab, or accepted meanwhile: say where it is, ask nothing.
        status = InvitationStatus(invitation.status_at(timezone.now())).label.lower()
        messages.info(request, f"The invitation for {invitation.email} is {status}: there is nothing to revoke.")
        return back()
    form = forms.ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_revoke(actor=request.user, invitation_id=invitation.pk)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"Invitation for {invitation.email} revoked")
            return back()
    return render(request, "accounts/invitation_revoke.html", {"form": form, "invitation": invitation})


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """The link in the invitation email. The token is a secret; nothing about the invitee is shown to others."""
    return _invitation_accept_page(
        request,
        token,
        invitation=services.invitation_for_token(token),
        template="accounts/invitation_accept.html",
        accept=services.invitation_accept,
        accepted=_school_invitation_accepted,
    )


@require_POST
@login_required
def invitation_accept_pending(request, pk: int):
    """Accept an invitation shown on the landing page to the signed-in person it was sent to."""
    return _accept_pending(
        request, pk, accept=services.invitation_accept_signed_in, accepted=_school_invitation_accepted
    )


def _accept_pending(request, pk: int, *, accept, accepted):
    """An invitation (school or organisation) accepted from the landing page: someone else's, or none, is 404 (as if
    it did not exist); the person's own that can no longer be accepted says why on the landing page."""
    try:
        membership = accept(invitation_id=pk, user=request.user)
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404 from None
        messages.error(request, exc.message)
        return redirect("public:home")
    return accepted(request, membership)


def _school_invitation_accepted(request, membership):
    messages.success(request, f"You are now {membership.get_role_display().lower()} at {membership.school.name}")
    if membership.role == SchoolMembership.Role.HEADTEACHER:
        return redirect("accounts:school_people", urn=membership.school_id)
    return redirect("accounts:my_schools")


def _invitation_accept_page(request, token: str, *, invitation, template: str, accept, accepted):
    """An invitation link's page (school or organisation): 404 for an unknown token; the invitation's state; who is
    signed in and whether it is the invited address; on POST, sign in first, then `accept` (a service) and
    `accepted(request, membership)` gives the response, or the service's refusal goes on the form."""
    if invitation is None:
        return render(request, template, {"problem": services.INVITATION_NOT_VALID}, status=404)
    now = timezone.now()
    status = invitation.status_at(now)
    acceptable = status_allows(invitation, "accept")  # waiting: the page offers it, to the person it was sent to
    context = {
        "invitation": invitation,
        "status": status,
        "acceptable": acceptable,
        "actions": open_actions(invitation, request.user),
        "next": request.path,
    }
    user = request.user
    if acceptable and not user.is_authenticated:
        # Creating an account from here starts with the invited address filled in (never in a URL). It is still
        # confirmed by email: AccountAdapter.is_email_verified never trusts the session.
        get_account_adapter().stash_verified_email(request, invitation.email)
        # After sign-up, confirming the address and signing in, the person comes back here (invitation_resume).
        invitation_resume.remember(request)
    form = forms.ConfirmForm(_posted(request))
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if form.is_valid():
            try:
                membership = accept(token=token, user=user, now=now)
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                return accepted(request, membership)
    context["form"] = form
    return render(request, template, context)


# Schools and their people ---------------------------------------------------------------------------------------------


@login_required
def my_schools(request):
    user = request.user
    content_html = _fragment(
        request,
        "accounts-my-schools",
        "accounts/includes/my_schools_content.html",
        lambda: {
            "memberships": selectors.memberships_of_user(user),
            "join_requests": selectors.join_requests_visible_to(user).filter(user=user)[:50],
            "organisations": selectors.organisations_of(user),
            # Their schools in a second query, only when there are any: joined, the planner may start from the
            # schools register.
            "invitations": _open_until(
                selectors.invitations_pending_for(user).select_related(None).prefetch_related("school")
            ),
        },
    )
    return render(request, "accounts/my_schools.html", {"content_html": content_html})


def _school_in_scope(request, urn: int) -> School:
    school = get_object_or_404(School.objects.select_related("local_authority"), urn=urn)
    if not can_view_school_members(request.user, school):
        raise Http404
    return school


@login_required
def school_people(request, urn: int):
    user = request.user
    now = timezone.now()

    def context() -> dict:
        # Who may see the school's people is the person's roles (in the key, with their facts) and the register's
        # tables (in PEOPLE_TABLES): the 404 is decided here and cached with the page (core.fragments.titled).
        school = School.objects.select_related("local_authority").filter(urn=urn).first()
        if school is None or not can_view_school_members(user, school):
            return {"school": None}
        return {
            "school": school,
            "memberships": selectors.memberships_of_school(school=school, actor=user),
            "join_requests": selectors.join_requests_visible_to(user).filter(
                school=school, status=JoinRequest.Status.PENDING
            ),
            "can_manage": can_manage_school_members(user, school),
            "can_invite": can_invite_staff(user, school),
            "has_headteacher": selectors.school_has_headteacher(school),
            # Without the joins the list does not show.
            "invitations": _open_until(
                selectors.invitations_visible_to(user)
                .filter(school=school, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)
                .select_related(None)
            ),
        }

    page = fragments.titled(
        _fragment(
            request,
            "accounts-school-people",
            "accounts/includes/school_people_content.html",
            context,
            vary=(urn,),  # in the path, not the query string
        )
    )
    if page is None:
        raise Http404
    return render(request, "accounts/school_people.html", {"title": page[0], "content_html": page[1]})


@login_required
@require_http_methods(["GET", "POST"])
def staff_invite(request, urn: int):
    school = _school_in_scope(request, urn)
    _require(can_invite_staff(request.user, school))
    form = forms.StaffInviteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.staff_invite(
                actor=request.user, school=school, email=form.cleaned_data["email"]
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            return redirect("accounts:invitation_sent", pk=invitation.pk)
    return render(request, "accounts/staff_invite.html", {"form": form, "school": school})


def _membership_in_scope(request, membership_id: int) -> SchoolMembership:
    membership = selectors.membership_get(membership_id=membership_id, actor=request.user)
    if membership is None:
        raise Http404
    return membership


@login_required
@require_http_methods(["GET", "POST"])
def membership_duties(request, membership_id: int):
    membership = _membership_in_scope(request, membership_id)
    _require(can_manage_duties(request.user, membership))
    current = {duty.duty: duty for duty in membership.current_duties}
    form = forms.DutiesForm(_posted(request), initial={"duties": list(current)})
    if request.method == "POST" and form.is_valid():
        wanted = set(form.cleaned_data["duties"])
        try:
            for duty in sorted(wanted - set(current)):
                services.duty_grant(actor=request.user, membership_id=membership.pk, duty=duty)
            for duty in sorted(set(current) - wanted):
                services.duty_remove(actor=request.user, duty_id=current[duty].pk, reason="Removed by the headteacher")
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"Duties of {membership.user} updated")
            return redirect("accounts:school_people", urn=membership.school_id)
    return render(request, "accounts/membership_duties.html", {"form": form, "membership": membership})


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request, membership_id: int):
    membership = _membership_in_scope(request, membership_id)
    _require(can_end_membership(request.user, membership))
    form = forms.ReasonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(actor=request.user, membership_id=membership.pk, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"{membership.user} is no longer a member of {membership.school.name}")
            if can_view_school_members(request.user, membership.school):
                return redirect("accounts:school_people", urn=membership.school_id)
            return redirect("accounts:my_schools")
    return render(request, "accounts/membership_end.html", {"form": form, "membership": membership})


# Join requests --------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def join_request_create(request):
    urn = request.GET.get("urn", "")
    form = forms.JoinRequestForm(_posted(request), initial={"urn": urn[:6] if urn.isdigit() else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.join_request_create(
                user=request.user, school=form.cleaned_data["urn"], message=form.cleaned_data["message"]
            )
        except DomainError as exc:
            if exc.field == "school":
                exc.field = "urn"
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"Request sent: the headteacher of {form.cleaned_data['urn'].name} will decide")
            return redirect("accounts:my_schools")
    from accounts.sso.suggestions import join_request_suggestion

    return render(
        request,
        "accounts/join_request_create.html",
        {"form": form, "sso_suggestion": join_request_suggestion(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def join_request_decide(request, pk: int):
    join_request = get_object_or_404(selectors.join_requests_visible_to(request.user), pk=pk)
    allowed = can_decide_join_request(request.user, join_request)
    if join_request.user_id == request.user.pk and not allowed:
        return redirect("accounts:my_schools")
    _require(allowed)
    form = forms.DecisionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.join_request_approve(actor=request.user, join_request_id=join_request.pk)
                messages.success(request, f"{join_request.user} has joined {join_request.school.name}")
            else:
                services.join_request_decline(
                    actor=request.user, join_request_id=join_request.pk, reason=form.cleaned_data["reason"]
                )
                messages.success(request, f"Request from {join_request.user} declined")
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            if can_view_school_members(request.user, join_request.school):
                return redirect("accounts:school_people", urn=join_request.school_id)
            return redirect("accounts:schools_without_headteacher")
    return render(
        request,
        "accounts/join_request_decide.html",
        {"form": form, "join_request": join_request, "actions": open_actions(join_request, request.user)},
    )


# Programme roles ------------------------------------------------------------------------------------------------------


@login_required
def programme_roles(request):
    _require(can_grant_programme_roles(request.user))
    content_html = _fragment(
        request,
        "accounts-programme-roles",
        "accounts/includes/programme_roles_content.html",
        lambda: {
            "police_roles": selectors.police_roles_current(),
            "programme_roles": selectors.programme_roles_current(),
        },
    )
    return render(request, "accounts/programme_roles.html", {"content_html": content_html})


@login_required
@require_http_methods(["GET", "POST"])
def police_role_grant(request):
    _require(can_grant_programme_roles(request.user))
    form = forms.PoliceRoleForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_for_email(data["email"])
            services.police_role_grant(
                actor=request.user, user=user, kind=data["kind"], all_london=data["all_london"], bcus=data["bcus"]
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"{user.email} is now a {PoliceRole.Kind(data['kind']).label.lower()}")
            return redirect("accounts:programme_roles")
    return render(request, "accounts/role_grant.html", {"form": form, "title": "Grant a police role"})


@login_required
@require_http_methods(["GET", "POST"])
def programme_role_grant(request):
    _require(can_grant_programme_roles(request.user))
    form = forms.ProgrammeRoleForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_for_email(data["email"])
            services.programme_role_grant(actor=request.user, user=user, kind=data["kind"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"{user.email} is now a {ProgrammeRole.Kind(data['kind']).label.lower()}")
            return redirect("accounts:programme_roles")
    return render(request, "accounts/role_grant.html", {"form": form, "title": "Grant a VRU or fulfilment role"})


def _role_end(request, *, model, pk: int, service):
    _require(can_grant_programme_roles(request.user))
    record = get_object_or_404(model.objects.current().select_related("user"), pk=pk)
    form = forms.ReasonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, role_id=record.pk, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"{record.user.email} is no longer a {record.get_kind_display().lower()}")
            return redirect("accounts:programme_roles")
    return render(request, "accounts/role_end.html", {"form": form, "record": record})


@login_required
@require_http_methods(["GET", "POST"])
def police_role_end(request, pk: int):
    return _role_end(request, model=PoliceRole, pk=pk, service=services.police_role_end)


@login_required
@require_http_methods(["GET", "POST"])
def programme_role_end(request, pk: int):
    return _role_end(request, model=ProgrammeRole, pk=pk, service=services.programme_role_end)


@login_required
def schools_without_headteacher(request):
    _require(is_programme_admin(request.user))
    content_html = _fragment(
        request,
        "accounts-schools-without-headteacher",
        "accounts/includes/schools_without_headteacher_content.html",
        lambda: {"page": paginate(request, selectors.schools_without_headteacher(), PAGE_SIZE)},
    )
    return render(request, "accounts/schools_without_headteacher.html", {"content_html": content_html})


# Organisations --------------------------------------------------------------------------------------------------------


@login_required
def organisation_list(request):
    def context() -> dict:
        organisations = selectors.organisations_visible_to(request.user).order_by("status", "name")
        if request.GET.get("status") in Organisation.Status.values:
            organisations = organisations.filter(status=request.GET["status"])
        return {"page": paginate(request, organisations, PAGE_SIZE)}

    content_html = _fragment(
        request, "accounts-organisations", "accounts/includes/organisation_list_content.html", context
    )
    return render(
        request,
        "accounts/organisation_list.html",
        {"content_html": content_html, "is_admin": can_verify_organisation(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_register(request):
    form = forms.OrganisationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_register(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            return redirect("accounts:organisation_detail", pk=organisation.pk)
    return render(request, "accounts/organisation_register.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_detail(request, pk: int):
    organisation = get_object_or_404(selectors.organisations_visible_to(request.user), pk=pk)
    actions = open_actions(organisation, request.user)
    can_decide = "verify" in actions or "decline" in actions
    form = forms.OrganisationDecisionForm(_posted(request)) if can_decide else None
    if request.method == "POST":
        _require(can_decide)
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "verify":
                    services.organisation_verify(actor=request.user, organisation_id=organisation.pk)
                    messages.success(request, f"{organisation.name} verified")
                else:
                    services.organisation_decline(
                        actor=request.user, organisation_id=organisation.pk, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, f"{organisation.name} declined")
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                return redirect("accounts:organisations")
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "form": form,
            "actions": actions,
            # Not verified yet, but it may be: the person will invite once it is.
            "invite_after_verification": "invite" not in actions
            and may_move(organisation, Organisation.Status.VERIFIED)
            and may_act_for_organisation(request.user, organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_invite(request, pk: int):
    organisation = get_object_or_404(selectors.organisations_visible_to(request.user), pk=pk)
    _require(can_invite_to_organisation(request.user, organisation))
    form = forms.OrganisationInviteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.organisation_invite(
                actor=request.user, organisation_id=organisation.pk, email=form.cleaned_data["email"]
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}")
            return redirect("accounts:organisation_detail", pk=organisation.pk)
    return render(request, "accounts/organisation_invite.html", {"form": form, "organisation": organisation})


@require_http_methods(["GET", "POST"])
def organisation_invitation_accept(request, token: str):
    """The link in an organisation invitation email. The token is the secret; the page names only the organisation."""
    return _invitation_accept_page(
        request,
        token,
        invitation=services.organisation_invitation_for_token(token),
        template="accounts/organisation_invitation_accept.html",
        accept=services.organisation_invitation_accept,
        accepted=_organisation_invitation_accepted,
    )


@require_POST
@login_required
def organisation_invitation_accept_pending(request, pk: int):
    """Accept an organisation invitation shown on the landing page to the signed-in person it was sent to."""
    return _accept_pending(
        request,
        pk,
        accept=services.organisation_invitation_accept_signed_in,
        accepted=_organisation_invitation_accepted,
    )


def _organisation_invitation_accepted(request, membership):
    messages.success(request, f"You are now a member of {membership.organisation.name}")
    return redirect("accounts:organisation_detail", pk=membership.organisation_id)


# Access reviews -------------------------------------------------------------------------------------------------------


@login_required
def access_reviews(request):
    _require(can_review_access(request.user))
    content_html = _fragment(
        request,
        "accounts-access-reviews",
        "accounts/includes/access_reviews_content.html",
        lambda: {"reviews": selectors.access_reviews_for(request.user)},
    )
    return render(request, "accounts/access_reviews.html", {"content_html": content_html})


_REVIEW_MODELS = {"duty": SchoolDuty, "police": PoliceRole, "programme": ProgrammeRole}


@login_required
@require_http_methods(["GET", "POST"])
def role_confirm(request, kind: str, pk: int):
    model = _REVIEW_MODELS.get(kind)
    if model is None:
        raise Http404
    queryset = model.objects.current()
    queryset = queryset.select_related("membership__user", "membership__school") if kind == "duty" else queryset
    record = queryset.filter(pk=pk).first()
    if record is None or not can_review_role(request.user, record):
        raise Http404
    form = forms.ConfirmForm(_posted(request))
    # The reviewer's own role is shown with the reason it cannot be confirmed here, rather than a missing page.
    own_message = "" if can_confirm_role(request.user, record) else services.own_role_message(record)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_confirm(actor=request.user, kind=kind, record_id=record.pk)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, "Role confirmed for another 6 months")
            return redirect("accounts:access_reviews")
    holder = record.membership.user if kind == "duty" else record.user
    return render(
        request,
        "accounts/role_confirm.html",
        {"form": form, "record": record, "holder": holder, "own_message": own_message},
    )
