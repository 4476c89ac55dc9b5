from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Each token has its own budget per minute (set on the token in the admin); the browser
    session shares the user's budget."""

    scope = "api"
    rate = "120/min"

    def allow_request(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken):
            self.rate = f"{token.rate_per_minute}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        return self.rate

    def get_cache_key(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken):
            return f"throttle_api_token_{token.pk}"
        if request.user and request.user.is_authenticated:
            return f"throttle_api_user_{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
