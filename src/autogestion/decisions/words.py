"""What a round says to people, in their language: the arithmetic of a closed round in
sentences, a deadline as a date and a time. Pages and e-mails share these words, so the
outcome e-mail explains the result the way the proposal's page does."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from autogestion.core import clock
from autogestion.core.formats import percent_text


def _percent(value) -> str:
    """A percentage stored in a round's result ("100.0", "72.1", 50) as the reader writes
    it ("100 %", "72,1 %"); a value that is not a number is shown as it is."""
    try:
        return percent_text(Decimal(str(value)), 1)
    except (InvalidOperation, ValueError):
        return str(value)


def _line(code: str, values: dict) -> str:
    values = {**values}
    for key in ("percent", "quorum", "minimum", "weights_used"):
        if key in values:
            values[key] = _percent(values[key])
    if code == "nobody_took_part":
        return _("Nobody took a position.")
    if code == "vetoes":
        return _("Blocking vetoes: %(n)s.") % values
    if code == "concerned_veto_ignored":
        return _("The veto of the person concerned by the exclusion does not block it "
                 "(the body's rule).")
    if code == "objections":
        return _("Objections: %(n)s.") % values
    if code == "turnout":
        return ngettext("Turnout: %(voters)s of %(eligible)s entitled member, %(percent)s "
                        "(quorum %(quorum)s).",
                        "Turnout: %(voters)s of %(eligible)s entitled members, %(percent)s "
                        "(quorum %(quorum)s).", values["eligible"]) % values
    if code == "yes_share":
        return ngettext("Yes: %(yes)s of %(expressed)s expressed vote, %(percent)s.",
                        "Yes: %(yes)s of %(expressed)s expressed votes, %(percent)s.",
                        values["expressed"]) % values
    if code == "weighted_share":
        return _("Yes, weighted by college: %(percent)s (weights counted: "
                 "%(weights_used)s).") % values
    if code == "threshold":
        values["how"] = _("at least") if values.get("qualified") else _("more than")
        if values.get("passed"):
            return _("Threshold: yes must be %(how)s %(percent)s — reached.") % values
        return _("Threshold: yes must be %(how)s %(percent)s — not reached.") % values
    if code == "participation":
        return ngettext("%(positions)s position of %(eligible)s members entitled: "
                        "%(percent)s, minimum %(minimum)s.",
                        "%(positions)s positions of %(eligible)s members entitled: "
                        "%(percent)s, minimum %(minimum)s.", values["positions"]) % values
    return code


def explain(result: dict | None) -> list[str]:
    """The arithmetic of a closed round, in words (its stored `lines`, rules.decide)."""
    if not result or "lines" not in result:
        return []
    lines = [_line(code, values or {}) for code, values in result["lines"]]
    if result.get("by_proxy"):
        votes = result.get("participants", 0)
        lines.append(ngettext("%(votes)s vote, of which %(proxies)s by proxy.",
                              "%(votes)s votes, of which %(proxies)s by proxy.", votes)
                     % {"votes": votes, "proxies": result["by_proxy"]})
    return lines


def moment_for(moment: datetime, person=None) -> str:
    """A deadline as `person` reads it, in their zone ("13 décembre 2026 à 19:07"), or in
    the platform's zone without a person. Without the day's name: a date says it all and
    stays lower case in running text."""
    local = clock.local_for(moment, person) if person is not None else clock.local(moment)
    # Translators: a date ("13 décembre 2026") and a time ("19:07").
    return _("%(date)s at %(time)s") % {"date": dateformat.format(local, "j F Y"),
                                        "time": dateformat.format(local, "H:i")}
