"""Value evidence: which infotypes a column's sampled values look like, and how many pass checks.

For each infotype that values can show, `value_evidence` counts the values whose text has its
shape (`matched`) and, of those, the ones that pass its validator (`validated`): Luhn, mod-97,
check digits, validity ranges, `phonenumbers`, `python-stdnum`. It also keeps one masked example.

Cost is the design constraint: the whole classifier has to keep up 1,000 columns of 1,000
values a second on one core. The values are joined into one text (repeated values once, when
a column repeats them a lot), and a pattern finds all its whole-line matches in one scan at C
speed. Before any scan come facts that cost a few microseconds and rule patterns out exactly:
the values' lengths and digits, characters every match holds, the characters a match can be made
of, and the values' shapes (their digits written as 9), of which most columns have only a few.
A pattern that doesn't read digits' values matches a value exactly when it matches its shape,
so when it matches every shape there is nothing left to scan. The validators are the slow part:
they run on at most a few dozen evenly spread matches, and the share that passes is scaled up to
all matches.
"""

from __future__ import annotations

import functools
import importlib
import ipaddress
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

import phonenumbers
from faker.providers.address.en_GB import Provider as _GBAddress
from faker.providers.address.en_US import Provider as _USAddress
from stdnum import bic, iban, luhn
from stdnum.be import nn as be_nn
from stdnum.br import cpf as br_cpf
from stdnum.ch import ssn as ch_ssn
from stdnum.ch import vat as ch_vat
from stdnum.cn import ric as cn_ric
from stdnum.cz import bankaccount as cz_bankaccount
from stdnum.de import idnr as de_idnr
from stdnum.dk import cpr as dk_cpr
from stdnum.es import ccc as es_ccc
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.eu import vat as eu_vat
from stdnum.fi import hetu as fi_hetu
from stdnum.fr import nir as fr_nir
from stdnum.gb import nhs as gb_nhs
from stdnum.gb import vat as gb_vat
from stdnum.in_ import aadhaar as in_aadhaar
from stdnum.it import codicefiscale as it_codicefiscale
from stdnum.mx import curp as mx_curp
from stdnum.nl import bsn as nl_bsn
from stdnum.no import fodselsnummer as no_fodselsnummer
from stdnum.no import kontonr as no_kontonr
from stdnum.nz import bankaccount as nz_bankaccount
from stdnum.pl import pesel as pl_pesel
from stdnum.se import personnummer as se_personnummer
from stdnum.us import ein as us_ein
from stdnum.us import itin as us_itin
from stdnum.za import idnr as za_idnr

from edge.classification.names import fold
from edge.profiling import SHAPE_SEPARATORS


@dataclass(frozen=True)
class ValueEvidence:
    """What one column's values say about one infotype.

    `validated` counts matches that pass the infotype's validator; where there is no validator
    it equals `matched`, except for card verification codes: three or four digits can't be
    checked, so they are never reported as validated. `bare` counts the validated matches
    written as bare digits, the way other numbers are written too: ten digits pass as a phone
    number whether they are one or a ticket number.
    """

    infotype: str
    total: int  # non-empty values looked at
    matched: int  # values whose text matches the infotype's pattern
    validated: int  # matched values that also pass the validator
    example: str | None  # one matching value, masked
    distinct: int  # different matched values (letter case aside where there are few)
    bare: int = 0  # validated matches in a form other numbers share

    @property
    def telling(self) -> int:
        """Validated matches that say the infotype by their form too: all but the bare ones."""
        return self.validated - self.bare


# Text that stands for no value in exported data: it is evidence of nothing. Written as
# exports write it; a set of exact forms is checked against a column's distinct values at once.
PLACEHOLDERS = frozenset(
    form
    for word in ("null", "(null)", "<null>", "none", "nil", "nan", "n/a", "na", "n.a.", "#n/a")
    for form in (word, word.upper(), word.capitalize(), word.title())
) | {"-", "--", "?", "NaN"}


def present_values(values: Sequence[str]) -> list[str]:
    """The values that say something: stripped, neither empty nor a placeholder (`NULL`)."""
    present = list(filter(None, map(str.strip, values)))
    if not PLACEHOLDERS.isdisjoint(present):
        present = [v for v in present if v not in PLACEHOLDERS]
    return present


def value_evidence(values: Sequence[str], *, today: date | None = None) -> dict[str, ValueEvidence]:
    """Evidence for every infotype that at least one of `values` matches (surrounding whitespace
    is ignored; empty values are not counted). `today` bounds birth and expiry dates."""
    column = _Column(values)
    found: dict[str, ValueEvidence] = {}
    if column.total == 0:
        return found
    for detector in _DETECTORS:
        matches = detector.matches(column)
        if not matches:
            continue
        today = today or date.today()
        evidence = detector.evidence(matches, column, today)
        earlier = found.get(detector.infotype)
        if earlier is not None:  # a second form of the same infotype; the forms never overlap
            evidence = ValueEvidence(
                earlier.infotype,
                earlier.total,
                earlier.matched + evidence.matched,
                earlier.validated + evidence.validated,
                earlier.example,
                earlier.distinct + evidence.distinct,
                earlier.bare + evidence.bare,
            )
        found[detector.infotype] = evidence
    return found


# --- the column as text, with the exact facts that decide which patterns can match -------------

_DIGITS = b"0123456789"
_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGITS_AS_9 = bytes.maketrans(_DIGITS, b"9" * 10)
_SHAPES_PER_VALUE = 4  # shapes are worth trying first when there are at most 1 per 4 values
# Counting repeated values once pays when the first values already repeat this much; a column
# with many shapes shows it in its first values as well.
_PROBE_VALUES, _PROBE_DISTINCT = 100, 50
_FEW_LINES = 32  # up to this many, telling values apart by more than their bytes costs nothing


class _View:
    """Some of a column's values, one per line between newlines."""

    __slots__ = ("_fits", "_raw", "text", "values")

    def __init__(self, values: list[str]) -> None:
        self.values = values
        self.text = "\n" + "\n".join(values) + "\n"
        self._raw: bytes | None = None
        self._fits: dict[bytes, bool] = {}

    @property
    def raw(self) -> bytes:
        if self._raw is None:  # values may hold lone surrogates; they are never part of a match
            self._raw = self.text.encode("utf-8", "surrogatepass")
        return self._raw

    def fits(self, alphabet: bytes) -> bool:
        """Whether some value is made of `alphabet`'s characters only."""
        fits = self._fits.get(alphabet)
        if fits is None:
            fits = self._fits[alphabet] = b"\n\n" in self.raw.translate(None, alphabet)
        return fits


class _Column:
    """A column's present values (each distinct value once when they repeat a lot),
    and facts about them that cost a few microseconds each: a pattern they rule out is never
    run."""

    __slots__ = (
        "_counts",
        "_lengths",
        "_shapes",
        "_unspaced",
        "digits",
        "total",
        "values",
    )

    def __init__(self, values: Sequence[str]) -> None:
        nonempty = present_values(values)
        self.total = len(nonempty)
        self._counts: Counter[str] | None = None
        if len(set(nonempty[:_PROBE_VALUES])) <= _PROBE_DISTINCT:
            self._counts = Counter(nonempty)
            nonempty = list(self._counts)
        view = _View(nonempty)
        # A value that spans lines is kept on one; runs of spaces (fixed-width exports) and
        # other white space inside a value read as one space.
        if view.text.count("\n") != len(nonempty) + 1 or "  " in view.text or "\t" in view.text:
            if self._counts is None:
                view = _View([" ".join(value.split()) for value in nonempty])
            else:
                joined: Counter[str] = Counter()
                for value, n in self._counts.items():
                    joined[" ".join(value.split())] += n
                self._counts = joined
                view = _View(list(joined))
        self.values = view
        self._lengths: tuple[int, int] | None = None
        self.digits = len(view.raw) - len(view.raw.translate(None, _DIGITS))
        self._unspaced: _View | None = None
        self._shapes: _View | bool | None = False  # False: not worked out yet

    def view(self, spaces: bool) -> _View:
        """All values, or (for a pattern without spaces) only those without a space."""
        if spaces or " " not in self.values.text:
            return self.values
        if self._unspaced is None:
            self._unspaced = _View([value for value in self.values.values if " " not in value])
        return self._unspaced

    @property
    def lengths(self) -> tuple[int, int]:
        """The shortest value's length and the longest's."""
        if self._lengths is None:
            shapes = self.shapes  # the same lengths, often far fewer of them
            lengths = set(map(len, (shapes or self.values).values))
            self._lengths = (min(lengths, default=0), max(lengths, default=0))
        return self._lengths

    @property
    def shapes(self) -> _View | None:
        """The values' distinct shapes, their digits written as 9; None when there are so many
        that trying a pattern on them would cost about as much as on the values."""
        if self._shapes is False:
            values = self.values.values
            probe = "\n".join(values[:_PROBE_VALUES]).encode("utf-8", "surrogatepass")
            shapes = set(probe.translate(_DIGITS_AS_9).split(b"\n"))
            many = len(shapes) * _SHAPES_PER_VALUE > min(len(values), _PROBE_VALUES)
            if not many:  # the probe says few: take the shapes of every value, not the probe's
                everything = self.values.raw.translate(_DIGITS_AS_9)
                (first, *_) = shapes
                # one shape throughout (dates, codes, numbers of one length) needs no splitting
                if len(shapes) > 1 or everything != (b"\n" + first) * len(values) + b"\n":
                    shapes = set(everything[1:-1].split(b"\n"))
                many = len(shapes) * _SHAPES_PER_VALUE > len(values)
            self._shapes = (
                None if many else _View([s.decode("utf-8", "surrogatepass") for s in shapes])
            )
        return self._shapes if isinstance(self._shapes, _View) else None

    def distinct(self, lines: list[str]) -> int:
        """How many different values `lines` (some of its text's lines) hold. Letter case is set
        aside where it can matter, among a few values ("x" and "X" are one mark); a column that
        repeats its values a lot holds each once already."""
        if len(lines) <= _FEW_LINES:
            return len(set(map(str.casefold, lines)))
        return len(lines) if self._counts is not None else len(set(lines))

    def count(self, lines: list[str]) -> int:
        """How many of the column's values `lines` (some of its text's lines) stand for."""
        if self._counts is None:
            return len(lines)
        return sum(map(self._counts.__getitem__, lines))


# --- validators: called with a bounded sample of matches; they return one verdict per value ----

Validator = Callable[[Sequence[str], date], list[bool]]


def _each(check: Callable[[str], bool]) -> Validator:
    def validate(values: Sequence[str], _today: date) -> list[bool]:
        return [check(value) for value in values]

    return validate


_SEPARATORS = re.compile(r"[\s.\-/+]")


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", value).upper()


# Issuer identification number ranges of the card networks in use (ISO/IEC 7812): Visa, the
# Mastercard ranges old and new, Maestro, Mir, Amex, Diners, JCB, Discover, UnionPay, UATP.
_CARD_IIN = re.compile(
    r"4|5[0-8]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720|220[0-4]"
    r"|3[47]|30[0-5]|3[5689]|6|2131|1"
)


def _card_ok(value: str) -> bool:
    digits = value.replace(" ", "").replace("-", "")
    return 13 <= len(digits) <= 19 and bool(_CARD_IIN.match(digits)) and luhn.is_valid(digits)


# Numbers the SSA voided after they were printed in advertisements and leaflets.
_SSNS_BURNT = frozenset({"078051120", "219099999", "457555462"})


def _ssn_ok(value: str) -> bool:
    """The SSA's rules: no area 000, 666 or 9xx, no group 00, no serial 0000."""
    digits = value.replace(" ", "").replace("-", "")
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return (
        area not in ("000", "666")
        and area[0] != "9"
        and group != "00"
        and serial != "0000"
        and digits not in _SSNS_BURNT
    )


# National ids stdnum knows, by the shape of their compact form (a dispatch keeps it to one or
# a few checks per value; the separators each format uses are left for stdnum to handle).
_NumberCheck = Callable[[str], bool]
_NATIONAL_BY_DIGITS: dict[int, tuple[_NumberCheck, ...]] = {
    9: (nl_bsn.is_valid,),
    10: (se_personnummer.is_valid, dk_cpr.is_valid, fi_hetu.is_valid),
    11: (
        de_idnr.is_valid,
        br_cpf.is_valid,
        pl_pesel.is_valid,
        no_fodselsnummer.is_valid,
        be_nn.is_valid,
    ),
    12: (in_aadhaar.is_valid, se_personnummer.is_valid),
    13: (ch_ssn.is_valid, za_idnr.is_valid),
    15: (fr_nir.is_valid,),
}
_DNI = re.compile(r"\d{8}[A-Z]")
_NIE = re.compile(r"[XYZ]\d{7}[A-Z]")
_HETU = re.compile(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]")


def _national_id_ok(value: str) -> bool:
    compact = _compact(value)
    checks: tuple[_NumberCheck, ...]
    if compact.isdigit():
        checks = _NATIONAL_BY_DIGITS.get(len(compact), ())
    elif _DNI.fullmatch(compact):
        checks = (es_dni.is_valid,)
    elif _NIE.fullmatch(compact):
        checks = (es_nie.is_valid,)
    elif len(compact) == 16:
        checks = (it_codicefiscale.is_valid,)
    elif len(compact) == 18:
        checks = (cn_ric.is_valid, mx_curp.is_valid)
    elif len(compact) == 15:  # Corsican NIR: 2A / 2B in place of the department digits
        checks = (fr_nir.is_valid,)
    elif _HETU.fullmatch(value.upper()):
        checks = (fi_hetu.is_valid,)
    else:
        checks = ()
    return any(check(value) for check in checks)


# The countries of the IBAN registry stdnum ships: most IBAN-shaped strings that aren't IBANs
# fail on the country before the costlier checks.
_IBAN_COUNTRIES = frozenset(
    line[:2]
    for line in (resources.files("stdnum") / "iban.dat").read_text("utf-8").splitlines()
    if line[:2].isalpha() and line[:2].isupper()
)


def _iban_ok(value: str) -> bool:
    return value[:2].upper() in _IBAN_COUNTRIES and iban.is_valid(value)


def _tax_id_ok(value: str) -> bool:
    if _EIN.fullmatch(value):
        return us_ein.is_valid(value)
    if value[:1] == "9" and value[1:3].isdigit():
        return us_itin.is_valid(value.replace(" ", "-"))
    prefix = value[:3].upper()
    if prefix == "CHE":
        return ch_vat.is_valid(value)
    if prefix[:2] == "GB":
        return gb_vat.is_valid(value)
    return eu_vat.is_valid(value)


_EIN = re.compile(r"\d{2}-\d{7}")


def _bank_account_ok(value: str) -> bool:
    # Only the domestic formats that carry check digits stdnum knows: a bare account number
    # elsewhere is just digits.
    if "/" in value:
        return cz_bankaccount.is_valid(value)
    compact = _compact(value)
    if len(compact) == 20:
        return es_ccc.is_valid(value)
    if len(compact) == 11:
        return no_kontonr.is_valid(value)
    return nz_bankaccount.is_valid(value)


# Where a region's national format is tried, in order: a few of the largest and most common in
# business data. Bounded: at most _PHONE_PROBE values against each.
_PHONE_REGIONS = ("US", "GB", "DE", "FR", "NL", "IN", "BR", "IT", "ES")
# Regions whose national numbers are written with their trunk prefix 0: without it, a string of
# digits is not one of their numbers however leniently the parser reads it.
_TRUNK_ZERO = frozenset({"GB", "DE", "FR", "NL"})
_PHONE_PROBE = 3


def _phone_ok(value: str, region: str | None) -> bool:
    if region in _TRUNK_ZERO and not value.lstrip("(").startswith("0"):
        return False
    if _YEAR_SERIAL.fullmatch(value):
        return False
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return False
    if number.country_code == _NANP and not _grouped_as_nanp(value):
        return False
    return phonenumbers.is_valid_number(number)


# A year and a serial number ("2021-002590"): how case and file numbers are written.
_YEAR_SERIAL = re.compile(r"(?:19|20)\d\d[-/]\d{4,8}")
_NANP = 1  # the North American Numbering Plan's country code
_NANP_BREAKS = frozenset({3, 6})  # (202) 555-0143: area code, exchange, line
_DIGIT_RUNS = re.compile(r"\d+")


def _grouped_as_nanp(value: str) -> bool:
    """Whether a North American number is split where everybody splits one (3-3-4, maybe after
    a 1): "2021-329200" is a year and a serial number, not a phone number."""
    runs = _DIGIT_RUNS.findall(re.split(r"[xX#]|ext", value, maxsplit=1)[0])
    if len(runs) > 1 and runs[0] in ("1", "01", "001"):
        runs = runs[1:]
    breaks, at = set(), 0
    for run in runs[:-1]:
        at += len(run)
        breaks.add(at)
    return breaks <= _NANP_BREAKS


def _phones_ok(values: Sequence[str], _today: date) -> list[bool]:
    """International numbers (a leading + or 00) parse on their own; national ones in the one
    region that validates most of a few of them."""
    verdicts = [False] * len(values)
    national: list[int] = []
    for i, value in enumerate(values):
        if value.startswith("+"):
            verdicts[i] = _phone_ok(value, None)
        elif value.startswith("00"):
            verdicts[i] = _phone_ok("+" + value[2:], None)
        else:
            national.append(i)
    region = _phone_region([values[i] for i in national[:_PHONE_PROBE]]) if national else None
    if region is not None:
        for i in national:
            verdicts[i] = _phone_ok(values[i], region)
    return verdicts


def _phone_region(probe: Sequence[str]) -> str | None:
    """The region in which most of `probe` (at least a majority) are valid numbers, if any."""
    best, best_valid = None, len(probe) // 2
    for region in _PHONE_REGIONS:
        valid = 0
        for tried, value in enumerate(probe, start=1):
            valid += _phone_ok(value, region)
            if valid + len(probe) - tried <= best_valid:
                break  # it can't do better than the best so far
        else:
            best, best_valid = region, valid
            if valid == len(probe):
                break
    return best


_VIN_VALUE = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def _vin_ok(value: str) -> bool:
    """The North American check digit (position 9). Many VINs from elsewhere don't carry one:
    they match, and stay unvalidated."""
    vin = value.upper()
    if len(vin) != len(_VIN_WEIGHTS):
        return False
    remainder = sum(_VIN_VALUE[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True)) % 11
    return vin[8] == ("X" if remainder == 10 else str(remainder))


def _ip_ok(value: str) -> bool:
    try:
        if "/" in value:
            ipaddress.ip_interface(value)
        else:
            ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _email_ok(value: str) -> bool:
    local, _, domain = value.rpartition("@")
    labels = domain.split(".")
    return (
        len(value) <= 254
        and len(local) <= 64
        and not local.startswith(".")
        and not local.endswith(".")
        and ".." not in local
        and all(0 < len(label) <= 63 for label in labels)
        and not any(label.startswith("-") or label.endswith("-") for label in labels)
    )


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ISO_DATE = (
    r"(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_NUMERIC_DATE = r"(?P<a>\d{1,2})(?P<s>[-/.])(?P<b>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})"
_COMPACT_DATE = r"(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])"
_DAY_MONTH_YEAR = (
    rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\.?[ -](?P<mon>{_MONTH})\.?,?[ -](?P<y>\d{{4}})"
)
_MONTH_DAY_YEAR = rf"(?P<mon>{_MONTH})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>\d{{4}})"


def _unnamed(*forms: str) -> str:
    """The forms as one pattern without their named groups (a detector's pattern has one)."""
    return "|".join(
        re.sub(r"\(\?P<\w+>", "(?:", re.sub(r"\(\?P=s\)", "[-/.]", form)) for form in forms
    )


_DATE_FORMS = [
    re.compile(form, re.IGNORECASE)
    for form in (_ISO_DATE, _NUMERIC_DATE, _COMPACT_DATE, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR)
]
_OLDEST_AGE = 120


def _dates_in(value: str) -> list[date]:
    """Every date `value` can be read as: day and month may be either way round, and a
    two-digit year may be in either century."""
    for form in _DATE_FORMS:
        match = form.fullmatch(value)
        if match is None:
            continue
        parts = match.groupdict()
        if (parts.get("time") or "0").strip("0:.") != "":
            return []  # a moment in the day: a timestamp, not a birth date
        years = [int(parts["y"])]
        if len(parts["y"]) == 2:
            years = [1900 + years[0], 2000 + years[0]]
        if parts.get("mon"):
            month_days = [(_MONTHS[parts["mon"].lower()], int(parts["d"]))]
        elif parts.get("a"):
            a, b = int(parts["a"]), int(parts["b"])
            month_days = [(b, a), (a, b)]
        else:
            month_days = [(int(parts["m"]), int(parts["d"]))]
        return [day for y in years for m, d in month_days if (day := _date_or_none(y, m, d))]
    return []


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _birth_dates_ok(values: Sequence[str], today: date) -> list[bool]:
    oldest = date(today.year - _OLDEST_AGE, 1, 1)
    return [any(oldest <= d <= today for d in _dates_in(value)) for value in values]


_EXPIRY_YEARS = 20  # cards issued this long ago or valid this long ahead


def _expiries_ok(values: Sequence[str], today: date) -> list[bool]:
    verdicts = []
    for value in values:
        year = int(value.rpartition("/")[2])
        year += 2000 if year < 100 else 0
        verdicts.append(abs(year - today.year) <= _EXPIRY_YEARS)
    return verdicts


def _geo_ok(value: str) -> bool:
    numbers = [float(n) for n in re.findall(r"[-+]?\d+(?:\.\d+)?", value)]
    if len(numbers) == 1:
        return abs(numbers[0]) <= 180
    return len(numbers) == 2 and abs(numbers[0]) <= 90 and abs(numbers[1]) <= 180


_KNOWN_KEY = re.compile(
    r"(?:sk|pk|rk)_(?:live|test)_|(?:AKIA|ASIA)[0-9A-Z]{16}$|gh[pousr]_|github_pat_|xox[abprs]-"
    r"|AIza|glpat-|sk-|SG\.|eyJ[\w-]+\.eyJ"
)
# What a masked key keeps: the issuer's prefix, never any of the secret.
_KEY_PREFIX = re.compile(
    r"(?:sk|pk|rk)_(?:live|test)_|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abprs]-|AIza|glpat-|sk-"
    r"|SG\.|eyJ|-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"
)
_MIN_KEY_ENTROPY = 3.5  # bits per character: random base62 tokens of 24+ characters exceed it
_HEX_CHARS = frozenset("0123456789abcdefABCDEF")


def _entropy(value: str) -> float:
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def _api_key_ok(value: str) -> bool:
    """A known token prefix, or a long random token: upper and lower case and digits, high
    entropy, not a hex digest."""
    if _KNOWN_KEY.match(value):
        return True
    return (
        not set(value) <= _HEX_CHARS
        and any(c.isupper() for c in value)
        and any(c.islower() for c in value)
        and any(c.isdigit() for c in value)
        and _entropy(value) >= _MIN_KEY_ENTROPY
    )


def _medical_record_ok(value: str) -> bool:
    # A prefixed record number is as good as its shape gets; an NHS number has a check digit.
    return not value[:1].isdigit() or gb_nhs.is_valid(value)


# --- masking: never a raw value ------------------------------------------------------------------

Masker = Callable[[str], str]
_LONGEST_EXAMPLE = 40


def _shorten(masked: str) -> str:
    return masked if len(masked) <= _LONGEST_EXAMPLE else masked[:_LONGEST_EXAMPLE] + "…"


def mask_shape(value: str) -> str:
    """Every character becomes *, except the separators that give the shape (white space and
    SHAPE_SEPARATORS) of a value that has letters or digits: one of symbols alone has no
    structure to show, only content."""
    if not any(c.isalnum() for c in value):
        return _shorten("*" * len(value))
    return _shorten("".join(c if c in SHAPE_SEPARATORS or c.isspace() else "*" for c in value))


def _mask_keeping_last(keep: int) -> Masker:
    def mask(value: str) -> str:
        chars = list(value)
        kept = 0
        for i in range(len(chars) - 1, -1, -1):
            if chars[i].isalnum():
                if kept < keep:
                    kept += 1
                else:
                    chars[i] = "*"
        return _shorten("".join(chars))

    return mask


def _mask_email(value: str) -> str:
    local, _, domain = value.rpartition("@")
    return _shorten(f"{local[:1]}***@{domain}")


def _mask_keeping_prefix(prefix: re.Pattern[str]) -> Masker:
    """A recognised scheme or token prefix says what the value is without giving it away."""

    def mask(value: str) -> str:
        match = prefix.match(value)
        kept = match.group() if match else ""
        return _shorten(kept + mask_shape(value[len(kept) :]))

    return mask


# Given names of many locales, from Faker's lists (a dependency already, for training data):
# public knowledge of what people are called, not data from any evaluation set.
_NAME_LOCALES = [
    "en_US",
    "en_GB",
    "en_IN",
    "en_NZ",
    "de_DE",
    "de_AT",
    "fr_FR",
    "fr_CA",
    "es_ES",
    "es_MX",
    "it_IT",
    "nl_NL",
    "pt_BR",
    "pt_PT",
    "pl_PL",
    "sv_SE",
    "da_DK",
    "fi_FI",
    "cs_CZ",
    "sk_SK",
    "hu_HU",
    "ro_RO",
    "hr_HR",
    "sl_SI",
    "tr_TR",
    "id_ID",
    "fil_PH",
    "lt_LT",
    "lv_LV",
    "et_EE",
    "el_GR",
    "ru_RU",
    "uk_UA",
    "bg_BG",
]
_NAME_PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "das",
        "dos",
        "du",
        "la",
        "le",
        "bin",
        "ibn",
        "al",
    ]
)


@functools.cache
def _given_names() -> frozenset[str]:
    return _faker_names("first_names", "first_names_male", "first_names_female")


@functools.cache
def _surnames() -> frozenset[str]:
    return _faker_names("last_names", "last_names_male", "last_names_female")


# How systems that keep to ASCII write the letters of German and Nordic names: "Mueller",
# "Aage"; other accents they drop ("Francois", "Munoz").
_ASCII_SPELLING = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "å": "aa", "ø": "oe", "æ": "ae"})


def _faker_names(*attributes: str) -> frozenset[str]:
    """The names of `attributes` in Faker's person providers, case-folded, and as systems that
    keep to ASCII write them too ("francois", "mueller")."""
    names = _faker_words("person", attributes)
    return frozenset(names | {fold(name.translate(_ASCII_SPELLING)) for name in names})


def _faker_words(provider: str, attributes: Sequence[str]) -> set[str]:
    """The words of two letters or more that Faker's `provider` of each of _NAME_LOCALES lists
    under `attributes`, case-folded: public knowledge, not data from any evaluation set."""
    words: set[str] = set()
    for locale in _NAME_LOCALES:
        try:
            module = importlib.import_module(f"faker.providers.{provider}.{locale}")
        except ImportError:
            continue
        for attribute in attributes:
            found = getattr(module.Provider, attribute, None) or ()
            words.update(w.casefold() for w in found if isinstance(w, str) and len(w) > 1)
    return words


# Words that make a run of capitalised words the name of an organisation or a place, in the
# languages the given names come from: legal forms and the kinds of business and institution.
_ORGANISATIONS = """
    llc inc incorporated ltd limited corp corporation co company companies plc llp lp gmbh ag kg
    sa sas sarl sl srl spa bv nv oy ab as dba &
    associates association assoc brothers bros partners group holdings enterprises industries
    international services service solutions systems consulting management properties realty
    investments trust foundation fund club society union council committee board authority
    agency department dept ministry office bureau commission
    center centre clinic hospital pharmacy school academy college university institute library
    museum church chapel temple mosque parish ministries restaurant cafe bar grill pizza bakery
    hotel motel inn market supermarket store shop shoppe mart outlet salon studio studios garage
    motors auto farm farms ranch landscaping construction builders plumbing electric
    electrical cleaning apartments residence residences manor village park playground arena
    pool field stadium gym station plaza mall tower towers building hall court gardens
    estates
    asociacion fundacion instituto colegio escuela universidad iglesia restaurante tienda
    almacen supermercado farmacia drogueria hospital clinica centro empresa compania sociedad
    corporacion cooperativa taller peluqueria panaderia ferreteria distribuidora comercializadora
    gimnasio liceo
    verein stiftung schule kirche apotheke klinik zentrum gesellschaft firma
    societe entreprise ecole eglise pharmacie clinique centre boulangerie
    societa azienda scuola chiesa farmacia ristorante
    empresa escola igreja loja
    stichting vereniging school kerk apotheek winkel
    ooo ead ood eood
"""
# The same in Cyrillic letters (some look Latin: they are not).
_CYRILLIC_ORGANISATIONS = (
    "ооо оао зао ао пао нао ип тов пп фоп ад еад оод еоод сд кд кда ет дооел јп компания банк фирма"  # noqa: RUF001
)
_ORGANISATION_WORDS = frozenset((_ORGANISATIONS + _CYRILLIC_ORGANISATIONS).split())


def names_an_organisation(value: str) -> bool:
    """Whether the value holds a word of an organisation: "RED LOBSTER OF TEXAS, INC."."""
    return not _ORGANISATION_WORDS.isdisjoint(_words(value))


def _person_name_ok(value: str) -> bool:
    """A name of two to five words, one of them a given name some country uses; or of three or
    more, two of them surnames (a rare given name before two family names: "Gilma Cervantes
    Rodriguez"; two words may both be surnames and no name: "Baker Street"); or initials before
    a surname."""
    known, surnames = _given_names(), _surnames()
    words = [w.strip(".").casefold() for w in value.replace(",", " ").split()]
    words = [w for w in words if w not in _NAME_PARTICLES]
    return (
        any(_all_in(w, known) for w in words)
        or (len(words) > 2 and sum(_all_in(w, surnames) for w in words) >= 2)
        or _initialled(words, surnames)
    )


def _initialled(words: list[str], surnames: frozenset[str]) -> bool:
    """Whether the words are two or three initials before a surname ("G A Wood", "J. R. Moore").
    One initial before a word is as often a lettered street, a key or a ward ("K Street",
    "C Major", "A Ward") as a person, and compass points are a street's quarter ("N E Jackson")."""
    *initials, last = words or [""]
    return (
        1 < len(initials) <= 3
        and all(len(w) == 1 for w in initials)
        and not set(initials) <= set("nsew")
        and _all_in(last, surnames)
    )


def _all_in(word: str, names: frozenset[str]) -> bool:
    """Whether `word` is one of `names`, or hyphenated of them all ("jean-luc", "biggen-briemer";
    not "mercedes-benz", not "saint-denis")."""
    return word in names or ("-" in word and all(part in names for part in word.split("-")))


def _names_only(found: list[str]) -> list[str]:
    """Of single capitalised words, the given names and surnames some country uses."""
    given, surnames = _given_names(), _surnames()
    return [
        value
        for value, word in zip(found, map(str.casefold, found), strict=True)
        if word in given or word in surnames
    ]


# Countries and first-level regions (states, provinces, regions, Länder), as Faker's address
# providers list them in their languages, with their abbreviations of two letters or more, but
# for those that are more often a word or an answer ("NO", "SI", "IT"); a state's code that is an
# English word too ("OK", "IN", "OH") counts only beside a place that is no word (`NY`): a
# column of nothing else holds flags (`ON`/`OFF`, `IN`/`OUT`). And a column needs three places
# to count fully (rules.py).
_PLACE_ATTRIBUTES = ("countries", "states", "states_abbr", "provinces", "provinces_abbr", "regions")
_WORDLIKE_CODES = "no na si so to go is up as at be by do if it my of us we am"
_NOT_PLACES = frozenset(_WORDLIKE_CODES.split())
_ENGLISH_WORD_CODES = "on in or ok oh me hi id"
_PLACES_ALSO_WORDS = frozenset(_ENGLISH_WORD_CODES.split())


@functools.cache
def _places() -> frozenset[str]:
    places = _faker_words("address", _PLACE_ATTRIBUTES)
    return frozenset((places | {fold(place) for place in places}) - _NOT_PLACES)


def _places_only(found: list[str]) -> list[str]:
    """Of values with the form of a place's name, the countries and regions."""
    places = _places()
    named = [value for value in found if value.casefold() in places]
    if all(value.casefold() in _PLACES_ALSO_WORDS for value in named):
        return []
    return named


def _some_places(values: list[str]) -> bool:
    """Whether an evenly spread sample of the values names a country or a region: a column
    that does not (most) is not read any further."""
    return bool(_places_only(spread(values, _PEOPLE_PROBE)))


def _given_name(value: str) -> bool:
    return value.casefold() in _given_names()


def _people_only(found: list[str]) -> list[str]:
    """Of values with the form of a person's name, those that name no organisation or place
    ("Dove Springs WIC Clinic", "Smith & Sons", "BAKX LLC") and end in no street type that is
    nobody's name ("Gun Hill Rd", "Bedford Park Blvd"; "Diane Lane" stays). A spread sample is
    looked at first: where it shows none of those words (most columns of people's names), the
    column pays no more."""
    streets = _unnamed_street_types()

    def person(value: str) -> bool:
        words = _words(value)
        return (
            _ORGANISATION_WORDS.isdisjoint(words)
            and not (words and words[-1] in streets)
            and not _town_and_region(value)
        )

    if all(map(person, spread(found, _PEOPLE_PROBE))):
        return found
    return [value for value in found if person(value)]


def _town_and_region(value: str) -> bool:
    """Whether the value is a town and its region's code ("Nelsonville, AZ"), which has the
    form of "LAST, FIRST"; unless the code is also a given name ("KIM, JO")."""
    town, comma, code = value.rpartition(",")
    code = code.strip()
    return (
        bool(comma and town)
        and (len(code) == 2 and code.isupper() and code.casefold() in _places())
        and code.casefold() not in _given_names()
    )


@functools.cache
def _unnamed_street_types() -> frozenset[str]:
    return frozenset(_STREET_TYPES) - _given_names() - _surnames()


_PEOPLE_PROBE = 64


def _words(text: str) -> list[str]:
    spaced = text.replace(",", " ").replace(".", " ").replace("'", " ").replace("&", " & ")
    return spaced.casefold().split()


def _mask_initials(value: str) -> str:
    """Each word's first letter stays: `J*** S****`."""
    return _shorten(" ".join(w[:1] + "*" * (len(w) - 1) for w in value.split()))


# --- the detectors --------------------------------------------------------------------------------

_DEFAULT_SAMPLE = 32  # matches validated per column at most; the pass rate is scaled to all


@dataclass(frozen=True, slots=True)
class _Detector:
    """One form of an infotype: its pattern; the facts without which it can't match (each exact:
    a detector they rule out would have found nothing); its validator and masking."""

    infotype: str
    form: str  # the regular expression a whole value matches
    shortest: int  # a match is this many characters long at least
    longest: int
    alphabet: bytes | None  # every ASCII character a match can hold (None: any character)
    digits: int = 0  # a match holds at least this many digits
    needs: str = ""  # every match holds this
    starts: str = ""  # ... and starts with this
    spaces: bool = False  # a match may hold a space
    flags: int = re.ASCII
    validate: Validator | None = None
    sample: int = _DEFAULT_SAMPLE
    mask: Masker = mask_shape
    checkable: bool = True  # False: the shape is all there is, never reported as validated
    # Of the matches, those that are this infotype, where the form lets others in (a firm's name
    # has the form of a person's): the others are not counted.
    keep: Callable[[list[str]], list[str]] | None = None
    bare: bool = False  # True: ids and other numbers are written the same way (bare digits)
    # Lengths at which every value made of `alphabet` alone matches (no need to look).
    uniform: frozenset[int] = frozenset()
    # A look at a sample of the values without which the form is not tried: where the form
    # lets in most text and only a list decides (places).
    probe: Callable[[list[str]], bool] | None = None
    pattern: re.Pattern[str] = field(init=False)  # the value (group 1) on a line of its own
    relaxed: re.Pattern[str] = field(init=False)  # the same, for values with digits written as 9
    digit_blind: bool = field(init=False)  # the two are one: a value matches if its shape does

    def __post_init__(self) -> None:
        relaxed = _relax(self.form)
        if re.compile(self.form).groups:
            raise ValueError(f"{self.infotype}: a form has no groups of its own: {self.form!r}")
        object.__setattr__(self, "pattern", _line(self.form, self.flags))
        object.__setattr__(self, "relaxed", _line(relaxed, self.flags))
        object.__setattr__(self, "digit_blind", relaxed == self.form)

    def matches(self, column: _Column) -> list[str]:
        """The values (of `column.values`, or the unspaced view) that match the pattern and are
        not something else."""
        found = self._matching(column)
        return self.keep(found) if self.keep is not None and found else found

    def _matching(self, column: _Column) -> list[str]:
        text = column.values.text
        if (
            column.digits < self.digits
            or self.needs not in text
            or (self.starts and "\n" + self.starts not in text)
            or column.lengths[0] > self.longest
            or column.lengths[1] < self.shortest
            or (self.probe is not None and not self.probe(column.values.values))
        ):
            return []
        view = column.view(self.spaces)
        if (
            self.uniform
            and self.alphabet is not None
            and view is column.values
            and column.lengths[0] == column.lengths[1]
            and column.lengths[1] in self.uniform
            and not view.raw.translate(None, self.alphabet + b"\n")
        ):
            return view.values  # every value is made of the alphabet, at a length that matches
        shapes = column.shapes
        if shapes is None:
            if self.alphabet is not None and not view.fits(self.alphabet):
                return []
            return self.pattern.findall(view.text)
        if self.alphabet is not None and not shapes.fits(self.alphabet):
            return []
        matching = self.relaxed.findall(shapes.text)
        if not matching:
            return []
        if self.digit_blind and len(matching) == len(shapes.values) and view is column.values:
            return view.values  # the pattern reads no digit's value, and every shape matches
        return self.pattern.findall(view.text)

    def evidence(self, matches: list[str], column: _Column, today: date) -> ValueEvidence:
        matched = column.count(matches)
        sample = spread(matches, self.sample)
        if self.validate is None:
            validated = matched if self.checkable else 0
            example = sample[0]
        else:
            distinct = list(dict.fromkeys(sample))
            verdicts = self.validate(distinct, today)
            passed = {value for value, ok in zip(distinct, verdicts, strict=True) if ok}
            # the share of the sample that passed, each value weighed by how often it occurs
            share = column.count([v for v in sample if v in passed]) / column.count(sample)
            validated = matched if share == 1 else round(matched * share)
            example = next((v for v in distinct if v in passed), sample[0])
        return ValueEvidence(
            self.infotype,
            column.total,
            matched,
            validated,
            self.mask(example),
            distinct=column.distinct(matches),
            bare=validated if self.bare else 0,
        )


_GOLDEN = (5**0.5 - 1) / 2


def spread(matches: list[str], most: int) -> list[str]:
    """At most `most` of the matches: one from each of as many equal stretches, from a place in
    its stretch that varies (a fixed stride can fall in step with a pattern in the data)."""
    if len(matches) <= most:
        return matches
    width = len(matches) / most
    return [matches[int((j + j * _GOLDEN % 1) * width)] for j in range(most)]


def _line(pattern: str, flags: int) -> re.Pattern[str]:
    """`pattern` as a whole value: it follows a newline and is followed by one. The leading
    newline lets the engine jump from line to line instead of trying every character."""
    return re.compile(rf"\n((?:{pattern}))(?=\n)", flags | re.MULTILINE)


def _relax(pattern: str) -> str:
    """`pattern` with every condition on a digit's value dropped (`[2-6]`, `756`, `1[0-2]` become
    `\\d`s), so that it matches a value's shape, its digits written as 9, whenever `pattern`
    matches the value. A condition inside a negative lookahead would turn the other way: it is
    refused."""
    out: list[str] = []
    negative: list[bool] = []  # per open group: is it a negative lookahead?
    i, end = 0, len(pattern)
    while i < end:
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif c == "{":  # a quantifier (literal braces are escaped)
            close = pattern.index("}", i)
            out.append(pattern[i : close + 1])
            i = close + 1
        elif c == "[":
            close = i + 1 + (pattern[i + 1] == "^")
            close += pattern[close] == "]"
            while pattern[close] != "]":
                close += 2 if pattern[close] == "\\" else 1
            negated = pattern[i + 1] == "^"
            members = re.findall(r"\\.|.-[^\]]|.", pattern[i + 1 + negated : close])
            kept = [m for m in members if not m[0].isdigit()]
            if len(kept) != len(members):
                if negated or any(negative):
                    raise ValueError(f"a digit's value can't be relaxed here: {pattern!r}")
                kept.append("\\d")
            out.append("[" + "^" * negated + "".join(kept) + "]")
            i = close + 1
        elif c.isdigit():
            if any(negative):
                raise ValueError(f"a digit's value can't be relaxed here: {pattern!r}")
            out.append("\\d")
            i += 1
        else:
            if c == "(":
                negative.append(pattern.startswith("(?!", i))
            elif c == ")":
                negative.pop()
            out.append(c)
            i += 1
    return "".join(out)


def _chars(*parts: bytes) -> bytes:
    return b"".join(parts)


_UPPER, _LOWER = _LETTERS[:26], _LETTERS[26:]
_ALNUM = _DIGITS + _LETTERS
_HEX = _DIGITS + b"abcdefABCDEF"

# A capitalised word of a name (Latin, Greek and Cyrillic scripts), a lower-case particle, a
# title and a suffix.
_APOSTROPHES = "'\u2019"  # a real character (not a regex escape): _relax reads digits
_UPPER_CASE = (
    "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u017f"  # Latin (Extended-A: both cases)
    "\u0386\u0388-\u038f\u0391-\u03a9"  # Greek
    "\u0400-\u042f\u0490"  # Cyrillic
)
_LOWER_CASE = "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u017f\u03ac-\u03ce\u0430-\u045f\u0491"
# A capitalised word ("Ada", "O'Neil", "J."), or one in capitals ("LOVELACE", "O'NEIL"), as
# registers, rolls and older systems write names.
_NAME_WORD = (
    # "McDonald", "MacArthur", "DeLuca": a short prefix may carry a second capital
    rf"[{_UPPER_CASE}](?:(?:[{_LOWER_CASE}]{{1,2}}[{_UPPER_CASE}])?[{_LOWER_CASE}]*"
    rf"(?:[{_APOSTROPHES}\-][{_UPPER_CASE}{_LOWER_CASE}][{_LOWER_CASE}]*)?"
    rf"|[{_UPPER_CASE}]*(?:[{_APOSTROPHES}\-][{_UPPER_CASE}]{{2,}})?)\.?"
)
# in lower case or in capitals, as registers write them ("GUSTAVO DE JESUS CANO")
_PARTICLE = "(?:" + "|".join(sorted({*_NAME_PARTICLES, *map(str.upper, _NAME_PARTICLES)})) + ")"
# Up to two titles ("Prof. Dr.", "Dipl.-Ing.") before, a degree or generation after.
_TITLE = (
    r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Dra|Prof|Herr|Frau|Mme|Mlle|Sr|Sra)\.?"
    r"|(?:Univ\.-?Prof|Dipl\.-[A-Z][a-z]+|Mag|Ing|Dott|Lic)\.|Sig\.(?:ra|na)?) "
)
_SUFFIX = r"(?:,? (?:Jr|Sr)\.?|,? (?:II|III|IV|MD|PhD|DDS|DVM|Esq|MBA|LL\.M|[BM]\.(?:Sc|A|Eng))\.?)"
# Street types (USPS abbreviations included) and their French, Spanish, Italian, Portuguese
# forms, which come before the name; German and Dutch ones are glued to it (`Hauptstraße 5`).
_STREET_TYPES = sorted(
    {
        *(t.casefold() for t in _USAddress.street_suffixes),
        *(t.casefold() for t in _GBAddress.street_suffixes),
        *[
            "st",
            "ave",
            "av",
            "rd",
            "blvd",
            "ln",
            "dr",
            "ct",
            "pl",
            "ter",
            "pkwy",
            "cir",
            "hwy",
            "sq",
            "trl",
            "cres",
            "aly",
            "plz",
            "rte",
            "expy",
            "fwy",
            "tpke",
            "gdns",
            "hts",
            "pt",
            "rdg",
            "vw",
            "vlg",
            "xing",
            "jct",
            "bl",
            "cswy",
            "close",
            "row",
            "walk",
            "mews",
            "grove",
            "gardens",
        ],
    },
    key=len,
    reverse=True,
)
_STREET_TYPE = "(?:" + "|".join(re.escape(t) for t in _STREET_TYPES) + ")"
_DIRECTION = (
    r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|Northeast|Northwest|Southeast|Southwest)"
)
_STREET_TYPE_FIRST = (
    r"(?:rue|avenue|av|boulevard|bd|chemin|place|allée|allee|impasse|quai|cours|calle|c/"
    r"|route|montée|montee|rang"  # Québec
    r"|avenida|avda|paseo|camino|plaza|pza|pasaje|ronda|carrer|travesía|travesia|glorieta|via"
    r"|vía|carretera|ctra|callejón|callejon|cuesta|rambla|urbanización|urbanizacion|urb"
    r"|passeig|avinguda|plaça|viale|piazza|piazzale|corso|vicolo|largo|strada|borgo|contrada"
    r"|rua|travessa|alameda|praça|praca|estrada|rodovia|viela|ladeira|beco|viaduto|vereda"
    r"|ulica|aleja|plac|osiedle|(?-i:ul|al|pl|os)\."  # Polish abbreviations in lower case
    r"|bulevardul|calea|intrarea|aleea|șoseaua|soseaua|splaiul|piața|piata"  # Romanian
    r"|circuito|cerrada|privada|retorno|calzada|andador|prolongación|prolongacion"  # Mexican
    r"|periférico|periferico|eje vial|diagonal|continuación|continuacion|peatonal|ampliación"
    r"|ampliacion|circunvalación|circunvalacion"
    r"|jalan|jl\.|jln\.?|gg\.)"  # Indonesian and Malay
)
# "C." and "R." (calle, rua) are as often an initial ("C. albicans 90028", "R. Jones 1991"): a
# street after them has a capitalised name of two words or more, or a comma before its number.
_INITIAL_TYPE = (
    r"(?-i:[CR])\. (?:(?:de|da|do|del|dos|das|la) )?(?-i:[A-ZÀ-Þ])[\w'.\-]*"
    r"(?:(?: [\w'.\-]+){1,4} |(?: [\w'.\-]+){0,4}, )"
)
# The word some countries put before the house number: "Calle Alem N° 26", "Strada Lunga Nr. 7".
_NUMBER_MARK = r"(?: (?:n[°º]|no\.|nr\.?|núm\.))?"
# Types written after the street's name as a word of their own (Hungarian: "Érdi utca 19.").
_STREET_TYPE_AFTER = (
    r"(?:utca|(?-i:u\.|sor)|út|útja|tér|tere|körút|krt\.|köz|sétány|rakpart|fasor|liget|lépcső"
    r"|dűlő|lejtő|udvar)"
)
# Colombia's grid: the street's type and number (or name), then "#" and the cross street's number
# and the distance along it ("Calle 20 # 6D-1 Este", "Cra. 7 No. 45-10", "Kr 15 Bis A # 80-23
# Sur", "Av. carrera 68 # 9-1", "Avenida Casanare # 2-86").
_CO_TYPE = r"(?:(?:avenida|av)\.? (?:calle|carrera)|calle|carrera|avenida|diagonal|transversal)"
_CO_ABBREVIATION = r"(?:cl|cll|cra|kr|kra|av|ak|ac|dg|tv)"
_CO_NUMBER = r"\d{1,3}[ªº]? ?[a-z]?(?: bis)?(?: [a-z])?"
_CO_ZONE = r"(?: (?:sur|este|norte|oeste))?"
_CO_CROSSING = rf"{_CO_NUMBER} ?- ?\d{{1,3}}{_CO_ZONE}"  # the cross street and the distance
_GLUED_TYPES = (
    *("straße", "strasse", "str.", "weg", "gasse", "allee", "platz", "ring", "damm", "ufer"),
    *("chaussee", "straat", "laan", "plein", "gracht", "kade", "singel", "dijk", "vej", "gade"),
    *("gatan", "vägen", "gata", "veien", "vegen", "stien", "katu", "kuja", "polku"),
)
# The word is read whole (possessive: no backtracking through it), then must end in a type:
# one fixed-width look-behind per type.
_STREET_GLUED = "(?:" + "|".join(f"(?<={re.escape(t)})" for t in _GLUED_TYPES) + ")"
_WORD = rf"[^\W\d_][\w{_APOSTROPHES}.\-]*"  # a word of a street's name
_UNIT = (
    r"(?:,? (?:apt|apartment|suite|ste|unit|fl|floor|room|rm|#|piso|puerta|pta|esc|escalera"
    r"|bajo|local|portal|bloque|apto|apartamento|dpto|depto|int|interior|casa|andar|sala|bloco"
    r"|lote|étage|etage|bât|bat|scala|interno|appartamento|piano|edif)\.? ?#?[\w\-]{1,6})?"
)
# The rest of a one-line address: its town and region, ending in a region code or a postal
# code (US, Canadian, British, Dutch, and the four- and five-digit ones): ", Halifax, NS B3H 1Y4";
# the address still, when its coordinates follow.
# The region code is in capitals whatever the pattern's flags say.
_POSTAL = (
    r"(?:\d{4,5}(?:-\d{4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"
    r"|\d{4} ?[A-Z]{2})"
)
_LOCALITY = (
    rf"(?:,? [^\n]{{0,60}}?[ ,](?:(?-i:[A-Z]{{2}})|{_POSTAL})"
    r"(?: \(-?\d{1,3}\.\d+, ?-?\d{1,3}\.\d+\))?)"  # and its coordinates, as open-data portals add
)

_DETECTORS: tuple[_Detector, ...] = (
    _Detector(
        "EMAIL_ADDRESS",
        form=r"[A-Za-z\d._%+'\-]+@[A-Za-z\d\-]+(?:\.[A-Za-z\d\-]+)*\.[A-Za-z]{2,24}",
        shortest=6,
        longest=254,
        alphabet=_chars(_ALNUM, b"._%+'-@"),
        needs="@",
        validate=_each(_email_ok),
        sample=16,
        mask=_mask_email,
    ),
    _Detector(
        "PHONE_NUMBER",  # written with separators, brackets or a +
        form=(
            # not a date, a decimal number or an IP address, nor the way an SSN, an EIN, a
            # ZIP+4, a CPF, a Nordic personal number or a card number is written (the validator
            # counts the digits)
            r"(?!\d{4}[-/.]\d\d?[-/.]\d\d?$|\d\d?[-/.]\d\d?[-/.]\d{2,4}$|\d+\.\d+$)"
            r"(?!(?:\d{1,3}\.){3}\d{1,3}$|\d{3}-\d{2}-\d{4}$|\d{2}-\d{7}$|\d{5}-\d{4}$)"
            r"(?!(?:\d\d)?\d{6}[-+]\d{4}$)"
            r"(?!\d{3}\.\d{3}\.\d{3}-\d{2}$|\d{4} \d{4} \d{4} \d{4}$|\d{4}-\d{4}-\d{4}-\d{4}$)"
            r"(?=[^\n]*[^\d\n])\+?[ ]?\(?\d[\d .\-/()]{5,20}\d"
            r"(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,5})?"
        ),
        flags=re.ASCII | re.IGNORECASE,
        shortest=8,
        longest=40,
        alphabet=_chars(_DIGITS, b" .-/()+#xXeEtT"),
        digits=7,
        spaces=True,
        validate=_phones_ok,
        sample=8,
        mask=_mask_keeping_last(2),
    ),
    _Detector(
        "PHONE_NUMBER",  # digits only: as long as national numbers are, or after a trunk 0
        form=r"0\d{6,11}|[1-9]\d{9,11}",
        shortest=7,
        longest=12,
        alphabet=_DIGITS,
        digits=7,
        bare=True,
        validate=_phones_ok,
        sample=8,
        mask=_mask_keeping_last(2),
    ),
    _Detector(
        "CREDIT_CARD_NUMBER",
        # bare, in groups of four, or 4-6-5 (Amex, Diners)
        form=(
            r"(?=[1-6])"
            r"(?:\d{13,19}|\d{4}(?:[ \-]\d{4}){3}(?:[ \-]?\d{1,3})?|\d{4}[ \-]\d{6}[ \-]\d{4,5})"
        ),
        shortest=13,
        longest=23,
        alphabet=_chars(_DIGITS, b" -"),
        digits=13,
        spaces=True,
        validate=_each(_card_ok),
        mask=_mask_keeping_last(4),
    ),
    _Detector(
        "US_SSN",  # written in its groups
        form=r"\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}",
        shortest=11,
        longest=11,
        alphabet=_chars(_DIGITS, b" -"),
        digits=9,
        spaces=True,
        validate=_each(_ssn_ok),
        sample=16,
        mask=_mask_keeping_last(4),
    ),
    _Detector(
        "US_SSN",  # nine bare digits: as often a parcel, registry or routing number
        form=r"\d{9}",
        shortest=9,
        longest=9,
        alphabet=_DIGITS,
        digits=9,
        bare=True,
        validate=_each(_ssn_ok),
        sample=16,
        mask=_mask_keeping_last(4),
    ),
    _Detector(
        "NATIONAL_ID",  # digits only: NL DE BR PL NO BE SE DK IN CH ZA FR CN
        form=r"\d{9}(?:\d{1,4}|\d{6}|\d{9})?",
        shortest=9,
        longest=18,
        alphabet=_DIGITS,
        digits=9,
        validate=_each(_national_id_ok),
        sample=16,
        mask=_mask_keeping_last(2),
    ),
    _Detector(
        "NATIONAL_ID",  # digits in their usual groups
        form=(
            r"\d{4}\.\d{2}\.\d{3}"  # NL BSN
            r"|\d{3}\.\d{3}\.\d{3}-\d{2}"  # BR CPF
            r"|\d{2} \d{3} \d{3} \d{3}"  # DE Steuer-ID
            r"|\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}"  # BE Rijksregisternummer
            r"|\d{6} \d{5}"  # NO fødselsnummer
            r"|[2-9]\d{3} \d{4} \d{4}"  # IN Aadhaar
            r"|[12] \d{2} \d{2} \d{2} \d{3} \d{3} \d{2}"  # FR NIR
            r"|(?:\d{2})?\d{6}[-+]\d{4}"  # SE personnummer, DK CPR, FI henkilötunnus
            r"|756\.\d{4}\.\d{4}\.\d{2}"  # CH AHV
        ),
        shortest=9,
        longest=21,
        alphabet=_chars(_DIGITS, b" .-+"),
        digits=8,
        spaces=True,
        validate=_each(_national_id_ok),
        sample=16,
        mask=_mask_keeping_last(2),
    ),
    _Detector(
        "NATIONAL_ID",  # with letters in them
        form=(
            r"[12] ?\d{2} ?\d{2} ?2[AB] ?\d{3} ?\d{3} ?\d{2}"  # FR NIR, born in Corsica
            r"|\d{8}-?[A-Z]|[XYZ]-?\d{7}-?[A-Z]"  # ES DNI, NIE
            r"|(?=(?:[A-Z]*\d){5})"  # IT codice fiscale (letters stand in for a few digits)
            r"[A-Z]{6}[\dLMNP-V]{2}[A-Z][\dLMNP-V]{2}[A-Z][\dLMNP-V]{3}[A-Z]"
            r"|\d{6}[A-FU-Y]\d{3}[\dA-Y]|\d{6}[-+]\d{3}[A-Y]"  # FI henkilötunnus
            r"|\d{17}X"  # CN resident id
            r"|[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z\d]\d"  # MX CURP
        ),
        flags=re.ASCII | re.IGNORECASE,
        shortest=9,
        longest=21,
        alphabet=_chars(_ALNUM, b" -+"),
        digits=5,
        spaces=True,
        validate=_each(_national_id_ok),
        sample=16,
        mask=_mask_keeping_last(2),
    ),
    _Detector(
        "TAX_ID",  # US EIN, ITIN
        form=r"\d{2}-\d{7}|9\d{2}-\d{2}-\d{4}|9\d{2} \d{2} \d{4}|9\d{8}",
        shortest=9,
        longest=11,
        alphabet=_chars(_DIGITS, b" -"),
        digits=9,
        spaces=True,
        validate=_each(_tax_id_ok),
        sample=16,
        mask=_mask_keeping_last(2),
    ),
    _Detector(
        "TAX_ID",  # EU VAT numbers: a country prefix and mostly digits
        form=(
            r"(?=(?:[^\d\n]*\d){6})(?:AT|BE|BG|CHE|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GB|HR|HU|IE|IT"
            r"|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI)[ \-]?[\dA-Z][\dA-Z .\-]{1,14}[\dA-Z]"
        ),
        flags=re.ASCII | re.IGNORECASE,
        shortest=8,
        longest=22,
        alphabet=_chars(_ALNUM, b" .-"),
        digits=6,
        spaces=True,
        validate=_each(_tax_id_ok),
        sample=16,
        mask=_mask_keeping_last(2),
    ),
    _Detector(
        "IBAN",
        # compact, or in groups of four
        form=r"[A-Z]{2}\d{2}(?:[A-Z\d]{11,30}| (?:[A-Z\d]{4} ){2,7}[A-Z\d]{1,4})",
        flags=re.ASCII | re.IGNORECASE,
        shortest=15,
        longest=42,
        alphabet=_chars(_ALNUM, b" "),
        digits=2,
        spaces=True,
        validate=_each(_iban_ok),
        sample=16,
        mask=_mask_keeping_last(4),
    ),
    _Detector(
        "BANK_ACCOUNT_NUMBER",
        form=(
            r"\d{4}[ \-]?\d{4}[ \-]?\d{2}[ \-]?\d{10}"  # ES CCC
            r"|\d{4}[ .]?\d{2}[ .]?\d{5}"  # NO kontonummer
            r"|\d{2}-\d{4}-\d{7}-\d{2,3}"  # NZ
            r"|(?:\d{1,6}-)?\d{6,10}/\d{4}"  # CZ
        ),
        shortest=11,
        longest=26,
        alphabet=_chars(_DIGITS, b" .-/"),
        digits=10,
        spaces=True,
        validate=_each(_bank_account_ok),
        sample=16,
        mask=_mask_keeping_last(4),
    ),
    _Detector(
        "SWIFT_BIC",
        # upper case only: lower-case eight-letter words are far more common than BICs so written
        form=r"[A-Z]{6}[A-Z\d]{2}(?:[A-Z\d]{3})?",
        shortest=8,
        longest=11,
        alphabet=_chars(_UPPER, _DIGITS),
        validate=_each(bic.is_valid),
    ),
    _Detector(
        "VEHICLE_IDENTIFICATION_NUMBER",
        form=r"(?=[^\n]*[A-Z])(?=[^\n]*\d)[A-HJ-NPR-Z\d]{17}",
        flags=re.ASCII | re.IGNORECASE,
        shortest=17,
        longest=17,
        alphabet=_ALNUM,
        digits=1,
        validate=_each(_vin_ok),
    ),
    _Detector(
        "IP_ADDRESS",  # IPv4, maybe with a prefix length
        form=r"(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?",
        shortest=7,
        longest=18,
        alphabet=_chars(_DIGITS, b"./"),
        digits=4,
        needs=".",
        validate=_each(_ip_ok),
    ),
    _Detector(
        "IP_ADDRESS",  # IPv6: compressed, or all eight groups
        form=(
            r"(?=[\da-f:.]*::|(?:[\da-f]{1,4}:){7})"
            r"(?:[\da-f]{0,4}:){2,7}(?:[\da-f]{0,4}|(?:\d{1,3}\.){3}\d{1,3})"
            r"(?:%[\w.]+)?(?:/\d{1,3})?"
        ),
        flags=re.ASCII | re.IGNORECASE,
        shortest=2,
        longest=60,
        alphabet=_chars(_ALNUM, b"_.:/%"),
        needs=":",
        validate=_each(_ip_ok),
    ),
    _Detector(
        "MAC_ADDRESS",
        form=(
            r"[\da-f]{2}(?::[\da-f]{2}){5}|[\da-f]{2}(?:-[\da-f]{2}){5}"
            r"|[\da-f]{4}\.[\da-f]{4}\.[\da-f]{4}"
        ),
        flags=re.ASCII | re.IGNORECASE,
        shortest=14,
        longest=17,
        alphabet=_chars(_HEX, b":-."),
    ),
    _Detector(
        "DATE_OF_BIRTH",  # 1990-05-17, 17.05.1990, 5/17/90, with a time of day or without
        form=_unnamed(_ISO_DATE, _NUMERIC_DATE),
        flags=re.ASCII | re.IGNORECASE,
        shortest=6,
        longest=35,
        alphabet=_chars(_DIGITS, b" -/.:+TZtz"),
        digits=4,
        spaces=True,
        validate=_birth_dates_ok,
    ),
    _Detector(
        "DATE_OF_BIRTH",  # 19900517
        form=_unnamed(_COMPACT_DATE),
        shortest=8,
        longest=8,
        alphabet=_DIGITS,
        digits=8,
        validate=_birth_dates_ok,
    ),
    _Detector(
        "DATE_OF_BIRTH",  # 17 May 1990, May 17th, 1990
        form=_unnamed(_DAY_MONTH_YEAR, _MONTH_DAY_YEAR),
        flags=re.ASCII | re.IGNORECASE,
        shortest=10,
        longest=25,
        alphabet=_chars(_ALNUM, b" .,-"),
        digits=5,
        spaces=True,
        validate=_birth_dates_ok,
    ),
    _Detector(
        "CARD_EXPIRY_DATE",
        form=r"(?:0?[1-9]|1[0-2]) ?/ ?(?:\d{4}|\d{2})",
        shortest=3,
        longest=9,
        alphabet=_chars(_DIGITS, b" /"),
        digits=3,
        needs="/",
        spaces=True,
        validate=_expiries_ok,
    ),
    _Detector(
        "AGE",
        form=r"120|1[01]\d|[1-9]?\d",
        shortest=1,
        longest=3,
        alphabet=_DIGITS,
        digits=1,
    ),
    _Detector(
        "CARD_VERIFICATION_CODE",
        form=r"\d{3,4}",
        shortest=3,
        longest=4,
        alphabet=_DIGITS,
        digits=3,
        checkable=False,
    ),
    _Detector(
        "GEO_COORDINATES",
        form=(
            r"\(?[-+]?\d{1,2}\.\d+ *[,; ] *[-+]?\d{1,3}\.\d+\)?"  # a latitude and a longitude
            r"|[-+]?\d{1,3}\.\d{4,}"  # one of the two, to at least 4 places (about 11 m)
        ),
        shortest=6,
        longest=45,
        alphabet=_chars(_DIGITS, b"-+., ;()"),
        digits=5,
        needs=".",
        spaces=True,
        validate=_each(_geo_ok),
    ),
    _Detector(
        "POSTAL_CODE",
        form=(
            r"\d{5}(?:-\d{4})?"  # US ZIP, ZIP+4; DE, FR and others with five digits
            r"|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"  # UK
            r"|[A-Z]\d[A-Z] ?\d[A-Z]\d"  # CA
            r"|[1-9]\d{3} ?[A-Z]{2}"  # NL
        ),
        flags=re.ASCII | re.IGNORECASE,
        shortest=5,
        longest=10,
        alphabet=_chars(_ALNUM, b" -"),
        digits=2,
        spaces=True,
    ),
    _Detector(
        "API_KEY",
        form=(
            r"(?:sk|pk|rk)_(?:live|test)_[\dA-Za-z]{10,}"  # Stripe
            r"|(?:AKIA|ASIA)[\dA-Z]{16}"  # AWS access key id
            r"|gh[pousr]_[\dA-Za-z]{36,}|github_pat_\w{40,}"  # GitHub
            r"|xox[abprs]-[\dA-Za-z\-]{10,}"  # Slack
            r"|AIza[\w\-]{35}"  # Google
            r"|glpat-[\w\-]{20,}"  # GitLab
            r"|sk-[\w\-]{20,}"  # OpenAI and others
            r"|SG\.[\w\-]{16,}\.[\w\-]{16,}"  # SendGrid
            r"|eyJ[\w\-]+\.eyJ[\w\-]+\.[\w\-]*"  # JWT
            # any other long token with letters in it; the validator asks for randomness
            r"|(?![\da-f]{8}-[\da-f]{4}-)(?=[^\n]*[A-Za-z])[\w\-+/]{24,}={0,2}"
        ),
        shortest=16,
        longest=10_000,
        alphabet=_chars(_ALNUM, b"_-+/=."),
        validate=_each(_api_key_ok),
        mask=_mask_keeping_prefix(_KEY_PREFIX),
    ),
    _Detector(
        "API_KEY",  # a PEM private key, its lines joined
        form=r"-----BEGIN (?:[A-Z\d]+ )*PRIVATE KEY-----[^\n]*",
        shortest=27,
        longest=100_000,
        alphabet=None,
        needs="-----BEGIN ",
        spaces=True,
        mask=_mask_keeping_prefix(_KEY_PREFIX),
    ),
    _Detector(
        "PASSWORD",  # a hash in the format of a crypt scheme or a framework
        form=(
            r"\$2[abxy]?\$\d{2}\$[./A-Za-z\d]{53}"  # bcrypt
            r"|\$argon2(?:id|i|d)\$[\w=,+/]+(?:\$[\w=,+/.]+){2,3}"  # argon2
            r"|\$[156]\$(?:rounds=\d+\$)?[./A-Za-z\d]{1,16}\$[./A-Za-z\d]{22,86}"  # crypt(3)
            r"|\$scrypt\$[\w$=,+/.]+|\$pbkdf2[\w-]*\$[\w$=,+/.\-]+"  # passlib
            r"|(?:pbkdf2_sha256|pbkdf2_sha1|argon2|bcrypt_sha256|scrypt)\$[\w$=,+/.]+"  # Django
        ),
        shortest=20,
        longest=300,
        alphabet=_chars(_ALNUM, b"$./=,+-_"),
        needs="$",
        mask=_mask_keeping_prefix(re.compile(r"\$[\w-]+\$(?:v=\d+\$)?|\w+\$")),
    ),
    _Detector(
        "PASSWORD",  # an LDAP userPassword hash
        form=r"\{(?:SSHA|SHA|SSHA256|SSHA512|CRYPT)\}[A-Za-z\d+/=.$]+",
        shortest=10,
        longest=300,
        alphabet=_chars(_ALNUM, b"{}+/=.$"),
        needs="{",
        mask=_mask_keeping_prefix(re.compile(r"\{\w+\}")),
    ),
    _Detector(
        "PASSWORD",  # a bare MD5, SHA-1, SHA-256 or SHA-512 digest
        form=r"[\da-fA-F]{32}(?:[\da-fA-F]{8}|[\da-fA-F]{32}(?:[\da-fA-F]{64})?)?",
        shortest=32,
        longest=128,
        alphabet=_HEX,
        uniform=frozenset({32, 40, 64, 128}),
        checkable=False,  # ids, checksums and tokens look the same: it proves nothing
    ),
    _Detector(
        "GENDER",
        form=(
            r"m|f|w|d|x|male|female|man|woman|non-?binary"
            r"|männlich|maennlich|weiblich|divers"  # de
            r"|homme|femme|masculin|féminin|feminin"  # fr
            r"|hombre|mujer|masculino|femenino|femenina"  # es, pt
            r"|maschio|femmina|maschile|femminile|uomo|donna"  # it
            r"|mannelijk|vrouwelijk|vrouw|mann|frau"  # nl, de
        ),
        flags=re.IGNORECASE,  # not ASCII only: MÄNNLICH is männlich
        shortest=1,
        longest=11,
        alphabet=None,  # ä, é
    ),
    _Detector(
        "HEALTH_CONDITION",
        form=r"[A-Z]\d[\dA-Z](?:\.[\dA-Z]{1,4})?",  # ICD-10 (and ICD-10-CM) codes
        shortest=3,
        longest=8,
        alphabet=_chars(_UPPER, _DIGITS, b"."),
        digits=1,
    ),
    _Detector(
        "MEDICAL_RECORD_NUMBER",
        form=(
            r"(?:MRN|MR|PID|PAT|PT)[\-#: ]?\d{4,12}"  # a record number says what it is
            r"|\d{3}[ \-]\d{3}[ \-]\d{4}|\d{10}"  # an NHS number (with its check digit)
        ),
        flags=re.ASCII | re.IGNORECASE,
        shortest=6,
        longest=16,
        alphabet=_chars(_ALNUM, b"-#: "),
        digits=4,
        spaces=True,
        validate=_each(_medical_record_ok),
        mask=_mask_keeping_prefix(re.compile(r"[A-Za-z]+[\-#: ]?")),
    ),
    _Detector(
        "HEALTH_INSURANCE_NUMBER",
        # a US Medicare Beneficiary Identifier: its fixed positions are the only check it has
        form=(
            r"[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y\d]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y\d]\d"
            r"-?[AC-HJKMNP-RT-Y]{2}\d{2}"
        ),
        flags=re.ASCII | re.IGNORECASE,
        shortest=11,
        longest=13,
        alphabet=_chars(_ALNUM, b"-"),
        digits=4,
    ),
    _Detector(
        "PERSON_NAME",  # "Ada Lovelace", "Dr. Jean-Luc de la Tour", "Lovelace, Ada", "LOVELACE,ADA"
        form=(
            # a line longer than a name fails at once (a column of free text costs 3x less)
            r"(?=[^\n]{4,60}\n)"
            rf"(?:(?:{_TITLE}){{0,2}}{_NAME_WORD}"
            rf"(?: (?:{_PARTICLE} ){{0,2}}{_NAME_WORD}){{1,4}}{_SUFFIX}?"
            rf"|{_NAME_WORD}(?: {_NAME_WORD})?, ?{_NAME_WORD}(?: {_NAME_WORD}){{0,2}})"
        ),
        flags=0,  # names are capitalised, and not only in ASCII
        shortest=4,
        longest=60,
        alphabet=None,
        needs=" ",
        spaces=True,
        validate=_each(_person_name_ok),
        keep=_people_only,
        mask=_mask_initials,
    ),
    _Detector(
        "PERSON_NAME",  # a first name or a surname alone: "Ada", "LOVELACE"
        form=_NAME_WORD,
        flags=0,
        shortest=2,
        longest=20,
        alphabet=None,
        keep=_names_only,
        # Only a given name is validated: surnames are as often words ("Brown", "Hill").
        validate=_each(_given_name),
        mask=_mask_initials,
    ),
    _Detector(
        "LOCATION",  # a country or a region: "Bavaria", "CALIFORNIA", "NY", "Île-de-France"
        form=r"[^\W\d_][^\W\d_'.\-]*(?:[ '.\-]{1,2}[^\W\d_]+){0,4}\.?",
        flags=0,
        shortest=2,
        longest=40,
        alphabet=None,
        spaces=True,
        probe=_some_places,
        keep=_places_only,  # what the lists hold is validated
    ),
    _Detector(
        "STREET_ADDRESS",  # "1600 Pennsylvania Ave NW", "12 rue de la Paix", "Hauptstraße 5a"
        form=(
            # a house number (a block's masked: "3XX"), the street, its type, and maybe the
            # rest of a one-line address ("…, Halifax, NS B3H 1Y4")
            rf"\d{{1,6}}(?:X{{1,4}}|[A-Za-z])?(?:[-/]\d{{1,4}})?,? (?:{_DIRECTION}\.? )?"
            rf"(?:[\w{_APOSTROPHES}.\-]+ ){{1,5}}{_STREET_TYPE}\.?(?: {_DIRECTION}\.?)?{_UNIT}"
            rf"{_LOCALITY}?"
            # a grid address: "1350 W 1200 N", "40 North 300 East #203"
            rf"|\d{{1,6}} {_DIRECTION}\.? \d{{1,5}} {_DIRECTION}\.?{_UNIT}"
            # a post office box: "PO Box 14370 Salem, OR 97309"
            rf"|(?:P\.? ?O\.?|Post Office) Box \d{{1,6}}{_LOCALITY}?"
            rf"|\d{{1,5}}(?:bis|ter)?,? {_STREET_TYPE_FIRST}(?: {_WORD}){{1,5}}{_UNIT}"
            rf"|(?:{_WORD} ){{0,3}}[^\W\d_][\w{_APOSTROPHES}.\-]*+{_STREET_GLUED},? \d{{1,5}}[a-z]?"
            rf"|{_STREET_TYPE_FIRST}\.?(?: {_WORD}){{1,5}},?{_NUMBER_MARK} \d{{1,5}}[a-z]?"
            rf"(?:/\d{{1,4}}[a-z]?)?{_UNIT}"  # a flat after a slash: "ul. Kossaka 75/68"
            rf"|{_INITIAL_TYPE}\d{{1,5}}[a-z]?{_UNIT}"
            rf"|(?:{_WORD} ){{1,4}}{_STREET_TYPE_AFTER} \d{{1,4}}[a-z]?\.?(?:/[a-z\d]{{1,3}})?"
            # after a type, its number and "#" or "No."; after "Cr." (or Tr., a report's
            # number) its number and "#" only; after a named avenue or street, "#" only
            rf"|(?:{_CO_TYPE}|{_CO_ABBREVIATION}\.?) {_CO_NUMBER}{_CO_ZONE}"
            rf" (?:no\.?|n°|nº|nro\.?|#) ?{_CO_CROSSING}"
            rf"|(?:cr|tr)\.? {_CO_NUMBER}{_CO_ZONE} # ?{_CO_CROSSING}"
            rf"|(?:avenida|av\.|calle|carrera) {_WORD}(?: {_WORD}){{0,3}}{_CO_ZONE}"
            rf" # ?{_CO_CROSSING}"
        ),
        flags=re.IGNORECASE,
        shortest=6,
        longest=100,
        alphabet=None,
        digits=1,
        needs=" ",
        spaces=True,
    ),
    _Detector(
        "USERNAME",  # a handle
        form=r"@[A-Za-z\d_.]{2,30}",
        shortest=3,
        longest=31,
        alphabet=_chars(_ALNUM, b"_.@"),
        starts="@",
    ),
    _Detector(
        "USERNAME",  # a lower-case login with a digit or a separator in it, not a host name
        form=(
            r"(?![a-z\d._\-]*\.(?:com|net|org|io|edu|gov|info|biz|de|uk|fr|nl|eu|co|us|app|dev)$)"
            r"(?=[a-z][a-z\d]*[\d._\-])[a-z][a-z\d._\-]{2,23}"
        ),
        shortest=3,
        longest=24,
        alphabet=_chars(_LOWER, _DIGITS, b"._-"),
    ),
)


# The validators a custom rule may name (domain/rule_sets.py VALIDATORS), one value at a time.
NAMED_VALIDATORS: dict[str, Callable[[str], bool]] = {
    "luhn": lambda v: luhn.is_valid(_compact(v)),
    "iban": lambda v: _iban_ok(_compact(v)),
    "email": _email_ok,
    "phone": lambda v: _phone_ok(v, None),
    "ip": _ip_ok,
    "ssn": _ssn_ok,
    "vin": _vin_ok,
}
