"""French is the default language and its catalog is complete."""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import autogestion

PO = Path(autogestion.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def entries(text: str):
    """(flags, msgid, msgstrs) of each entry of a .po file, header excluded."""
    for block in text.split("\n\n"):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        msgid = "".join(re.findall(r'^(?:msgid|msgid_plural)?\s*"(.*)"$', block.split("msgstr")[0],
                                   re.M))
        msgstrs = re.findall(r'^msgstr(?:\[\d\])?\s+"(.*)"((?:\n".*")*)', block, re.M)
        if not msgid:
            continue
        yield flags, msgid, ["".join([first, *re.findall(r'"(.*)"', rest)])
                             for first, rest in msgstrs]


def test_every_french_entry_is_translated():
    problems = [msgid for flags, msgid, msgstrs in entries(PO.read_text())
                if "fuzzy" in flags or not msgstrs or not all(msgstrs)]
    assert problems == []


def test_compiled_catalog_matches_the_source():
    """The .mo the server loads holds as many messages as the .po: compiled after the
    last edit."""
    with PO.with_suffix(".mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    compiled = {key if isinstance(key, str) else key[0] for key in catalog} - {""}
    assert len(compiled) == len(list(entries(PO.read_text())))


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="skipped: no GNU gettext (msgfmt)")
def test_catalog_is_valid_gettext(tmp_path):
    result = subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "x.mo"), str(PO)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
