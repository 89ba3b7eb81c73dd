"""Random inspection plans."""

from django.shortcuts import render

from enforcement.views.common import staff_required


@staff_required
def plans(request):
    return render(request, "enforcement/inspections.html", {})
