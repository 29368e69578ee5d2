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
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.schema import NinjaGenerateJsonSchema
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from .api_schemas import ErrorOut
from .errors import DomainError
from .parsers import RefusingParser


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        from autogestion.accounts.services import authenticate_token, check_token_allows

        api_token = authenticate_token(token)
        if api_token is None:
            return None
        user = request.user = api_token.owner
        # The person's own language, as for pages (and for a refusal below).
        if user.language:
            translation.activate(user.language)
        # A read-only token on POST/PUT/PATCH/DELETE: 403 saying why.
        check_token_allows(api_token, request.method)
        return user


def anonymous(request):
    """Last in the chain of public endpoints: lets anyone in as AnonymousUser."""
    request.user = AnonymousUser()
    return request.user


class SessionAuth(NinjaSessionAuth):
    """The browser session, its CSRF token checked only for a signed-in session: a
    caller with no session is not signed in (401), whatever it sent."""

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


signed_in = [TokenAuth(), SessionAuth()]
public = [TokenAuth(), SessionAuth(), anonymous]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUTOMATIC_REFUSALS = {
    400: "The input cannot be stored (a NUL character), or the body is not JSON.",
    401: "Not signed in: sign in, or send a personal API token.",
    403: "A browser session without its CSRF token, or a read-only token.",
    415: "The body is not sent as application/json.",
    422: "The input does not fit the schema; `errors` names each field.",
}


class ApiDocument(OpenAPISchema):
    """The OpenAPI document, with what the API answers by itself: public endpoints
    need no credentials (`{}` among their security requirements), and every operation
    documents the refusals of the layers before its view (see AUTOMATIC_REFUSALS);
    the refusals of the view itself are declared with `refusals()`."""

    def __init__(self, api, path_prefix):
        super().__init__(api, path_prefix)
        _bounds_as_json_schema(self)

    def operation_security(self, operation):
        security = super().operation_security(operation)
        if security is not None and anonymous in operation.auth_callbacks:
            security.append({})
        return security

    def responses(self, operation):
        answers = super().responses(operation)
        for code in automatic_refusals(operation):
            answers.setdefault(code, {"description": AUTOMATIC_REFUSALS[code]})
        for code, answer in answers.items():
            if 400 <= code < 500:
                answer["content"] = {"application/json": {"schema": self._error_schema()}}
        return dict(sorted(answers.items()))

    def _error_schema(self) -> dict:
        schema = ErrorOut.model_json_schema(ref_template=REF_TEMPLATE,
                                            schema_generator=NinjaGenerateJsonSchema)
        self.add_schema_definitions(schema.pop("$defs", {}))
        self.add_schema_definitions({ErrorOut.__name__: schema})
        return {"$ref": REF_TEMPLATE.format(model=ErrorOut.__name__)}


# Pydantic writes the bounds of a number it validates with a function of ours
# (api_schemas.Integer) under their Python names, which JSON Schema does not know.
JSON_SCHEMA_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum",
                      "lt": "exclusiveMaximum"}


def _bounds_as_json_schema(node) -> None:
    if isinstance(node, dict):
        if node.get("type") in ("integer", "number"):
            for python_name, name in JSON_SCHEMA_BOUNDS.items():
                if python_name in node:
                    node[name] = node.pop(python_name)
        for value in node.values():
            _bounds_as_json_schema(value)
    elif isinstance(node, list):
        for value in node:
            _bounds_as_json_schema(value)


def automatic_refusals(operation) -> set[int]:
    sources = {model.__ninja_param_source__ for model in operation.models}
    validated = any(field.annotation not in (str, str | None)
                    for model in operation.models for field in model.model_fields.values())
    codes = {400}  # the door refuses a NUL character anywhere, the query string included
    if operation.auth_callbacks and anonymous not in operation.auth_callbacks:
        codes.add(401)
    if UNSAFE_METHODS & set(operation.methods) and any(
            isinstance(auth, SessionAuth) for auth in operation.auth_callbacks):
        codes.add(403)
    if "body" in sources:
        codes.add(415)
    if validated:
        codes.add(422)
    return codes


class AutogestionAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ApiDocument(self, path_prefix)


api = AutogestionAPI(
    parser=RefusingParser(),
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
    # Each app names its routers in its apps.py (core/registry.py).
    from . import registry

    for prefix, router in registry.api_routers():
        api.add_router(prefix, router)


register_routers()
