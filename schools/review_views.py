"""The review of the register's closures and successions (`/schools/changes/`), for programme admins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_POST

from core import fragments
from core.errors import DomainError
from core.forms import form_add_domain_error
from core.pagination import paginate
from core.workflow import open_actions, status_allows

from . import reviews, selectors
from .forms import ChangeApplyForm, ChangeDismissForm, ChangeUndoForm
from .models import SchoolChange
from .successions import can_review_changes

PAGE_SIZE = 50
# What the list of waiting changes reads: the register, and each programme's records a succession would move (the
# handlers of accounts, officers, wands and stepping_stones; core for what they share). Broad on purpose.
WAITING_TABLES = ("schools", "accounts", "officers", "wands", "stepping_stones", "core")


def _require_reviewer(request) -> None:
    if not can_review_changes(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET"])
def change_list(request):
    """Closures and successions waiting for review, each with what it would do to each programme."""
    _require_reviewer(request)

    def render_waiting() -> str:
        page = paginate(request, selectors.school_changes_pending(), PAGE_SIZE)
        context = {"page": page, "previews": reviews.school_change_previews(list(page))}
        return render_to_string("schools/includes/changes_waiting.html", context, request=request).strip()

    def render_decided() -> str:
        context = {"decided": selectors.school_changes_decided(limit=20)}
        return render_to_string("schools/includes/changes_decided.html", context, request=request)

    # The waiting changes' previews ask every programme what applying would move (schools.successions.handlers):
    # their tables are behind the fragment too. The form that applies them all (a CSRF token) stays outside; an empty
    # fragment means nothing is waiting.
    waiting = fragments.cached(request, "school-changes-waiting", depends_on=WAITING_TABLES, render=render_waiting)
    decided = fragments.cached(
        request, "school-changes-decided", depends_on=("schools", "accounts"), render=render_decided
    )
    return render(request, "schools/changes.html", {"waiting": waiting, "decided": decided})


@require_POST
@login_required
def changes_apply_all(request):
    """Apply every waiting change that has no question to answer; the rest stay, named."""
    _require_reviewer(request)
    ids = list(selectors.school_changes_pending().values_list("pk", flat=True))
    try:
        applied, skipped = reviews.school_changes_apply(actor=request.user, change_ids=ids, skip_unanswered=True)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("schools:changes")
    text = f"{len(applied)} change{'s' if len(applied) != 1 else ''} applied."
    if skipped:
        text += f" {len(skipped)} need an answer first: open each to choose."
    messages.success(request, text)
    return redirect("schools:changes")


@login_required
@require_http_methods(["GET", "POST"])
def changes_dismiss_all(request):
    """Dismiss every waiting change, with one reason."""
    _require_reviewer(request)
    form = ChangeDismissForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        ids = list(selectors.school_changes_pending().values_list("pk", flat=True))
        try:
            dismissed = reviews.school_changes_dismiss(
                actor=request.user, change_ids=ids, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"{len(dismissed)} change{'s' if len(dismissed) != 1 else ''} dismissed.")
            return redirect("schools:changes")
    return render(
        request,
        "schools/changes_dismiss_all.html",
        {"form": form, "count": selectors.school_changes_pending().count()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_detail(request, pk: int):
    """One change: what it would do (or did), apply it with answers, dismiss it with a reason, or undo it."""
    _require_reviewer(request)
    try:
        change = selectors.school_change_get(change_id=pk)
    except SchoolChange.DoesNotExist:
        raise Http404("No such change") from None
    [preview] = reviews.school_change_previews([change]) if status_allows(change, "apply") else [None]
    action = request.POST.get("action") if request.method == "POST" else None
    questions = preview.questions if preview else []
    apply_form = ChangeApplyForm(request.POST if action == "apply" else None, questions=questions)
    dismiss_form = ChangeDismissForm(request.POST if action == "dismiss" else None)
    undo_form = ChangeUndoForm(request.POST if action == "undo" else None)
    if action == "apply" and apply_form.is_valid():
        try:
            reviews.school_change_apply(actor=request.user, change_id=change.pk, choices=apply_form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(apply_form, error)
        else:
            messages.success(request, f"Applied: {change.school.name} is closed.")
            return redirect("schools:change_detail", pk=change.pk)
    elif action == "dismiss" and dismiss_form.is_valid():
        try:
            reviews.school_changes_dismiss(
                actor=request.user, change_ids=[change.pk], reason=dismiss_form.cleaned_data["reason"]
            )
        except DomainError as error:
            form_add_domain_error(dismiss_form, error)
        else:
            messages.success(request, f"Dismissed: {change.school.name} stays as it is.")
            return redirect("schools:changes")
    elif action == "undo" and undo_form.is_valid():
        try:
            reviews.school_change_undo(actor=request.user, change_id=change.pk, reason=undo_form.cleaned_data["reason"])
        except DomainError as error:
            form_add_domain_error(undo_form, error)
        else:
            messages.success(request, f"Undone: {change.school.name} is open again and its records are back.")
            return redirect("schools:change_detail", pk=change.pk)
    elif action not in (None, "apply", "dismiss", "undo"):
        apply_form.add_error(None, "Choose apply, dismiss or undo")
    actions = open_actions(change, request.user)
    blockers = reviews.school_change_undo_blockers(change) if "undo" in actions else []
    return render(
        request,
        "schools/change_detail.html",
        {
            "change": change,
            "preview": preview,
            "apply_form": apply_form,
            "dismiss_form": dismiss_form,
            "undo_form": undo_form,
            "undo_blockers": blockers,
            "actions": actions,
            "moved": reviews.moved_counts(change),
        },
    )
