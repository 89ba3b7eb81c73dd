"""The lead page: what came in, its clock, and the decision (propose filing, approve or send
back, not file, transfer and its receipt, the extension, the squad)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.models import Matter
from enforcement.models import LEAD_OPEN, LeadExtension, LeadPhoto, LeadState, Squad
from enforcement.selectors import leads as sel
from enforcement.selectors import scope as scope_sel
from enforcement.services import leads as svc
from enforcement.views import forms as f
from enforcement.views.common import found, run, staff_required
from portal import clock, photos, roles
from portal.models import Department


def penalty_matters(on=None):
    on = on or timezone.localdate()
    rows = (
        Matter.objects.filter(
            kind=Matter.Kind.PENALTY, status=Matter.Status.PUBLISHED, valid_from__lte=on
        )
        .exclude(valid_to__lt=on)
        .order_by("code")
        .values_list("code", "name")
    )
    return [(code, f"{name}（{code}）") for code, name in rows]


def enforcement_matters(on=None):
    on = on or timezone.localdate()
    rows = (
        Matter.objects.filter(
            kind__in=svc.ENFORCEMENT_MATTER_KINDS,
            status=Matter.Status.PUBLISHED,
            valid_from__lte=on,
        )
        .exclude(valid_to__lt=on)
        .order_by("code")
        .values_list("code", "name")
    )
    return [(code, name) for code, name in rows]


def _available(lead, user) -> list[str]:
    acts = []
    in_squad = lead.squad_id is not None and lead.squad_id in scope_sel.squad_ids(user)
    leader = user.has_role(roles.BUREAU_HEAD) or (
        lead.squad_id is not None and lead.squad_id in scope_sel.leads_squad_of(user)
    )
    head = user.has_role(roles.BUREAU_HEAD)
    if lead.state == LeadState.RECEIVED and in_squad:
        acts.append("propose")
    if lead.state == LeadState.FILING_PROPOSED and head:
        acts += ["approve", "reject"]
    if lead.state in LEAD_OPEN and leader:
        acts += ["not_file", "transfer"]
    if (
        lead.state in LEAD_OPEN
        and (in_squad or head)
        and not lead.extensions.exclude(status=LeadExtension.Status.REJECTED).exists()
    ):
        acts.append("extension")
    if head and lead.extensions.filter(status=LeadExtension.Status.PENDING).exists():
        acts.append("decide_extension")
    if lead.state in LEAD_OPEN and (head or leader):
        acts.append("assign")
    if lead.state == LeadState.TRANSFERRED and not lead.transfer_receipt_on and (in_squad or head):
        acts.append("receipt")
    return acts


LABELS = {
    "propose": _("立案呈批"),
    "approve": _("批准立案"),
    "reject": _("退回立案呈批"),
    "not_file": _("不予立案"),
    "transfer": _("移送"),
    "extension": _("申请延长立案期限（15个工作日）"),
    "decide_extension": _("审批延期"),
    "assign": _("分派中队"),
    "receipt": _("登记接收回执"),
}


def _bodies():
    return [
        (d.code, d.name) for d in Department.objects.filter(is_active=True).order_by("kind", "code")
    ]


def _squads():
    return [(s.code, s.name) for s in Squad.objects.filter(is_active=True).order_by("code")]


def _form(action, lead, data=None):
    squad = lead.squad
    proposal = lead.proposal or {}
    builders = {
        "propose": lambda: f.ProposeFilingForm(
            data,
            squad=squad,
            matters=penalty_matters(),
            prefix="propose",
            initial={
                "matter_code": lead.matter.code if lead.matter else "",
                "facts": lead.description,
            },
        ),
        "approve": lambda: f.NoteForm(data, prefix="approve"),
        "reject": lambda: f.RequiredNoteForm(data, prefix="reject"),
        "not_file": lambda: f.NotFileForm(data, prefix="notfile"),
        "transfer": lambda: f.TransferForm(data, bodies=_bodies(), prefix="transfer"),
        "extension": lambda: f.ReasonForm(data, prefix="extension"),
        "decide_extension": lambda: f.ExtensionDecisionForm(data, prefix="decide"),
        "assign": lambda: f.AssignForm(
            data, squads=_squads(), prefix="assign", initial={"squad": squad.code if squad else ""}
        ),
        "receipt": lambda: f.ReceiptForm(data, prefix="receipt"),
    }
    del proposal
    return builders[action]()


def _act(action, lead, user, form):
    d = form.cleaned_data
    acts = {
        "propose": lambda: svc.lead_propose_filing(
            lead=lead,
            actor=user,
            matter_code=d["matter_code"],
            officers=list(d["officers"]),
            facts=d["facts"],
            party=form.party(),
            note=d["note"],
        ),
        "approve": lambda: svc.lead_approve_filing(lead=lead, actor=user, note=d["note"]),
        "reject": lambda: svc.lead_reject_filing(lead=lead, actor=user, note=d["note"]),
        "not_file": lambda: svc.lead_not_file(
            lead=lead, actor=user, reason=d["reason"], told_how=d["told_how"]
        ),
        "transfer": lambda: svc.lead_transfer(
            lead=lead,
            actor=user,
            reason=d["reason"],
            body=Department.objects.filter(code=d["body"]).first() if d["body"] else None,
            body_name=d["body_name"],
        ),
        "extension": lambda: svc.lead_request_extension(lead=lead, actor=user, reason=d["reason"]),
        "decide_extension": lambda: svc.lead_decide_extension(
            extension=lead.extensions.get(status=LeadExtension.Status.PENDING),
            actor=user,
            approve=d["approve"],
            note=d["note"],
        ),
        "assign": lambda: svc.lead_assign(
            lead=lead, squad=get_object_or_404(Squad, code=d["squad"]), actor=user
        ),
        "receipt": lambda: svc.lead_record_transfer_receipt(
            lead=lead, actor=user, received_on=d["received_on"], note=d["note"]
        ),
    }
    return acts[action]()


def _page(request, lead, *, bound=None, status=200):
    lead = (
        sel.with_clock(type(lead).objects.filter(pk=lead.pk))
        .select_related("squad", "matter", "reporter")
        .get()
    )
    forms = []
    for action in _available(lead, request.user):
        form = bound[1] if bound and bound[0] == action else _form(action, lead)
        forms.append(
            {
                "action": action,
                "label": LABELS[action],
                "form": form,
                "open": bool(bound and bound[0] == action),
            }
        )
    proposal = lead.proposal or {}
    return render(
        request,
        "enforcement/lead.html",
        {
            "lead": lead,
            "clock": clock.status(
                now=timezone.now(), due_at=lead.due_at, warn_at=lead.warn_at, running=lead.is_open
            ),
            "photos": LeadPhoto.objects.filter(lead=lead).select_related("photo"),
            "forms": forms,
            "proposal": proposal,
            "case": getattr(lead, "case", None) if lead.state == LeadState.FILED else None,
            "history": lead.history.order_by("at", "id"),
            "extensions": lead.extensions.all(),
            "documents": lead.documents.order_by("issued_at"),
        },
        status=status,
    )


@staff_required
def lead_detail(request, number):
    return _page(request, found(sel.lead_get, request.user, number))


@staff_required
@require_POST
def lead_action(request, number, action):
    lead = found(sel.lead_get, request.user, number)
    if action not in LABELS:
        raise Http404
    if action not in _available(lead, request.user):
        messages.error(request, _("您现在不能办理此事项，或线索状态已变化，请刷新后再试。"))
        return _page(request, lead, status=409)
    form = _form(action, lead, request.POST)
    if not form.is_valid():
        return _page(request, lead, bound=(action, form), status=400)
    result, status = run(request, form, lambda: _act(action, lead, request.user, form))
    if status != 200:
        return _page(request, lead, bound=(action, form), status=status)
    messages.success(request, _("已办理：%(what)s。") % {"what": LABELS[action]})
    if action == "approve":
        return redirect("enforcement:case", number=result.number)
    return redirect("enforcement:lead", number=lead.number)


@staff_required
def lead_photo(request, number, photo_id):
    lead = found(sel.lead_get, request.user, number)
    link = get_object_or_404(LeadPhoto, lead=lead, photo__pk=photo_id)
    return photos.thumbnail_response(link.photo, actor=request.user, obj=lead)


@staff_required
def lead_document(request, number, document_id):
    from enforcement.models import Document
    from enforcement.services.documents import pdf_response

    lead = found(sel.lead_get, request.user, number)
    return pdf_response(get_object_or_404(Document, pk=document_id, lead=lead))
