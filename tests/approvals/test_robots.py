"""钉钉 / 飞书 / 企业微信 group robots against a local fake platform that checks the signatures as
each platform documents them; the card-button callback refuses forged and replayed calls."""

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse

from approvals.links import action_token
from approvals.models import ActionLinkUse, ImIdentity, Platform, Robot, RobotMessage
from approvals.robots import feishu_callback_signature, robot_message_send, wecom_callback_signature
from approvals.selectors import open_tasks_for
from registrations.models import State
from registrations.services import registration_submit

pytestmark = pytest.mark.django_db
DING_SECRET = "SEC0123456789abcdef"
FEISHU_SECRET = "feishu-secret"


class FakePlatform(BaseHTTPRequestHandler):
    """Checks each request the way the platform's documentation says it checks it."""

    received: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        ok = True
        if self.path.startswith("/dingtalk"):
            ts, sign = query["timestamp"][0], query["sign"][0]  # parse_qs has url-decoded it once
            expected = base64.b64encode(
                hmac.new(DING_SECRET.encode(), f"{ts}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
            ).decode()
            ok = sign == expected and abs(time.time() * 1000 - int(ts)) < 3600 * 1000
            answer = {"errcode": 0 if ok else 310000, "errmsg": "ok" if ok else "sign not match"}
        elif self.path.startswith("/feishu"):
            ts = body["timestamp"]
            key = f"{ts}\n{FEISHU_SECRET}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            ok = body["sign"] == expected
            answer = {"code": 0 if ok else 19021, "msg": "success" if ok else "sign match fail"}
        else:  # 企业微信: the key in the URL is the credential
            ok = query.get("key") == ["wecom-key"]
            answer = {"errcode": 0 if ok else 93000, "errmsg": "ok" if ok else "invalid webhook url"}
        FakePlatform.received.append((self.path.split("?")[0], ok, body))
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def platform():
    server = HTTPServer(("127.0.0.1", 0), FakePlatform)
    FakePlatform.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def waiting(org, make_registration):
    return registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])


def _robots(org, base):
    team = org["sales_manager"].department
    return [
        Robot.objects.create(name="销售一部群", platform=Platform.DINGTALK, department=team,
                             webhook=f"{base}/dingtalk/robot/send?access_token=t", secret=DING_SECRET),
        Robot.objects.create(name="销售一部飞书群", platform=Platform.FEISHU, department=team,
                             webhook=f"{base}/feishu/open-apis/bot/v2/hook/x", secret=FEISHU_SECRET),
        Robot.objects.create(name="销售一部企业微信群", platform=Platform.WECOM, department=team,
                             webhook=f"{base}/wecom/cgi-bin/webhook/send?key=wecom-key"),
    ]  # fmt: skip


def test_a_new_step_reaches_its_departments_robots_signed(org, platform, make_registration):
    _robots(org, platform)
    r = registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])
    messages = RobotMessage.objects.all()
    assert messages.count() == 3
    for message in messages:
        assert robot_message_send(message_id=message.pk) == "sent"
        assert robot_message_send(message_id=message.pk) == "skipped"  # safe to run twice
    assert [ok for _, ok, _ in FakePlatform.received] == [True, True, True]
    ding = FakePlatform.received[0][2]["markdown"]["text"]
    assert r.title in ding and "赵建国：[通过]" in ding and "/approvals/act/" in ding


def test_a_wrong_secret_is_refused_by_the_platform_and_retried(org, platform, make_registration):
    robot = _robots(org, platform)[0]
    robot.secret = "SECwrong"
    robot.save()
    Robot.objects.exclude(pk=robot.pk).delete()
    registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])
    message = RobotMessage.objects.get()
    with pytest.raises(Exception, match="310000"):
        robot_message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == RobotMessage.State.FAILED and message.attempts == 1 and "310000" in message.last_error
    robot.secret = DING_SECRET
    robot.save()
    assert robot_message_send(message_id=message.pk) == "sent"


def _dingtalk_post(client, body: dict, *, secret=DING_SECRET, ts=None):
    ts = ts if ts is not None else int(time.time() * 1000)
    sign = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()).decode()
    return client.post(
        reverse("approvals:im_callback", args=["dingtalk"]),
        data=json.dumps(body),
        content_type="application/json",
        headers={"timestamp": str(ts), "sign": sign},
    )


@pytest.fixture
def dingtalk_app(org):
    Robot.objects.create(
        name="审批群", platform=Platform.DINGTALK, webhook="http://127.0.0.1:9/x", callback_secret="app-secret"
    )
    ImIdentity.objects.create(user=org["sales_manager"], platform=Platform.DINGTALK, im_user_id="ding-zhao")
    ImIdentity.objects.create(user=org["sales_manager2"], platform=Platform.DINGTALK, im_user_id="ding-sun")


def test_an_im_callback_approves_once_and_repeats_are_idempotent(client, org, waiting, dingtalk_app):
    token = action_token(task=open_tasks_for(waiting).get(), user=org["sales_manager"], outcome="approve")
    body = {"user": "ding-zhao", "token": token}
    first = _dingtalk_post(client, body, secret="app-secret")
    assert first.status_code == 200 and first.json()["message"] == "已通过"
    waiting.refresh_from_db()
    assert waiting.state == State.PENDING_SPECIAL
    again = _dingtalk_post(client, body, secret="app-secret")  # the platform delivers it again
    assert again.status_code == 200 and "重复的回调已忽略" in again.json()["message"]
    assert ActionLinkUse.objects.filter(channel="dingtalk").count() == 1


def test_a_forged_or_replayed_im_callback_is_refused(client, org, waiting, dingtalk_app):
    token = action_token(task=open_tasks_for(waiting).get(), user=org["sales_manager"], outcome="approve")
    body = {"user": "ding-zhao", "token": token}
    assert _dingtalk_post(client, body, secret="not-the-secret").status_code == 403  # forged platform signature
    old = int(time.time() * 1000) - 2 * 3600 * 1000
    assert _dingtalk_post(client, body, secret="app-secret", ts=old).status_code == 403  # replayed later
    # another person presses a button bound to 赵建国
    other = _dingtalk_post(client, {"user": "ding-sun", "token": token}, secret="app-secret")
    assert other.status_code == 403 and "赵建国" in other.json()["message"]
    # a link token altered on the way
    forged = _dingtalk_post(client, {"user": "ding-zhao", "token": token[:-2] + "xx"}, secret="app-secret")
    assert forged.status_code == 403
    waiting.refresh_from_db()
    assert waiting.state == State.PENDING_SALES_MANAGER and not ActionLinkUse.objects.exists()


def test_feishu_and_wecom_callbacks_check_their_own_signatures(client, org, waiting):
    Robot.objects.create(name="飞书", platform=Platform.FEISHU, webhook="http://x/", callback_secret="enc-key")
    Robot.objects.create(name="企微", platform=Platform.WECOM, webhook="http://x/", callback_secret="wecom-token")
    ImIdentity.objects.create(user=org["sales_manager"], platform=Platform.FEISHU, im_user_id="ou_zhao")
    ImIdentity.objects.create(user=org["sales_manager"], platform=Platform.WECOM, im_user_id="ZhaoJianGuo")
    task = open_tasks_for(waiting).get()
    ts, nonce = str(int(time.time())), "n0nce"

    body = json.dumps({"user": "ou_zhao", "token": action_token(task=task, user=org["sales_manager"], outcome="return"),
                       "comment": "请补充合同"}).encode()  # fmt: skip
    url = reverse("approvals:im_callback", args=["feishu"])
    bad = {"X-Lark-Request-Timestamp": ts, "X-Lark-Request-Nonce": nonce, "X-Lark-Signature": "0" * 64}
    assert client.post(url, body, content_type="application/json", headers=bad).status_code == 403
    good = {**bad, "X-Lark-Signature": feishu_callback_signature("enc-key", ts, nonce, body)}
    response = client.post(url, body, content_type="application/json", headers=good)
    assert response.status_code == 200 and response.json()["message"] == "已退回"
    waiting.refresh_from_db()
    assert waiting.state == State.RETURNED

    body = json.dumps({"user": "ZhaoJianGuo", "token": "x"}).encode()
    url = reverse("approvals:im_callback", args=["wecom"])
    signature = wecom_callback_signature("wecom-token", ts, nonce, body.decode())
    forged = client.post(f"{url}?timestamp={ts}&nonce={nonce}&msg_signature={'1' * 40}", body, "application/json")
    assert forged.status_code == 403
    signed = client.post(f"{url}?timestamp={ts}&nonce={nonce}&msg_signature={signature}", body, "application/json")
    assert signed.status_code == 403 and "链接无效" in signed.json()["message"]  # the platform is right, the token not
