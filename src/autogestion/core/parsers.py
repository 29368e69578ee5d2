"""The API's parser: JSON whatever the Content-Type (as django-ninja reads it), and no
string the database cannot store, in any field however it is declared.

The door (`middleware.InputDoorMiddleware`) already refuses these with a message naming
the field; this is the second lock, for a request that reaches the API another way."""

import json

from ninja.errors import HttpError
from ninja.parser import Parser

from . import unstorable


class RefusingParser(Parser):
    def parse_body(self, request):
        data = json.loads(request.body)
        if found := unstorable.in_data(data):
            # django-ninja answers any error raised here as a 400 "Cannot parse request
            # body"; the door's answer, before, names the field.
            raise ValueError(found.message)
        return data

    def parse_querydict(self, data, list_fields, request):
        if found := unstorable.in_querydict(data):
            raise HttpError(400, found.message)
        return super().parse_querydict(data, list_fields, request)
