"""The approvals area's panels of the home page: the service search first, then who you are
(个人办事 / 法人办事), the popular matters and the life events (一件事)."""

from django.urls import reverse
from django.utils.http import urlencode

from approvals.models import Matter
from approvals.selectors import guide as guide_sel
from portal.home import HomePanel, is_public_visitor, register


def _public(view):
    def context(request):
        return view(request) if is_public_visitor(request.user) else None

    return context


@_public
def search_context(request):
    return {
        "guide_url": reverse("approvals:guide"),
        "status_url": reverse("approvals:status-lookup"),
    }


@_public
def audience_context(request):
    guide = reverse("approvals:guide")
    return {
        "person_url": f"{guide}?{urlencode({'audience': Matter.Audience.PERSON})}",
        "organisation_url": f"{guide}?{urlencode({'audience': Matter.Audience.ORGANISATION})}",
    }


@_public
def popular_context(request):
    matters = guide_sel.popular_matters()
    return {"matters": matters} if matters else None


@_public
def life_events_context(request):
    events = [e for e in guide_sel.life_events() if e.matters]
    return {"events": events} if events else None


def register_all() -> None:
    register(HomePanel("search", "approvals/home/_search.html", search_context, order=10))
    register(HomePanel("audience", "approvals/home/_audience.html", audience_context, order=20))
    register(HomePanel("popular", "approvals/home/_popular.html", popular_context, order=30))
    register(HomePanel("life-events", "approvals/home/_life_events.html", life_events_context, 40))
