from django import forms

from .models import Product


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ("name", "code", "kind", "project_class", "is_active", "sort_order", "description")
        help_texts = {
            "code": "字母、数字、连字符，保存后其他系统按它引用本产品",
            "project_class": "登记时只有适用于所选项目类别的产品可选",
            "is_active": "停售的产品不再出现在新登记的产品选项中，已有登记不受影响",
            "sort_order": "同一类别内数字小的在前",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
