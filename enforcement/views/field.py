"""The officer's phone pages: today's duty, my cases, the squad's leads, a new lead from the
patrol, the simplified procedure on the spot and an inquiry or inspection record with photos and
audio. The forms go through the offline outbox (portal/outbox.py): kept on the phone without
signal, sent with their client UUID when it returns; a resend never makes a second record."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.models import Case, InvestigationRecord, Lead
from enforcement.selectors import cases as case_sel
from enforcement.selectors import leads as lead_sel
from enforcement.selectors import scope as scope_sel
from enforcement.selectors import team as team_sel
from enforcement.services import leads as lead_svc
from enforcement.services import records, simplified
from enforcement.views import forms as f
from enforcement.views.common import found, run, squad_required
from enforcement.views.leads import enforcement_matters, penalty_matters


def _squad(user):
    officer = scope_sel.officer_for(user)
    return officer.squad if officer is not None else None


@squad_required
def home(request):
    today = timezone.localdate()
    squad = _squad(request.user)
    return render(
        request,
        "enforcement/field/home.html",
        {
            "officer": scope_sel.officer_for(request.user),
            "duty": team_sel.duty_roster(day=today, squad=squad) if squad else [],
            "cases": case_sel.officer_cases(request.user, limit=20),
            "leads": lead_sel.open_queue(request.user, squad=squad)[:10] if squad else [],
            "today": today,
        },
    )


@squad_required
def lead_new(request):
    squad = _squad(request.user)
    matters = enforcement_matters()
    if request.method == "POST":
        form = f.LeadForm(request.POST, request.FILES, matters=matters)
        if form.is_valid():
            d = form.cleaned_data
            existing = Lead.objects.filter(client_uuid=d["client_uuid"]).first()
            if existing is not None:
                return redirect("enforcement:lead", number=existing.number)
            lead, status = run(
                request,
                form,
                lambda: lead_svc.lead_receive(
                    actor=request.user,
                    source=d["source"],
                    description=d["description"],
                    address=d["address"],
                    lat=d.get("lat"),
                    lng=d.get("lng"),
                    matter_code=d["matter_code"] or None,
                    reporter=request.user,
                    reporter_name=d["reporter_name"],
                    reporter_contact=d["reporter_contact"],
                    photos=request.FILES.getlist("photos"),
                    squad=squad,
                    client_uuid=d["client_uuid"],
                ),
            )
            if status == 200:
                messages.success(request, _("线索 %(n)s 已登记。") % {"n": lead.number})
                return redirect("enforcement:lead", number=lead.number)
        status = 400
    else:
        form = f.LeadForm(matters=matters, initial={"client_uuid": uuid.uuid4()})
        status = 200
    return render(request, "enforcement/field/lead_new.html", {"form": form}, status=status)


@squad_required
def spot(request):
    """The simplified procedure on the spot."""
    squad = _squad(request.user)
    matters = penalty_matters()
    if request.method == "POST":
        form = f.SimplifiedForm(request.POST, squad=squad, matters=matters)
        if form.is_valid():
            d = form.cleaned_data
            existing = Case.objects.filter(client_uuid=d["client_uuid"]).first()
            if existing is not None:
                return redirect("enforcement:spot-done", number=existing.number)
            case, status = run(
                request,
                form,
                lambda: simplified.case_simplified(
                    actor=request.user,
                    client_uuid=d["client_uuid"],
                    matter_code=d["matter_code"],
                    party=form.party(),
                    facts=d["facts"],
                    address=d["address"],
                    penalties=d["penalties"],
                    fine=d.get("fine"),
                    circumstance=d.get("circumstance") or "",
                    officers=list(d["officers"]),
                    lat=d.get("lat"),
                    lng=d.get("lng"),
                    paid_on_spot=d["paid_on_spot"],
                    receipt_number=d["receipt_number"],
                ),
            )
            if status == 200:
                return redirect("enforcement:spot-done", number=case.number)
        status = 400
    else:
        me = scope_sel.officer_for(request.user)
        form = f.SimplifiedForm(
            squad=squad,
            matters=matters,
            initial={"client_uuid": uuid.uuid4(), "penalties": ["fine"]},
        )
        if me is not None:
            form.fields["officers"].queryset = form.fields["officers"].queryset.exclude(pk=me.pk)
        status = 200
    return render(request, "enforcement/field/spot.html", {"form": form}, status=status)


@squad_required
def spot_done(request, number):
    case = found(case_sel.case_get, request.user, number)
    document = case.documents.filter(kind="on_the_spot_decision").first()
    return render(request, "enforcement/field/spot_done.html", {"case": case, "document": document})


@squad_required
def record(request, number):
    case = found(case_sel.case_get, request.user, number)
    if request.method == "POST":
        form = f.RecordForm(request.POST, request.FILES, squad=case.squad)
        if form.is_valid():
            d = form.cleaned_data
            if InvestigationRecord.objects.filter(client_uuid=d["client_uuid"]).exists():
                return redirect("enforcement:case", number=case.number)
            _result, status = run(
                request,
                form,
                lambda: records.case_record_investigation(
                    case=case,
                    actor=request.user,
                    kind=d["kind"],
                    started_at=d["started_at"],
                    ended_at=d.get("ended_at"),
                    place=d["place"],
                    subject=d["subject"],
                    content=d["content"],
                    officers=list(d["officers"]),
                    files=request.FILES.getlist("files"),
                    client_uuid=d["client_uuid"],
                ),
            )
            if status == 200:
                messages.success(request, _("记录已保存。"))
                return redirect("enforcement:case", number=case.number)
        status = 400
    else:
        form = f.RecordForm(
            squad=case.squad,
            initial={
                "client_uuid": uuid.uuid4(),
                "started_at": timezone.localtime().replace(second=0, microsecond=0),
                "place": case.address,
                "subject": case.party_name,
            },
        )
        status = 200
    return render(
        request, "enforcement/field/record.html", {"form": form, "case": case}, status=status
    )
