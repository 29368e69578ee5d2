"""ASGI entry point: HTTP through Django, websockets through Channels."""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autogestion.config.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from autogestion.accounts.websocket import TokenAuthMiddleware  # noqa: E402
from autogestion.config.routing import websocket_urlpatterns  # noqa: E402

# Everything loaded at start lives as long as the process: keep it out of the garbage
# collector's full passes, which otherwise pause every screen of a meeting room at once.
gc.collect()
gc.freeze()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # A handshake with a personal API token (a phone app, a bot) is its owner's;
        # one without is the browser's: its origin checked, its session cookie read.
        "websocket": TokenAuthMiddleware(
            with_token=URLRouter(websocket_urlpatterns),
            without_token=AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        ),
    }
)
