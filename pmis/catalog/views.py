from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from .models import DocumentType, Phase, Product


@login_required
@permission_required("catalog.view_product", raise_exception=True)
def products(request):
    return render(request, "catalog/products.html", {"products": Product.objects.all()})


@login_required
@permission_required("catalog.view_documenttype", raise_exception=True)
def document_types(request):
    labels = dict(Phase.choices)
    groups: dict[str, list[DocumentType]] = {}
    for doc_type in DocumentType.objects.all():
        groups.setdefault(doc_type.phase, []).append(doc_type)
    phases = [{"label": labels.get(code, code), "types": types} for code, types in groups.items()]
    return render(request, "catalog/document_types.html", {"phases": phases})
