"""The Simplified Chinese catalogue (locale/zh_Hans/LC_MESSAGES/django.po).

Every entry is translated and not fuzzy, placeholders survive translation, the compiled
catalogue is what Django serves, and every string the code marks for translation is in the
catalogue: that last check catches strings added without running makemessages, on machines
without GNU gettext.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

BASE_DIR = Path(settings.BASE_DIR)
PO_PATH = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PYTHON_PACKAGES = (
    "gridgov",
    "grids",
    "personnel",
    "incidents",
    "funding",
    "assessment",
    "participation",
)

# printf style: %(name)s, %(area).1f, %d, %s, %r ... ("%%" is a literal percent sign).
PRINTF = re.compile(
    r"%(?:\((?P<name>\w+)\))?[#0 +-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]"
)
# str.format style: {0}, {name}, {name!r}, {value:.1f} (but not "{{").
BRACES = re.compile(r"(?<!\{)\{(?P<field>\w*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


def placeholders(text: str, *, printf: bool = True) -> tuple[set[str], list[str]]:
    """(named, positional) placeholders: named ones may repeat or move in a translation,
    positional ones (%s, %d, {}) must all be there, as many of each."""
    tokens = [m.group() for m in PRINTF.finditer(text) if m.group() != "%%"] if printf else []
    tokens += [m.group() for m in BRACES.finditer(text)]
    named = {t for t in tokens if t.startswith("%(") or re.match(r"\{\w", t)}
    return named, sorted(t for t in tokens if t not in named)


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def active_entries(catalogue: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in catalogue if not entry.obsolete]


# --------------------------------------------------------------------------- the .po file


def test_header(catalogue):
    assert not catalogue.metadata_is_fuzzy
    assert catalogue.metadata["Language"] == "zh_Hans"
    assert "charset=UTF-8" in catalogue.metadata["Content-Type"]
    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"


def test_every_entry_is_translated_and_not_fuzzy(catalogue):
    untranslated, fuzzy, extra_forms = [], [], []
    for entry in active_entries(catalogue):
        if "fuzzy" in entry.flags:
            fuzzy.append(entry.msgid)
        if entry.msgid_plural:
            if not entry.msgstr_plural.get(0, "").strip():
                untranslated.append(entry.msgid)
            if set(entry.msgstr_plural) != {0}:
                extra_forms.append(entry.msgid)  # Chinese has one plural form
        elif not entry.msgstr.strip():
            untranslated.append(entry.msgid)
    assert active_entries(catalogue)
    assert not (untranslated or fuzzy or extra_forms), (
        f"untranslated: {untranslated}\nfuzzy: {fuzzy}\nmore than msgstr[0]: {extra_forms}"
    )


def test_placeholders_survive_translation(catalogue):
    problems = []
    for entry in active_entries(catalogue):
        printf = "python-format" in entry.flags  # otherwise a "%" is just a percent sign
        if entry.msgid_plural:
            # The single Chinese form stands for every count, as the English plural does.
            named, positional = placeholders(entry.msgid_plural, printf=printf)
            named |= placeholders(entry.msgid, printf=printf)[0]
            translations = list(entry.msgstr_plural.values())
        else:
            named, positional = placeholders(entry.msgid, printf=printf)
            translations = [entry.msgstr]
        for text in translations:
            if placeholders(text, printf=printf) != (named, positional):
                problems.append(f"{entry.msgid!r} -> {text!r}")
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_msgfmt_check_accepts_the_catalogue(tmp_path):
    result = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(PO_PATH)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- what Django serves


@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory) -> Path:
    """The catalogue compiled by ``manage.py compile_translations`` into a copy of locale/.

    A copy, so that this module neither writes into the working tree nor switches the
    tests that run after it (and expect the untranslated English) to Chinese.
    """
    root = tmp_path_factory.mktemp("locale")
    messages = root / "zh_Hans" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    shutil.copy2(PO_PATH, messages / "django.po")
    # Changing LOCALE_PATHS also resets Django's translation caches (setting_changed).
    with override_settings(LOCALE_PATHS=[root]):
        call_command("compile_translations", "--force", verbosity=0)
    assert (messages / "django.mo").is_file()
    return root


@pytest.fixture
def zh_catalogue(compiled_locale):
    with override_settings(LOCALE_PATHS=[compiled_locale]):
        yield


def test_django_serves_the_chinese_catalogue(zh_catalogue, catalogue):
    expected = catalogue.find("Grid maps").msgstr
    assert expected and expected != "Grid maps"
    with translation.override("zh-hans"):
        assert translation.gettext("Grid maps") == expected
        assert translation.gettext("Grid maps") == "网格地图"
        assert translation.ngettext("%(n)s grid", "%(n)s grids", 3) % {"n": 3} == "3 个网格"
        assert translation.ngettext("%(n)s grid", "%(n)s grids", 1) % {"n": 1} == "1 个网格"
    with translation.override("en"):
        assert translation.gettext("Grid maps") == "Grid maps"


# --------------------------------------------------------------------------- marked strings

TEMPLATE_TRANSLATE = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(?P<text>(?:(?!\1).)*)\1""")
BLOCKTRANSLATE = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)\b(?P<options>[^%]*)%\}(?P<body>.*?)"
    r"\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}"
)
TEMPLATE_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
# _("...") / gettext("...") / gettext_lazy("...") with one literal on one line; the literal
# must close the call or be followed by a comma, so implicitly concatenated literals (split
# over lines) are left out rather than half-read.
PYTHON_GETTEXT = re.compile(
    r"""(?<![\w.])(?:_|gettext|gettext_lazy|gettext_noop)\(\s*"""
    r"""(?P<literal>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*[,)]"""
)
PYTHON_NGETTEXT = re.compile(
    r"""(?<![\w.])(?:ngettext|ngettext_lazy)\(\s*"""
    r"""(?P<singular>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*,\s*"""
    r"""(?P<plural>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*,"""
)


def template_messages(text: str) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = [
        (match.group("text"), None) for match in TEMPLATE_TRANSLATE.finditer(text)
    ]
    for match in BLOCKTRANSLATE.finditer(text):
        if "trimmed" in match.group("options") or "context" in match.group("options"):
            continue
        forms = [
            TEMPLATE_VARIABLE.sub(r"%(\1)s", form.replace("%", "%%"))
            for form in re.split(r"\{%\s*plural\s*%\}", match.group("body"), maxsplit=1)
        ]
        found.append((forms[0], forms[1] if len(forms) > 1 else None))
    return found


def python_messages(text: str) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = [
        (ast.literal_eval(match.group("literal")), None) for match in PYTHON_GETTEXT.finditer(text)
    ]
    found += [
        (ast.literal_eval(match.group("singular")), ast.literal_eval(match.group("plural")))
        for match in PYTHON_NGETTEXT.finditer(text)
    ]
    return found


def marked_strings() -> list[tuple[str, str, str | None]]:
    """(file, msgid, msgid_plural) of every single-line string the code marks."""
    marked = []
    for path in sorted((BASE_DIR / "templates").rglob("*.html")):
        for msgid, plural in template_messages(path.read_text(encoding="utf-8")):
            marked.append((str(path.relative_to(BASE_DIR)), msgid, plural))
    for package in PYTHON_PACKAGES:
        for path in sorted((BASE_DIR / package).rglob("*.py")):
            for msgid, plural in python_messages(path.read_text(encoding="utf-8")):
                marked.append((str(path.relative_to(BASE_DIR)), msgid, plural))
    return marked


def test_the_scanner_finds_what_it_should():
    assert python_messages("x = _(\"Grid maps\")\ny = gettext_lazy('It\\'s')") == [
        ("Grid maps", None),
        ("It's", None),
    ]
    assert python_messages('ngettext("%(n)d grid", "%(n)d grids", n)') == [
        ("%(n)d grid", "%(n)d grids")
    ]
    assert python_messages('_(\n    "Split over "\n    "two lines."\n)') == []
    assert python_messages('obj.gettext("no")  # not a marker\nmy_("no")') == []
    assert template_messages(
        "{% translate \"A\" %}{% trans 'B' %}"
        "{% blocktranslate with name=x.y %}Map of {{ name }}{% endblocktranslate %}"
        "{% blocktranslate count n=c %}{{ n }} grid{% plural %}{{ n }} grids"
        "{% endblocktranslate %}"
    ) == [
        ("A", None),
        ("B", None),
        ("Map of %(name)s", None),
        ("%(n)s grid", "%(n)s grids"),
    ]


def test_every_marked_string_is_in_the_catalogue(catalogue):
    marked = marked_strings()
    assert len(marked) > 50  # the scanner still finds the project's strings
    entries = {entry.msgid: entry for entry in active_entries(catalogue)}
    missing = []
    for where, msgid, plural in marked:
        entry = entries.get(msgid)
        if entry is None or (plural is not None and entry.msgid_plural != plural):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, (
        "strings marked for translation but not in the catalogue (run makemessages and "
        "translate them):\n" + "\n".join(missing)
    )


# --------------------------------------------------------------------------- what users see


@pytest.mark.django_db
def test_the_api_answers_in_chinese_unless_the_client_asks_for_english(zh_catalogue, api):
    with override_settings(LANGUAGE_CODE="zh-hans"):
        chinese = api.get("/api/v1/grids/locate/", {"lat": 1, "lng": 1})
        english = api.get("/api/v1/grids/locate/", {"lat": 1, "lng": 1}, HTTP_ACCEPT_LANGUAGE="en")
    assert chinese.status_code == english.status_code == 404
    assert chinese.json()["errors"][0]["detail"] == "没有网格包含该点。"
    assert english.json()["errors"][0]["detail"] == "No grid contains this point."
