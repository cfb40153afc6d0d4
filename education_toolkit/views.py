"""Toolkit pages. Views gate early (403 / 404), call one service, and turn domain errors into GOV.UK errors."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import fragments
from core.charts import bar_chart
from core.errors import DomainError, StorageUnavailable
from core.forms import form_add_domain_error
from core.pagination import paginate
from core.permissions import require as _require
from core.workflow import open_actions

from . import permissions, selectors, services
from .filters import FILTER_FACETS, ResourceFilter
from .forms import (
    DeliveryReportForm,
    DownloadForm,
    FileAddForm,
    ResourceForm,
    SeveralDownloadForm,
    StatusForm,
    SynonymForm,
    TermsForm,
    VersionUploadForm,
)
from .models import FACET_LABELS, FACETS, Resource, ResourceFile, zip_download_name
from .zips import unique_names, zip_stream

PER_PAGE = 20
SESSION_TERMS = "toolkit_terms_version"
SESSION_DOWNLOAD_STARTED = "toolkit_download_started"
ACCESS_TAGS = {"public": "", "registered": "govuk-tag--blue", "verified": "govuk-tag--purple"}


def _posted(request, *, files: bool = False):
    """Bind forms on every POST, so an empty submission shows its errors."""
    if request.method != "POST":
        return None
    return request.FILES if files else request.POST


def _terms_ok(request) -> bool:
    if request.user.is_authenticated:
        return selectors.terms_accepted(request.user)
    return request.session.get(SESSION_TERMS) == selectors.TERMS_VERSION


def _accept_terms(request) -> None:
    if request.user.is_authenticated:
        services.terms_accept(user=request.user)
    else:
        request.session[SESSION_TERMS] = selectors.TERMS_VERSION


# --- browse ----------------------------------------------------------------------------------------------------


def _checkbox_groups(form, counts) -> list[dict]:
    """Each filter as a group of GOV.UK checkboxes, every option with how many results it has."""
    groups = []
    for name in (*FILTER_FACETS, "resource_type", "access_level", "duration"):
        field = form[name]
        chosen = {str(v) for v in (field.value() or [])}
        options = []
        for index, (value, label) in enumerate(field.field.choices):
            count = counts.get(name, {}).get(value)
            options.append(
                {
                    "id": f"{field.auto_id}_{index}",  # what the error summary links to
                    "value": value,
                    "label": label if count is None else f"{label} ({count})",
                    "checked": str(value) in chosen,
                }
            )
        groups.append(
            {"name": name, "legend": field.label, "options": options, "open": bool(chosen), "errors": field.errors}
        )
    return groups


# What the catalogue's fragment reads: resources, their facets, current files and versions, and the search synonyms
# (a search widens by them). Not downloads, terms or subscriptions: those are outside it or not shown.
CATALOGUE_DEPENDS_ON = (
    "education_toolkit.Resource",
    "education_toolkit.ResourceTag",
    "education_toolkit.ResourceFile",
    "education_toolkit.FileVersion",
    "education_toolkit.SearchSynonym",
)
# The editor list's rows: resources, their files, and downloads (every download changes a count, so it renders them
# again: cheaply, as education_toolkit.download_counts keeps the days before today).
EDITOR_LIST_DEPENDS_ON = ("education_toolkit.Resource", "education_toolkit.ResourceFile", "education_toolkit.Download")
# What the catalogue reads from the query string: with anything else it is rendered, not cached (core.fragments).
CATALOGUE_PARAMS = frozenset({*ResourceFilter.base_filters, "page"})
# Shown in the fragment exactly when the download form after it is (catalogue.html): escaped text cannot hold it.
_TICK_HINT = 'id="tick-hint"'


def _understood(filterset) -> QueryDict:
    """The query without what the filters refused: unknown options dropped, a refused search left out."""
    data = filterset.data.copy()
    for name in filterset.form.errors:
        field = filterset.form.fields.get(name)
        known = {str(value) for value, _ in getattr(field, "choices", ())}
        if known and name in data:
            data.setlist(name, [value for value in data.getlist(name) if value in known])
        else:
            data.pop(name, None)
    return data


def _catalogue_results(request, downloadable_levels) -> str:
    """The search (with its error summary), the filters with their counts, the number of results, the page of results
    and its pagination. The filters are read and checked here, so a cached page builds no filter form."""
    filterset = ResourceFilter(request.GET, queryset=selectors.catalogue_resources())
    applied = filterset
    if not filterset.is_valid():
        # The error summary says what was refused; the results keep every filter that was understood.
        applied = ResourceFilter(_understood(filterset), queryset=selectors.catalogue_resources())
    queryset = applied.qs if applied.is_valid() else selectors.catalogue_resources().none()
    page = paginate(request, queryset, PER_PAGE)
    page.object_list = list(page.object_list)
    prefetch_related_objects(page.object_list, selectors.files_prefetch())
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.facet_counts(queryset)
    chosen = []
    for name in (*FILTER_FACETS, "resource_type", "access_level", "duration"):
        labels = dict(filterset.form.fields[name].choices)
        for value in request.GET.getlist(name):
            if value in labels:
                remaining = query.copy()
                remaining.setlist(name, [v for v in remaining.getlist(name) if v != value])
                chosen.append({"label": labels[value], "href": f"?{remaining.urlencode()}"})
    return render_to_string(
        "education_toolkit/includes/catalogue_results.html",
        {
            "filter_form": filterset.form,
            "is_editor": permissions.is_toolkit_editor(request.user),  # the person is in the fragment's key
            "groups": _checkbox_groups(filterset.form, counts),
            "page": page,
            "chosen": chosen,
            "downloadable_levels": downloadable_levels,
            "any_downloadable": any(r.access_level in downloadable_levels and r.files.all() for r in page.object_list),
        },
        request=request,
    )


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every published resource, with search and a filter for each facet, and counts for each option. The filters,
    counts and results are a fragment (core.fragments), per reader (what they may download: anonymous readers share
    one); the download form around the ticks, with its CSRF token and the terms, is rendered on every request."""
    downloadable_levels = permissions.downloadable_access_levels(request.user)
    results = fragments.cached(
        request,
        "toolkit-catalogue",
        depends_on=CATALOGUE_DEPENDS_ON,
        render=lambda: _catalogue_results(request, downloadable_levels),
        vary=(tuple(sorted(downloadable_levels)),),
        params=CATALOGUE_PARAMS,
    )
    any_downloadable = _TICK_HINT in results
    return render(
        request,
        "education_toolkit/catalogue.html",
        {
            "results": results,
            "has_errors": fragments.has_error_summary(results),
            "any_downloadable": any_downloadable,
            "needs_terms": any_downloadable and not _terms_ok(request),
            "several_form": SeveralDownloadForm(),
        },
    )


def _visible_resource(request, slug: str) -> Resource:
    resource = selectors.resource_get(user=request.user, slug=slug)
    if resource is None or not permissions.can_view_resource(request.user, resource):
        raise Http404("No toolkit resource has this address")
    return resource


def _resource_context(request, resource: Resource, *, form=None, preview=False) -> dict:
    files = [f for f in resource.files.all() if f.current_version_id]
    needs_terms = not _terms_ok(request)
    user = request.user
    return {
        "resource": resource,
        "files": files,
        "form": form or DownloadForm(versions=[f.current_version for f in files], needs_terms=needs_terms),
        "needs_terms": needs_terms,
        "can_download": permissions.can_download_resource(user, resource),
        "refusal": permissions.download_refusal(user, resource),
        "related": selectors.related_resources(user=user, resource=resource),
        "follows": selectors.user_follows(user=user, resource=resource),
        "downloaded": selectors.user_has_downloaded(user=user, resource=resource),
        "access_tags": ACCESS_TAGS,
        "facet_rows": [(FACET_LABELS[kind], resource.tag_labels(kind)) for kind in FACETS],
        "preview": preview,
        "actions": open_actions(resource, user) if preview else {},
        "is_editor": permissions.is_toolkit_editor(user),
    }


def _catalogue_back_query(request: HttpRequest) -> str:
    """The search and filters of the catalogue page the person came from (this site's, by the Referer header the
    same-origin referrer policy sends), so "Back to the toolkit" returns to their results; "" otherwise."""
    referer = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=False):
        return ""
    parts = urlsplit(referer)
    if parts.path != reverse("toolkit:catalogue"):
        return ""
    return QueryDict(parts.query).urlencode()


@require_GET
def resource(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _visible_resource(request, slug)
    context = _resource_context(request, resource)
    context["back_query"] = _catalogue_back_query(request)
    # Back from the terms on the way to one file: the page starts that download (once) and says so.
    started = request.session.pop(SESSION_DOWNLOAD_STARTED, None)
    context["download_started"] = next((f for f in context["files"] if f.current_version_id == started), None)
    return render(request, "education_toolkit/resource.html", context)


def _refuse_download(request, resource):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("toolkit:resource", kwargs={"slug": resource.slug}))
    context = _resource_context(request, resource)
    return render(request, "education_toolkit/resource.html", context, status=403)


@require_POST
def download_selected(request: HttpRequest, slug: str) -> HttpResponse:
    """Ticked files (or all of them) as one zip, streamed; terms accepted here if not yet."""
    resource = _visible_resource(request, slug)
    if not permissions.can_download_resource(request.user, resource):
        return _refuse_download(request, resource)
    files = [f for f in resource.files.all() if f.current_version_id]
    everything = "all" in request.POST
    form = DownloadForm(
        request.POST,
        versions=[f.current_version for f in files],
        needs_terms=not _terms_ok(request),
        everything=everything,
    )
    if form.is_valid():
        if form.cleaned_data["accept_terms"]:
            _accept_terms(request)
        try:
            chosen = services.downloads_record(
                user=request.user,
                resource=resource,
                version_ids=None if everything else form.cleaned_data["files"],
                as_zip=True,
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return _zip_response(chosen, zip_download_name([resource.slug]))
    context = _resource_context(request, resource, form=form)
    return render(request, "education_toolkit/resource.html", context, status=400)


def _zip_response(chosen, filename: str) -> StreamingHttpResponse:
    names = unique_names(c.name for c in chosen)
    response = StreamingHttpResponse(
        zip_stream([(name, c.stored_name) for name, c in zip(names, chosen, strict=True)]),
        content_type="application/zip",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _ticked_ids(values) -> list[int]:
    return [int(v) for v in values if v.isdigit()][: services.MAX_FILES_IN_ONE_ZIP + 1]


@require_POST
def download_several(request: HttpRequest) -> HttpResponse:
    """The files ticked in the catalogue or search results, across resources, as one zip (a resource ticked whole
    gives all its files). Each file keeps its resource's rules, as a single download does."""
    slugs = list(dict.fromkeys(request.POST.getlist("resources")))[:50]
    files = selectors.current_files_ticked(
        user=request.user, version_ids=_ticked_ids(request.POST.getlist("files")), resource_slugs=slugs
    )
    data = request.POST.copy()
    data.setlist("files", [str(f.current_version_id) for f in files] if slugs else request.POST.getlist("files"))
    form = SeveralDownloadForm(data, files=files, needs_terms=not _terms_ok(request))
    if form.is_valid():
        if form.cleaned_data["accept_terms"]:
            _accept_terms(request)
        try:
            chosen = services.downloads_record_files(user=request.user, version_ids=form.cleaned_data["files"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            slugs_in_zip = list(dict.fromkeys(c.resource_slug for c in chosen))
            return _zip_response(chosen, zip_download_name(slugs_in_zip))
    groups: dict[int, dict] = {}
    for f in files:
        groups.setdefault(f.resource_id, {"resource": f.resource, "files": []})["files"].append(f)
    return render(
        request,
        "education_toolkit/download_several.html",
        {"form": form, "groups": list(groups.values()), "needs_terms": not _terms_ok(request)},
        status=400,
    )


@require_GET
def download_file(request: HttpRequest, version_id: int) -> HttpResponse:
    """One file, served by the storage backend as a stream (never read whole into memory)."""
    version = selectors.file_version_for_download(user=request.user, version_id=version_id)
    if version is None:
        raise Http404("No file you can download has this address")
    resource = version.file.resource
    if not permissions.can_download_resource(request.user, resource):
        return _refuse_download(request, selectors.resource_get(user=request.user, slug=resource.slug))
    if not _terms_ok(request):
        # After accepting, the person is back on the resource and the file downloads from there.
        back = reverse("toolkit:resource", kwargs={"slug": resource.slug})
        return redirect(f"{reverse('toolkit:terms')}?{urlencode({'next': back, 'download': version.pk})}")
    (chosen,) = services.downloads_record(user=request.user, resource=resource, version_ids=[version.pk])
    return FileResponse(
        default_storage.open(version.stored.name, "rb"),
        as_attachment=True,
        filename=chosen.name,
        content_type=version.content_type,
    )


@require_http_methods(["GET", "POST"])
def terms(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("toolkit:catalogue")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("toolkit:catalogue")
    download = request.POST.get("download") or request.GET.get("download") or ""
    download = download if download.isdigit() else ""
    form = TermsForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        _accept_terms(request)
        if download:
            request.session[SESSION_DOWNLOAD_STARTED] = int(download)
        return redirect(next_url)
    return render(
        request,
        "education_toolkit/terms.html",
        {"form": form, "next": next_url, "download": download, "accepted": _terms_ok(request)},
    )


@require_POST
@login_required
def updates(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _visible_resource(request, slug)
    wanted = request.POST.get("wanted") == "yes"
    services.update_emails_set(user=request.user, resource=resource, wanted=wanted)
    messages.success(
        request,
        "We will email you when a new version is published." if wanted else "You will not get update emails for it.",
    )
    return redirect("toolkit:resource", slug=resource.slug)


@require_http_methods(["GET", "POST"])
@login_required
def delivery_report(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Did you deliver it?": reach figures for the programme."""
    resource = _visible_resource(request, slug)
    _require(permissions.can_report_delivery(request.user, resource))
    form = DeliveryReportForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.delivery_report_submit(actor=request.user, resource=resource, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, "Thank you for telling us you delivered it.")
            return redirect("toolkit:resource", slug=resource.slug)
    return render(request, "education_toolkit/delivery_report.html", {"form": form, "resource": resource})


# --- editors --------------------------------------------------------------------------------------------------


def _editable(request, pk: int) -> Resource:
    _require(permissions.can_edit_toolkit(request.user))
    resource = selectors.resource_for_editor(user=request.user, pk=pk)
    if resource is None:
        raise Http404("No toolkit resource has this id")
    return resource


@require_GET
@login_required
def editor_list(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_edit_toolkit(request.user))
    rows = fragments.cached(
        request,
        "toolkit-editor-list",
        depends_on=EDITOR_LIST_DEPENDS_ON,
        render=lambda: render_to_string(
            "education_toolkit/includes/editor_rows.html",
            {"resources": selectors.resources_for_editor_list()},
            request=request,
        ),
    )
    return render(request, "education_toolkit/editor_list.html", {"rows": rows})


def _resource_form_page(request, *, resource=None):
    if resource is None:
        initial = {"access_level": "public"}
    else:
        initial = {name: getattr(resource, name) for name in services.EDITABLE_FIELDS}
        initial.update({kind: resource.tag_values(kind) for kind in FACETS})
    form = ResourceForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        values, facets = form.values()
        try:
            if resource is None:
                resource = services.resource_create(actor=request.user, facets=facets, **values)
                messages.success(request, "Draft created. Add its files, preview it, then publish it.")
            else:
                services.resource_update(actor=request.user, resource_id=resource.pk, facets=facets, **values)
                messages.success(request, "Changes saved.")
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return redirect("toolkit:editor_edit", pk=resource.pk)
    return render(
        request,
        "education_toolkit/editor_form.html",
        {
            "form": form,
            "resource": resource,
            "actions": open_actions(resource, request.user) if resource is not None else {},
            "facet_fields": [form[kind] for kind in FACETS],
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def editor_create(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_edit_toolkit(request.user))
    return _resource_form_page(request)


@require_http_methods(["GET", "POST"])
@login_required
def editor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _resource_form_page(request, resource=_editable(request, pk))


@require_GET
@login_required
def editor_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The resource page as downloaders will see it, for drafts too."""
    resource = _editable(request, pk)
    resource = selectors.resource_get(user=request.user, slug=resource.slug)
    return render(request, "education_toolkit/resource.html", _resource_context(request, resource, preview=True))


@require_http_methods(["GET", "POST"])
@login_required
def editor_file_add(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _editable(request, pk)
    form = FileAddForm(_posted(request), _posted(request, files=True))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            added = services.file_add(
                actor=request.user,
                resource_id=resource.pk,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
            status = _error_status(error)
        else:
            # Name what was stored: folders in an upload's name never reach us (Django keeps only the last part).
            messages.success(request, f"File added. Saved as {added.current_version.filename}.")
            return redirect("toolkit:editor_edit", pk=resource.pk)
    return render(
        request, "education_toolkit/editor_file_add.html", {"form": form, "resource": resource}, status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
def editor_version_upload(request: HttpRequest, file_id: int) -> HttpResponse:
    _require(permissions.can_edit_toolkit(request.user))
    file = ResourceFile.objects.select_related("resource", "current_version").filter(pk=file_id).first()
    if file is None:
        raise Http404("No toolkit file has this id")
    form = VersionUploadForm(_posted(request), _posted(request, files=True))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            version = services.file_version_upload(
                actor=request.user,
                file_id=file.pk,
                upload=form.cleaned_data["file"],
                change_note=form.cleaned_data["change_note"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
            status = _error_status(error)
        else:
            messages.success(
                request,
                f"Version {version.number} of {file.title} is published, saved as {version.filename}. Earlier "
                "downloaders who asked for updates are being emailed.",
            )
            return redirect("toolkit:editor_edit", pk=file.resource_id)
    return render(request, "education_toolkit/editor_version.html", {"form": form, "file": file}, status=status)


def _error_status(error: DomainError) -> int:
    """The form again: 503 when storage refused the file (try again later), 200 for a refusal to fix in the form."""
    return 503 if isinstance(error, StorageUnavailable) else 200


def _status_page(request, pk, *, perform, template, success):
    resource = _editable(request, pk)
    form = StatusForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            perform(actor=request.user, resource_id=resource.pk, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, success)
            return redirect("toolkit:editor_edit", pk=resource.pk)
    return render(request, template, {"form": form, "resource": resource})


@require_http_methods(["GET", "POST"])
@login_required
def editor_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_page(
        request,
        pk,
        perform=services.resource_publish,
        template="education_toolkit/editor_publish.html",
        success="Published. It is in the toolkit now.",
    )


@require_http_methods(["GET", "POST"])
@login_required
def editor_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_page(
        request,
        pk,
        perform=services.resource_archive,
        template="education_toolkit/editor_archive.html",
        success="Archived. It is no longer in the toolkit.",
    )


@require_GET
@login_required
def editor_history(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _editable(request, pk)
    return render(
        request,
        "education_toolkit/editor_history.html",
        {"resource": resource, "events": selectors.resource_history(resource=resource)},
    )


@require_GET
@login_required
def analytics(request: HttpRequest) -> HttpResponse:
    """Downloads by resource, organisation type, borough and month; reach from delivery reports. No personal data."""
    _require(permissions.can_view_toolkit_analytics(request.user))
    figures = selectors.toolkit_analytics()
    chart = bar_chart(
        title="Toolkit downloads by month",
        series=[(row["label"], row["downloads"]) for row in figures["by_month"]],
        label_heading="Month",
        value_heading="Downloads",
        orientation="vertical" if len(figures["by_month"]) <= 12 else "horizontal",
    )
    return render(request, "education_toolkit/analytics.html", {"figures": figures, "chart": chart})


# --- search synonyms (toolkit editors) ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def editor_synonyms(request: HttpRequest) -> HttpResponse:
    """The words search treats as meaning the same; add a row here."""
    _require(permissions.can_edit_toolkit(request.user))
    form = SynonymForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            synonym = services.synonym_save(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"Search now treats “{synonym.term}” as meaning the same as its other words.")
            return redirect("toolkit:editor_synonyms")
    return render(
        request,
        "education_toolkit/editor_synonyms.html",
        {"form": form, "synonyms": selectors.search_synonyms()},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def editor_synonym_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_edit_toolkit(request.user))
    synonym = selectors.search_synonym_get(pk=pk)
    if synonym is None:
        raise Http404("No synonym has this address")
    if request.method == "POST" and "delete" in request.POST:
        services.synonym_delete(actor=request.user, synonym_id=synonym.pk)
        messages.success(request, f"“{synonym.term}” removed from the search synonyms.")
        return redirect("toolkit:editor_synonyms")
    form = SynonymForm(_posted(request), initial={"term": synonym.term, "alternatives": synonym.alternatives})
    if request.method == "POST" and form.is_valid():
        try:
            services.synonym_save(actor=request.user, synonym_id=synonym.pk, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, "Changes saved.")
            return redirect("toolkit:editor_synonyms")
    return render(
        request,
        "education_toolkit/editor_synonym_edit.html",
        {"form": form, "synonym": synonym},
        status=400 if form.errors else 200,
    )
