"""Pages of the replacements app (French UI). Each view declares its role policy
(core.access) and first calls the `_get_<object>_for_user()` of its object: an object the
user may not see is a 404, one she may see but not change is a 403."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.access import get_for_user, roles
from core.audit import record
from core.figures import until_next_write
from core.models import Role
from core.versioning import parse_version
from documents.services import request_batch, request_document

from . import documents as docs
from . import rules, selectors, services, statements
from .forms import (
    AutorisationForm,
    CloseForm,
    ContractForm,
    ExperienceForm,
    PaymentForm,
    ProfileForm,
    SignForm,
    TitulaireStatusForm,
    TransmissionForm,
    UnavailabilityForm,
)
from .models import (
    Autorisation,
    Contract,
    ExperiencePeriod,
    MonthlyStatement,
    PatientNotice,
    RemplacantProfile,
    Unavailability,
)

T, R, S = Role.TITULAIRE, Role.REMPLACANT, Role.SECRETAIRE


# --- object access ------------------------------------------------------------------------


def _get_contract_for_user(user, pk: int, *, edit: bool = False) -> Contract:
    return get_for_user(selectors.contracts_visible_to(user), pk,
                        allowed=lambda contract: not edit
                        or selectors.can_edit_contract(user, contract))


def _get_profile_for_user(user, user_id: int) -> RemplacantProfile:
    profile = selectors.profiles_visible_to(user).filter(user_id=user_id).first()
    if profile is None:
        if getattr(user, "role", None) == R and user.pk == user_id:
            return RemplacantProfile(user=user)
        raise Http404
    return profile


def _get_own_profile(user) -> RemplacantProfile:
    return _get_profile_for_user(user, user.pk)


def _get_unavailability_for_user(user, pk: int) -> Unavailability:
    return get_object_or_404(selectors.unavailabilities_visible_to(user), pk=pk)


def _version(request) -> int | None:
    return parse_version(request.POST.get("row_version"))


def _findings_messages(request, exc: services.ReplacementError) -> None:
    messages.error(request, str(exc))
    for f in exc.findings:
        messages.error(request, f"{f.rule} : {f.message}")


def _saved(request, service, *, success: str, **kwargs) -> bool:
    """Runs a write service for the acting user: its refusal becomes the page's error
    message, its success the given message. True when it succeeded."""
    try:
        service(acting_user=request.user, **kwargs)
    except services.ReplacementError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


def _form_errors_messages(request, form) -> None:
    # The action forms sit on the contract page: their errors come back as messages.
    for field, errors in form.errors.items():
        messages.error(request, f"{form.fields[field].label if field in form.fields else field} : {errors[0]}")


def _handover_messages(request, result, success: str) -> None:
    messages.success(request, success.format(moved=len(result.moved)))
    for visit, reason in result.refused:
        messages.warning(request, f"Passage du {visit.date:%d/%m/%Y} non confié : {reason}")


# --- home ---------------------------------------------------------------------------------


@roles(T, R, S)
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    contracts = list(selectors.contracts_visible_to(user).order_by("-start_at", "pk")[:50])
    today = timezone.localdate()
    context = {"contracts": contracts, "can_create": user.role in (T, S), "today": today}
    if user.role == R:
        profile = _get_own_profile(user)
        context["warnings"] = rules.profile_warnings(selectors.profile_facts(profile), today)
    return render(request, "replacements/home.html", context)


# --- remplaçant profile ---------------------------------------------------------------


@roles(R)
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = _get_own_profile(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_profile(acting_user=request.user, profile=form.save(commit=False),
                                  expected_version=_version(request) if profile.pk else None,
                                  rpps=form.cleaned_data["rpps"])
        except services.ReplacementError as exc:
            messages.error(request, str(exc))
        else:
            for w in form.rule_warnings:
                messages.warning(request, w)
            messages.success(request, "Profil enregistré.")
            return redirect("replacements:profile")
    return render(request, "replacements/profile.html", _profile_context(request, profile, form))


def _profile_context(request, profile, form=None) -> dict:
    today = timezone.localdate()
    facts = selectors.profile_facts(profile)
    return {
        "profile": profile, "form": form, "own": profile.user_id == request.user.pk,
        "warnings": rules.profile_warnings(facts, today),
        "autorisations": list(profile.autorisations.all()) if profile.pk else [],
        "experience": list(profile.experience.all()) if profile.pk else [],
        "hours": rules.counted_hours(facts.experience, today),
        "required_hours": rules.DEFAULT_CONFIG.required_experience_hours,
        "idnat": rules.idnat_ps(profile.user.rpps) if profile.user.rpps else "",
        "autorisation_form": AutorisationForm(prefix="aut"),
        "experience_form": ExperienceForm(prefix="exp"),
    }


@roles(T)
def profile_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    profile = _get_profile_for_user(request.user, user_id)
    record(actor=request.user, action="view", obj=profile, view="replacements:profile_detail")
    return render(request, "replacements/profile.html", _profile_context(request, profile))


@roles(R)
@require_POST
def credential_add(request: HttpRequest, kind: str) -> HttpResponse:
    profile = _get_own_profile(request.user)
    if profile.pk is None:
        messages.error(request, "Enregistrez d'abord votre profil.")
        return redirect("replacements:profile")
    form_class = {"autorisation": (AutorisationForm, "aut"), "experience": (ExperienceForm, "exp")}.get(kind)
    if form_class is None:
        raise Http404
    form = form_class[0](request.POST, prefix=form_class[1])
    if form.is_valid():
        obj = form.save(commit=False)
        obj.profile = profile
        services.add_credential(acting_user=request.user, obj=obj)
        messages.success(request, "Enregistré.")
        return redirect("replacements:profile")
    context = _profile_context(request, profile, ProfileForm(instance=profile))
    context[f"{kind}_form"] = form
    return render(request, "replacements/profile.html", context, status=400)


@roles(R)
@require_POST
def credential_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    profile = _get_own_profile(request.user)
    model = {"autorisation": Autorisation, "experience": ExperiencePeriod}.get(kind)
    if model is None or profile.pk is None:
        raise Http404
    obj = get_object_or_404(model.objects.filter(profile=profile), pk=pk)
    services.delete_credential(acting_user=request.user, obj=obj)
    messages.success(request, "Supprimé.")
    return redirect("replacements:profile")


# --- titulaire status ---------------------------------------------------------------------


@roles(T)
def titulaire_status(request: HttpRequest) -> HttpResponse:
    status = selectors.titulaire_status(request.user)
    form = TitulaireStatusForm(request.POST or None, instance=status, prefix="st")
    unav_form = UnavailabilityForm(prefix="un")
    if request.method == "POST" and "un-kind" in request.POST:
        form = TitulaireStatusForm(instance=status, prefix="st")
        unav_form = UnavailabilityForm(request.POST, prefix="un")
        if unav_form.is_valid():
            unav = unav_form.save(commit=False)
            unav.titulaire = request.user
            services.save_unavailability(acting_user=request.user, unavailability=unav)
            messages.success(request, "Indisponibilité enregistrée.")
            return redirect("replacements:titulaire_status")
    elif request.method == "POST" and form.is_valid() and _saved(
            request, services.save_titulaire_status, success="Situation enregistrée.",
            status=form.save(commit=False),
            expected_version=_version(request) if status.pk else None):
        return redirect("replacements:titulaire_status")
    return render(request, "replacements/titulaire_status.html", {
        "status": status, "form": form, "unav_form": unav_form,
        "unavailabilities": list(Unavailability.objects.filter(titulaire=request.user)[:100]),
    })


# --- contracts ----------------------------------------------------------------------------


@roles(T, S)
def contract_create(request: HttpRequest) -> HttpResponse:
    form = ContractForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        contract = services.save_contract(acting_user=request.user, contract=form.save(commit=False))
        messages.success(request, "Brouillon enregistré : vérifiez les règles ci-dessous.")
        return redirect("replacements:contract_detail", pk=contract.pk)
    return render(request, "replacements/contract_form.html", {"form": form, "contract": None})


@roles(T, S)
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get_contract_for_user(request.user, pk, edit=True)
    if not contract.is_draft:
        messages.error(request, "Un contrat signé n'est jamais modifié : rédigez un avenant (R-REPL-38).")
        return redirect("replacements:contract_detail", pk=pk)
    form = ContractForm(request.POST or None, instance=contract, user=request.user)
    if request.method == "POST" and form.is_valid() and _saved(
            request, services.save_contract, success="Brouillon enregistré.",
            contract=form.save(commit=False), expected_version=_version(request)):
        return redirect("replacements:contract_detail", pk=pk)
    return render(request, "replacements/contract_form.html", {"form": form, "contract": contract})


@roles(T, R, S)
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get_contract_for_user(request.user, pk)
    today = timezone.localdate()
    result, visits = selectors.check(contract)
    can_edit = selectors.can_edit_contract(request.user, contract)
    record(actor=request.user, action="view", obj=contract, view="replacements:contract_detail")
    now = timezone.localtime().replace(second=0, microsecond=0)
    return render(request, "replacements/contract_detail.html", {
        "contract": contract, "result": result, "own_visits": visits[:200],
        "own_visits_count": len(visits),
        "reminders": rules.transmission_reminders(selectors.transmission_facts(contract), today)
        if contract.status in ("brouillon", "signe") else [],
        "can_edit": can_edit,
        "sign_form": SignForm(initial={"signed_by_titulaire_at": now, "signed_by_remplacant_at": now}),
        "transmission_form": TransmissionForm(instance=contract),
        "close_form": CloseForm(initial={"on": today}),
        "payment_form": PaymentForm(initial={"paid_on": today, "month": today.replace(day=1)}),
        "avenants": list(contract.avenants.all()),
        "docs": docs, "margin": selectors.access_margin_days(),
    })


@roles(T, S)
@require_POST
def contract_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get_contract_for_user(request.user, pk, edit=True)
    if not _saved(request, services.delete_draft, success="Brouillon supprimé.", contract=contract):
        return redirect("replacements:contract_detail", pk=pk)
    return redirect("replacements:home")


@roles(T, S)
@require_POST
def contract_sign(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get_contract_for_user(request.user, pk, edit=True)
    form = SignForm(request.POST)
    if not form.is_valid():
        _form_errors_messages(request, form)
        return redirect("replacements:contract_detail", pk=pk)
    try:
        result = services.sign_contract(acting_user=request.user, contract=contract,
                                        expected_version=_version(request), **form.cleaned_data)
    except services.ReplacementError as exc:
        _findings_messages(request, exc)
        return redirect("replacements:contract_detail", pk=pk)
    _handover_messages(request, result, "Contrat signé. {moved} passage(s) du titulaire confié(s) "
                                        "au remplaçant.")
    return redirect("replacements:contract_detail", pk=pk)


@roles(T, S)
@require_POST
def contract_handover(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get_contract_for_user(request.user, pk, edit=True)
    result = services.hand_over_visits(acting_user=request.user, contract=contract)
    _handover_messages(request, result, "{moved} passage(s) confié(s) au remplaçant.")
    return redirect("replacements:contract_detail", pk=pk)


@roles(T, S)
@require_POST
def contract_transmission(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get_contract_for_user(request.user, pk, edit=True)
    form = TransmissionForm(request.POST, instance=Contract.objects.get(pk=contract.pk))
    return _contract_form_sent(request, contract, form, services.record_transmission,
                               success="Transmission enregistrée.")


@roles(T, S)
@require_POST
def contract_close(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get_contract_for_user(request.user, pk, edit=True)
    return _contract_form_sent(request, contract, CloseForm(request.POST),
                               services.close_contract, success="Contrat clos.",
                               invalid="Date de fin invalide.")


def _contract_form_sent(request, contract, form, service, *, success: str,
                        invalid: str | None = None) -> HttpResponse:
    """A form of the contract page sent to its service with the version the page
    showed; errors and outcome come back as messages on the contract page
    (`invalid`: one message for any error of the form, else one per field)."""
    if not form.is_valid():
        if invalid is None:
            _form_errors_messages(request, form)
        else:
            messages.error(request, invalid)
    else:
        _saved(request, service, success=success, contract=contract,
               expected_version=_version(request),
               **{k: form.cleaned_data[k] for k in form.fields})
    return redirect("replacements:contract_detail", pk=contract.pk)


@roles(T, S)
@require_POST
def contract_avenant(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get_contract_for_user(request.user, pk, edit=True)
    try:
        avenant = services.create_avenant(acting_user=request.user, contract=contract)
    except services.ReplacementError as exc:
        messages.error(request, str(exc))
        return redirect("replacements:contract_detail", pk=pk)
    messages.success(request, "Avenant créé en brouillon : modifiez-le puis faites-le signer.")
    return redirect("replacements:contract_edit", pk=avenant.pk)


@roles(T, S)
@require_POST
def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get_contract_for_user(request.user, pk, edit=True)
    if contract.is_draft:
        raise PermissionDenied
    form = PaymentForm(request.POST)
    if form.is_valid():
        payment = form.save(commit=False)
        payment.contract = contract
        services.record_payment(acting_user=request.user, payment=payment)
        messages.success(request, "Paiement enregistré.")
        return redirect(f"{_statement_url(contract)}?mois={payment.month:%Y-%m}")
    _form_errors_messages(request, form)
    return redirect("replacements:contract_statement", pk=pk)


@roles(T, S)
@require_POST
def patient_letters(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch of information letters, one per patient of the titulaire's visits in the period."""
    contract = _get_contract_for_user(request.user, pk, edit=True)
    start, end = statements.contract_span(contract)
    from django.db.models import Q

    from cabinet.models import Visit

    patient_ids = sorted(set(Visit.objects.filter(date__gte=start, date__lte=end).filter(
        Q(nurse_id=contract.titulaire_id)
        | Q(nurse_id=contract.remplacant_id, on_behalf_of_id=contract.titulaire_id)
    ).values_list("patient_id", flat=True)))
    if not patient_ids:
        messages.error(request, "Aucun patient à informer sur la période.")
        return redirect("replacements:contract_detail", pk=pk)
    existing = {n.patient_id: n for n in PatientNotice.objects.filter(contract=contract)}
    PatientNotice.objects.bulk_create([PatientNotice(contract=contract, patient_id=p)
                                       for p in patient_ids if p not in existing], ignore_conflicts=True)
    notices = list(PatientNotice.objects.filter(contract=contract, patient_id__in=patient_ids))
    batch = request_batch(acting_user=request.user, kind=docs.PATIENT_LETTER, objects=notices,
                          title=f"Information des patients — contrat {contract.number}")
    return redirect("documents:batch_detail", pk=batch.pk)


# --- rétrocession ---------------------------------------------------------------------


def _statement_url(contract: Contract) -> str:
    from django.urls import reverse

    return reverse("replacements:contract_statement", args=[contract.pk])


def _month_figures(remplacant_id: int, month: dt.date, today: dt.date, contracts) -> dict:
    start, end = statements.month_bounds(month.year, month.month)
    # Read once for the month and the year's list of months (all her contracts).
    signed = statements.signed_contracts(remplacant_id)
    return {
        "statements": statements.statements_for(
            remplacant_id, start, end, contracts=signed if contracts is None else contracts),
        "ytd": statements.year_to_date(remplacant_id, month.year, today),
        "months": statements.months_of(remplacant_id, month.year, contracts=signed),
    }


def _month_context(request, month: dt.date, remplacant_id: int, contracts=None) -> dict:
    today = timezone.localdate()
    start, end = statements.month_bounds(month.year, month.month)
    previous = (start - dt.timedelta(days=1)).replace(day=1)
    following = (end + dt.timedelta(days=1))
    # Kept until the next write (core.figures): the month is read far more
    # often than acts or payments are recorded.
    figures = until_next_write(
        "retrocession", request.user.pk, remplacant_id, month.isoformat(), today.isoformat(),
        ",".join(str(c.pk) for c in contracts) if contracts is not None else "all",
        compute=lambda: _month_figures(remplacant_id, month, today, contracts))
    return {
        "month": month, "month_label": docs.month_label(month), **figures,
        "is_current": month == today.replace(day=1),
        "previous": previous, "next": following if following <= today.replace(day=1) else None,
    }


@roles(R)
def my_retrocession(request: HttpRequest) -> HttpResponse:
    """The remplaçante's page: the current month live, past months, the year to date."""
    today = timezone.localdate()
    month = statements.parse_month(request.GET.get("mois"), today)
    context = _month_context(request, month, request.user.pk)
    context["own"] = True
    # The statement lists patients by name: the read is logged (S-TRACE-1).
    record(actor=request.user, action="view", view="replacements:my_retrocession", dates=f"{month:%Y-%m}")
    return render(request, "replacements/retrocession.html", context)


@roles(T, R, S)
def contract_statement(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get_contract_for_user(request.user, pk)
    today = timezone.localdate()
    start, _end = statements.contract_span(contract)
    default = min(today, statements.contract_span(contract)[1]) if start <= today else start
    month = statements.parse_month(request.GET.get("mois"), default)
    context = _month_context(request, month, contract.remplacant_id, contracts=[contract])
    record(actor=request.user, action="view", obj=contract, view="replacements:contract_statement",
           dates=f"{month:%Y-%m}")
    context.update(contract=contract, can_pay=selectors.can_record_payment(request.user, contract),
                   payment_form=PaymentForm(initial={"paid_on": today, "month": month}))
    if context["statements"]:
        st = context["statements"][0]
        context["seances_total"] = statements.seances_total(contract, st.start, st.end)
    return render(request, "replacements/retrocession.html", context)


@roles(T, R, S)
@require_POST
def statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get_contract_for_user(request.user, pk)
    if contract.is_draft:
        raise Http404
    month = statements.parse_month(request.POST.get("mois"), timezone.localdate())
    statement, _ = MonthlyStatement.objects.get_or_create(contract=contract, month=month)
    document = request_document(acting_user=request.user, kind=docs.STATEMENT, obj=statement)
    return redirect("documents:detail", pk=document.pk)


@roles(T, R, S)
@require_POST
def contract_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    contract = _get_contract_for_user(request.user, pk)
    code = {"contrat": docs.CONTRACT, "transmission": docs.TRANSMISSION}.get(kind)
    if code is None:
        raise Http404
    document = request_document(acting_user=request.user, kind=code, obj=contract)
    return redirect("documents:detail", pk=document.pk)

