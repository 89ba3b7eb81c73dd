"""The team page: squads, officers and certificates (expiring soon first), the duty roster."""

from django.shortcuts import render

from enforcement.views.common import staff_required


@staff_required
def team(request):
    return render(request, "enforcement/team.html", {})
