"""The one exception every `rules.py` raises when a rule says no.

Pure Python on purpose: the rules modules import it and stay free of Django. `code`
names the rule that refused, `details` carry what the message needs; each app's
`services.py` turns the code into words in the person's language.
"""


class Refusal(Exception):
    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details
