"""The Redis cache, with one redis client per connection pool.

Django's RedisCacheClient builds a new `redis.Redis` for every cache operation, and redis-py's
constructor fills its table of response callbacks (a few hundred entries) each time: about a fifth
of a millisecond on each lookup, several per page (the layout, the kept reference rows, the
dashboards' cards). A client is safe to share across threads over its pool, and the pool notices a
fork, so one client per pool is kept for the life of the process."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _KeptClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _KeptClient
