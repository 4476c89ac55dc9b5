from django import forms

from pmis.catalog.models import DocumentType


class UploadForm(forms.Form):
    doc_type = forms.ModelChoiceField(label="文档类型", queryset=DocumentType.objects.all(), empty_label="请选择")
    file = forms.FileField(label="文件", error_messages={"required": "请选择要上传的文件"})
    note = forms.CharField(label="说明", max_length=255, required=False)

    def __init__(self, *args, doc_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        if doc_types is not None:
            self.fields["doc_type"].queryset = doc_types
