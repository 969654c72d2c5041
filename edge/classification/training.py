"""Training the classifier's model on synthetic columns the project makes itself.

`python -m edge.classification.training [--seed N] [--out PATH]` writes the artefact the edge
agent ships (`model.joblib` beside this module) and prints its version. The same seed gives the
same bytes on any x86-64 host with the pinned libraries: every draw comes from one seeded
generator, Faker is seeded per locale, dates are counted from a fixed day rather than today and
the clock is fixed while the data is made, the string hash seed and numpy's and OpenBLAS's
kernels are fixed (the command restarts itself under TRAINING_ENVIRONMENT), and training runs on
one thread.

The data: for every infotype that Faker or a few lines of code can produce, columns of 20 to
1,000 values in one or several of ten locales, with noise (empty and junk values, upper or lower
case, mixed formats), under names drawn from varied, abbreviated, misspelt, multilingual and
sometimes meaningless column names; and as many hard negatives, labelled `NONE`: product,
company, artist, genre, file and host names; hire, order and invoice dates; ids, counts, prices,
codes and flags; free text that mentions people; numbers shaped like phone, card or social
security numbers under names that say they are not. Ethnicity, religion and the like are short
word lists; they teach the model the names more than the values.

The model: a small neural network (scikit-learn's `MLPClassifier`: one hidden layer of 128 ReLU
units, softmax output, L2 penalty) over `features.features`, the rules' name and value evidence
and value statistics, all in 0..1. On a held-out synthetic split it beat a multinomial logistic
regression by about two points of accuracy (0.92 to 0.90 at half size); gradient-boosted trees
(`HistGradientBoostingClassifier`) were two points better again, but predicting one column
walks thousands of trees one Python call at a time, 7 ms a column, seven times the whole
classifier's budget. The network's prediction is two small matrix products that `model.py`
computes from the weights alone (about 20 µs), and the artefact holds those weights as plain
arrays, not a pickled estimator, so loading it does not depend on scikit-learn's version.

Calibration: temperature scaling (one parameter dividing the logits, fitted for log-loss on a
calibration split that training never saw), checked on a third, held-out split: the module's
output reports accuracy, macro F1 and the expected calibration error there. A synthetic split is
easier than real data, so these figures are an upper bound; the accuracy that counts is measured
on data the project did not make (`python -m bench classification`).

The shipped artefact (seed 7, size 1.0: 12,100 columns, 153 features) is `model-9e3a06565ded`,
191 KB; on its held-out synthetic split (15 %, 1,800 columns): accuracy 0.969, macro F1 0.975,
infotype recall 0.971, hard negatives kept out 0.963, expected calibration error 0.007 (mean top
probability 0.971), temperature 1.08. Training takes about 30 s on one core, most of it making
the columns. Tests retrain it and compare the bytes, and train on another day and compare: the
shipped file had drifted from what this module makes three times: once because the rules'
evidence changed after a training, once because Faker dates some national ids from the current
time, once (most likely) because the VM moved to a host whose CPU made numpy and OpenBLAS pick
other kernels, which round otherwise (hence TRAINING_ENVIRONMENT, and the exact versions in
constraints.txt).
Known weak spot: French or Spanish names alone under a meaningless column name are
about even between PERSON_NAME and NONE (and then the rules decide: unclassified).
"""

from __future__ import annotations

import io
import math
import os
import random
import string
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

import joblib  # type: ignore[import-untyped]  # ships no type information
import numpy as np
import numpy.typing as npt
import time_machine
from faker import Faker
from scipy.optimize import minimize_scalar  # type: ignore[import-untyped]
from sklearn.exceptions import ConvergenceWarning  # type: ignore[import-untyped]
from sklearn.neural_network import MLPClassifier  # type: ignore[import-untyped]
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from domain.taxonomy import INFOTYPES
from edge.classification.features import FEATURE_NAMES, FEATURE_VERSION, features
from edge.classification.model import DEFAULT_PATH, FORMAT, NONE, version_of
from edge.classification.names import name_evidence
from edge.classification.values import value_evidence
from infra.arguments import OneLineParser

CLASSES = (*INFOTYPES, NONE)
DEFAULT_SEED = 7
# What training runs under, whatever the machine (the command restarts itself under it):
TRAINING_ENVIRONMENT = {
    # Some of Faker's locales draw from sets, whose order follows the string hash seed: with
    # another seed the same draw picks another city.
    "PYTHONHASHSEED": "0",
    # The same arithmetic on every x86-64 host: OpenBLAS and numpy otherwise pick their kernels
    # by CPU, and other kernels round the network's weights differently in the last bits (a VM
    # that moved to another host made another artefact). AVX2 kernels, which hosts since 2013
    # have, and none of numpy's AVX-512 paths; names as numpy 2.4 (pinned in constraints.txt)
    # knows them.
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
}
# Dates are made and checked relative to this day, not today, so that a seed gives one data set.
TODAY = date(2025, 1, 1)
CLOCK = datetime(2025, 1, 1, 12, tzinfo=UTC)  # "now" while the data is made (see train)
LOCALES = (
    "en_US",
    "en_GB",
    "de_DE",
    "fr_FR",
    "es_ES",
    "it_IT",
    "nl_NL",
    "pt_BR",
    "pl_PL",
    "sv_SE",
    "da_DK",
    "fi_FI",
    "en_IN",
    "en_AU",
)
SHORTEST, LONGEST = 20, 1000
# Columns per infotype, and per kind of hard negative, at size 1.0.
PER_INFOTYPE = 250
PER_NEGATIVE_KIND = 100
POOL = 1200  # values Faker makes per method and locale; columns walk them without repeats
HIDDEN = 128
ALPHA = 1e-3  # the L2 penalty
EPOCHS = 300

Matrix = npt.NDArray[np.float64]
T = TypeVar("T")


# --- drawing values -------------------------------------------------------------------------------


class _Fakers:
    """One seeded Faker per locale, and pools of the values each method makes there."""

    def __init__(self, seed: int, pool: int) -> None:
        self._seed = seed
        self._pool = pool
        self._fakers: dict[str, Faker] = {}
        self._pools: dict[tuple[str, str], list[str]] = {}

    def pool(self, locale: str, method: str) -> list[str]:
        key = (locale, method)
        found = self._pools.get(key)
        if found is None:
            faker = self._fakers.get(locale)
            if faker is None:
                faker = self._fakers[locale] = Faker(locale)
                faker.seed_instance(self._seed * 1009 + LOCALES.index(locale))
            if not hasattr(faker, method):
                found = self.pool("en_US", method)
            else:
                make = getattr(faker, method)
                found = [" ".join(str(make()).splitlines()) for _ in range(self._pool)]
            self._pools[key] = found
        return found


class Draw:
    """Draws for one column: its locales, and walks through Faker's pools that repeat a value
    only after the whole pool, as real columns of names or e-mail addresses rarely repeat."""

    def __init__(self, rng: random.Random, fakers: _Fakers, locales: Sequence[str]) -> None:
        self.rng = rng
        self.locales = locales
        self._fakers = fakers
        self._walks: dict[tuple[str, str], list[int]] = {}

    def fake(self, method: str, locale: str | None = None) -> str:
        locale = locale or self.rng.choice(self.locales)
        pool = self._fakers.pool(locale, method)
        walk = self._walks.get((locale, method))
        if walk is None:  # a start and a stride coprime to the pool's size: a permutation
            stride = self.rng.choice([s for s in (7, 11, 13, 17, 19, 23, 29, 31) if len(pool) % s])
            walk = self._walks[(locale, method)] = [self.rng.randrange(len(pool)), stride]
        walk[0] = (walk[0] + walk[1]) % len(pool)
        return pool[walk[0]]

    def pick(self, *choices: T) -> T:
        return self.rng.choice(choices)

    def digits(self, n: int) -> str:
        return "".join(self.rng.choices(string.digits, k=n))

    def letters(self, n: int, alphabet: str = string.ascii_uppercase) -> str:
        return "".join(self.rng.choices(alphabet, k=n))


Maker = Callable[[Draw], Callable[[], str]]  # called once per column: its formats, then values


def each(make: Callable[[Draw], str]) -> Maker:
    """A maker whose values need no per-column choice."""
    return lambda d: lambda: make(d)


def one_of(*makers: Maker) -> Maker:
    """One format per column, sometimes two mixed."""

    def column(d: Draw) -> Callable[[], str]:
        chosen = [d.rng.choice(makers)(d) for _ in range(1 if d.rng.random() < 0.8 else 2)]
        return lambda: d.rng.choice(chosen)()

    return column


def words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())


# --- positive values ------------------------------------------------------------------------------


def _person_name(d: Draw) -> Callable[[], str]:
    locale = d.rng.choice(d.locales)
    style = d.pick("full", "full", "full", "first last", "last, first", "first", "last", "upper")

    def one() -> str:
        if style == "full":
            return d.fake("name", locale)
        first, last = d.fake("first_name", locale), d.fake("last_name", locale)
        if style == "first":
            return first
        if style == "last":
            return last
        if style == "last, first":
            return f"{last}, {first}"
        if style == "upper":
            return f"{first} {last}".upper()
        return f"{first} {last}"

    return one


_EMAIL_LOCAL = frozenset(string.ascii_lowercase + string.digits + ".")


def _email(d: Draw) -> Callable[[], str]:
    domains = ("gmail.com", "yahoo.com", "outlook.com", "example.org", "web.de", "orange.fr")
    upper = d.rng.random() < 0.05

    def one() -> str:
        if d.rng.random() < 0.5:
            value = d.fake("email")
        else:
            first, last = d.fake("first_name"), d.fake("last_name")
            local = d.pick(f"{first}.{last}", f"{first[0]}{last}", f"{first}{d.digits(2)}")
            ascii_local = "".join(
                c for c in local.lower() if (c.isascii() and c.isalnum()) or c in "."
            )
            value = f"{ascii_local or 'user'}@{d.pick(*domains)}"
        return value.upper() if upper else value

    return one


def _phone(d: Draw) -> Callable[[], str]:
    style = d.pick("faker", "faker", "faker", "e164", "digits")

    def one() -> str:
        if style == "faker":
            return d.fake("phone_number")
        number = d.fake("phone_number")
        digits = "".join(c for c in number if c.isdigit())
        return f"+{digits}" if style == "e164" else digits

    return one


def _street(d: Draw) -> Callable[[], str]:
    style = d.pick("street", "street", "street", "street", "full", "line")

    def one() -> str:
        if style == "full":
            return d.fake("address").replace("\n", ", ")
        if style == "line":
            return f"{d.fake('building_number')} {d.fake('street_name')}"
        return d.fake("street_address")

    return one


def _postal(d: Draw) -> Callable[[], str]:
    style = d.pick("faker", "faker", "plus4")
    return lambda: d.fake("zipcode_plus4", "en_US") if style == "plus4" else d.fake("postcode")


def _location(d: Draw) -> Callable[[], str]:
    method = d.pick("city", "city", "country", "administrative_unit", "city_country")

    def one() -> str:
        if method == "city_country":
            return f"{d.fake('city')}, {d.fake('country')}"
        return d.fake(method)

    return one


def _date_formats(d: Draw) -> list[Callable[[date], str]]:
    formats: list[Callable[[date], str]] = [
        lambda x: x.isoformat(),
        lambda x: x.strftime("%d.%m.%Y"),
        lambda x: x.strftime("%m/%d/%Y"),
        lambda x: x.strftime("%d/%m/%Y"),
        lambda x: x.strftime("%Y%m%d"),
        lambda x: x.strftime("%d %b %Y"),
        lambda x: x.strftime("%B %d, %Y"),
        lambda x: x.isoformat() + " 00:00:00",
        lambda x: x.strftime("%m/%d/%y"),
    ]
    return d.rng.sample(formats, 1 if d.rng.random() < 0.85 else 2)


def _dates(oldest_years: float, newest_years: float) -> Maker:
    def column(d: Draw) -> Callable[[], str]:
        formats = _date_formats(d)

        def one() -> str:
            days = d.rng.randint(int(newest_years * 365.25), int(oldest_years * 365.25))
            return d.rng.choice(formats)(TODAY - timedelta(days=days))

        return one

    return column


def _age(d: Draw) -> Callable[[], str]:
    low, high = d.pick((0, 99), (18, 90), (18, 70), (20, 65), (1, 17))
    decimal = d.rng.random() < 0.05
    return lambda: f"{d.rng.uniform(low, high):.1f}" if decimal else str(d.rng.randint(low, high))


GENDERS = (
    ("M", "F"),
    ("Male", "Female"),
    ("male", "female", "other"),
    ("m", "f"),
    ("M", "F", "X"),
    ("Man", "Woman", "Non-binary"),
    ("männlich", "weiblich", "divers"),
    ("m", "w", "d"),
    ("Homme", "Femme"),
    ("H", "F"),
    ("Masculino", "Femenino"),
    ("Maschio", "Femmina"),
    ("Man", "Vrouw"),
    ("MALE", "FEMALE", "UNKNOWN"),
    ("Female", "Male", "Prefer not to say"),
)


def _choices(options: Sequence[Sequence[str]]) -> Maker:
    def column(d: Draw) -> Callable[[], str]:
        chosen = d.rng.choice(options)
        weights = [d.rng.random() + 0.2 for _ in chosen]
        return lambda: d.rng.choices(chosen, weights)[0]

    return column


def _vocabulary(*lists: tuple[str, ...]) -> Maker:
    def column(d: Draw) -> Callable[[], str]:
        chosen = d.rng.choice(lists)
        subset = d.rng.sample(chosen, max(2, int(len(chosen) * d.rng.uniform(0.4, 1.0))))
        weights = [d.rng.random() + 0.1 for _ in subset]
        return lambda: d.rng.choices(subset, weights)[0]

    return column


NATIONALITIES = words("""American, British, German, French, Spanish, Italian, Dutch, Brazilian,
    Polish, Swedish, Indian, Chinese, Japanese, Mexican, Canadian, Australian, Irish, Portuguese,
    Turkish, Russian, Ukrainian, Nigerian, Egyptian, Moroccan, Pakistani, Filipino, Vietnamese,
    Korean, Greek, Romanian, Austrian, Swiss, Belgian, Danish, Norwegian, Finnish, Argentinian,
    Colombian, Chilean, South African, Kenyan, Iranian, Iraqi, Syrian, Israeli, Thai""")
NATIONALITIES_DE = words("""deutsch, österreichisch, schweizerisch, französisch, italienisch,
    türkisch, polnisch, spanisch, niederländisch, britisch, amerikanisch, russisch, griechisch""")
NATIONALITY_CODES = words("""USA, GBR, DEU, FRA, ESP, ITA, NLD, BRA, POL, SWE, IND, CHN, JPN,
    MEX, CAN, AUS, IRL, PRT, TUR""")
ETHNICITIES = words("""White, Black or African American, Asian, Hispanic or Latino,
    American Indian or Alaska Native, Native Hawaiian or Other Pacific Islander,
    Two or more races, Other, Caucasian, African, Middle Eastern, South Asian, East Asian,
    Mixed, White British, White Irish, Black Caribbean, Black African, Indian, Pakistani,
    Bangladeshi, Chinese, Arab, Roma, Latino, Prefer not to say""")
RELIGIONS = words("""Christian, Muslim, Jewish, Hindu, Buddhist, Sikh, Atheist, Agnostic,
    Catholic, Protestant, Orthodox, Evangelical, Lutheran, Anglican, Methodist, Baptist,
    Mormon, Jehovah's Witness, Shinto, Taoist, Bahai, No religion, None, Other,
    Prefer not to say, katholisch, evangelisch, konfessionslos, musulman, catolico""")
ORIENTATIONS = words("""Heterosexual, Homosexual, Gay, Lesbian, Bisexual, Asexual, Pansexual,
    Straight, Queer, Questioning, Other, Prefer not to say, heterosexual, gay, bisexual""")
PARTIES = words("""Democrat, Republican, Independent, Libertarian, Green, Labour,
    Conservative, Liberal Democrat, SNP, Reform UK, SPD, CDU, CSU, FDP, Die Grünen, AfD,
    Die Linke, PSOE, PP, Vox, Podemos, Renaissance, Les Républicains, Rassemblement National,
    La France Insoumise, PD, Fratelli d'Italia, Lega, Forza Italia, VVD, PvdA, D66, CDA""")
OPINIONS = words("""Left, Centre-left, Centre, Centre-right, Right, Far left, Far right,
    Liberal, Conservative, Socialist, Moderate, Progressive, Apolitical""")
CONDITIONS = words("""Diabetes, Type 2 diabetes, Hypertension, Asthma, COPD, Depression,
    Anxiety, Migraine, Arthritis, Osteoarthritis, Rheumatoid arthritis, Epilepsy, HIV,
    Hepatitis C, Coronary artery disease, Heart failure, Atrial fibrillation, Stroke, Cancer,
    Breast cancer, Lung cancer, Obesity, Hypothyroidism, Chronic kidney disease, Anemia,
    Multiple sclerosis, Parkinson's disease, Alzheimer's disease, Schizophrenia,
    Bipolar disorder, ADHD, Autism, Celiac disease, Crohn's disease, Psoriasis, Eczema,
    Pneumonia, Influenza, COVID-19, Tuberculosis, Back pain, Allergy, Glaucoma, Cataract""")
ICD10 = words("""E11.9, I10, J45.909, F32.9, F41.1, G43.909, M19.90, M06.9, G40.909, B20,
    B18.2, I25.10, I50.9, I48.91, I63.9, C50.919, C34.90, E66.9, E03.9, N18.3, D64.9, G35,
    G20, G30.9, F20.9, F31.9, F90.9, F84.0, K90.0, K50.90, L40.9, L30.9, J18.9, J11.1, U07.1,
    A15.9, M54.5, T78.40XA, H40.9, H26.9, E78.5, K21.9, N39.0, R51, J06.9, Z00.00, E55.9""")


def _icd(d: Draw) -> Callable[[], str]:
    dotted = d.rng.random() < 0.8

    def one() -> str:
        if d.rng.random() < 0.6:
            code = d.pick(*ICD10)
        else:
            code = f"{d.letters(1, 'ABCDEFGHIJKLMNOPQRSTZ')}{d.digits(2)}.{d.digits(1)}"
        return code if dotted else code.replace(".", "")

    return one


def _ssn(d: Draw) -> Callable[[], str]:
    style = d.pick("dashes", "dashes", "digits", "spaces")

    def one() -> str:
        value = d.fake("ssn", "en_US")
        if style == "digits":
            return value.replace("-", "")
        return value.replace("-", " ") if style == "spaces" else value

    return one


NATIONAL_ID_LOCALES = ("nl_NL", "it_IT", "fr_FR", "pl_PL", "sv_SE", "pt_BR", "en_GB", "fi_FI")


def _national_id(d: Draw) -> Callable[[], str]:
    locale = d.pick(*NATIONAL_ID_LOCALES)
    return lambda: d.fake("ssn", locale)


def _passport(d: Draw) -> Callable[[], str]:
    style = d.pick("faker", "letters2", "letter1", "digits9", "de")

    def one() -> str:
        if style == "faker":
            return d.fake("passport_number")
        if style == "letters2":
            return d.letters(2) + d.digits(7)
        if style == "letter1":
            return d.letters(1) + d.digits(8)
        if style == "de":
            return d.letters(1, "CFGHJKLMNPRTVWXYZ") + d.letters(8, "CFGHJKLMNPRTVWXYZ0123456789")
        return d.digits(9)

    return one


def _drivers_license(d: Draw) -> Callable[[], str]:
    style = d.pick("us_letter7", "us_letter12", "us_digits", "uk", "de", "us_dashed")

    def one() -> str:
        if style == "us_letter7":
            return d.letters(1) + d.digits(7)
        if style == "us_letter12":
            return d.letters(1) + d.digits(12)
        if style == "us_digits":
            return d.digits(d.pick(8, 9))
        if style == "us_dashed":
            return f"{d.letters(1)}{d.digits(3)}-{d.digits(3)}-{d.digits(2)}-{d.digits(3)}"
        if style == "uk":
            surname = (d.fake("last_name", "en_GB").upper() + "99999")[:5]
            return f"{surname}{d.digits(6)}{d.letters(2)}{d.digits(1)}{d.letters(2)}"
        return d.letters(1) + d.digits(3) + d.letters(3) + d.digits(3) + d.letters(1)

    return one


def _tax_id(d: Draw) -> Callable[[], str]:
    style = d.pick("vat", "vat", "ein", "itin")

    def one() -> str:
        if style == "vat":
            return d.fake("vat_id", d.pick("de_DE", "fr_FR", "it_IT", "nl_NL", "pl_PL", "es_ES"))
        if style == "ein":
            return f"{d.pick('12', '20', '45', '56', '81', '94')}-{d.digits(7)}"
        return f"9{d.digits(2)}-{d.pick('70', '78', '88', '90', '94')}-{d.digits(4)}"

    return one


def _ip(d: Draw) -> Callable[[], str]:
    style = d.pick("v4", "v4", "v6", "private", "mixed", "cidr")

    def one() -> str:
        kind = d.pick("v4", "v6") if style == "mixed" else style
        if kind == "v6":
            return d.fake("ipv6")
        if kind == "private":
            return d.fake("ipv4_private")
        if kind == "cidr":
            return f"{d.fake('ipv4')}/{d.rng.randint(8, 32)}"
        return d.fake("ipv4")

    return one


def _mac(d: Draw) -> Callable[[], str]:
    style = d.pick("colon", "colon", "upper", "dash", "cisco")

    def one() -> str:
        value = d.fake("mac_address")
        if style == "upper":
            return value.upper()
        if style == "dash":
            return value.replace(":", "-").upper()
        if style == "cisco":
            bare = value.replace(":", "")
            return f"{bare[:4]}.{bare[4:8]}.{bare[8:]}"
        return value

    return one


def _geo(d: Draw) -> Callable[[], str]:
    style = d.pick("lat", "lon", "pair", "pair_paren")
    places = d.rng.randint(4, 7)

    def one() -> str:
        lat, lon = d.rng.uniform(-90, 90), d.rng.uniform(-180, 180)
        if style == "lat":
            return f"{lat:.{places}f}"
        if style == "lon":
            return f"{lon:.{places}f}"
        pair = f"{lat:.{places}f}, {lon:.{places}f}"
        return f"({pair})" if style == "pair_paren" else pair

    return one


def _plate(d: Draw) -> Callable[[], str]:
    locale = d.rng.choice(d.locales)
    return lambda: d.fake("license_plate", locale)


def _username(d: Draw) -> Callable[[], str]:
    style = d.pick("faker", "faker", "handle", "dotted", "numbered")

    def one() -> str:
        if style == "faker":
            return d.fake("user_name")
        name = "".join(c for c in d.fake("first_name").lower() if c.isascii() and c.isalpha())
        last = "".join(c for c in d.fake("last_name").lower() if c.isascii() and c.isalpha())
        if style == "handle":
            return f"@{name}{d.digits(d.rng.randint(0, 3))}"
        if style == "dotted":
            return f"{name}.{last}"
        return f"{name[:1]}{last}{d.digits(d.rng.randint(1, 4))}"

    return one


_B64 = string.ascii_letters + string.digits + "./"
_TOKEN = string.ascii_letters + string.digits


def _password(d: Draw) -> Callable[[], str]:
    style = d.pick("plain", "plain", "sha256", "md5", "sha1", "bcrypt", "argon2", "django")

    def one() -> str:
        if style == "plain":
            return d.fake("password")
        if style in ("sha256", "md5", "sha1"):
            return d.fake(style)
        if style == "bcrypt":
            return f"$2b$12${d.letters(53, _B64)}"
        if style == "argon2":
            return f"$argon2id$v=19$m=65536,t=3,p=4${d.letters(22, _TOKEN)}${d.letters(43, _TOKEN)}"
        return f"pbkdf2_sha256$600000${d.letters(22, _TOKEN)}${d.letters(43, _TOKEN)}="

    return one


def _api_key(d: Draw) -> Callable[[], str]:
    style = d.pick("stripe", "aws", "github", "random", "random", "jwt", "slack", "openai")

    def one() -> str:
        if style == "stripe":
            return f"sk_{d.pick('live', 'test')}_{d.letters(24, _TOKEN)}"
        if style == "aws":
            return "AKIA" + d.letters(16, string.ascii_uppercase + string.digits)
        if style == "github":
            return "ghp_" + d.letters(36, _TOKEN)
        if style == "slack":
            return f"xoxb-{d.digits(12)}-{d.digits(12)}-{d.letters(24, _TOKEN)}"
        if style == "openai":
            return "sk-" + d.letters(48, _TOKEN)
        if style == "jwt":
            return f"eyJhbGciOiJIUzI1NiJ9.eyJ{d.letters(40, _TOKEN)}.{d.letters(43, _TOKEN)}"
        return d.letters(d.pick(32, 40, 64), _TOKEN)

    return one


def _luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        n = int(char)
        if index % 2 == 0:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return str((10 - total % 10) % 10)


def _card(d: Draw) -> Callable[[], str]:
    style = d.pick("bare", "bare", "spaced", "dashed")

    def one() -> str:
        prefix = d.pick("4", "51", "52", "55", "37", "6011", "2221", "35")
        length = 15 if prefix == "37" else 16
        body = prefix + d.digits(length - 1 - len(prefix))
        number = body + _luhn_digit(body)
        if style == "bare" or length == 15:
            return number
        sep = " " if style == "spaced" else "-"
        return sep.join(number[i : i + 4] for i in range(0, 16, 4))

    return one


def _expiry(d: Draw) -> Callable[[], str]:
    style = d.pick("mm/yy", "mm/yy", "mm/yyyy", "m/yy")

    def one() -> str:
        month, year = d.rng.randint(1, 12), TODAY.year + d.rng.randint(-3, 8)
        if style == "mm/yyyy":
            return f"{month:02}/{year}"
        if style == "m/yy":
            return f"{month}/{year % 100:02}"
        return f"{month:02}/{year % 100:02}"

    return one


def _iban(d: Draw) -> Callable[[], str]:
    grouped = d.rng.random() < 0.25
    locale = d.rng.choice(d.locales)

    def one() -> str:
        value = d.fake("iban", locale)
        return " ".join(value[i : i + 4] for i in range(0, len(value), 4)) if grouped else value

    return one


def _bank_account(d: Draw) -> Callable[[], str]:
    style = d.pick("bban", "digits", "digits", "uk", "es")

    def one() -> str:
        if style == "bban":
            return d.fake("bban")
        if style == "uk":
            return d.digits(8)
        if style == "es":
            return f"{d.digits(4)}-{d.digits(4)}-{d.digits(2)}-{d.digits(10)}"
        return d.digits(d.rng.randint(8, 12))

    return one


def _mrn(d: Draw) -> Callable[[], str]:
    style = d.pick("prefixed", "digits", "dashed", "nhs")

    def one() -> str:
        if style == "prefixed":
            return f"{d.pick('MRN', 'MR', 'PT')}{d.pick('', '-', '#')}{d.digits(7)}"
        if style == "dashed":
            return f"{d.digits(3)}-{d.digits(4)}"
        if style == "nhs":
            return d.digits(10)
        return d.digits(d.rng.randint(6, 9))

    return one


def _insurance(d: Draw) -> Callable[[], str]:
    style = d.pick("mbi", "kvnr", "member", "member_dashed")
    mbi = "ACDEFGHJKMNPQRTUVWXY"

    def one() -> str:
        if style == "mbi":
            return (
                f"{d.rng.randint(1, 9)}{d.letters(1, mbi)}{d.letters(1, mbi + '0123456789')}"
                f"{d.digits(1)}{d.letters(1, mbi)}{d.letters(1, mbi + '0123456789')}"
                f"{d.digits(1)}{d.letters(2, mbi)}{d.digits(2)}"
            )
        if style == "kvnr":
            return d.letters(1) + d.digits(9)
        if style == "member":
            return d.letters(3) + d.digits(9)
        return f"{d.letters(2)}-{d.digits(6)}-{d.digits(2)}"

    return one


# --- hard negatives -------------------------------------------------------------------------------

ADJECTIVES = words("""Ergonomic, Rustic, Sleek, Small, Large, Gorgeous, Practical, Intelligent,
    Handcrafted, Refined, Premium, Classic, Portable, Wireless, Smart, Organic, Vintage, Ultra""")
MATERIALS = words("""Steel, Wooden, Cotton, Plastic, Granite, Rubber, Leather, Bronze, Glass,
    Concrete, Silk, Aluminium, Bamboo, Ceramic""")
PRODUCTS = words("""Chair, Table, Shirt, Shoes, Hat, Keyboard, Mouse, Lamp, Bottle, Backpack,
    Watch, Speaker, Headphones, Gloves, Bike, Towels, Pants, Sausages, Cheese, Pizza, Laptop""")
GENRES = words("""Rock, Pop, Jazz, Blues, Hip-Hop, Classical, Country, Electronic, Reggae, Metal,
    Folk, Soul, Funk, Punk, Latin, Drama, Comedy, Thriller, Horror, Documentary, Romance,
    Science Fiction, Fantasy, Animation, Indie, R&B, Techno, House, Opera, Gospel""")
STATUSES = words("""active, inactive, pending, shipped, delivered, cancelled, returned, open,
    closed, in progress, on hold, approved, rejected, draft, paid, unpaid, overdue""")
DEPARTMENTS = words("""Sales, Marketing, Finance, HR, IT, Operations, Legal, Engineering,
    Support, Logistics, Procurement, R&D, Customer Service, Accounting""")
LANGUAGES = words("""English, German, French, Spanish, Italian, Dutch, Portuguese, Polish,
    Swedish, Chinese, Japanese, Arabic, Hindi, Russian, Turkish, Korean""")
SIZES = words("XS, S, M, L, XL, XXL, 3XL")
GRADES = words("A, B, C, D, E, F, A+, B-, C+")
TEXTS = (
    "Call {name} about the {product} order",
    "Meeting with {name} rescheduled to next week",
    "Spoke to {first}; will follow up on the invoice",
    "{name} approved the refund",
    "Customer asked for {product}, forwarded to {first}",
    "Per {name}: deliver after 5pm",
    "Thanks {first}, the issue is resolved",
)


def _product(d: Draw) -> str:
    name = f"{d.pick(*ADJECTIVES)} {d.pick(*MATERIALS)} {d.pick(*PRODUCTS)}"
    return name if d.rng.random() < 0.8 else f"{name} {d.rng.randint(2, 900)}"


def _artist(d: Draw) -> Callable[[], str]:
    def one() -> str:
        roll = d.rng.random()
        if roll < 0.6:
            return d.fake("name")
        if roll < 0.8:
            return f"The {d.pick(*MATERIALS)} {d.pick(*PRODUCTS)}"
        return f"{d.fake('first_name')} & the {d.pick(*ADJECTIVES)}s"

    return one


def _event_dates(d: Draw) -> Callable[[], str]:
    oldest, newest = d.pick((45, 0), (10, 0), (3, -1), (60, 18), (30, 1))
    return _dates(oldest, newest)(d)


def _timestamps(d: Draw) -> Callable[[], str]:
    def one() -> str:
        moment = TODAY - timedelta(seconds=d.rng.randint(0, 5 * 365 * 86400))
        return f"{moment.isoformat()} {d.rng.randint(0, 23):02}:{d.rng.randint(0, 59):02}:00"

    return one


def _ids(d: Draw) -> Callable[[], str]:
    style = d.pick("uuid", "sequence", "prefixed", "ten", "nine", "hex", "long", "five")
    start = d.rng.randint(1, 10**6)
    prefix = d.pick("ORD", "INV", "CUST", "TX", "REF", "PO", "SO", "TKT")
    counter = [start]

    def one() -> str:
        counter[0] += d.rng.randint(1, 3)
        if style == "uuid":
            return d.fake("uuid4")
        if style == "sequence":
            return str(counter[0])
        if style == "prefixed":
            return f"{prefix}-{counter[0]:07}"
        if style == "ten":
            return str(d.rng.randint(10**9, 10**10 - 1))
        if style == "nine":
            return str(d.rng.randint(10**8, 10**9 - 1))
        if style == "five":
            return str(d.rng.randint(10**4, 10**5 - 1))
        if style == "long":
            return d.digits(16)
        return d.letters(24, "0123456789abcdef")

    return one


def _counts(d: Draw) -> Callable[[], str]:
    high = d.pick(1, 5, 10, 20, 100, 100, 120, 1000, 100000)
    return lambda: str(int(d.rng.triangular(0, high, d.rng.uniform(0, high))))


def _prices(d: Draw) -> Callable[[], str]:
    high = d.pick(10, 100, 1000, 100000)
    symbol = d.pick("", "", "", "$", "€ ", "£")
    places = d.pick(2, 2, 2, 1, 4)
    return lambda: f"{symbol}{d.rng.uniform(0, high):.{places}f}"


def _codes(d: Draw) -> Callable[[], str]:
    style = d.pick("currency", "sku", "promo", "room", "hex", "status", "lang", "dept")
    letters = string.ascii_uppercase

    def one() -> str:
        if style == "currency":
            return d.fake("currency_code")
        if style == "sku":
            return f"{d.letters(3)}-{d.digits(4)}"
        if style == "promo":
            return d.letters(6) + d.letters(2, letters + string.digits)
        if style == "room":
            return f"{d.letters(1, 'ABCDEFG')}{d.digits(d.rng.randint(1, 3))}"
        if style == "hex":
            return "#" + d.letters(6, "0123456789abcdef")
        if style == "lang":
            return d.pick("en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "en-US", "de-AT")
        if style == "dept":
            return d.digits(3)
        return d.pick("A", "B", "C", "X", "P", "N")

    return one


FLAGS = (
    ("0", "1"),
    ("Y", "N"),
    ("true", "false"),
    ("yes", "no"),
    ("T", "F"),
    ("TRUE", "FALSE"),
    ("active", "inactive"),
)


def _text(d: Draw) -> Callable[[], str]:
    def one() -> str:
        if d.rng.random() < 0.4:
            return d.pick(*TEXTS).format(
                name=d.fake("name"), first=d.fake("first_name"), product=_product(d).lower()
            )
        return d.fake(d.pick("sentence", "sentence", "paragraph"))

    return one


def _hashes(d: Draw) -> Callable[[], str]:
    method = d.pick("md5", "sha1", "sha256")
    return lambda: d.fake(method)


def _versions(d: Draw) -> Callable[[], str]:
    parts = d.pick(3, 4, 4)
    return lambda: ".".join(str(d.rng.randint(0, 20)) for _ in range(parts))


def _numbers(d: Draw) -> Callable[[], str]:
    style = d.pick("float", "int", "signed", "ratio")

    def one() -> str:
        if style == "float":
            return f"{d.rng.uniform(0, 1000):.{d.rng.randint(1, 6)}f}"
        if style == "signed":
            return f"{d.rng.uniform(-100, 100):.5f}"
        if style == "ratio":
            return f"{d.rng.random():.4f}"
        return str(d.rng.randint(0, 10 ** d.rng.randint(1, 7)))

    return one


def _years(d: Draw) -> Callable[[], str]:
    low = d.pick(1900, 1950, 1990, 2010)
    return lambda: str(d.rng.randint(low, TODAY.year))


def _times(d: Draw) -> Callable[[], str]:
    seconds = d.rng.random() < 0.5
    return lambda: (
        f"{d.rng.randint(0, 23):02}:{d.rng.randint(0, 59):02}"
        + (f":{d.rng.randint(0, 59):02}" if seconds else "")
    )


def _periods(d: Draw) -> Callable[[], str]:
    return lambda: f"{d.rng.randint(1, 12):02}/{d.rng.randint(2015, TODAY.year)}"


def _percent(d: Draw) -> Callable[[], str]:
    return lambda: f"{d.rng.uniform(0, 100):.{d.pick(0, 1, 2)}f}%"


def _slugs(d: Draw) -> Callable[[], str]:
    def one() -> str:
        return "-".join(d.fake("word").lower() for _ in range(d.rng.randint(1, 3))) + (
            f"-{d.rng.randint(2, 99)}" if d.rng.random() < 0.4 else ""
        )

    return one


# --- column names ---------------------------------------------------------------------------------

PERSON_TABLES = words("""customers, users, employees, patients, contacts, members, clients,
    people, persons, accounts, applicants, students, staff, subscribers, kunden, clientes,
    utilisateurs, dipendenti, klanten, pacientes, leads, guests, passengers, drivers""")
ANY_TABLES = words("""data, export, staging, t1, tbl_main, records, import_2023, sheet1, raw,
    dump, table_a, results, master, details, info, src, landing, archive""")
PRODUCT_TABLES = words("""products, items, orders, order_items, catalog, inventory, invoices,
    shipments, tracks, albums, songs, files, servers, events, tickets, logs, transactions""")

MEANINGLESS = words("""c1, c2, c7, col1, col_a, col_b, field_7, field3, f12, attr, attr3, data,
    value, val, x, y, v1, column_12, unnamed_4, Unnamed: 4, info, text, misc, extra,
    custom_field_2, cf_9, var3, a, b, k, item, detail, txt, str1, desc2, entry, prop, col""")
PREFIXES = words("cust, c, usr, u, tbl, src, x, p, emp, primary, main, old, new, tmp, d")
SUFFIXES = words("1, 2, 3, txt, str, raw, old, new, v2, tmp, val, cd, nr, id2, x, s")


@dataclass(frozen=True)
class Kind:
    """A kind of column: its label, how its values are made, and what it is called."""

    label: str
    make: Maker
    names: tuple[str, ...]
    tables: tuple[str, ...] = PERSON_TABLES + ANY_TABLES
    anonymous: float = 0.15  # how often it has a meaningless name
    text: bool = False  # values whose case a careless export changes


def _k(
    label: str,
    make: Maker,
    names: str,
    tables: tuple[str, ...] | None = None,
    anonymous: float = 0.15,
    text: bool = False,
) -> Kind:
    return Kind(label, make, words(names), tables or PERSON_TABLES + ANY_TABLES, anonymous, text)


KINDS: tuple[Kind, ...] = (
    _k(
        "PERSON_NAME",
        _person_name,
        """name, full name, first name, last name, surname, given name, fname, lname,
        customer name, cust nm, contact name, contact, employee name, owner, holder name,
        person, patient name, middle name, nombre, apellido, vorname, nachname, nom, prenom,
        cognome, nome, voornaam, achternaam, imie, nazwisko, fornamn, efternamn, navn, nimi,
        member name, user full name, name1, nm, full nm, first nm, cardholder, recipient,
        signatory, emergency contact, beneficiary name, student name, driver name""",
        anonymous=0.25,
        text=True,
    ),
    _k(
        "EMAIL_ADDRESS",
        _email,
        """email, e mail, email address, mail, contact email, work email, user email, emailaddr,
        e mail adresse, courriel, correo, correo electronico, posta elettronica, eml, em addr,
        mail address, primary email, login email, emailadresse, sahkoposti, epost""",
    ),
    _k(
        "PHONE_NUMBER",
        _phone,
        """phone, phone number, telephone, tel, mobile, cell, phone no, ph num, contact number,
        telefon, telefono, telefoon, handy, fax, msisdn, mob no, home phone, work phone,
        telefonnummer, numero telephone, celular, cellulare, puhelin, tlf, mobilnummer""",
    ),
    _k(
        "STREET_ADDRESS",
        _street,
        """address, addr, street, street address, address line 1, addr1, address1, billing
        address, home address, shipping address, mailing address, strasse, anschrift,
        adresse, direccion, indirizzo, endereco, adres, ulica, gatuadress, osoite, residence,
        street addr, addr line, delivery address, postal address""",
        anonymous=0.2,
    ),
    _k(
        "POSTAL_CODE",
        _postal,
        """zip, zipcode, zip code, postal code, postcode, post code, plz, cp, cap, cep,
        postnummer, postinumero, pincode, pin code, zip5, postleitzahl, code postal,
        codigo postal, kod pocztowy, billing zip""",
    ),
    _k(
        "LOCATION",
        _location,
        """city, town, country, state, region, province, ort, stadt, ville, pays, ciudad,
        provincia, citta, cidade, plaats, land, birth place, location, residence city,
        home town, county, municipality, kommune, miasto, country of residence, billing city,
        place, bundesland, estado""",
        anonymous=0.2,
        text=True,
    ),
    _k(
        "DATE_OF_BIRTH",
        _dates(95, 18),
        """dob, date of birth, birth date, birthdate, bday, geburtsdatum, date naissance,
        fecha nacimiento, data nascita, geboortedatum, data urodzenia, fodelsedatum, born,
        birthday, birth dt, d o b, geb datum, fodselsdato, syntymaaika, date de naissance""",
    ),
    _k(
        "AGE",
        _age,
        """age, age years, alter, edad, eta, leeftijd, wiek, alder, customer age, patient age,
        age yrs, idade, ika, current age, age at enrollment, age in years""",
        anonymous=0.05,
    ),
    _k(
        "GENDER",
        _choices(GENDERS),
        """gender, sex, geschlecht, sexe, genero, sesso, geslacht, plec, kon, gndr, sex cd,
        gender code, genere, kjonn, sukupuoli, anrede gender, patient sex""",
    ),
    _k(
        "NATIONALITY",
        _vocabulary(NATIONALITIES, NATIONALITIES_DE, NATIONALITY_CODES),
        """nationality, citizenship, nationalitaet, staatsangehoerigkeit, nationalite,
        nacionalidad, nazionalita, nationaliteit, obywatelstwo, medborgarskap, nat,
        citizenship country, nationality code""",
        anonymous=0.05,
        text=True,
    ),
    _k(
        "US_SSN",
        _ssn,
        """ssn, social security number, soc sec no, ss num, social security, ssn number,
        tax ssn, ss no, social sec""",
    ),
    _k(
        "NATIONAL_ID",
        _national_id,
        """national id, nid, id number, personal id, bsn, pesel, personnummer, codice fiscale,
        cpf, nir, dni, ni number, national insurance number, identity number, citizen id,
        id card number, personal number, henkilotunnus, burgerservicenummer, hetu,
        identification number""",
    ),
    _k(
        "PASSPORT_NUMBER",
        _passport,
        """passport, passport no, passport number, reisepass, reisepassnummer, passeport,
        pasaporte, passaporto, paspoort, paszport, pass nr, passport id, travel document""",
        anonymous=0.05,
    ),
    _k(
        "DRIVERS_LICENSE_NUMBER",
        _drivers_license,
        """drivers license, dl number, driver license no, license number, dl no,
        fuehrerschein, fuhrerscheinnummer, permis de conduire, licencia conducir, patente,
        rijbewijs, dln, driving licence number, dl num, drivers lic""",
        anonymous=0.05,
    ),
    _k(
        "TAX_ID",
        _tax_id,
        """tax id, tin, ein, vat, vat number, vat id, steuernummer, ust id, nif, partita iva,
        btw nummer, nip, taxpayer id, itin, tax number, fein, tax no, steuer id""",
    ),
    _k(
        "IP_ADDRESS",
        _ip,
        """ip, ip address, ipv4, ipv6, client ip, src ip, remote addr, host ip, last login ip,
        ip addr, source ip, dest ip, user ip, ipaddress""",
    ),
    _k(
        "MAC_ADDRESS",
        _mac,
        """mac, mac address, hw addr, macaddr, device mac, ether, hardware address, wifi mac,
        mac addr, bssid""",
    ),
    _k(
        "GEO_COORDINATES",
        _geo,
        """lat, latitude, lon, lng, longitude, coordinates, geo, gps, coords, geo point,
        location lat, home lat, breitengrad, laengengrad, latlng, position""",
    ),
    _k(
        "VEHICLE_IDENTIFICATION_NUMBER",
        each(lambda d: d.fake("vin")),
        """vin, vin number, vehicle id number, chassis number, fahrgestellnummer,
        vehicle identification number, vin no, numero de chassis, bastidor, vin code""",
    ),
    _k(
        "LICENSE_PLATE",
        _plate,
        """license plate, plate, plate number, reg no, registration, kennzeichen,
        immatriculation, matricula, targa, kenteken, numberplate, tag number,
        vehicle registration, plate no, rejestracja, registreringsnummer""",
        anonymous=0.1,
    ),
    _k(
        "USERNAME",
        _username,
        """username, user name, login, user, handle, screen name, benutzername,
        nom utilisateur, usuario, nickname, account name, login name, user login, uname,
        twitter handle, gebruikersnaam, nome utente, user id name""",
        anonymous=0.1,
    ),
    _k(
        "PASSWORD",
        _password,
        """password, pwd, passwd, pass, password hash, pw hash, kennwort, passwort,
        mot de passe, contrasena, secret, hashed password, pass hash, user password, pw,
        senha, wachtwoord, haslo""",
    ),
    _k(
        "API_KEY",
        _api_key,
        """api key, apikey, access token, token, secret key, auth token, client secret,
        bearer token, private key, key, api token, refresh token, app secret, access key,
        secret access key, webhook secret""",
    ),
    _k(
        "CREDIT_CARD_NUMBER",
        _card,
        """card number, cc number, credit card, pan, ccnum, card no, kreditkartennummer,
        numero carte, tarjeta, cardnumber, credit card number, cc, card num, debit card,
        payment card, kartennummer""",
    ),
    _k(
        "CARD_VERIFICATION_CODE",
        each(lambda d: d.digits(d.pick(3, 3, 3, 4))),
        """cvv, cvc, cvv2, security code, card code, csc, cid, card verification code,
        cvc2, kartenprufnummer, cryptogramme, codigo seguridad, cc cvv""",
        anonymous=0.03,
    ),
    _k(
        "CARD_EXPIRY_DATE",
        _expiry,
        """exp date, expiry, expiration date, card exp, cc exp, valid thru, exp, ablaufdatum,
        date expiration, vencimiento, scadenza, expiry date, card expiry, exp mm yy,
        valid until, gueltig bis""",
        anonymous=0.05,
    ),
    _k(
        "IBAN",
        _iban,
        """iban, iban number, account iban, bank account, iban code, iban nr, bankverbindung,
        kontonummer iban, payee iban, iban no, rekeningnummer""",
    ),
    _k(
        "BANK_ACCOUNT_NUMBER",
        _bank_account,
        """account number, acct no, bank account, account no, konto, kontonummer,
        numero compte, numero cuenta, conto corrente, rekeningnummer, bank acct, acct num,
        account nbr, checking account, savings account number, bban""",
        anonymous=0.05,
    ),
    _k(
        "SWIFT_BIC",
        each(lambda d: d.fake("swift")),
        """swift, bic, swift code, bic code, swift bic, bank bic, swift id, bic swift""",
    ),
    _k(
        "MEDICAL_RECORD_NUMBER",
        _mrn,
        """mrn, medical record number, patient id, patient number, chart no, record no,
        med rec num, patientennummer, nhs number, medical record no, chart number,
        patient mrn, ehr id, numero dossier""",
        anonymous=0.03,
    ),
    _k(
        "HEALTH_CONDITION",
        one_of(_icd, _vocabulary(CONDITIONS)),
        """diagnosis, condition, icd10, icd code, dx, medical condition, illness, disease,
        diagnose, diagnostic, diagnostico, diagnosi, chronic condition, primary diagnosis,
        dx code, condition code, krankheit, diagnosis code""",
        anonymous=0.1,
        text=True,
    ),
    _k(
        "HEALTH_INSURANCE_NUMBER",
        _insurance,
        """insurance number, member id, health insurance id, insurance id,
        versichertennummer, kvnr, medicare id, mbi, subscriber id, policy member id,
        health plan id, insurance no, krankenversicherungsnummer, medicaid id""",
        anonymous=0.03,
    ),
    _k(
        "ETHNICITY",
        _vocabulary(ETHNICITIES),
        """ethnicity, race, ethnic group, ethnic origin, ethnie, etnia, raza, herkunft,
        race ethnicity, ethnic background""",
        anonymous=0.05,
    ),
    _k(
        "RELIGION",
        _vocabulary(RELIGIONS),
        """religion, faith, religious affiliation, denomination, konfession, religione,
        religiao, godsdienst, wyznanie, religion cd, belief""",
        anonymous=0.05,
    ),
    _k(
        "SEXUAL_ORIENTATION",
        _vocabulary(ORIENTATIONS),
        """sexual orientation, orientation, sex orientation, orientacion sexual,
        orientation sexuelle, sexuelle orientierung, lgbt status""",
        anonymous=0.05,
    ),
    _k(
        "POLITICAL_OPINION",
        _vocabulary(PARTIES, OPINIONS),
        """political party, party, party affiliation, political view, politics,
        political opinion, partei, parti politique, voting preference, political leaning,
        partido politico""",
        anonymous=0.05,
    ),
    # hard negatives
    _k(
        NONE,
        each(_product),
        """product name, product, item, item name, title, product title, article, artikel,
        produit, producto, sku name, model name, name, description""",
        PRODUCT_TABLES,
        anonymous=0.3,
        text=True,
    ),
    _k(
        NONE,
        each(lambda d: d.fake("company")),
        """company, company name, employer, vendor, supplier, organisation, firma, entreprise,
        empresa, brand, manufacturer, vendor name, supplier name, bank name, insurer, carrier,
        organization name, firmenname, business name""",
        anonymous=0.2,
        text=True,
    ),
    _k(
        NONE,
        _artist,
        """artist, artist name, band, band name, performer, composer, album artist, director""",
        PRODUCT_TABLES,
        anonymous=0.0,
    ),
    _k(NONE, _vocabulary(GENRES), "genre, category, style, music genre, type, kind, tag"),
    _k(
        NONE,
        each(lambda d: d.fake(d.pick("file_name", "file_path"))),
        """filename, file, path, attachment, document, file path, image, avatar file,
        file name, upload, dateiname, nom fichier""",
        anonymous=0.3,
    ),
    _k(
        NONE,
        each(lambda d: d.fake(d.pick("hostname", "domain_name", "url"))),
        """host, hostname, server, domain, url, website, homepage, fqdn, endpoint, link,
        server name, web""",
        anonymous=0.3,
    ),
    _k(
        NONE,
        _event_dates,
        """hire date, order date, invoice date, created at, updated at, ship date, due date,
        start date, end date, date, timestamp, last login, signup date, payment date,
        fecha pedido, bestelldatum, date facture, eintrittsdatum, date embauche, created,
        modified, delivery date, valid from, effective date, admission date, visit date""",
        anonymous=0.25,
    ),
    _k(NONE, _timestamps, "created at, updated at, event time, ts, logged at, last seen"),
    _k(
        NONE,
        _ids,
        """id, customer id, order id, user id, record id, transaction id, invoice number,
        order number, ref, reference, tracking number, booking ref, ticket number, row id,
        account id, external id, session id, request id, trace id, batch no, serial number""",
        anonymous=0.4,
    ),
    _k(
        NONE,
        _counts,
        """quantity, qty, count, num items, stock, rating, score, level, rank, floor, pages,
        views, clicks, visits, units, seats, duration minutes, retries, attempts, num orders,
        children, dependents, points, days open, anzahl, cantidad, stars, priority""",
        anonymous=0.4,
    ),
    _k(
        NONE,
        _prices,
        """price, amount, total, cost, salary, balance, fee, discount, tax, unit price,
        revenue, weight, height, temperature, preis, betrag, importe, montant, credit limit""",
        anonymous=0.4,
    ),
    _k(
        NONE,
        _codes,
        """code, product code, sku, status, currency, lang, language code, category code,
        room, color, dept code, promo code, coupon, voucher, batch, gate, seat, class code""",
        anonymous=0.3,
    ),
    _k(
        NONE,
        _choices(FLAGS),
        """is active, active, flag, deleted, is verified, opt in, newsletter, is admin,
        enabled, consent, has phone, email verified, is deleted, marketing opt in""",
        anonymous=0.3,
    ),
    _k(
        NONE,
        _text,
        """notes, comment, comments, description, remarks, message, feedback, body, summary,
        review, text, memo, note, bemerkung, commentaire, observaciones""",
        anonymous=0.2,
    ),
    _k(
        NONE,
        _vocabulary(
            words("""Warehouse manager, Software engineer, Nurse, Teacher, Accountant,
            Sales representative, Driver, Chef, Consultant, Analyst, Director, Designer,
            Architect, Electrician, Pharmacist""")
        ),
        "job title, title, position, role, occupation, job, beruf, profession",
        anonymous=0.1,
    ),
    _k(
        NONE,
        _hashes,
        "checksum, file hash, etag, content hash, commit, sha, digest, md5sum, fingerprint",
        anonymous=0.2,
    ),
    _k(NONE, _versions, "version, build, app version, firmware, release, schema version"),
    _k(NONE, _numbers, "measurement, reading, ratio, factor, value, metric, result, sensor value"),
    _k(NONE, _years, "year, model year, founded, year built, release year, fiscal year, jahr"),
    _k(NONE, _vocabulary(SIZES), "size, shirt size, dress size, groesse, talla"),
    _k(NONE, _vocabulary(GRADES), "grade, rating, class, tier, mark, note"),
    _k(NONE, _times, "start time, opening time, time, closing hour, slot, uhrzeit"),
    _k(NONE, _periods, "period, billing period, report month, month, fiscal period"),
    _k(NONE, _percent, "percent, share, completion, discount pct, rate, progress"),
    _k(NONE, _vocabulary(STATUSES), "status, order status, state, stage, phase", anonymous=0.3),
    _k(NONE, _vocabulary(DEPARTMENTS), "department, dept, team, division, unit, abteilung"),
    _k(
        NONE,
        _vocabulary(LANGUAGES),
        "language, preferred language, lang, spoken language, sprache, idioma, langue",
    ),
    _k(NONE, each(lambda d: d.fake("color_name")), "color, colour, farbe, couleur, shade"),
    _k(NONE, each(lambda d: d.fake("user_agent")), "user agent, browser, ua, client agent"),
    _k(NONE, _slugs, "slug, permalink, handle, url key, tag, keyword", PRODUCT_TABLES),
    _k(
        NONE,
        each(lambda d: d.fake("first_name")),
        "pet name, dog name, horse name, boat name, hurricane, codename",
        PRODUCT_TABLES,
        anonymous=0.0,
    ),
)


def _noisy(phrase: str, rng: random.Random) -> str:
    """A column name as databases and spreadsheets spell it."""
    parts = phrase.split()
    if rng.random() < 0.15 and parts:  # abbreviated: "phn", "addr", "nmbr"
        at = rng.randrange(len(parts))
        word = parts[at]
        if len(word) > 4:
            consonants = word[0] + "".join(c for c in word[1:] if c not in "aeiou")
            parts[at] = rng.choice((word[: rng.randint(3, 4)], consonants))
    if rng.random() < 0.05 and parts and len(parts[-1]) > 4:  # misspelt
        word = parts[-1]
        at = rng.randrange(1, len(word) - 1)
        parts[-1] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if rng.random() < 0.15:
        parts.insert(0, rng.choice(PREFIXES))
    if rng.random() < 0.1:
        parts.append(rng.choice(SUFFIXES))
    style = rng.random()
    if style < 0.45:
        return "_".join(parts)
    if style < 0.6:
        return parts[0] + "".join(p.capitalize() for p in parts[1:])
    if style < 0.7:
        return "".join(p.capitalize() for p in parts)
    if style < 0.8:
        return "_".join(parts).upper()
    if style < 0.9:
        return " ".join(p.capitalize() for p in parts)
    if style < 0.95:
        return "".join(parts)
    return "-".join(parts)


JUNK = ("N/A", "n/a", "null", "NULL", "-", "unknown", "?", "0", "none", "TBD", "#N/A", "x")


def column(kind: Kind, rng: random.Random, fakers: _Fakers) -> tuple[str, str, list[str]]:
    """One synthetic column of `kind`: its name, its table's name and its values."""
    n = int(math.exp(rng.uniform(math.log(SHORTEST), math.log(LONGEST))))
    locales = rng.sample(LOCALES, 1 if rng.random() < 0.7 else rng.randint(2, 3))
    draw = Draw(rng, fakers, locales)
    make = kind.make(draw)
    values = [make() for _ in range(n)]
    if kind.text and rng.random() < 0.15:
        case = rng.choice((str.upper, str.lower))
        values = [case(v) for v in values]
    if rng.random() < 0.5:  # dirty: empty, junk, truncated, padded
        dirty = rng.uniform(0.0, 0.15)
        for index in range(n):
            if rng.random() < dirty:
                roll = rng.random()
                value = values[index]
                if roll < 0.4:
                    values[index] = ""
                elif roll < 0.7:
                    values[index] = rng.choice(JUNK)
                elif roll < 0.9 and len(value) > 3:
                    values[index] = value[: rng.randrange(1, len(value))]
                else:
                    values[index] = f" {value} "
    if rng.random() < kind.anonymous:
        name = (
            _noisy(rng.choice(MEANINGLESS), rng) if rng.random() < 0.3 else rng.choice(MEANINGLESS)
        )
    else:
        name = _noisy(rng.choice(kind.names), rng)
    return name, _noisy(rng.choice(kind.tables), rng), values


# --- the data set, the fit and the artefact -------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    x: Matrix
    y: npt.NDArray[np.int64]  # indexes into CLASSES


def dataset(seed: int, size: float = 1.0) -> Dataset:
    """Synthetic columns as feature vectors with their labels; `size` scales the column count
    (and the Faker pools) for quick runs."""
    rng = random.Random(seed)
    fakers = _Fakers(seed, max(50, int(POOL * min(1.0, size))))
    rows: list[npt.NDArray[np.float64]] = []
    labels: list[int] = []
    positives = max(3, round(PER_INFOTYPE * size))
    negatives = max(2, round(PER_NEGATIVE_KIND * size))
    by_label: dict[str, list[Kind]] = {}
    for kind in KINDS:
        by_label.setdefault(kind.label, []).append(kind)
    for label, kinds in by_label.items():
        count = negatives * len(kinds) if label == NONE else positives
        for index in range(count):
            kind = kinds[index % len(kinds)]
            name, table, values = column(kind, rng, fakers)
            evidence = value_evidence(values, today=TODAY)
            rows.append(features(name_evidence(name, table), evidence, values))
            labels.append(CLASSES.index(label))
    return Dataset(np.vstack(rows), np.array(labels, dtype=np.int64))


def split(data: Dataset, seed: int) -> tuple[Dataset, Dataset, Dataset]:
    """Train, calibration and test parts (70/15/15), stratified by label."""
    rng = np.random.default_rng(seed)
    parts: list[list[int]] = [[], [], []]
    for label in np.unique(data.y):
        where = rng.permutation(np.flatnonzero(data.y == label))
        a, b = int(len(where) * 0.7), int(len(where) * 0.85)
        for part, chunk in zip(parts, (where[:a], where[a:b], where[b:]), strict=True):
            part.extend(chunk.tolist())
    return tuple(  # type: ignore[return-value]
        Dataset(data.x[sorted(p)], data.y[sorted(p)]) for p in parts
    )


def softmax(logits: Matrix) -> Matrix:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: Matrix = exp / exp.sum(axis=1, keepdims=True)
    return result


def fit(data: Dataset, seed: int) -> MLPClassifier:
    model = MLPClassifier((HIDDEN,), alpha=ALPHA, max_iter=EPOCHS, random_state=seed)
    with warnings.catch_warnings():
        # a fixed number of epochs is the point: the result must not depend on when a
        # tolerance happens to be crossed, so running out of them is expected
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(data.x, data.y)
    return model


def logits(weights: Sequence[Matrix], biases: Sequence[Matrix], x: Matrix) -> Matrix:
    """The network's output before the softmax: ReLU hidden layers, then a linear one."""
    for w, b in zip(weights[:-1], biases[:-1], strict=True):
        x = np.maximum(x @ w + b, 0.0)
    out: Matrix = x @ weights[-1] + biases[-1]
    return out


def fit_temperature(logits: Matrix, y: npt.NDArray[np.int64]) -> float:
    """The temperature that minimises the log-loss of softmax(logits / T) on `y`."""

    def loss(log_t: float) -> float:
        p = softmax(logits / math.exp(log_t))
        return float(-np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None)).mean())

    found = minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded", options={"xatol": 1e-6})
    return round(math.exp(float(found.x)), 6)


def expected_calibration_error(p: Matrix, y: npt.NDArray[np.int64], bins: int = 10) -> float:
    """How far the top class's probability is from how often it is right, weighted by bin."""
    top, right = p.max(axis=1), (p.argmax(axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    error = 0.0
    for low, high in pairwise(edges):
        inside = (top > low) & (top <= high)
        if inside.any():
            error += inside.mean() * abs(top[inside].mean() - right[inside].mean())
    return float(error)


def macro_f1(predicted: npt.NDArray[np.int64], y: npt.NDArray[np.int64]) -> float:
    scores = []
    for label in np.unique(y):
        tp = float(((predicted == label) & (y == label)).sum())
        fp = float(((predicted == label) & (y != label)).sum())
        fn = float(((predicted != label) & (y == label)).sum())
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


@dataclass(frozen=True)
class Trained:
    artefact: bytes
    version: str
    report: dict[str, float]


def train(seed: int = DEFAULT_SEED, size: float = 1.0) -> Trained:
    """The artefact's bytes, its version, and its figures on a held-out synthetic split."""
    # One core and one order of floating-point sums; and one clock: some of Faker's national ids
    # (sv_SE, da_DK, fi_FI, pl_PL, it_IT, …) hold birth dates it counts back from now.
    with time_machine.travel(CLOCK, tick=False), threadpool_limits(1):
        started = time.process_time()
        data = dataset(seed, size)
        generated = time.process_time() - started
        train_part, calibration, test = split(data, seed)
        model = fit(train_part, seed)
        weights = [w.astype(np.float64) for w in model.coefs_]
        biases = [b.astype(np.float64) for b in model.intercepts_]
        temperature = fit_temperature(logits(weights, biases, calibration.x), calibration.y)
        p = softmax(logits(weights, biases, test.x) / temperature)
    predicted = p.argmax(axis=1)
    none = CLASSES.index(NONE)
    report = {
        "columns": float(len(data.y)),
        "features": float(data.x.shape[1]),
        "temperature": temperature,
        "test_accuracy": float((predicted == test.y).mean()),
        "test_macro_f1": macro_f1(predicted, test.y),
        "test_ece": expected_calibration_error(p, test.y),
        "test_mean_top_probability": float(p.max(axis=1).mean()),
        "test_infotype_recall": float((predicted[test.y != none] == test.y[test.y != none]).mean()),
        "test_none_kept": float((predicted[test.y == none] == none).mean()),
        "seconds_generating": generated,
        "seconds_total": time.process_time() - started,
    }
    payload = {
        "format": FORMAT,
        "feature_version": FEATURE_VERSION,
        "features": FEATURE_NAMES,
        "classes": CLASSES,
        "weights": weights,
        "biases": biases,
        "temperature": temperature,
        "seed": seed,
        "size": size,
        "trained_on": {k: round(v, 4) for k, v in report.items() if not k.startswith("seconds")},
    }
    buffer = io.BytesIO()
    joblib.dump(payload, buffer, compress=("zlib", 6))
    artefact = buffer.getvalue()
    return Trained(artefact, version_of(artefact), report)


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(
        prog="python -m edge.classification.training", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--size", type=float, default=1.0, help="scale of the data set")
    args = parser.parse_args(argv)
    # Checked before the minute of training, not after it.
    if args.seed < 0:
        parser.error("--seed must be 0 or more")
    if args.size <= 0:
        parser.error("--size must be more than 0")
    if args.out.is_dir() or not args.out.parent.is_dir():
        parser.error(f"--out must be a file in an existing folder: {args.out}")
    trained = train(args.seed, args.size)
    try:
        args.out.write_bytes(trained.artefact)
    except OSError as error:
        parser.exit(1, f"{parser.prog}: error: cannot write {args.out}: {error.strerror}\n")
    for key, value in trained.report.items():
        print(f"{key}: {value:.4g}")  # noqa: T201 - a command line prints its answers
    print(f"size: {len(trained.artefact)} bytes")  # noqa: T201
    print(trained.version)  # noqa: T201
    return 0


if __name__ == "__main__":
    if any(os.environ.get(name) != value for name, value in TRAINING_ENVIRONMENT.items()):
        # Set before the interpreter and numpy start: run again under them.
        command = [sys.executable, "-m", "edge.classification.training", *sys.argv[1:]]
        os.execve(sys.executable, command, {**os.environ, **TRAINING_ENVIRONMENT})  # noqa: S606
    sys.exit(main())
