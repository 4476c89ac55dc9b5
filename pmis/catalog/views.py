from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from pmis.audit.selectors import audit_for
from pmis.forms import form_error_lines

from .forms import ProductForm
from .models import DocumentType, Phase, Product
from .services import product_save


@login_required
@permission_required("catalog.view_product", raise_exception=True)
def products(request):
    return render(request, "catalog/products.html", {"products": Product.objects.all()})


@login_required
@permission_required("catalog.change_product", raise_exception=True)
def products_maintain(request):
    """产品目录维护 (产品管理部): every product and service, on sale or not, with what a
    maintainer changes — the order, on sale or not — and the way to add one."""
    return render(
        request,
        "catalog/products_maintain.html",
        {"products": Product.objects.all(), "can_add": request.user.has_perm("catalog.add_product")},
    )


@login_required
@permission_required("catalog.add_product", raise_exception=True)
def product_new(request):
    return _product_form(request, None)


@login_required
@permission_required("catalog.change_product", raise_exception=True)
def product_edit(request, pk: int):
    return _product_form(request, get_object_or_404(Product, pk=pk))


def _product_form(request, product: Product | None):
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = product_save(product=product, data=form.cleaned_data, actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"已保存：{saved.name}")
                return redirect("catalog:products_maintain")
        messages.error(request, "保存失败，请修改后重试：" + "；".join(form_error_lines(form)))
    context = {"form": form, "product": product, "history": audit_for(product) if product else ()}
    return render(request, "catalog/product_form.html", context)


@login_required
@permission_required("catalog.view_documenttype", raise_exception=True)
def document_types(request):
    labels = dict(Phase.choices)
    groups: dict[str, list[DocumentType]] = {}
    for doc_type in DocumentType.objects.all():
        groups.setdefault(doc_type.phase, []).append(doc_type)
    phases = [{"label": labels.get(code, code), "types": types} for code, types in groups.items()]
    return render(request, "catalog/document_types.html", {"phases": phases})
