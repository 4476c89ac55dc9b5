"""Tokens: named, shown once, hashed at rest, expiring, revocable; anonymous calls get 401 with
the one error body; a token can only do what its scopes allow; each token has a rate limit."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tokens import key_hash

pytestmark = pytest.mark.django_db


def test_anonymous_call_gets_401_with_the_error_body():
    response = APIClient().get("/api/v1/inbox/")
    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": "请提供有效的接口令牌", "fields": {}}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_api_path_answers_json_not_a_page(api_as):
    response = api_as("sales").get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_token_is_stored_hashed_and_works(token_for):
    token, raw = token_for("sales")
    assert raw.startswith("pmis_") and raw not in token.key_hash
    assert token.key_hash == key_hash(raw)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/registrations/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_and_expired_tokens_are_refused(token_for):
    revoked, raw_revoked = token_for("sales", name="已吊销")
    revoked.revoked_at = timezone.now()
    revoked.save()
    expired, raw_expired = token_for("sales", name="已过期")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for raw, message in ((raw_revoked, "令牌已吊销"), (raw_expired, "令牌已过期"), ("pmis_forged", "令牌无效")):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        response = client.get("/api/v1/inbox/")
        assert response.status_code == 401
        assert response.json()["message"] == message


def test_a_read_only_token_cannot_write(api_as):
    client = api_as("sales", scopes=["read"])
    assert client.get("/api/v1/registrations/").status_code == 200
    response = client.post("/api/v1/registrations/", {"kind": "saas"}, format="json")
    assert response.status_code == 403
    assert response.json()["message"] == "该令牌没有此操作的权限范围"


def test_each_token_has_its_own_rate_limit(token_for):
    token, raw = token_for("sales")
    ApiToken.objects.filter(pk=token.pk).update(rate_per_minute=2)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/inbox/").status_code == 200
    assert client.get("/api/v1/inbox/").status_code == 200
    response = client.get("/api/v1/inbox/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "秒后再试" in response.json()["message"]
    _other, raw_other = token_for("sales", name="另一个")
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_other}")
    assert other.get("/api/v1/inbox/").status_code == 200


def test_token_page_shows_the_key_once_and_revokes(client, org):
    client.force_login(org["sales"])
    response = client.post(reverse("api:tokens"), {"name": "CRM 同步", "days": 30, "scopes": ["read", "registrations"]})
    assert response.status_code == 200
    body = response.content.decode()
    token = ApiToken.objects.get(user=org["sales"], name="CRM 同步")
    key = body.split('class="token-key"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert key_hash(key) == token.key_hash
    again = client.get(reverse("api:tokens")).content.decode()
    assert key not in again and token.prefix in again
    client.post(reverse("api:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/inbox/").status_code == 401


def test_token_page_keeps_what_was_typed_on_a_duplicate_name(client, org, token_for):
    token_for("sales", name="OA")
    client.force_login(org["sales"])
    response = client.post(reverse("api:tokens"), {"name": "OA", "days": 45, "scopes": ["read"]})
    body = response.content.decode()
    assert "已有名为“OA”的令牌" in body
    assert 'value="45"' in body


def test_nobody_revokes_another_users_token(client, org, token_for):
    token, _raw = token_for("sales")
    client.force_login(org["sales2"])
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_service_account_gets_a_scoped_token_from_the_command(org):
    from io import StringIO

    from django.core.management import call_command

    from pmis.org.models import User

    bot = User.objects.create(username="crm-bot", display_name="CRM 接口")
    bot.set_unusable_password()
    bot.save()
    out = StringIO()
    call_command("api_token", user="crm-bot", name="CRM 合同同步", days=30, scopes="read", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(user=bot)
    assert token.scopes == ["read"] and key_hash(raw) == token.key_hash
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/notifications/").status_code == 200
    assert client.post("/api/v1/notifications/read-all/").status_code == 403


def test_the_documentation_page_asks_for_sign_in(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
