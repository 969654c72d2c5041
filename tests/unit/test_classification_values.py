"""Value evidence: which infotypes a column's values look like, and how many pass the checks."""

from __future__ import annotations

import random
import string
import time
from collections.abc import Callable
from datetime import date

import pytest
from faker import Faker

from domain.taxonomy import INFOTYPES
from edge.classification.values import ValueEvidence, present_values, value_evidence

TODAY = date(2025, 6, 1)


def evidence(values: list[str], infotype: str) -> ValueEvidence | None:
    return value_evidence(values, today=TODAY).get(infotype)


def counts(values: list[str], infotype: str) -> tuple[int, int]:
    """(matched, validated) for `infotype`, (0, 0) when nothing matched."""
    found = evidence(values, infotype)
    return (found.matched, found.validated) if found else (0, 0)


def check(infotype: str, valid: list[str], invalid: list[str], unmatched: list[str]) -> None:
    """Each valid value matches and validates; each invalid one matches and fails the check;
    each unmatched one is not taken for the infotype at all."""
    for value in valid:
        assert counts([value], infotype) == (1, 1), value
    for value in invalid:
        assert counts([value], infotype) == (1, 0), value
    for value in unmatched:
        assert counts([value], infotype) == (0, 0), value


# --- each infotype: valid, invalid and dirty values --------------------------------------------


def test_card_numbers_pass_luhn_and_an_issuer_range() -> None:
    check(
        "CREDIT_CARD_NUMBER",
        valid=[
            "4111111111111111",
            "4111 1111 1111 1111",
            " 4111-1111-1111-1111 ",
            "378282246310005",  # Amex
            "3782 822463 10005",
            "5555555555554444",
            "2223003122003222",  # Mastercard's 2-series
            "6011111111111117",
        ],
        invalid=["4111111111111112", "4111 1111 1111 1121", "5555555555554440"],
        unmatched=["41111111", "4111 1111 1111 1111 1111 1", "4111_1111_1111_1111", "visa"],
    )


def test_ibans_pass_mod_97_and_their_country_layout() -> None:
    check(
        "IBAN",
        valid=[
            "GB82 WEST 1234 5698 7654 32",
            "GB82WEST12345698765432",
            "DE89370400440532013000",
            " de89 3704 0044 0532 0130 00 ",  # lower case, spaces around
            "NL91ABNA0417164300",
        ],
        invalid=["GB83 WEST 1234 5698 7654 32", "DE89370400440532013001", "XX89370400440532013000"],
        unmatched=["GB82-WEST-1234", "DE89", "12345678901234567890"],
    )


def test_ssns_keep_to_the_ssa_ranges() -> None:
    check(
        "US_SSN",
        valid=["536-90-4399", "536 90 4399", "536904399", " 123-45-6789 "],
        invalid=[
            "000-12-3456",  # no area 000
            "666-12-3456",  # nor 666
            "912-34-5678",  # nor 9xx
            "123-00-4567",  # no group 00
            "123-45-0000",  # no serial 0000
            "078-05-1120",  # burnt by an advertisement
        ],
        unmatched=["123-456-789", "12-345-6789", "1234567890", "536-90-439"],
    )


def test_vins_are_validated_by_their_north_american_check_digit() -> None:
    check(
        "VEHICLE_IDENTIFICATION_NUMBER",
        valid=["1HGCM82633A004352", "1hgcm82633a004352", "1M8GDM9AXKP042788"],
        # many VINs from elsewhere carry no check digit: they match, unvalidated
        invalid=["1HGCM82643A004352", "WVWZZZ1JZXW000001"],
        unmatched=[
            "1HGCM82633A00435",
            "1HGCM82633A0043521",
            "1HGCM82633O004352",
            "ABCDEFGHJKLMNPRST",
        ],
    )


def test_bics_need_an_iso_country() -> None:
    check(
        "SWIFT_BIC",
        valid=["DEUTDEFF", "DEUTDEFF500", "NEDSZAJJXXX", "BNPAFRPPXXX"],
        invalid=["DEUTXXFF", "ABCDQQ12"],
        unmatched=["DEUTDEF", "DEUTDEFF5", "deutdeff", "DEUT DE FF"],
    )


def test_ip_addresses_of_both_versions_are_parsed() -> None:
    check(
        "IP_ADDRESS",
        valid=[
            "192.168.0.1",
            " 10.0.0.0/8 ",
            "2001:db8::1",
            "::1",
            "FE80::1%eth0",
            "::ffff:192.0.2.1",
        ],
        invalid=["256.1.1.1", "01.02.03.04", "2001:db8:::1", "1::2::3"],
        unmatched=["1.2.3", "192.168.0.1:8080", "12:30:45", "localhost"],
    )


def test_mac_addresses_in_colon_dash_and_dot_notation() -> None:
    check(
        "MAC_ADDRESS",
        valid=["00:1A:2B:3C:4D:5E", "00-1a-2b-3c-4d-5e", "001a.2b3c.4d5e"],
        invalid=[],
        unmatched=["00:1A:2B:3C:4D", "00:1A-2B:3C:4D:5E", "GG:1A:2B:3C:4D:5E", "001A2B3C4D5E"],
    )


@pytest.mark.parametrize(
    "phone",
    [
        "+1 202-555-0143",
        "(202) 555-0143",
        "+44 20 7946 0958",
        "+49 30 901820",
        "+33 1 42 68 53 00",
        "+91 98765 43210",
        "+55 11 91234-5678",
        "0049 30 901820",
    ],
)
def test_international_phone_numbers_are_parsed(phone: str) -> None:
    assert counts([phone], "PHONE_NUMBER") == (1, 1)


@pytest.mark.parametrize(
    "national",
    [
        ["(202) 555-0143", "(415) 555-2671", "202.555.0182"],  # US
        ["020 7946 0958", "0161 496 0754", "0117 496 0123"],  # GB
        ["030 901820", "089 1234567", "040 41912345"],  # DE
        ["01 42 68 53 00", "04 91 12 34 56", "06 12 34 56 78"],  # FR
        ["(11) 91234-5678", "(21) 2345-6789", "(31) 98765-4321"],  # BR
    ],
)
def test_national_phone_numbers_are_parsed_in_the_region_most_of_them_fit(
    national: list[str],
) -> None:
    assert counts(national, "PHONE_NUMBER") == (3, 3)


def test_phone_shaped_strings_that_are_no_numbers_stay_unvalidated() -> None:
    assert counts(["+1 000-000-0000", "+44 12 34", "11 11 11 11 11"], "PHONE_NUMBER") == (3, 0)
    # French numbers are written with their trunk prefix 0; without it they are no numbers
    assert counts(["1 42 68 53 00", "4 91 12 34 56", "5 61 23 45 67"], "PHONE_NUMBER") == (3, 0)
    # A year and a serial number is a case number, in any region.
    assert counts(["2021-002590", "2021-329200", "1998/4412733"], "PHONE_NUMBER") == (3, 0)
    # North American numbers are split 3-3-4 (after a 1); split elsewhere they are no numbers.
    nanp = ["+1 202-555-0143", "1-415-555-2671", "202-5550182", "(312) 555 0199 x12"]
    assert counts(nanp, "PHONE_NUMBER") == (4, 4)
    assert counts(["+1 20-25-55-01-43", "+1 2025-550-182"], "PHONE_NUMBER") == (2, 0)
    # Six digits, a dash and four: a Nordic personal number (SE, DK), not a phone number.
    assert counts(["670708-5228", "19670708-5228"], "PHONE_NUMBER") == (0, 0)
    assert counts(["670708-5228"], "NATIONAL_ID")[0] == 1


def test_phone_numbers_of_many_countries_mostly_validate() -> None:
    for locale in ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "pt_BR"):
        fake = Faker(locale)
        fake.seed_instance(1)
        matched, validated = counts([fake.phone_number() for _ in range(200)], "PHONE_NUMBER")
        assert matched >= 190, locale
        assert validated >= 100, locale


def test_dates_of_birth_lie_in_the_past_120_years() -> None:
    check(
        "DATE_OF_BIRTH",
        valid=[
            "1990-05-17",
            "1990/05/17",
            "17.05.1990",
            "05/17/1990",  # month first
            "17/05/1990",  # or day first
            "17/05/90",
            "19900517",
            "17 May 1990",
            "May 17, 1990",
            "1990-05-17T00:00:00",
            " 1990-05-17 ",
        ],
        invalid=[
            "2030-01-01",  # in the future
            "1850-01-01",  # too long ago
            "1990-02-30",  # no such day
            "1990-05-17T10:30:00",  # a moment in a day: a timestamp
        ],
        unmatched=["1990-05", "17 Maybe 1990", "1990.5", "May 1990"],
    )


def test_card_expiry_dates_lie_near_today() -> None:
    check(
        "CARD_EXPIRY_DATE",
        valid=["12/27", "01/2030", "3/26", "12 / 25"],
        invalid=["12/1970", "12/99"],
        unmatched=["13/27", "00/27", "12-27", "12/2"],
    )


def test_card_verification_codes_only_ever_match() -> None:
    assert counts(["123", "4567", "089"], "CARD_VERIFICATION_CODE") == (3, 0)
    assert counts(["12", "12345", "12a"], "CARD_VERIFICATION_CODE") == (0, 0)


def test_ages_are_whole_numbers_up_to_120() -> None:
    assert counts(["0", "7", "42", "99", "120"], "AGE") == (5, 5)
    assert counts(["121", "-1", "42.5", "007", "forty"], "AGE") == (0, 0)


def test_coordinates_stay_within_range() -> None:
    check(
        "GEO_COORDINATES",
        valid=["48.8584, 2.2945", "-33.8688,151.2093", "(40.7128, -74.0060)", "48.858370"],
        invalid=["95.1234, 10.5", "48.8584, 200.5", "190.12345"],
        unmatched=["12.34", "48, 2", "north"],
    )


def test_postal_codes_of_a_few_countries() -> None:
    matched, _ = counts(
        ["90210", "90210-1234", "SW1A 1AA", "K1A 0B1", "1012 AB", "75008"], "POSTAL_CODE"
    )
    assert matched == 6
    assert counts(["9021", "ABCDE", "902101"], "POSTAL_CODE") == (0, 0)


def test_api_keys_by_prefix_and_by_randomness() -> None:
    check(
        "API_KEY",
        valid=[
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "AKIAIOSFODNN7EXAMPLE",
            "ghp_" + "a1B2c3D4" * 5,
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
            "q8Zt3LmW9xR2vK7pN4bY6cH1",  # no prefix, but random
        ],
        # a hex digest is token-shaped, but nothing says it is a key
        invalid=["5d41402abc4b2a76b9719d911017c592", "customer_lifetime_value_total"],
        unmatched=["550e8400-e29b-41d4-a716-446655440000", "short_token", "hello world"],
    )
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"
    found = evidence([pem], "API_KEY")
    assert found is not None and (found.matched, found.validated) == (1, 1)
    assert found.example is not None and "MIIE" not in found.example


def test_password_hashes_by_scheme() -> None:
    bcrypt = "$2b$12$" + "R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"
    argon2 = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"
    django = "pbkdf2_sha256$260000$salt$Vq4bW1cFzJm0Q9PHb6vRhbMzJcFEzNEq3+/4bZ9q0ks="
    check(
        "PASSWORD",
        valid=[bcrypt, argon2, django, "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="],
        invalid=[],
        unmatched=["password123", "$2b$12$short"],
    )
    # a bare digest matches, and proves nothing
    assert counts(["5d41402abc4b2a76b9719d911017c592"], "PASSWORD") == (1, 0)


def test_gender_in_several_languages() -> None:
    values = [
        "M",
        "f",
        "Male",
        "FEMALE",
        " weiblich ",
        "Männlich",
        "MÄNNLICH",
        "femme",
        "mujer",
        "divers",
    ]
    assert counts(values, "GENDER") == (10, 10)
    assert counts(["Mr", "females", "unknown", "maybe"], "GENDER") == (0, 0)


def test_icd_10_codes_for_health_conditions() -> None:
    assert counts(["E11.9", "J45", "S72.001A", "U07.1"], "HEALTH_CONDITION") == (4, 4)
    assert counts(["E1", "e11.9", "E11.12345", "11.9"], "HEALTH_CONDITION") == (0, 0)


def test_medical_record_numbers_by_prefix_or_nhs_check_digit() -> None:
    check(
        "MEDICAL_RECORD_NUMBER",
        valid=["MRN-123456", "mrn 0012345", "943 476 5919", "9434765919"],
        invalid=["943 476 5918"],
        unmatched=["MRN-12", "ABC-123456"],
    )


def test_medicare_beneficiary_identifiers() -> None:
    assert counts(["1EG4-TE5-MK73", "1EG4TE5MK73"], "HEALTH_INSURANCE_NUMBER") == (2, 2)
    assert counts(["1SG4-TE5-MK73", "0EG4-TE5-MK73"], "HEALTH_INSURANCE_NUMBER") == (0, 0)


@pytest.mark.parametrize(
    ("valid", "invalid"),
    [
        ("111222333", "111222334"),  # NL BSN
        ("54362315-K", "54362315Z"),  # ES DNI
        ("X2482300W", "X2482300A"),  # ES NIE
        ("RCCMNL83S18D969H", "RCCMNL83S18D969A"),  # IT codice fiscale
        ("2 95 10 99 126 111 93", "2 95 10 99 126 111 94"),  # FR NIR
        ("36 574 261 809", "36 574 261 808"),  # DE Steuer-ID
        ("2341 2341 2346", "2341 2341 2347"),  # IN Aadhaar
        ("390.533.447-05", "390.533.447-06"),  # BR CPF
        ("44051401359", "44051401358"),  # PL PESEL
        ("880320-0016", "880320-0018"),  # SE personnummer
        ("131052-308T", "131052-308U"),  # FI henkilötunnus
        ("756.9217.0769.85", "756.9217.0769.84"),  # CH AHV
    ],
)
def test_national_ids_of_several_countries(valid: str, invalid: str) -> None:
    assert counts([valid], "NATIONAL_ID") == (1, 1)
    assert counts([invalid], "NATIONAL_ID") == (1, 0)


def test_tax_ids_us_and_eu() -> None:
    check(
        "TAX_ID",
        valid=["91-1144442", "912-90-3456", "DE136695976", "NL004495445B01", "IT 00743110157"],
        invalid=["07-1144442", "DE136695978", "912-40-3456"],
        unmatched=["DEUTSCHLAND", "Italy", "DE12"],
    )


def test_bank_account_numbers_with_check_digits() -> None:
    check(
        "BANK_ACCOUNT_NUMBER",
        valid=[
            "8601 11 17947",
            "01-0242-0100194-00",
            "34278-0727558021/0100",
            "1234-1234-16 1234567890",
        ],
        invalid=["8601 11 17949", "01-0242-0100195-00"],
        unmatched=["12/2025", "8601-11"],
    )


def test_email_addresses() -> None:
    check(
        "EMAIL_ADDRESS",
        valid=["john@example.com", " Jane.Doe+tag@Mail.Example.CO.UK ", "o'brien@example.ie"],
        invalid=["john..doe@example.com", ".john@example.com", "john@-example.com"],
        unmatched=["john@localhost", "john.example.com", "@example.com", "john@example"],
    )


def test_usernames_are_handles() -> None:
    matched, _ = counts(["jsmith42", "@jane_doe", "john.smith", "mary-k"], "USERNAME")
    assert matched == 4
    assert counts(["example.com", "Active", "pending", "John Smith"], "USERNAME") == (0, 0)


def test_person_names_as_registers_write_them() -> None:
    valid = [
        "Ada Lovelace",
        "LUIS ENRIQUE DUSSAN",
        "GUSTAVO DE JESUS CANO MUNOZ",  # two given names, a particle, two surnames
        "GORMAN, BRENT MITCHEL",
        "FORTIN,CHRISTOPHER CLARKE",
        "O'NEIL, MARY",
        "Maria",  # a first name alone
        "MICHAEL",
        "Xolmer Cervantes Rodriguez",  # a rare given name before two surnames
        "FRANCOIS LEFEVRE",  # as systems that keep to ASCII write "François"
        "JUERGEN MUELLER",  # and "Jürgen Müller"
        "Univ.Prof. Dipl.-Ing. Maria Loos",  # up to two titles, a degree after
        "Dipl.-Ing. Hans-Willi Rogner B.Sc.",
        "Sig.ra Giovanna Bonomo",
        "Élisabeth-Michelle Pereira",  # a given name of two, each known
        "Anna Biggen-Briemer",
        "John McDonald",  # a short prefix with a second capital
        "Mary MacArthur",
        "Anna DeLuca",
    ]
    invalid = ["Baker Street", "Smith", "BROWN"]  # a surname: a word too
    invalid += ["Mercedes-Benz Coupe", "Saint-Denis Cedex"]  # one part of a name is none
    # the form of a name, but a firm, an institution or a place; a word that is no name
    unmatched = ["Dove Springs WIC Clinic", "Smith & Sons", "BAKX LLC", "Colegio Jorge Isaacs"]
    # ending in a street type that is nobody's name ("Lane" is a surname: "Diane Lane" passes)
    unmatched += ["Maple Grove Rd", "KINGS HWY", "ANNAPOLIS RIVER"]
    unmatched += ["Ing Bank Savings Plus Maria Account"]  # the new titles take their dot
    unmatched += ["PowerPoint Slides", "MySQL Server"]  # a capital inside, after no short prefix
    valid.append("Diane Lane")
    check("PERSON_NAME", valid, invalid, [*unmatched, "Widget", "PHARMACY", "lowercase name"])


def test_placeholders_are_no_values_and_runs_of_spaces_read_as_one() -> None:
    assert present_values([" NULL", "n/a", "", "  ", "-", "NaN", "None", "ok"]) == ["ok"]
    assert evidence(["NULL"] * 5 + ["jane@example.org"], "EMAIL_ADDRESS") == ValueEvidence(
        "EMAIL_ADDRESS", 1, 1, 1, "j***@example.org", distinct=1
    )
    assert counts(["LUIS ALBERTO  ATEHORTUA   GRISALES"], "PERSON_NAME") == (1, 1)
    assert counts(["8400  E 55 ST", "12\tMain  Street"], "STREET_ADDRESS") == (2, 2)


def test_street_addresses_as_their_countries_write_them() -> None:
    written = [
        "Calle 20 # 6D-1 Este",  # Colombia's grid: street, "#", cross street and distance
        "Cra. 7 No. 45-10",
        "Kr 15 Bis A # 80-23 Sur",
        "Av. carrera 68 # 9-1",
        "Avenida Boyacá # 12-40",
        "Cr. 47 # 77-3",
        "Érdi utca 19.",  # Hungarian: the type after the name
        "Szabadság tér 5/a",
        "ul. Kwiatowa 12",  # Polish
        "al. Jerozolimskie 54",
        "C. Mayor de Castilla 9 Piso 2",  # a unit after the number, in the country's words
        "R. Martins, 26",
        "Rua das Flores, 123 Apto 4",
        "Via Roma, 10 Piano 3",
        "Calle Alem N° 26",  # a word before the house number
        "Bulevardul Unirii Nr. 17",  # Romanian
        "Jl. Thamrin No. 10",  # Indonesian
        "Hämeenkatu 12",  # Finnish and Norwegian types glued to the name
        "Kirkevegen 8",
    ]
    assert counts(written, "STREET_ADDRESS") == (len(written), len(written))
    # Initials, abbreviations and numbered things that are no streets: a microbe, a citation,
    # an exhibit, asset tags, a letter's number, scores, and word-like Hungarian types.
    unmatched = ["C. albicans 90028", "R. Jones 1991", "Pl. Ex. 268", "Al. Gore 61", "OS X 10"]
    unmatched += ["AC Unit #2-6", "CR 575 No. 52-23", "Circular Letter No. 29-23"]
    unmatched += ["AC Latino 1-5", "Batch Sor 74", "Gate U. 86", "Route 66", "Chapter 11"]
    unmatched += ["Gang Member No. 5", "Watergate 2"]
    assert counts(unmatched, "STREET_ADDRESS") == (0, 0)


def test_plain_data_holds_no_evidence() -> None:
    assert value_evidence(["Hello world", "Lorem ipsum dolor sit amet."], today=TODAY) == {}
    assert value_evidence([], today=TODAY) == {}
    assert value_evidence(["", "   ", "\t"], today=TODAY) == {}


# --- counts, masking and the shape of the result ------------------------------------------------


def test_counts_ignore_empty_values_and_count_repeats() -> None:
    values = ["john@example.com"] * 3 + ["", "  ", "not an e-mail", "jane@example.org"]
    found = evidence(values, "EMAIL_ADDRESS")
    assert found == ValueEvidence("EMAIL_ADDRESS", 5, 4, 4, "j***@example.com", distinct=2)


def test_only_infotypes_with_matches_are_reported_and_ids_are_the_taxonomys() -> None:
    found = value_evidence(["john@example.com", "4111 1111 1111 1111", "536-90-4399"], today=TODAY)
    assert set(found) >= {"EMAIL_ADDRESS", "CREDIT_CARD_NUMBER", "US_SSN"}
    assert set(found) <= set(INFOTYPES)
    assert all(e.infotype == infotype and e.matched > 0 for infotype, e in found.items())
    assert all(e.total == 3 and 0 <= e.validated <= e.matched for e in found.values())


def off_by_one(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def test_a_large_column_is_validated_on_a_sample_and_scaled() -> None:
    fake = Faker()
    fake.seed_instance(5)
    valid = [fake.credit_card_number(card_type="visa16") for _ in range(1000)]
    values = [number if i % 4 else off_by_one(number) for i, number in enumerate(valid)]
    matched, validated = counts(values, "CREDIT_CARD_NUMBER")
    assert matched == 1000
    assert 650 <= validated <= 850  # three in four are valid


def test_a_column_of_valid_values_is_reported_as_all_validated() -> None:
    fake = Faker("en_GB")
    fake.seed_instance(3)
    values = [fake.iban() for _ in range(500)]
    assert counts(values, "IBAN") == (500, 500)


def test_counting_a_column_equals_counting_its_values_one_by_one() -> None:
    """However the column is looked at, nothing a value matches goes uncounted."""
    pool = [
        "john@example.com",
        "4111 1111 1111 1111",
        "4111111111111111",
        "123-45-6789",
        "123456789",
        "GB82 WEST 1234 5698 7654 32",
        "+44 20 7946 0958",
        "(202) 555-0143",
        "020 7946 0958",
        "1HGCM82633A004352",
        "DEUTDEFF",
        "192.168.0.1",
        "2001:db8::1",
        "00:1A:2B:3C:4D:5E",
        "1990-05-17",
        "17.05.1990",
        "19900517",
        "17 May 1990",
        "12/27",
        "42",
        "999",
        "48.8584, 2.2945",
        "SW1A 1AA",
        "90210",
        "sk_live_abcdefghijKLMNOP1234",
        "female",
        "E11.9",
        "MRN-123456",
        "1EG4-TE5-MK73",
        "jsmith42",
        "@handle",
        "Hello world",
        "RCCMNL83S18D969H",
        "X2482300W",
        "DE136695976",
        "91-1144442",
        "8601 11 17947",
        "5d41402abc4b2a76b9719d911017c592",
        "männlich",
        "2024-01-05 10:00:00",
        "12.50",
        "ORD-1234567",
        "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
        "$2b$12$" + "a" * 53,
        "131052-308T",
        "131052-3081",
        "880320-0016",
        "34170119870929167X",
        "2 95 10 2A 126 111 93",
        "756.9217.0769.85",
        "390.533.447-05",
        "36 574 261 809",
        "DE 136 695 976",
        "912 90 3456",
    ]
    rng = random.Random(11)
    for _ in range(60):
        kinds = rng.sample(pool, rng.randint(1, 4))
        values = [rng.choice(kinds) for _ in range(rng.choice([1, 40, 400]))]
        if rng.random() < 0.5:  # vary the digits: the same shapes, other values
            values = [
                "".join(rng.choice(string.digits) if c.isdigit() else c for c in v) for v in values
            ]
        whole = value_evidence(values, today=TODAY)
        one_by_one: dict[str, int] = {}
        for value in values:
            for infotype, found in value_evidence([value], today=TODAY).items():
                assert found.matched == 1, (value, found)  # a value counts once for an infotype
                one_by_one[infotype] = one_by_one.get(infotype, 0) + found.matched
        assert {k: v.matched for k, v in whole.items()} == one_by_one, kinds


@pytest.mark.parametrize(
    ("value", "infotype", "masked"),
    [
        ("john@example.com", "EMAIL_ADDRESS", "j***@example.com"),
        ("4111111111111111", "CREDIT_CARD_NUMBER", "************1111"),
        ("4111 1111 1111 1111", "CREDIT_CARD_NUMBER", "**** **** **** 1111"),
        ("536-90-4399", "US_SSN", "***-**-4399"),
        ("GB82 WEST 1234 5698 7654 32", "IBAN", "**** **** **** **** **54 32"),
        ("+44 20 7946 0958", "PHONE_NUMBER", "+** ** **** **58"),
        ("1990-05-17", "DATE_OF_BIRTH", "****-**-**"),
        ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "API_KEY", "sk_live_************************"),
        ("MRN-123456", "MEDICAL_RECORD_NUMBER", "MRN-******"),
    ],
)
def test_examples_are_masked(value: str, infotype: str, masked: str) -> None:
    found = evidence([value], infotype)
    assert found is not None and found.example == masked


def test_no_example_gives_a_value_away() -> None:
    values = [
        "john.smith@example.com",
        "4111111111111111",
        "536-90-4399",
        "1HGCM82633A004352",
        "DEUTDEFF",
        "192.168.0.1",
        "AKIAIOSFODNN7EXAMPLE",
        "female",
        "42",
        "X2482300W",
    ]
    for value in values:
        for found in value_evidence([value], today=TODAY).values():
            assert found.example is not None
            assert found.example != value
            # what stays is at most a few characters (and an e-mail address's domain)
            kept, whole = found.example.split("@")[0], value.split("@")[0]
            assert sum(c.isalnum() for c in kept) <= max(4, len(whole) // 3), found


def test_long_examples_are_cut() -> None:
    found = evidence(
        ["$2b$12$" + "R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"], "PASSWORD"
    )
    assert found is not None and found.example is not None
    assert (
        found.example.startswith("$2b$")
        and found.example.endswith("…")
        and len(found.example) <= 41
    )


# --- cost ---------------------------------------------------------------------------------------

FIRST = ["Ann", "Bob", "Chen", "Dana", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jo", "Lukas"]
LAST = ["Smith", "Müller", "Rossi", "Nguyen", "Kowalski", "Silva", "Okafor", "Haddad", "Dubois"]
WORDS = ["order", "shipped", "late", "blue", "widget", "priority", "returned", "north", "the", "a"]


def realistic_columns(count: int, rng: random.Random) -> list[list[str]]:
    """Columns of the kinds tables hold most, 1,000 values each: numbers, names, e-mails, dates,
    free text, ids, codes, flags, and some phone and card numbers."""
    makers: list[Callable[[int], str]] = [
        lambda i: str(rng.randint(0, 500)),
        lambda i: str(rng.randint(1, 10**9)),
        lambda i: f"{rng.uniform(1, 999):.2f}",
        lambda i: f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        lambda i: rng.choice(FIRST),
        lambda i: f"{rng.choice(FIRST).lower()}.{i}@example.org",
        lambda i: f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}",
        lambda i: f"2024-05-{rng.randint(10, 28)} {rng.randint(10, 23)}:{rng.randint(10, 59)}:00",
        lambda i: " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 15))),
        lambda i: f"{rng.getrandbits(128):032x}",
        lambda i: f"ORD-{rng.randint(10**6, 10**7)}",
        lambda i: rng.choice(["active", "pending", "closed"]),
        lambda i: rng.choice(["true", "false"]),
        lambda i: f"+1 415 555 {rng.randint(1000, 9999)}",
        lambda i: "4111 1111 1111 1111",
    ]
    return [[makers[n % len(makers)](i) for i in range(1000)] for n in range(count)]


def test_a_typical_column_costs_under_two_milliseconds() -> None:
    columns = realistic_columns(200, random.Random(7))
    value_evidence(columns[13])  # phone metadata loads once, on first use
    started = time.process_time()
    for column in columns:
        value_evidence(column)
    per_column = (time.process_time() - started) / len(columns)
    print(f"value_evidence: {per_column * 1e6:.0f} µs per column of 1,000 values")  # noqa: T201
    assert per_column < 0.002


def test_a_value_unlike_the_first_hundred_is_not_taken_for_them() -> None:
    # A thousand VIN-shaped values of many shapes, then one short code: the code is no VIN.
    rng = random.Random(3)
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    vins = ["".join(rng.choice(alphabet) for _ in range(16)) + "9" for _ in range(1000)]
    evidence = value_evidence([*vins, "A9999"])
    assert evidence["VEHICLE_IDENTIFICATION_NUMBER"].matched == sum(
        any(c.isalpha() for c in v) for v in vins
    )
