"""The officer's case page after issue 19's cuts (the lists a case has none of not read, no SQL
clock, the officers' names without their certificates) is byte for byte the page it was: the
page as it was read is kept here (``old_case_page_get``, ``old_page``) and both are rendered
after every act of the workflows (cases in every state, with documents, payments, preservations,
correction orders, reviews, discussions, statements, hearings, suspensions, extensions and joint
actions), for an officer of the squad, its leader, the bureau head and the legal reviewer, in
both languages."""

import difflib
import functools
import inspect
import re

import pytest
from django.conf import settings
from django.shortcuts import render
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enforcement import documents as doc_kinds
from enforcement.models import Case, Publication
from enforcement.selectors import cases as sel
from enforcement.services import cases as svc
from enforcement.services import execution, leads, publication, records, simplified
from enforcement.views import cases as views
from portal.errors import NotFound
from tests.enforcement import test_case_workflow, test_execution
from tests.enforcement.world import open_case

# What differs from one response to the next: the masked CSRF token, the acts' fresh client_uuid,
# the record form's start time (this minute: two renders may fall either side of one).
RANDOM = re.compile(
    rb'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"|client_uuid" value="[^"]+"'
    rb'|started_at" value="[^"]+"'
)


def old_case_page_get(user, number, now=None):
    found = (
        sel.with_clock(sel.visible_cases(user), now)
        .select_related("squad", "matter", "lead", "payment_plan")
        .prefetch_related("payments", "preservations", "correction_orders")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该案件。"))
    return found


def old_deadlines(case, publication):
    from enforcement.models import Hearing

    rows = [
        ("filing_due", _("立案期限"), case.filing_due, True),
        ("decision_due", _("处罚决定期限"), case.decision_due, bool(case.decided_on)),
        (
            "statement_due",
            _("陈述申辩期限"),
            case.statement_due,
            bool(case.decided_on) or case.statements.exists(),
        ),
        (
            "hearing_request_due",
            _("听证申请期限"),
            case.hearing_request_due,
            bool(case.decided_on) or Hearing.objects.filter(case=case).exists(),
        ),
        ("service_due", _("送达期限"), case.service_due, bool(case.served_on)),
        ("payment_due", _("缴款期限"), case.payment_due, bool(case.paid_on)),
        (
            "publication_due",
            _("公示期限"),
            case.publication_due,
            bool(publication and publication.status != "pending"),
        ),
    ]
    return [
        {
            "key": k,
            "label": label,
            "date": d,
            "met": met,
            "current": bool(case.due_kind) and k == f"{case.due_kind}_due",
        }
        for k, label, d, met in rows
        if d
    ]


def old_page(request, case, *, bound=None, status=200, loaded=False):
    now = timezone.now()
    publication = Publication.objects.filter(case=case).first()
    acts = views.available(case, request.user)
    forms = []
    for action in acts:
        form = bound[1] if bound and bound[0] == action else views._form(action, case)
        forms.append(
            {
                "action": action,
                "label": views.ACTION_LABELS[action],
                "form": form,
                "open": bool(bound and bound[0] == action),
                "button": action in views.BUTTONS,
            }
        )
    fee = execution.late_fee_on(case, timezone.localdate()) if case.has_fine else None
    context = {
        "case": case,
        "clock": svc.clock_status(case, now),
        "deadlines": old_deadlines(case, publication),
        "officers": svc.assigned_officers(case),
        "documents": case.documents.order_by("issued_at", "id"),
        "evidence": case.evidence.select_related("photo").order_by("uploaded_at"),
        "records": case.records.order_by("started_at"),
        "preservations": case.preservations.all(),
        "corrections": case.correction_orders.all(),
        "reviews": case.reviews.select_related("reviewer"),
        "discussions": case.discussions.all(),
        "statements": case.statements.all(),
        "hearing": getattr(case, "hearing", None) if hasattr(case, "hearing") else None,
        "payments": case.payments.all(),
        "suspensions": case.suspensions.all(),
        "extensions": case.decision_extensions.all(),
        "joint_actions": case.joint_actions.prefetch_related("bodies"),
        "publication": publication,
        "history": case.history.order_by("seq"),
        "forms": forms,
        "can_record": "record" in acts,
        "late_fee": fee,
        "outstanding": svc.outstanding(case, timezone.localdate()) if case.has_fine else None,
        "major_labels": [svc.MAJOR_REASON_LABELS.get(r, r) for r in case.major_reasons],
        "doc_label": doc_kinds.label,
    }
    return render(request, "enforcement/case.html", context, status=status)


class Pages:
    def __init__(self, world, monkeypatch):
        self.world = world
        self.monkeypatch = monkeypatch
        self.compared = 0
        self.lists = set()
        self.depth = 0
        self.states = set()
        self.users = (world.officer1.user, world.head)

    def get(self, user, language, url, old: bool) -> tuple[int, bytes]:
        with self.monkeypatch.context() as m:
            if old:
                m.setattr(views, "_page", old_page)
                m.setattr(sel, "case_page_get", old_case_page_get)
            client = Client()
            client.force_login(user)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            with translation.override(translation.get_language()):
                response = client.get(url)
        return response.status_code, RANDOM.sub(b"random", response.content)

    def compare(self):
        for case in Case.objects.order_by("pk"):
            self.states.add(case.state)
            self.lists |= sel.lists_of(case.pk)
            url = f"/enforcement/cases/{case.number}/"
            for user in self.users:
                for language in ("zh-hans", "en"):
                    old = self.get(user, language, url, old=True)
                    new = self.get(user, language, url, old=False)
                    if new != old:
                        diff = difflib.unified_diff(
                            old[1].decode().splitlines(), new[1].decode().splitlines(), lineterm=""
                        )
                        pytest.fail(
                            f"{case.number} {case.state} {user} {language} {old[0]} {new[0]}\n"
                            + "\n".join(diff)
                        )
                    self.compared += 1

    def after_each_act(self, *modules):
        for module in modules:
            for name, fn in list(vars(module).items()):
                if name.startswith("_") or not inspect.isfunction(fn):
                    continue
                if fn.__module__ != module.__name__:
                    continue
                self.monkeypatch.setattr(module, name, self.wrap(fn))

    def wrap(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            self.depth += 1
            try:
                return fn(*args, **kwargs)
            finally:
                self.depth -= 1
                if self.depth == 0 and fn.__name__.startswith("case_"):
                    self.compare()

        return wrapped


WORKFLOWS = [
    test_case_workflow.test_the_whole_general_procedure,
    test_case_workflow.test_a_major_case_goes_through_review_discussion_and_hearing,
    test_case_workflow.test_review_disagreement_returns_the_case_and_a_new_proposal_needs_a_new_review,
    test_case_workflow.test_no_penalty_first_violation_and_transfer_to_the_police,
    test_case_workflow.test_correction_orders_give_at_most_30_days,
    test_case_workflow.test_preservation_is_dealt_with_in_7_working_days_or_released,
    test_case_workflow.test_suspensions_and_extensions_of_the_decision_clock,
    test_case_workflow.test_joint_enforcement_keeps_each_bodys_findings_in_one_file,
    test_case_workflow.test_revoking_takes_the_publication_down_at_once,
    test_execution.test_instalments_have_their_own_late_fee,
    test_execution.test_a_deferral_moves_the_deadline_and_the_court_comes_after_six_months,
]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda f: f.__name__[5:40])
def test_the_case_page_is_the_page_it_was_after_every_act(
    workflow, world, monkeypatch, django_capture_on_commit_callbacks
):
    pages = Pages(world, monkeypatch)
    pages.after_each_act(svc, records, execution, publication, simplified, leads)
    kwargs = {"world": world}
    if "django_capture_on_commit_callbacks" in inspect.signature(workflow).parameters:
        kwargs["django_capture_on_commit_callbacks"] = django_capture_on_commit_callbacks
    workflow(**kwargs)
    pages.compare()
    assert pages.compared >= 4


def test_open_preservations_and_pending_corrections_and_evidence(world, monkeypatch):
    """The acts read from the loaded rows (``preservation_deal``, ``recheck``) and the lists
    present and absent, on an open case."""
    from datetime import date

    pages = Pages(world, monkeypatch)
    pages.users = (world.officer1.user, world.leader.user, world.head, world.reviewer)
    case = open_case(world)
    pages.compare()
    records.case_preserve(
        case=case,
        actor=world.officer1.user,
        items="遮阳棚1个\n餐桌2张",
        place="执法局暂扣仓库",
        started_on=date(2026, 3, 2),
    )
    pages.compare()
    records.case_order_correction(
        case=case,
        actor=world.officer1.user,
        requirement="拆除",
        deadline=date(2026, 4, 1),
        ordered_on=date(2026, 3, 2),
    )
    pages.compare()
    assert {"preservations", "correction_orders"} <= pages.lists
