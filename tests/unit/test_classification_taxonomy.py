"""Every taxonomy id on a realistic column built from generated data, and TAXONOMY.md's hard
negatives left unclassified: the rules' decision as a user of the catalog would see it."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from faker import Faker

from domain.taxonomy import INFOTYPES
from edge.classification.rules import Column, classify_by_rules

fake = Faker(["en_US", "de_DE", "fr_FR"])
Faker.seed(11)
rng = random.Random(11)

Make = Callable[[], str]

# infotype -> (column name, table, value maker)
COLUMNS: dict[str, tuple[str, str, Make]] = {
    "PERSON_NAME": ("full_name", "customers", fake.name),
    "EMAIL_ADDRESS": ("contact_email", "customers", fake.email),
    "PHONE_NUMBER": ("mobile_phone", "customers", lambda: fake["en_US"].phone_number()),
    "STREET_ADDRESS": ("street_address", "customers", fake.street_address),
    "POSTAL_CODE": ("zip_code", "customers", lambda: fake["en_US"].zipcode()),
    "LOCATION": ("city", "customers", fake.city),
    "DATE_OF_BIRTH": ("date_of_birth", "patients", lambda: fake.date_of_birth().isoformat()),
    "AGE": ("age", "patients", lambda: str(rng.randint(18, 90))),
    "GENDER": ("gender", "patients", lambda: rng.choice(["male", "female", "diverse"])),
    "NATIONALITY": ("nationality", "employees", lambda: rng.choice(["German", "French", "Irish"])),
    "US_SSN": ("ssn", "employees", lambda: fake["en_US"].ssn()),
    "NATIONAL_ID": ("national_id", "citizens", lambda: f"{rng.randint(10**8, 10**9 - 1)}"),
    "PASSPORT_NUMBER": ("passport_number", "travellers", lambda: f"X{rng.randint(10**7, 10**8)}"),
    "DRIVERS_LICENSE_NUMBER": (
        "drivers_license",
        "drivers",
        lambda: f"D{rng.randint(10**6, 10**7)}",
    ),
    "TAX_ID": (
        "tax_id",
        "vendors_contacts",
        lambda: f"{rng.randint(10, 99)}-{rng.randint(10**6, 10**7 - 1)}",
    ),
    "IP_ADDRESS": ("client_ip", "sessions", fake.ipv4),
    "MAC_ADDRESS": ("mac_address", "devices", fake.mac_address),
    "GEO_COORDINATES": ("latitude", "devices", lambda: f"{fake.latitude():.6f}"),
    "VEHICLE_IDENTIFICATION_NUMBER": ("vin", "vehicles", lambda: fake["en_US"].vin()),
    "LICENSE_PLATE": ("license_plate", "vehicles", lambda: fake["en_US"].license_plate()),
    "USERNAME": ("username", "accounts", fake.user_name),
    "PASSWORD": ("password_hash", "accounts", lambda: "$2b$12$" + fake.sha256()[:53]),
    "API_KEY": ("api_key", "integrations", lambda: "sk_live_" + fake.sha256()[:24]),
    "CREDIT_CARD_NUMBER": ("card_number", "payments", fake.credit_card_number),
    "CARD_VERIFICATION_CODE": ("cvv", "payments", fake.credit_card_security_code),
    "CARD_EXPIRY_DATE": ("card_expiry", "payments", fake.credit_card_expire),
    "IBAN": ("iban", "payments", fake.iban),
    "BANK_ACCOUNT_NUMBER": ("bank_account_number", "payments", fake.bban),
    "SWIFT_BIC": ("swift_bic", "payments", fake.swift),
    "MEDICAL_RECORD_NUMBER": (
        "medical_record_number",
        "patients",
        lambda: f"MRN{rng.randint(10**6, 10**7)}",
    ),
    "HEALTH_CONDITION": ("diagnosis", "patients", lambda: rng.choice(["E11.9", "I10", "J45.909"])),
    "HEALTH_INSURANCE_NUMBER": (
        "health_insurance_number",
        "patients",
        lambda: f"H{rng.randint(10**8, 10**9)}",
    ),
    "ETHNICITY": ("ethnicity", "employees", lambda: rng.choice(["Asian", "Hispanic", "White"])),
    "RELIGION": ("religion", "employees", lambda: rng.choice(["Catholic", "Muslim", "None"])),
    "SEXUAL_ORIENTATION": ("sexual_orientation", "survey", lambda: rng.choice(["gay", "straight"])),
    "POLITICAL_OPINION": ("political_party", "members", lambda: rng.choice(["Green", "Liberal"])),
}

HARD_NEGATIVES: dict[str, tuple[str, Make]] = {
    "product_name": ("products", lambda: f"{fake.color_name()} {fake.word()} lamp"),
    "company_name": ("vendors", fake.company),
    "artist_name": ("albums", fake.name),
    "genre": ("albums", lambda: rng.choice(["jazz", "rock", "pop"])),
    "file_name": ("uploads", fake.file_name),
    "host_name": ("servers", fake.hostname),
    "hire_date": ("employees", lambda: fake.date_between("-20y").isoformat()),
    "order_date": ("orders", lambda: fake.date_between("-2y").isoformat()),
    "invoice_date": ("invoices", lambda: fake.date_between("-2y").isoformat()),
    "customer_id": ("orders", lambda: str(rng.randint(10**5, 10**6))),
    "order_count": ("customers", lambda: str(rng.randint(0, 40))),
    "unit_price": ("products", lambda: f"{rng.uniform(1, 500):.2f}"),
    "status_code": ("orders", lambda: rng.choice(["A1", "B2", "C3"])),
    "is_active": ("customers", lambda: rng.choice(["true", "false"])),
    "notes": ("orders", lambda: f"Call {fake.first_name()} about the delivery"),
}


def test_every_taxonomy_id_has_a_column_here() -> None:
    assert set(COLUMNS) == set(INFOTYPES)


@pytest.mark.parametrize("infotype", sorted(COLUMNS))
def test_a_realistic_column_gets_its_infotype(infotype: str) -> None:
    name, table, make = COLUMNS[infotype]
    values = [make() for _ in range(300)]
    assert classify_by_rules(Column(name, table, "text", values)).infotype == infotype


@pytest.mark.parametrize("name", sorted(HARD_NEGATIVES))
def test_hard_negatives_stay_unclassified(name: str) -> None:
    table, make = HARD_NEGATIVES[name]
    values = [make() for _ in range(300)]
    assert classify_by_rules(Column(name, table, "text", values)).infotype is None
