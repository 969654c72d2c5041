"""Column-name evidence: what a column's name, read with its table's, says about its infotype."""

from __future__ import annotations

import time

import pytest

from domain.taxonomy import INFOTYPES
from edge.classification.names import (
    ENTITY_WORDS,
    NEGATIVE_CUES,
    PERSON_WORDS,
    VOCABULARY,
    NameEvidence,
    name_evidence,
    tokens,
)


def top(evidence: NameEvidence) -> str | None:
    return max(evidence.scores, key=evidence.scores.__getitem__, default=None)


# --- tokens ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("customer_email", ("customer", "email")),  # snake
        ("firstName", ("first", "name")),  # camel
        ("LastName", ("last", "name")),  # Pascal
        ("CustomerID", ("customer", "id")),  # trailing acronym
        ("ZIPCode", ("zip", "code")),  # leading acronym
        ("billing-address", ("billing", "address")),  # kebab
        ("contact.phone", ("contact", "phone")),  # dots
        ("Home Phone", ("home", "phone")),  # spaces
        ("EMAIL_ADDRESS", ("email", "address")),  # upper snake
        ("add1", ("add", "1")),  # digits
        ("address_line_2", ("address", "line", "2")),
        ("IPv4Address", ("ipv", "4", "address")),
        ("Straße", ("strasse",)),  # accents and ligatures folded
        ("prénom", ("prenom",)),
        ("contraseña", ("contrasena",)),
        ("Staatsangehörigkeit", ("staatsangehorigkeit",)),
        ("\uff25\uff2d\uff21\uff29\uff2c", ("email",)),  # full-width "EMAIL"
        ("firstname", ("first", "name")),  # glued compounds split into known words
        ("emailaddress", ("email", "address")),
        ("telefonnummer", ("telefon", "nummer")),
        ("kundenname", ("kunden", "name")),
        ("dateofbirth", ("date", "of", "birth")),
        ("fechadenacimiento", ("fecha", "de", "nacimiento")),
        ("hostname", ("host", "name")),
        ("pobox", ("pobox",)),  # a word of its own: "po" is no part of "corporate"
        # Glued with English words we do not know, split where English words are.
        ("principalcity", ("principal", "city")),
        ("nflastname", ("nf", "last", "name")),
        ("complianceinspector", ("compliance", "inspector")),
        ("shiptoaddress", ("ship", "to", "address")),
        ("emergencycontactphone", ("emergency", "contact", "phone")),
        ("", ()),
    ],
)
def test_names_are_split_into_lower_case_folded_words(name: str, expected: tuple[str, ...]) -> None:
    assert tokens(name) == expected


@pytest.mark.parametrize(
    "word",
    ["percentage", "passage", "mileage", "membership", "message", "lineage", "notes", "corporate"],
)
def test_ordinary_words_are_not_split_into_vocabulary_words(word: str) -> None:
    assert tokens(word) == (word,)


@pytest.mark.parametrize(
    "word",
    [
        "capacity",  # an English word is no compound: not "capa city"
        "velocity",
        "candidate",
        "descr",  # abbreviations fall into fragments
        "assgn",
        "insur",
        "secretaria",  # words of other languages: no "secret aria", no "velo cidade"
        "velocidade",
        "pourcentages",  # "ages" is no word of ours of four letters
        "thecityiscleanandgenerallyfreefromlitter",  # a sentence, not a compound
    ],
)
def test_words_that_are_no_english_compound_stay_whole(word: str) -> None:
    assert tokens(word) == (word,)


def test_the_evidence_records_the_tokens() -> None:
    assert name_evidence("CustomerEmail").tokens == ("customer", "email")


@pytest.mark.parametrize(
    ("name", "infotype"),
    [
        ("tel", "PHONE_NUMBER"),
        ("add1", "STREET_ADDRESS"),
        ("addr2", "STREET_ADDRESS"),
        ("ccn", "CREDIT_CARD_NUMBER"),
        ("cc_num", "CREDIT_CARD_NUMBER"),
        ("dob", "DATE_OF_BIRTH"),
        ("ssn", "US_SSN"),
        ("cvv2", "CARD_VERIFICATION_CODE"),
        ("msisdn", "PHONE_NUMBER"),
        ("pwd", "PASSWORD"),
        ("dl_no", "DRIVERS_LICENSE_NUMBER"),
        ("mrn", "MEDICAL_RECORD_NUMBER"),
        ("icd10", "HEALTH_CONDITION"),
        ("ein", "TAX_ID"),
        ("plz", "POSTAL_CODE"),
        ("lng", "GEO_COORDINATES"),
    ],
)
def test_abbreviations_are_read(name: str, infotype: str) -> None:
    evidence = name_evidence(name)

    assert top(evidence) == infotype
    assert evidence.scores[infotype] >= 0.75


# --- positives ------------------------------------------------------------------------------------

POSITIVES: dict[str, tuple[str, ...]] = {
    "PERSON_NAME": (
        "first_name", "LastName", "surname", "full_name", "maiden_name", "middleName",
        "vorname", "Nachname", "prénom", "nom_de_famille", "apellido", "nombre_completo",
        "cognome", "sobrenome", "voornaam", "achternaam", "customer_name", "fname", "Фамилия",
    ),
    "EMAIL_ADDRESS": (
        "email", "e_mail", "EmailAddress", "customer_email", "courriel", "correo_electronico",
        "E-Mail-Adresse", "indirizzo_email", "endereco_email", "emailadres", "メールアドレス",
    ),
    "PHONE_NUMBER": (
        "phone", "phone_number", "tel", "mobile_no", "fax", "telefonnummer", "handy",
        "telephone_portable", "telefono", "celular", "cellulare", "telefoon", "Nº_telefono",
        "電話番号",
    ),
    "STREET_ADDRESS": (
        "street_address", "address_line_1", "AddressLine2", "add1", "billing_address", "strasse",
        "hausnummer", "adresse_postale", "calle", "direccion_postal", "logradouro", "straat",
    ),
    "POSTAL_CODE": (
        "zip", "zip_code", "PostalCode", "postcode", "plz", "postleitzahl", "code_postal",
        "codigo_postal", "codice_postale", "cep",
    ),
    "LOCATION": (
        "city", "country", "billing_city", "stadt", "wohnort", "ville", "pays", "ciudad", "pais",
        "citta", "cidade", "woonplaats", "place_of_birth",
    ),
    "DATE_OF_BIRTH": (
        "dob", "date_of_birth", "BirthDate", "birthday", "geburtsdatum", "date_de_naissance",
        "fecha_nacimiento", "data_di_nascita", "data_nascimento", "geboortedatum", "patient_dob",
        "дата_рождения",
    ),
    "AGE": ("age", "customer_age", "alter", "edad", "idade", "leeftijd", "age_in_years"),
    "GENDER": ("gender", "sex", "geschlecht", "sexe", "sexo", "sesso", "geslacht", "gender_code"),
    "NATIONALITY": (
        "nationality", "citizenship", "staatsangehörigkeit", "nationalité", "nacionalidad",
        "nazionalita", "nacionalidade", "nationaliteit",
    ),
    "US_SSN": ("ssn", "social_security_number", "SocialSecurityNumber", "soc_sec_no"),
    "NATIONAL_ID": (
        "national_id", "NationalIDNumber", "id_card_number", "personalausweisnummer", "dni",
        "numero_securite_sociale", "cpf", "bsn", "burgerservicenummer", "pesel",
    ),
    "PASSPORT_NUMBER": (
        "passport", "passport_no", "PassportNumber", "reisepassnummer", "passeport",
        "pasaporte", "passaporto", "paspoort",
    ),
    "DRIVERS_LICENSE_NUMBER": (
        "drivers_license", "driver's license", "driving_licence_number", "dl_number",
        "führerscheinnummer", "permis_de_conduire", "licencia_de_conducir", "rijbewijs",
    ),
    "TAX_ID": (
        "tax_id", "ein", "itin", "vat_number", "steuernummer", "steuer_id", "ust_idnr",
        "numero_fiscal", "codice_fiscale", "partita_iva", "nif",
    ),
    "IP_ADDRESS": ("ip", "ip_address", "IPv4Address", "ipv6", "client_ip", "remote_addr"),
    "MAC_ADDRESS": ("mac_address", "macaddr", "MacAddress", "hw_address", "adresse_mac"),
    "GEO_COORDINATES": ("latitude", "longitude", "lat", "lng", "latlng", "breitengrad"),
    "VEHICLE_IDENTIFICATION_NUMBER": (
        "vin", "vin_number", "vehicle_identification_number", "fahrgestellnummer", "chassis_no",
    ),
    "LICENSE_PLATE": ("license_plate", "plate_number", "kfz_kennzeichen", "kenteken", "targa"),
    "USERNAME": (
        "username", "user_name", "login", "LoginID", "screen_name", "benutzername",
        "nom_d_utilisateur", "nombre_de_usuario", "gebruikersnaam",
    ),
    "PASSWORD": (
        "password", "passwd", "pwd", "password_hash", "PasswordHash", "passwort",
        "mot_de_passe", "contraseña", "senha", "wachtwoord",
    ),
    "API_KEY": ("api_key", "apikey", "access_token", "client_secret", "private_key", "jwt"),
    "CREDIT_CARD_NUMBER": (
        "credit_card_number", "cc_number", "ccn", "card_number", "pan", "kreditkartennummer",
        "numero_de_carte", "numero_tarjeta", "creditcardnumber",
    ),
    "CARD_VERIFICATION_CODE": ("cvv", "cvc", "cvv2", "card_verification_code", "security_code"),
    "CARD_EXPIRY_DATE": ("card_expiry", "cc_exp", "exp_month", "ExpYear", "expiry_date@cards"),
    "IBAN": ("iban", "iban_number", "IBAN_code"),
    "BANK_ACCOUNT_NUMBER": (
        "bank_account", "bank_account_number", "kontonummer", "sort_code", "rekeningnummer",
        "routing_number", "account_number@bank_details",
    ),
    "SWIFT_BIC": ("swift", "bic", "swift_code", "bic_code"),
    "MEDICAL_RECORD_NUMBER": ("mrn", "medical_record_number", "patient_id", "historia_clinica"),
    "HEALTH_CONDITION": ("diagnosis", "icd10", "icd_code", "diagnose", "medical_condition"),
    "HEALTH_INSURANCE_NUMBER": (
        "health_insurance_number", "insurance_id", "krankenversicherungsnummer", "carte_vitale",
    ),
    "ETHNICITY": ("ethnicity", "ethnic_origin", "race", "etnia", "origine_ethnique"),
    "RELIGION": ("religion", "religious_affiliation", "konfession", "religione"),
    "SEXUAL_ORIENTATION": ("sexual_orientation", "sexuality", "orientacion_sexual"),
    "POLITICAL_OPINION": ("political_party", "political_affiliation", "partido_politico"),
}  # fmt: skip


def test_every_infotype_has_vocabulary_and_examples() -> None:
    assert set(VOCABULARY) == set(INFOTYPES)
    assert set(POSITIVES) == set(INFOTYPES)


@pytest.mark.parametrize(
    ("infotype", "name"),
    [(infotype, name) for infotype, names in POSITIVES.items() for name in names],
)
def test_a_column_named_for_an_infotype_speaks_for_it(infotype: str, name: str) -> None:
    column, _, table = name.partition("@")
    evidence = name_evidence(column, table)

    assert top(evidence) == infotype, evidence
    assert evidence.scores[infotype] >= 0.65
    assert evidence.negative is None


def _vocabulary() -> list[tuple[str, str, float]]:
    tiers = ("strong", 0.9), ("likely", 0.75), ("weak", 0.45)
    return [
        (infotype, phrase.strip(), floor)
        for infotype, vocabulary in VOCABULARY.items()
        for tier, floor in tiers
        for phrase in getattr(vocabulary, tier).split(",")
        if phrase.strip()
    ]


@pytest.mark.parametrize(("infotype", "phrase", "floor"), _vocabulary())
def test_every_vocabulary_phrase_as_a_column_name_speaks_for_its_infotype(
    infotype: str, phrase: str, floor: float
) -> None:
    evidence = name_evidence("_".join(phrase.split()).replace("#", "1"))  # "#": any number

    assert top(evidence) == infotype, evidence
    assert evidence.scores[infotype] >= floor
    assert evidence.negative is None


def test_an_exact_name_is_stronger_than_a_name_among_other_words_or_an_ambiguous_one() -> None:
    exact = name_evidence("email").scores["EMAIL_ADDRESS"]
    embedded = name_evidence("customer_email").scores["EMAIL_ADDRESS"]
    ambiguous = name_evidence("name").scores["PERSON_NAME"]

    assert exact >= 0.9
    assert 0.75 <= embedded < exact
    assert ambiguous < 0.6


@pytest.mark.parametrize("name", ["email", "ssn", "iban", "date_of_birth", "first_name", "vin"])
def test_a_strong_name_alone_decides(name: str) -> None:
    assert max(name_evidence(name).scores.values()) >= 0.9


def test_the_last_term_names_what_the_column_holds() -> None:
    scores = name_evidence("billing_address_zip").scores

    assert top(name_evidence("billing_address_zip")) == "POSTAL_CODE"
    assert scores["STREET_ADDRESS"] < scores["POSTAL_CODE"]


@pytest.mark.parametrize(
    ("name", "part"),
    [
        ("address_city", "LOCATION"),
        ("municipio_domicilio", "LOCATION"),  # the head comes first in Spanish
        ("ciudad_domicilio", "LOCATION"),
        ("codigo_postal_domicilio", "POSTAL_CODE"),
        ("cidade_endereco", "LOCATION"),
        ("departamento_domicilio", "LOCATION"),  # the region, in much of Latin America
        ("departamento_residencia", "LOCATION"),
    ],
)
def test_a_name_with_an_address_and_one_of_its_parts_holds_the_part(name: str, part: str) -> None:
    assert top(name_evidence(name)) == part


def test_a_departamento_is_a_region_only_as_part_of_an_address() -> None:
    # Elsewhere it is a firm's department (or, in Argentina, a flat): no place.
    assert "LOCATION" not in name_evidence("departamento", "empleados").scores
    assert "LOCATION" not in name_evidence("departamento_empleado").scores
    assert name_evidence("cod_departamento").negative == "cod_*"


# --- negatives ------------------------------------------------------------------------------------

HARD_NEGATIVES = (
    "product_name", "company_name", "artist_name", "genre", "file_name", "host_name",
    "hire_date", "order_date", "invoice_date", "customer_id", "order_count", "unit_price",
    "status_code", "is_active",
)  # fmt: skip
MORE_NEGATIVES = (
    "ProductName", "CompanyName", "hostname", "filename", "company", "brand_name", "store_name",
    "server_name", "HireDate", "created_at", "updatedAt", "ModifiedDate", "ship_date", "due_date",
    "userid", "user_id", "email_id", "id", "num_orders", "number_of_orders", "phone_count",
    "total_amount", "price", "order_qty", "product_code", "has_email", "email_verified",
    "address_type", "phone_type", "notes", "customer_notes", "user_agent", "last_login",
    "domain_name", "nom_produit", "nombre_empresa", "nome_prodotto", "firmenname",
    "bedrijfsnaam", "raison_sociale", "bestelldatum", "date_embauche", "fecha_pedido",
    "data_fattura", "factuurdatum", "id_cliente", "login_date", "token_count",
    "gift_card_number", "mobile_app", "vehicle_age", "tipo_documento", "type_of_address",
    "entity_name", "Global Entity Name", "nombre_entidad",
)  # fmt: skip


@pytest.mark.parametrize("name", HARD_NEGATIVES + MORE_NEGATIVES)
def test_a_negative_cue_wins_over_weak_positives(name: str) -> None:
    evidence = name_evidence(name)

    assert evidence.negative is not None, evidence
    assert all(score <= 0.3 for score in evidence.scores.values()), evidence


@pytest.mark.parametrize(
    ("name", "cue"),
    [
        ("product_name", "product_name"),
        ("hire_date", "hire_date"),
        ("file_name", "file_name"),
        ("genre", "genre"),
        ("customer_id", "*_id"),
        ("order_count", "*_count"),
        ("unit_price", "*_price"),
        ("status_code", "*_code"),
        ("is_active", "is_*"),
    ],
)
def test_the_negative_cue_is_named(name: str, cue: str) -> None:
    assert name_evidence(name).negative == cue


@pytest.mark.parametrize(
    ("name", "infotype"),
    [
        ("national_id", "NATIONAL_ID"),
        ("tax_id", "TAX_ID"),
        ("vat_id", "TAX_ID"),
        ("passport_id", "PASSPORT_NUMBER"),
        ("ssn_id", "US_SSN"),
        ("patient_id", "MEDICAL_RECORD_NUMBER"),
        ("medical_record_id", "MEDICAL_RECORD_NUMBER"),
        ("iban_id", "IBAN"),
    ],
)
def test_an_id_of_an_identifier_kind_is_that_identifier(name: str, infotype: str) -> None:
    evidence = name_evidence(name)

    assert evidence.negative is None
    assert top(evidence) == infotype
    assert evidence.scores[infotype] >= 0.75


@pytest.mark.parametrize(
    ("name", "infotype"),
    [
        ("zip_code", "POSTAL_CODE"),
        ("postal_code", "POSTAL_CODE"),
        ("country_code", "LOCATION"),
        ("icd_code", "HEALTH_CONDITION"),
        ("swift_code", "SWIFT_BIC"),
    ],
)
def test_codes_that_are_personal_data_are_no_negative(name: str, infotype: str) -> None:
    evidence = name_evidence(name)

    assert evidence.negative is None
    assert top(evidence) == infotype


def test_a_currency_code_is_neither_personal_nor_a_negative() -> None:
    assert name_evidence("currency_code") == NameEvidence({}, None, ("currency", "code"))


def test_a_kind_named_first_is_a_negative_unless_it_is_a_blood_group() -> None:
    assert name_evidence("tipo_documento").negative == "tipo_*"
    assert top(name_evidence("tipo_de_sangre")) == "HEALTH_CONDITION"
    assert name_evidence("grupo_sanguineo").negative is None


def test_an_entitys_name_is_an_organisations_but_a_table_of_entities_may_hold_people() -> None:
    assert name_evidence("Global Entity Name").negative == "entity_name"
    assert name_evidence("name", "entity").negative is None


def test_a_name_part_of_a_thing_that_is_a_person_is_a_person_name() -> None:
    # The first name of an artist is a person's name, whatever "artist_name" is.
    assert name_evidence("artist_first_name").scores["PERSON_NAME"] >= 0.75
    assert name_evidence("artist_first_name").negative is None


# --- table context --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "table", ["customers", "hr.employees", "patients", "public.users", "drivers", "fleet.Drivers"]
)
def test_name_in_a_table_of_people_is_a_person_name(table: str) -> None:
    evidence = name_evidence("name", table)

    assert evidence.scores == {"PERSON_NAME": 0.7}
    assert evidence.negative is None


@pytest.mark.parametrize(
    ("table", "cue"),
    [
        ("products", "product_name"),
        ("companies", "company_name"),
        ("files", "file_name"),
        ("artists", "artist_name"),
        ("music.genres", "genre_name"),
        ("hosts", "host_name"),
    ],
)
def test_name_in_a_table_of_things_is_a_negative(table: str, cue: str) -> None:
    evidence = name_evidence("name", table)

    assert evidence.negative == cue
    assert evidence.scores["PERSON_NAME"] <= 0.3


@pytest.mark.parametrize(
    ("column", "table"),
    [
        ("license_number", "drivers"),
        ("licence_no", "applicants"),
        ("license_number", "driving_licences"),
        ("Licence Number Ohio", "dmv_records"),
        ("numero_licencia", "licencias_de_conducir"),
    ],
)
def test_a_licence_number_of_people_or_of_driving_is_a_driving_licence(
    column: str, table: str
) -> None:
    assert name_evidence(column, table).scores["DRIVERS_LICENSE_NUMBER"] >= 0.6


@pytest.mark.parametrize("table", ["software_products", "businesses", "liquor_stores"])
def test_a_licence_number_of_things_is_no_driving_licence(table: str) -> None:
    assert name_evidence("license_number", table).scores["DRIVERS_LICENSE_NUMBER"] < 0.6


def test_a_name_without_context_stays_ambiguous() -> None:
    evidence = name_evidence("name")

    assert 0.4 <= evidence.scores["PERSON_NAME"] < 0.6
    assert evidence.negative is None


def test_the_columns_own_words_outweigh_the_tables() -> None:
    assert name_evidence("product_name", "customers").negative == "product_name"
    assert name_evidence("contact_name", "companies").scores["PERSON_NAME"] >= 0.75
    assert name_evidence("company_contact_name").scores["PERSON_NAME"] >= 0.75


@pytest.mark.parametrize(
    ("name", "table", "infotype"),
    [
        ("address", "customers", "STREET_ADDRESS"),
        ("state", "customers", "LOCATION"),
        ("nom", "clients", "PERSON_NAME"),
        ("nombre", "clientes", "PERSON_NAME"),
        ("expiry_date", "credit_cards", "CARD_EXPIRY_DATE"),
        ("account_number", "bank_accounts", "BANK_ACCOUNT_NUMBER"),
    ],
)
def test_a_table_of_the_right_kind_raises_an_ambiguous_word(
    name: str, table: str, infotype: str
) -> None:
    assert name_evidence(name, table).scores[infotype] > name_evidence(name).scores[infotype]


@pytest.mark.parametrize(
    ("name", "table"), [("state", "orders"), ("expiry_date", "products"), ("age", "vehicles")]
)
def test_a_table_of_the_wrong_kind_turns_an_ambiguous_word_negative(name: str, table: str) -> None:
    evidence = name_evidence(name, table)

    assert evidence.negative is not None
    assert all(score <= 0.3 for score in evidence.scores.values())


# --- the data itself ------------------------------------------------------------------------------


def test_people_and_things_are_told_apart() -> None:
    assert not PERSON_WORDS & ENTITY_WORDS


def test_cue_words_are_lower_case_words() -> None:
    for cue in NEGATIVE_CUES:
        for phrase in cue.words | cue.heads:
            assert phrase == phrase.lower().strip()


def test_matching_is_fast() -> None:
    # Generous: the measured cost is some tens of microseconds a column.
    stems = [stem for names in POSITIVES.values() for stem in names] + list(MORE_NEGATIVES)
    columns = [f"{stem}_{suffix}" for suffix in ("a", "old", "2", "Value") for stem in stems]
    started = time.perf_counter()
    for column in columns:
        name_evidence(column, "customers")
    per_column = (time.perf_counter() - started) / len(columns)

    assert per_column < 0.001


def test_leading_count_and_flag_words_and_generic_table_words() -> None:
    assert name_evidence("num_credit_cards", "customers").negative == "num_*"
    assert name_evidence("flag_phone", "applicants").negative == "flag_*"
    assert name_evidence("age", "salary_data").scores.get("AGE", 0) >= 0.8
