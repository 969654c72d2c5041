"""The rules' decision: how name and value evidence combine, and when a column stays out."""

from __future__ import annotations

import random

import pytest
from faker import Faker

from edge.classification.rules import Column, classify_by_rules


def decide(name: str, values: list[str], table: str = "customers") -> str | None:
    return classify_by_rules(Column(name, table, "text", values)).infotype


def test_strong_values_decide_under_a_meaningless_name() -> None:
    emails = [f"person{i}@example.org" for i in range(200)]
    assert decide("c7", emails) == "EMAIL_ADDRESS"
    ibans = ["DE89370400440532013000", "GB82WEST12345698765432", "NL91ABNA0417164300"] * 20
    assert decide("field_x", ibans) == "IBAN"


@pytest.mark.parametrize(
    "locale",
    [  # in Latin, Greek and Cyrillic letters
        *("en_US", "en_GB", "fr_FR", "es_ES", "it_IT", "nl_NL", "cs_CZ", "de_DE", "lv_LV"),
        *("et_EE", "el_GR", "ru_RU", "uk_UA", "bg_BG"),
    ],
)
def test_person_names_are_read_from_the_values_under_any_column_name(locale: str) -> None:
    faker = Faker(locale)
    faker.seed_instance(2024)
    assert decide("c7", [faker.name() for _ in range(300)]) == "PERSON_NAME"


@pytest.mark.parametrize("locale", ["en_US", "fr_FR", "fr_CA", "es_ES", "es_CO", "hu_HU", "pl_PL"])
def test_street_addresses_are_read_from_the_values_under_any_column_name(locale: str) -> None:
    faker = Faker(locale)
    faker.seed_instance(2024)
    assert decide("c8", [faker.street_address() for _ in range(300)]) == "STREET_ADDRESS"
    written = ["T Street Southeast", "Main St", "W 5th Ave Apt 3", "Elm Road"]
    assert decide("where", [f"{n} {written[n % 4]}" for n in range(1, 101)]) == "STREET_ADDRESS"


def test_mexican_street_types_complete_a_weak_name() -> None:
    # Circuito, Cerrada, Privada, Retorno, Calzada, ... before the street's name.
    mexican = Faker("es_MX")
    mexican.seed_instance(1)
    streets = [mexican.street_address() for _ in range(200)]
    assert decide("address", streets, table="records") == "STREET_ADDRESS"


def test_street_addresses_on_one_line_on_a_grid_and_by_block() -> None:
    faker = Faker("en_US")
    faker.seed_instance(5)
    one_line = [f"{faker.street_address()}, {faker.city()}, {faker.state_abbr()} {faker.zipcode()}"]
    one_line += [faker.address().replace("\n", " ") for _ in range(99)]
    assert decide("c1", one_line) == "STREET_ADDRESS"
    grid = [f"{10 * n} {'NSEW'[n % 4]} {100 * (n % 30)} {'EWNS'[n % 4]}" for n in range(1, 101)]
    assert decide("c2", grid) == "STREET_ADDRESS"
    blocks = [f"{n % 9 + 1}XX {faker.street_name().upper()}" for n in range(100)]
    assert decide("c3", blocks) == "STREET_ADDRESS"
    boxes = [f"PO Box {100 + n}, {faker.city()}, {faker.state_abbr()}" for n in range(100)]
    assert decide("c5", boxes) == "STREET_ADDRESS"
    # An address, its town and its coordinates in one value, as open-data portals publish them.
    geocoded = [
        f"{line}\n{faker.city()}, {faker.state_abbr()} {faker.zipcode()}\n(41.7{n}, -87.5{n})"
        for n, line in enumerate(faker.street_address() for _ in range(100))
    ]
    assert decide("location", geocoded) == "STREET_ADDRESS"
    # After a street type, only a town and a region or postal code continue an address.
    plays = [f"{n} yards passing run, {faker.word()}" for n in range(1, 101)]
    assert decide("result", plays) is None
    # One address repeated counts half: beside a name that says address, enough.
    assert decide("site_address", ["4103 BEACON HILL S"] * 300) == "STREET_ADDRESS"
    assert decide("c4", ["4103 BEACON HILL S"] * 300) is None


def test_person_names_in_capitals_and_first_names_alone_are_read_from_the_values() -> None:
    faker = Faker(["en_US", "es_MX"])
    faker.seed_instance(2024)
    assert decide("ico", [faker.name().upper() for _ in range(300)]) == "PERSON_NAME"
    registers = [f"{faker.last_name()},{faker.first_name()}".upper() for _ in range(300)]
    assert decide("combined", registers) == "PERSON_NAME"
    assert decide("inspector", [faker.first_name() for _ in range(300)]) == "PERSON_NAME"
    # Surnames alone need a name that says so: many are words too.
    american = Faker("en_US")
    american.seed_instance(2024)
    surnames = [american.last_name().upper() for _ in range(300)]
    assert decide("last", surnames, table="registrations") == "PERSON_NAME"
    assert decide("c9", surnames, table="registrations") is None
    assert decide("colour", ["Brown", "White", "Black", "Green", "Gray", "Rose"] * 50) is None
    # "First" beside "Last": the word helps the values when some first names are unknown.
    some_known = [faker.first_name().upper() if n % 4 else f"XQ{n}Z" for n in range(300)]
    assert decide("first", some_known) == "PERSON_NAME"
    assert decide("c6", some_known) is None
    # Firms, clinics and schools named after people are no people.
    firms = [f"{faker.name()} {kind}" for kind in ("LLC", "Clinic", "& Sons") for _ in range(100)]
    assert decide("c8", firms) is None
    # A team's few names are names; middle initials are a name's part.
    assert decide("assigned_to", ["Dana Scully", "Fox Mulder", "Walter Skinner"] * 60) == (
        "PERSON_NAME"
    )
    assert decide("middle_initial", [chr(65 + n % 26) for n in range(300)]) == "PERSON_NAME"


def test_a_persons_role_alone_is_completed_by_values_of_names() -> None:
    faker = Faker("en_US")
    faker.seed_instance(5)
    first_names = [faker.first_name() for _ in range(300)]
    # A third unknown to any name list: the values alone are not enough, with the role they are.
    some_known = [name if n % 3 else f"Q{name.lower()}x" for n, name in enumerate(first_names)]
    assert decide("compliance_inspector", some_known, table="inspections") == "PERSON_NAME"
    assert decide("complianceinspector", some_known, table="inspections") == "PERSON_NAME"
    assert decide("c7", some_known, table="inspections") is None
    # A role over values of a name's form that are nobody's name, or over nothing, says nothing.
    assert decide("owner", ["City Owned", "City Leased"] * 150, table="buildings") is None
    assert decide("owner", [], table="buildings") is None
    assert decide("supervisor", [faker.company_email() for _ in range(300)]) == "EMAIL_ADDRESS"
    assert decide("customer_number", [f"C{n:05d}" for n in range(300)]) is None


def test_a_place_beside_an_office_is_the_offices() -> None:
    faker = Faker("en_US")
    faker.seed_instance(8)
    people = [faker.name() for _ in range(300)]
    for name in ("county_clerk", "state_treasurer", "county_coroner", "state_senator"):
        assert decide(name, people, table="officials") == "PERSON_NAME", name
    statuses = ["APPROVED", "COMMENTED", "CHANGES_REQUESTED", "DISMISSED"] * 50
    assert decide("reviewer_state", statuses, table="reviews") is None
    assert decide("technician_condition", ["Good", "Fair", "Poor"] * 50, table="assets") is None
    # A party's state is theirs.
    assert decide("claimant_state", [faker.state_abbr() for _ in range(300)]) == "LOCATION"


def test_a_name_of_a_person_or_a_firm_holds_what_its_values_are() -> None:
    faker = Faker("es_CO")
    faker.seed_instance(3)
    people = [f"{faker.first_name()} {faker.last_name()} {faker.last_name()}" for _ in range(300)]
    firms = [faker.company() for _ in range(300)]
    assert decide("nombre_o_razon_social", people, table="contratos") == "PERSON_NAME"
    assert decide("nombre_o_razon_social", firms, table="contratos") is None
    assert decide("name_or_company", [p.upper() for p in people], table="payees") == "PERSON_NAME"
    assert decide("razon_social", people, table="contratos") is None  # a firm's name alone
    # What the whole column is (a flag, a change's time, a kind) is no alternative.
    assert decide("email_or_sms_consent", ["Yes", "No"] * 100) is None
    assert decide("first_or_last_name_updated", ["2024-01-05 10:00:00"] * 200) is None
    assert decide("email_or_phone_type", ["Email", "Phone"] * 100) is None


def test_towns_named_like_people_under_a_name_that_says_town_are_places() -> None:
    towns = ["Parker", "Aurora", "Elizabeth", "Englewood", "Littleton", "Castle Rock", "Denver"]
    assert decide("principal_city", towns * 40, table="businesses") == "LOCATION"
    assert decide("principalcity", towns * 40, table="businesses") == "LOCATION"
    faker = Faker("en_US")
    faker.seed_instance(9)
    assert decide("principal", [faker.name() for _ in range(300)]) == "PERSON_NAME"


def test_on_street_and_off_street_are_no_street_addresses() -> None:
    answers = ["1 Strongly Disagree", "2 Somewhat Disagree", "3 Somewhat Agree", "4 Strongly Agree"]
    assert decide("q5_onstreet_parking_agreement", answers * 50, table="survey") is None
    assert decide("off_street_parking", ["Yes", "No", "Unknown"] * 50, table="permits") is None
    assert decide("street", ["Main St", "Oak Ave", "Elm St", "Pine Rd"] * 50) == "STREET_ADDRESS"


def test_a_column_of_firms_under_a_persons_name_holds_no_person_names() -> None:
    firms = [
        "EL APPLE TEXAS, INC.",
        "CABANA BEVERAGES, INC.",
        "M&S GROUP, INC.",
        "RUN BULL RUN, LLC",
    ]
    firms += ["OLIVE GARDEN OF TEXAS, LLC", "W. R. T., INC.", "SMG F&B TEXAS, INC."]
    assert decide("taxpayer_name", firms * 40, table="permits") is None
    assert decide("customer_name", firms * 40, table="orders") is None
    # A few firms among people leave the people's names.
    faker = Faker("en_US")
    faker.seed_instance(6)
    mixed = [faker.name() for _ in range(250)] + firms * 5
    assert decide("customer_name", mixed, table="orders") == "PERSON_NAME"


def test_names_of_people_under_a_name_of_things_stay_unclassified() -> None:
    faker = Faker("en_US")
    faker.seed_instance(7)
    people = [faker.name() for _ in range(300)]
    assert decide("artist_name", people, table="albums") is None
    assert decide("name", people, table="artists") is None
    assert decide("c9", [faker.company() for _ in range(300)]) is None
    # Words that are names only once their accents are dropped ("Åge", "Pär") are words.
    assert decide("c1", ["Age", "Over", "Side", "Par", "Pal", "Rock", "Back", "Sole"] * 30) is None
    # Streets named after people are streets: "Hayes Walk", "Clinton Hollow".
    assert decide("name", [faker.street_name() for _ in range(300)], table="stops") is None
    assert decide("c10", [faker.catch_phrase() for _ in range(300)]) is None
    assert decide("c11", [faker.job() for _ in range(300)]) is None
    assert decide("c12", [faker.sentence() for _ in range(300)]) is None


def test_common_abbreviations_read_as_their_words() -> None:
    assert decide("driver_lic", ["D1234567", "X7654321"]) == "DRIVERS_LICENSE_NUMBER"


def test_a_strong_name_decides_on_a_tiny_table_and_dirty_values_do_not_veto_it() -> None:
    assert decide("ssn", ["123-45-6789", "078-05-1120"]) == "US_SSN"
    # Card numbers that fail the Luhn check still sit under a card-number name.
    bad_luhn = [f"41111111111111{n:02}" for n in range(50) if n != 11]
    assert decide("credit_card_number", bad_luhn) == "CREDIT_CARD_NUMBER"


def test_negative_cues_leave_ids_counts_flags_and_event_dates_alone() -> None:
    ten_digits = [str(2125550000 + 7 * n) for n in range(300)]
    assert decide("customer_id", ten_digits) is None
    assert decide("num_credit_cards", [str(n % 5) for n in range(300)]) is None
    assert decide("flag_phone", [str(n % 2) for n in range(300)]) is None
    dates = [f"19{60 + n % 30}-0{1 + n % 9}-1{n % 9}" for n in range(300)]
    assert decide("hire_date", dates, table="employees") is None
    assert decide("date_of_birth", dates, table="employees") == "DATE_OF_BIRTH"


def test_small_whole_numbers_rule_out_what_has_a_set_form_whatever_the_name() -> None:
    counts = [str(n % 12) for n in range(300)]  # how many cards, not which
    assert decide("Num_Credit_Card", counts) is None
    assert decide("num_tarjeta", counts) is None
    area_codes = [str(200 + n % 700) for n in range(300)]
    assert decide("phone", area_codes) is None
    decision = classify_by_rules(Column("card_number", "payments", "text", counts))
    assert decision.evidence["ruled_out"] == {
        "CREDIT_CARD_NUMBER": "nearly all values are whole numbers of 1-11 digits"
    }
    # What is coded as small numbers keeps its name's meaning; so does a tiny table.
    assert decide("gender", [str(1 + n % 2) for n in range(300)]) == "GENDER"
    assert decide("age", [str(18 + n % 70) for n in range(300)]) == "AGE"
    assert decide("credit_card_number", ["7", "12", "3"]) == "CREDIT_CARD_NUMBER"


def test_values_of_a_form_the_infotype_never_has_rule_it_out() -> None:
    # A hospital's six-digit certification number (`ccn`) is no card number.
    certifications = [str(140000 + 37 * n) for n in range(300)]
    assert decide("hospital_ccn", certifications) is None
    assert decide("ccn", [f"4111111111{n:06}" for n in range(300)]) == "CREDIT_CARD_NUMBER"
    # Yes/no marks, compass points and house numbers are no phones or addresses.
    assert decide("unidad_movil", ["NO", "SI"] * 150) is None
    assert decide("mobile", ["none given", "refused"] * 150) is None
    assert decide("street_direction", ["N", "S", "E", "W"] * 75) is None
    assert decide("house_number", [str(100 + 7 * n) for n in range(300)]) is None
    decision = classify_by_rules(Column("phone", "people", "text", ["yes", "no"] * 50))
    assert decision.evidence["ruled_out"] == {"PHONE_NUMBER": "nearly all values hold no digit"}
    # Digits of any script are digits (Arabic-Indic here).
    arabic = str.maketrans("0123456789", "".join(chr(0x660 + d) for d in range(10)))
    phones = [p.translate(arabic) for p in ("202-555-0143", "312-555-0199")]
    assert decide("phone", phones * 50) == "PHONE_NUMBER"
    # A mostly empty column is judged by the values it has.
    sparse = [""] * 960 + [str(n % 50) for n in range(40)]
    random.Random(3).shuffle(sparse)
    assert decide("card_number", sparse) is None


def test_placeholders_for_missing_values_are_not_evidence() -> None:
    emails = [f"clerk{n}@city.gov" for n in range(60)] + ["NULL"] * 900 + ["N/A"] * 40
    assert decide("emailoficina", emails) == "EMAIL_ADDRESS"
    decision = classify_by_rules(Column("emailoficina", "offices", "text", emails))
    assert decision.evidence["values"]["total"] == 60


@pytest.mark.parametrize("locale", ["en_US", "de_DE", "es_ES", "it_IT"])
def test_states_and_countries_in_the_values_complete_a_weak_name(locale: str) -> None:
    faker = Faker(locale)
    faker.seed_instance(11)
    states = [faker.state() for _ in range(200)]
    assert decide("state", states, table="records") == "LOCATION"
    assert decide("c9", states, table="records") is None  # a list of places alone: not enough
    countries = [faker.country() for _ in range(200)]
    assert decide("region", countries, table="records") == "LOCATION"
    # A state of things is no place, even where a code is also a state's ("OK": Oklahoma).
    assert decide("state", ["OK", "NO"] * 100, table="records") is None
    assert decide("estado", ["SI", "NO"] * 100, table="records") is None
    assert decide("state", ["OK", "NO", "NA"] * 60, table="records") is None
    assert decide("state", ["NY"] * 190 + ["NJ"] * 10, table="records") == "LOCATION"
    # A code that is an English word too counts as a place only beside one that is not.
    assert decide("state", ["ON", "OFF"] * 100, table="switches") is None
    assert decide("location", ["IN", "OUT", "ON", "OR"] * 50, table="parcels") is None
    assert decide("state", ["NY", "NJ", "OK", "IN", "OH"] * 40, table="records") == "LOCATION"
    assert decide("state", ["pending", "shipped", "returned"] * 60, table="orders") is None


def test_one_value_repeated_is_one_piece_of_evidence() -> None:
    # Eight capital letters pass as a bank code; a column repeating one word holds no bank codes.
    assert decide("credential", ["PHARMACY"] * 600) is None
    assert decide("physical_city", ["GAINESVILLE"] * 200) == "LOCATION"
    bics = ["DEUTDEFF", "BNPAFRPP", "COBADEFFXXX", "CHASUS33", "BARCGB22", "HSBCHKHH", "INGBNL2A"]
    bics += ["RABONL2U", "ABNANL2A", "UBSWCHZH80A", "CRESCHZZ", "SOGEFRPP"]
    assert decide("c3", bics * 50) == "SWIFT_BIC"
    # Categories repeat by nature; what nothing else looks like needs no variety.
    assert decide("c4", ["female", "male"] * 150) == "GENDER"
    assert decide("created_by", ["ops@example.com"] * 300) == "EMAIL_ADDRESS"


def test_bare_digits_alone_do_not_say_phone_or_ssn() -> None:
    ten_digits = [str(4553996742 + 7919 * n) for n in range(300)]  # valid NANP numbers
    assert decide("ticket_number", ten_digits) is None
    assert decide("phone", ten_digits) == "PHONE_NUMBER"
    written = [f"({n[:3]}) {n[3:6]}-{n[6:]}" for n in ten_digits]
    assert decide("ticket_number", written) == "PHONE_NUMBER"
    nine_digits = [str(196493895 + 7919 * n) for n in range(300)]
    assert decide("registry_number", nine_digits) is None
    assert decide("ssn", nine_digits) == "US_SSN"
    assert decide("c5", [f"{n[:3]}-{n[3:5]}-{n[5:]}" for n in nine_digits]) == "US_SSN"


def test_ambiguous_values_under_a_meaningless_name_stay_unclassified() -> None:
    assert decide("value", [str(n % 90) for n in range(500)]) is None  # ages? counts? scores?
    assert decide("notes", ["blue widget shipped late"] * 100) is None


def test_the_decision_carries_its_evidence_and_no_raw_value() -> None:
    result = classify_by_rules(
        Column("email", "users", "text", [f"a{i}@example.org" for i in range(30)])
    )
    assert result.method == "rules" and result.category == "PII"
    assert result.evidence["name_tokens"] == ["email"]
    assert result.evidence["values"]["matched"] == 30
    assert "a1@example.org" not in repr(result)


def test_a_place_right_before_a_post_says_where_its_holder_serves() -> None:
    faker = Faker("en_US")
    faker.seed_instance(11)
    managers = [faker.name() for _ in range(12)]  # a small board: few values
    assert decide("district_manager", managers, table="community_boards") == "PERSON_NAME"
    assert decide("state_representative", managers, table="legislators") == "PERSON_NAME"
    assert decide("district_manager", [], table="community_boards") is None
    # A person's place stays a place, whichever order their language puts the words in.
    states = [faker.state() for _ in range(300)]
    assert decide("customer_state", states) == "LOCATION"
    assert decide("estado_del_cliente", states) == "LOCATION"
    assert decide("state_of_residence", [], table="applicants") == "LOCATION"
    for name in ("distrito_cliente", "regione_cliente", "departement_client", "region_cliente"):
        assert decide(name, [], table="clientes") == "LOCATION", name
    # A post before the place, or an "of" between them, leaves the place theirs.
    for name in ("lead_state", "manager_state", "state_of_manager"):
        assert decide(name, states, table="crm") == "LOCATION", name


def test_initials_before_a_surname_are_a_name() -> None:
    faker = Faker("en_US")
    faker.seed_instance(15)
    rng = random.Random(15)
    people = [
        f"{rng.choice('ABCDFGHJKLMPRT')} {rng.choice('ABCDFGHJKLMPRT')} {faker.last_name()}"
        for _ in range(300)
    ]
    assert decide("c7", people, table="register") == "PERSON_NAME"
    # One letter before a word is as often a lettered street, a key or a ward.
    letters = [
        f"{letter} {kind}" for letter in "ABCDEFGHKM" for kind in ("Street", "Major", "Ward")
    ]
    assert decide("c7", letters * 10, table="segments") is None
    quarters = [f"{a} {b} {faker.last_name()}" for a in "NS" for b in "EW" for _ in range(30)]
    assert decide("c7", quarters, table="segments") != "PERSON_NAME"  # a street's quarter


def test_an_alias_holds_a_name_its_values_show() -> None:
    faker = Faker("en_US")
    faker.seed_instance(13)
    aliases = [faker.first_name() if i % 3 else faker.name() for i in range(60)]
    assert decide("alias", aliases, table="people") == "PERSON_NAME"
    assert decide("suspect_aka", aliases, table="cases") == "PERSON_NAME"
    # Alone, or beside a person's word, the name says too little to decide.
    handles = [faker.user_name() for _ in range(60)]
    for name, table in (("alias", "users"), ("customer_alias", ""), ("alias_usuario", "")):
        assert decide(name, handles, table=table) is None, name
    assert decide("alias", [], table="members") is None
    # An alias of a thing holds that thing; of a user, a login; of a mailbox, an address.
    assert decide("city_alias", [], table="places") == "LOCATION"
    assert decide("phone_alias", [], table="customers") == "PHONE_NUMBER"
    assert decide("user_alias", handles, table="accounts") == "USERNAME"
    assert decide("mail_alias", [], table="mailboxes") == "EMAIL_ADDRESS"
    assert decide("host_alias", [f"web-{i}.internal" for i in range(60)], table="hosts") is None
