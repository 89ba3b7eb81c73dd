"""Lead pages."""

from django.shortcuts import render

from enforcement.selectors import leads as sel
from enforcement.views.common import staff_required


@staff_required
def lead_detail(request, number):
    lead = sel.lead_get(request.user, number)
    return render(request, "enforcement/lead.html", {"lead": lead})
