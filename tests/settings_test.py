"""Test settings: production settings with fast hashing and per-process caches.

The database is still the real one (SQLite, or PostgreSQL when DATABASE_URL is set).
Redis stays configured in REDIS_URL for the tests that exercise it, but the cache and
the channel layer are per-process here, so parallel test workers never share state
(rate limits, for instance) through Redis by accident.
"""

from autogestion.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WHITENOISE_AUTOREFRESH = True
