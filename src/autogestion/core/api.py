"""The JSON API at /api/: one NinjaAPI, one router per capability.

Authentication: a personal token (`Authorization: Bearer ag_...`, made on the profile
page) or the browser session (with its CSRF token). Endpoints that read public data
also accept anonymous callers; permissions are checked by each capability's
`permissions.py`, as on the pages.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from .errors import DomainError


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        from autogestion.accounts.services import authenticate_token

        user = authenticate_token(token)
        if user is not None:
            request.user = user
            # The person's own language, as for pages.
            if user.language:
                translation.activate(user.language)
        return user


def anonymous(request):
    """Last in the chain of public endpoints: lets anyone in as AnonymousUser."""
    request.user = AnonymousUser()
    return request.user


signed_in = [TokenAuth(), SessionAuth()]
public = [TokenAuth(), SessionAuth(), anonymous]

api = NinjaAPI(
    title="Autogestion API",
    version="1",
    description="Bodies, membership, and every capability of the platform. "
    "Errors carry a `detail` message saying what to change.",
    auth=signed_in,
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    body = {"detail": str(exc.message)}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    """Pydantic's errors, reworded: which field, and what is wrong with it."""
    problems = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        field = ".".join(location) or _("request")
        problems.append({"field": field, "message": error.get("msg", "")})
    detail = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    return api.create_response(
        request, {"detail": _("Invalid input — %(problems)s") % {"problems": detail},
                  "errors": problems}, status=422)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return api.create_response(
        request, {"detail": _("Sign in, or send a personal API token as "
                              "'Authorization: Bearer <token>'.")}, status=401)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


def register_routers() -> None:
    from autogestion.accounts.api import router as accounts_router
    from autogestion.assemblies.api import router as assemblies_router
    from autogestion.commons.api import router as commons_router
    from autogestion.cooperatives.api import router as cooperatives_router
    from autogestion.decisions.api import router as decisions_router
    from autogestion.economy.api import router as economy_router
    from autogestion.facilitation.api import router as facilitation_router
    from autogestion.work.api import router as work_router
    from autogestion.work.daily_api import router as daily_router

    api.add_router("/", cooperatives_router)
    api.add_router("/me", accounts_router)
    api.add_router("/", assemblies_router)
    api.add_router("/", decisions_router)
    api.add_router("/", facilitation_router)
    api.add_router("/", economy_router)
    api.add_router("/", commons_router)
    api.add_router("/", work_router)
    api.add_router("/", daily_router)


register_routers()
