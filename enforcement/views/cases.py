"""Case pages."""

from django.shortcuts import render

from enforcement.selectors import cases as sel
from enforcement.views.common import staff_required


@staff_required
def case_detail(request, number):
    case = sel.case_get(request.user, number)
    return render(request, "enforcement/case.html", {"case": case})
