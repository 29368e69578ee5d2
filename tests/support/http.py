"""Clients and assertions shared by the page and API tests.

`refused()` asserts an API refusal exactly: the status, and when given the field and a
part of the message. `page_refused()` does the same for a page. `client_for()` signs a
person in (anonymous with None); `api_client()` wraps it with JSON verbs.
"""

from django.test import Client

JSON = "application/json"


def client_for(person, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if person is not None:
        client.force_login(person)
    return client


class ApiClient:
    """JSON verbs on /api/ for one person (or anonymous)."""

    def __init__(self, person=None, language: str = "en"):
        self.client = client_for(person, language)

    def get(self, url, data=None, **extra):
        return self.client.get(url, data, **extra)

    def post(self, url, data=None, **extra):
        return self.client.post(url, {} if data is None else data, content_type=JSON, **extra)

    def put(self, url, data=None, **extra):
        return self.client.put(url, {} if data is None else data, content_type=JSON, **extra)

    def patch(self, url, data=None, **extra):
        return self.client.patch(url, {} if data is None else data, content_type=JSON,
                                 **extra)

    def delete(self, url, **extra):
        return self.client.delete(url, **extra)


def api_client(person=None, language: str = "en") -> ApiClient:
    return ApiClient(person, language)


def refused(response, status: int, *, field: str | None = None, contains: str = "") -> dict:
    """The API answered `status` with a message (containing `contains`), naming `field`
    when given. Returns the body."""
    assert response.status_code == status, response.content
    body = response.json()
    if field is not None:
        assert body.get("field") == field, body
    assert contains in body["detail"], body
    return body


def page_refused(response, status: int, contains: str = "") -> str:
    """The page answered `status` and shows `contains`. Returns the text."""
    assert response.status_code == status, response.content[:500]
    text = response.content.decode()
    assert contains in text, text[:2000]
    return text
