"""The infotype ids of TAXONOMY.md and their categories: part of the public contract."""

from __future__ import annotations

PII, PCI, PHI, SPECIAL, CREDENTIALS = "PII", "PCI", "PHI", "SPECIAL", "CREDENTIALS"

# A column is classified only at this confidence or above; below it, it stays unclassified.
ABSTAIN_BELOW = 0.6

CATEGORIES: dict[str, str] = {
    "PERSON_NAME": PII,
    "EMAIL_ADDRESS": PII,
    "PHONE_NUMBER": PII,
    "STREET_ADDRESS": PII,
    "POSTAL_CODE": PII,
    "LOCATION": PII,
    "DATE_OF_BIRTH": PII,
    "AGE": PII,
    "GENDER": PII,
    "NATIONALITY": PII,
    "US_SSN": PII,
    "NATIONAL_ID": PII,
    "PASSPORT_NUMBER": PII,
    "DRIVERS_LICENSE_NUMBER": PII,
    "TAX_ID": PII,
    "IP_ADDRESS": PII,
    "MAC_ADDRESS": PII,
    "GEO_COORDINATES": PII,
    "VEHICLE_IDENTIFICATION_NUMBER": PII,
    "LICENSE_PLATE": PII,
    "USERNAME": CREDENTIALS,
    "PASSWORD": CREDENTIALS,
    "API_KEY": CREDENTIALS,
    "CREDIT_CARD_NUMBER": PCI,
    "CARD_VERIFICATION_CODE": PCI,
    "CARD_EXPIRY_DATE": PCI,
    "IBAN": PCI,
    "BANK_ACCOUNT_NUMBER": PCI,
    "SWIFT_BIC": PCI,
    "MEDICAL_RECORD_NUMBER": PHI,
    "HEALTH_CONDITION": PHI,
    "HEALTH_INSURANCE_NUMBER": PHI,
    "ETHNICITY": SPECIAL,
    "RELIGION": SPECIAL,
    "SEXUAL_ORIENTATION": SPECIAL,
    "POLITICAL_OPINION": SPECIAL,
}
INFOTYPES = tuple(CATEGORIES)

# Sensitivity levels for policies (TAXONOMY.md).
SENSITIVITY = {
    PII: "confidential",
    PCI: "restricted",
    PHI: "restricted",
    SPECIAL: "restricted",
    CREDENTIALS: "restricted",
}
