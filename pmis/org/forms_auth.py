from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "账号或密码不正确。连续输错 %(limit)s 次后账号将被锁定。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "账号"
        self.fields["password"].label = "密码"
        self.fields["username"].widget.attrs.update({"autofocus": True, "placeholder": "请输入账号"})
        self.fields["password"].widget = forms.PasswordInput(attrs={"placeholder": "请输入密码"})

    def get_invalid_login_error(self):
        from django.conf import settings

        return forms.ValidationError(
            self.error_messages["invalid_login"], code="invalid_login", params={"limit": settings.AXES_FAILURE_LIMIT}
        )
