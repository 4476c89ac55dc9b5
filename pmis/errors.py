"""The error pages, in Chinese and in the platform's layout (settings: handler400/403/404/500 in
pmis/urls.py, CSRF_FAILURE_VIEW, and the middleware that turns a 405 into the record page).

What each page may say:
- 403 shows the reason a service or view gave when it refused (`PermissionDenied("只有…可以…")`),
  because that reason is written for the user; a reason that is not Chinese came from somewhere
  else (a library, a bare raise) and is replaced by a general sentence, never shown.
- 404 names what was not found (from the URL's name or the model of `get_object_or_404`) and
  links back to the list of that part of the site the user may open, and to 工作台.
- 500 renders without the database: no request context, no queries.
- The CSRF page says the page has expired and offers to reload it; it shows nothing of the
  failure's technical reason."""

import re

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from pmis.navigation import NAV, nav_for

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NO_MATCH = re.compile(r"^No (\w+) matches the given query\.?$")

# What a URL shows, for "没有找到该…". A name not listed falls back to its part of the site.
_URL_NOUNS = {
    "projects:detail": "项目",
    "projects:initiate": "待立项的登记",
    "projects:product_request": "产品领取单",
    "projects:product_request_new": "项目",
    "registrations:detail": "实施登记",
    "registrations:edit": "实施登记",
    "registrations:pdf": "实施登记",
    "aftersales:ticket": "售后问题",
    "aftersales:handover": "移交单",
    "aftersales:handover_new": "项目",
    "approvals:reassign": "待办",
    "notify:open": "通知",
    "documents:download": "附件",
    "documents:upload": "记录",
}
_SECTION_NOUNS = {
    "projects": "项目",
    "registrations": "实施登记",
    "aftersales": "售后记录",
    "approvals": "待办",
    "notify": "通知",
    "documents": "附件",
    "catalog": "目录",
    "org": "页面",
    "admin": "管理页面",
}


def _chinese(text: str) -> bool:
    return bool(_CJK.search(text or ""))


def _namespace(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return ""
    return match.namespace.split(":")[0] if match.namespace else ""


def back_links(request) -> list[dict]:
    """Where to go from an error: the list of the part of the site the URL belongs to (the first
    entry of that part the user's navigation offers), then 工作台."""
    user = getattr(request, "user", None)
    links: list[dict] = []
    namespace = _namespace(request)
    if user is not None and user.is_authenticated and namespace == "admin":
        if user.is_staff:
            links.append({"label": "系统管理", "url": reverse("admin:index")})
    elif user is not None and user.is_authenticated and namespace:
        visible = {item["url"] for section in nav_for(user) for item in section["items"]}
        for item in NAV:
            if not item.url_name.startswith(namespace + ":"):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            if url in visible:
                links.append({"label": item.label, "url": url})
                break
    home = reverse("home")
    if not any(link["url"] == home for link in links):
        links.append({"label": "工作台", "url": home})
    return links


def _message(exception) -> str:
    """The text an Http404 was raised with; the resolver's own 404 carries the URL patterns it
    tried, which is nothing to show."""
    if isinstance(exception, Resolver404) or not getattr(exception, "args", None):
        return ""
    return exception.args[0] if isinstance(exception.args[0], str) else ""


def _not_found_noun(request, exception) -> str:
    message = _message(exception)
    found = _NO_MATCH.match(message)
    if found:
        for model in apps.get_models():
            if model._meta.object_name == found.group(1) and _chinese(str(model._meta.verbose_name)):
                return str(model._meta.verbose_name)
    match = getattr(request, "resolver_match", None)
    if match is not None:
        if match.view_name in _URL_NOUNS:
            return _URL_NOUNS[match.view_name]
        return _SECTION_NOUNS.get(match.namespace.split(":")[0] if match.namespace else "", "页面")
    return "页面"


def _api(request) -> bool:
    return request.path_info.startswith("/api/")


def _api_error(status: int, message: str):
    from django.http import JsonResponse

    codes = {400: "invalid", 403: "forbidden", 404: "not_found", 500: "server_error"}
    return JsonResponse({"code": codes[status], "message": message, "fields": {}}, status=status)


def bad_request(request, exception, template_name="errors/400.html"):
    if _api(request):
        return _api_error(400, "请求内容有误")
    return render(request, template_name, {"links": back_links(request)}, status=400)


def permission_denied(request, exception, template_name="errors/403.html"):
    reason = str(exception) if isinstance(exception, PermissionDenied) else ""
    if _api(request):
        return _api_error(403, reason if _chinese(reason) else "您无权执行该操作")
    context = {"reason": reason if _chinese(reason) else "", "links": back_links(request)}
    return render(request, template_name, context, status=403)


def page_not_found(request, exception, template_name="errors/404.html"):
    message = _message(exception)
    if _api(request):
        return _api_error(404, message if _chinese(message) else "记录不存在或您无权查看")
    context = {
        "noun": _not_found_noun(request, exception),
        "detail": message if _chinese(message) else "",
        "path": request.path,
        "links": back_links(request),
    }
    return render(request, template_name, context, status=404)


def server_error(request, template_name="errors/500.html"):
    """Rendered without the request: no context processors, so no query can fail here."""
    if _api(request):
        return _api_error(500, "服务器内部错误，已记录，请稍后重试")
    return HttpResponseServerError(loader.get_template(template_name).render({"home_url": reverse("home")}))


def csrf_failure(request, reason="", template_name="errors/403_csrf.html"):
    """The form was sent with a missing or stale security token: the page was open too long, or
    the user signed in again elsewhere. Reloading fetches a fresh one."""
    referer = request.META.get("HTTP_REFERER", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    reload_url = referer if referer and safe else request.path
    return render(request, template_name, {"reload_url": reload_url, "links": back_links(request)}, status=403)


# ---------------------------------------------------------------------------------------------
# 405: a GET on an action URL


def _allowed_methods(view) -> set[str] | None:
    """The methods a view accepts, read from `require_http_methods` (any wrapper depth) or a
    class-based view; None when the view does not restrict them."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    seen = view
    while seen is not None:
        names = getattr(getattr(seen, "__code__", None), "co_freevars", ())
        for name, cell in zip(names, getattr(seen, "__closure__", None) or (), strict=False):
            if name == "request_method_list":
                return {m.upper() for m in cell.cell_contents}
        seen = getattr(seen, "__wrapped__", None)
    return None


def record_url_for_action(path: str) -> str | None:
    """The record page an action URL belongs to: the nearest enclosing URL that names the same
    record (its arguments are the action's own) and can be opened with GET."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        parts = parts[:-1]
        candidate = "/".join(parts) + "/"
        try:
            parent = resolve(candidate)
        except Resolver404:
            continue
        if not parent.kwargs or any(match.kwargs.get(k) != v for k, v in parent.kwargs.items()):
            continue
        allowed = _allowed_methods(parent.func)
        if allowed is None or "GET" in allowed:
            return candidate
    return None


class MethodNotAllowedMiddleware:
    """An action URL only takes the form its page sends. Opened directly (a bookmark, a pasted
    link, the back button) it answered an empty 405; now it opens the record it acts on, or,
    when no record can be derived, explains in Chinese."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or _api(request):
            return response
        if request.method in ("GET", "HEAD"):
            target = record_url_for_action(request.path_info)
            if target is not None:
                messages.info(request, "该操作需在页面上提交，已为您打开对应的记录。")
                return HttpResponseRedirect(request.path[: len(request.path) - len(request.path_info)] + target)
        allowed = response.get("Allow", "")
        page = render(request, "errors/405.html", {"links": back_links(request)}, status=405)
        if allowed:
            page["Allow"] = allowed
        return page


class StaleActionMiddleware:
    """A record's state machine refuses an action its current state does not allow (someone acted
    first on a page opened earlier, or a form was posted twice). That used to surface as a server
    error; it is the user's page that is out of date, so they go back to the record with a message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django_fsm import TransitionNotAllowed

        if not isinstance(exception, TransitionNotAllowed) or request.method != "POST" or _api(request):
            return None
        messages.error(request, "该记录的状态已经变化，当前状态下不能执行这个操作。请查看最新状态后再处理。")
        target = record_url_for_action(request.path_info)
        if target is None:
            referer = request.META.get("HTTP_REFERER", "")
            safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
            target = referer if referer and safe else reverse("home")
        return HttpResponseRedirect(target)
