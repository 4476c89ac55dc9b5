from django import forms

from pmis.catalog.models import Product
from pmis.forms import NamedRequiredMixin

from .models import Article


class ArticleForm(NamedRequiredMixin, forms.ModelForm):
    products = forms.ModelMultipleChoiceField(
        label="涉及产品", queryset=Product.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Article
        fields = ["title", "problem", "cause", "solution", "products", "versions"]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 3}),
            "cause": forms.Textarea(attrs={"rows": 3}),
            "solution": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"versions": "如 V3.2.1、V3.3 及以上"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = Product.objects.order_by("name")
