"""The model layer: a reproducible artefact, calibrated probabilities, and the rules as a fallback
whenever the model cannot be loaded or fails."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import joblib  # type: ignore[import-untyped]  # ships no type information
import numpy as np
import pytest
import time_machine
from faker import Faker

from edge.classification import rules, training
from edge.classification.features import N_FEATURES
from edge.classification.model import DEFAULT_PATH, Model, ModelLoadError, load_model
from edge.classification.rules import Classifier, Column, classify, classify_by_rules

SMALL = 0.03  # of the full synthetic data set: enough to train on, quick to make


@pytest.fixture(scope="module")
def model() -> Model:
    return load_model()


@pytest.fixture(scope="module")
def fake() -> Faker:
    faker = Faker(["en_US", "de_DE", "fr_FR"])
    faker.seed_instance(2024)
    return faker


def decide(model: Model | None, name: str, values: list[str], table: str = "t") -> str | None:
    return classify(Column(name, table, "text", values), model).infotype


def test_the_same_seed_trains_the_same_artefact_and_the_command_prints_its_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "model.joblib"
    assert training.main(["--seed", "3", "--size", str(SMALL), "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()[-1]
    again = training.train(seed=3, size=SMALL)
    assert again.artefact == out.read_bytes()
    assert again.version == printed == load_model(out).version
    assert printed.startswith("model-") and len(printed) == len("model-") + 12


def test_the_artefact_does_not_depend_on_the_day_it_is_trained() -> None:
    """Faker counts some national ids' birth dates back from now: the shipped model drifted
    within a day until training fixed its clock."""
    today = training.train(seed=3, size=SMALL)
    with time_machine.travel(datetime(2031, 6, 15, 3, 17, tzinfo=UTC), tick=False):
        later = training.train(seed=3, size=SMALL)
    assert later.artefact == today.artefact


def test_datawave_model_train_reproduces_the_shipped_artefact(tmp_path: Path) -> None:
    """The issue's promise: the shipped model is what `datawave model train` makes from its
    default seed. A change to the features or the training data needs a retrain, or this fails.
    (In a process of its own: the command fixes the string hash seed by restarting itself.)"""
    out = tmp_path / "model.joblib"
    done = subprocess.run(
        [sys.executable, "-m", "edge.classification.training", "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    shipped = load_model()
    assert done.stdout.splitlines()[-1] == shipped.version
    assert out.read_bytes() == DEFAULT_PATH.read_bytes()


def test_bad_training_arguments_are_refused_before_training(tmp_path: Path) -> None:
    for arguments in (["--seed", "-1"], ["--out", str(tmp_path)], ["--out", "/no/such/dir/m"]):
        done = subprocess.run(
            [sys.executable, "-m", "edge.classification.training", *arguments],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 2
        [line] = done.stderr.strip().splitlines()  # one line, no usage block, no traceback
        assert line.startswith("python -m edge.classification.training: error: ")


def test_the_shipped_model_names_the_obvious_and_leaves_hard_negatives_alone(
    model: Model, fake: Faker
) -> None:
    assert decide(model, "contact", [fake.email() for _ in range(200)]) == "EMAIL_ADDRESS"
    addresses = [fake.street_address() for _ in range(300)]
    assert decide(model, "addr_line", addresses, "customers") == "STREET_ADDRESS"
    assert decide(model, "vendor", [fake.company() for _ in range(300)]) is None
    products = [f"{fake.color_name()} {fake.word()} lamp" for _ in range(300)]
    assert decide(model, "product_name", products, "products") is None
    hired = [fake.date_between("-40y", "-1y").isoformat() for _ in range(300)]
    assert decide(model, "hire_date", hired, "employees") is None
    assert decide(model, "quantity", [str(fake.random_int(0, 90)) for _ in range(300)]) is None
    ids = [str(fake.random_int(10**9, 10**10 - 1)) for _ in range(300)]
    assert decide(model, "customer_id", ids, "orders") is None
    notes = [f"Call {fake.name()} about the refund" for _ in range(100)]
    assert decide(model, "notes", notes, "tickets") is None


def test_a_decision_records_the_model_version_it_asked(model: Model, fake: Faker) -> None:
    column = Column("email", "users", "text", [fake.email() for _ in range(50)])
    decided = classify(column, model).to_dict()
    # The rules decided (validated e-mail addresses), the model agreed, and both are recorded.
    assert decided["method"] == "rules" and decided["model"] == model.version
    assert decided["evidence"]["model"]["EMAIL_ADDRESS"] > 0.9
    assert classify_by_rules(column).to_dict()["model"] is None


def test_the_rules_decision_stands_and_the_model_decides_where_they_abstain(
    model: Model, fake: Faker
) -> None:
    phones = Column("phone", "contacts", "text", [fake.phone_number() for _ in range(200)])
    by_rules = classify_by_rules(phones)
    assert classify(phones, model).infotype == by_rules.infotype == "PHONE_NUMBER"
    # Phone numbers as Faker writes them for Denmark and Lithuania are seldom valid ones, and a
    # contact may be a person: the rules stay below the threshold, the model decides.
    for locale in ("da_DK", "lt_LT"):
        numbers = Faker(locale)
        numbers.seed_instance(2024)
        phones = Column("contact", "people", "text", [numbers.phone_number() for _ in range(200)])
        assert classify_by_rules(phones).infotype is None
        decided = classify(phones, model)
        assert (decided.infotype, decided.method) == ("PHONE_NUMBER", "model")


def test_the_model_names_only_what_the_name_or_the_values_speak_for(model: Model) -> None:
    states = ["EN EJECUCION", "TERMINADO", "SUSPENSION", "ANULADO", "LIQUIDADO"] * 40
    assert decide(model, "estado_del_contrato", states, "contratos") is None
    titles = ["Patrol Officer", "Laborer- Public Works", "Ambulance Crew", "Detective"] * 50
    assert decide(model, "employee_title", titles, "payroll") is None
    points = [f"POINT (-73.{n:06d} 40.{n * 7:06d})" for n in range(200)]
    assert decide(model, "the_geom", points, "trees") is None
    # A town and its state's code have the form of "LAST, FIRST", and are no one's name.
    towns = Faker("en_US")
    towns.seed_instance(0)
    places = [f"{towns.city()}, {towns.state_abbr()}" for _ in range(200)]
    assert decide(model, "place", places, "events") is None
    # Counts look like postal codes; most columns of real data hold no personal data, which
    # the model's probabilities are moved to (it was trained on a quarter without).
    fares = [str(n * 7919 % 60000 + 2000) for n in range(300)]
    assert decide(model, "full_fare", fares, "ridership") is None
    # What the name speaks for, it may still name where the rules stay just below the threshold.
    parties = ["Democrat", "Republican", "Independent", "Green", "Libertarian"] * 40
    assert decide(model, "party_affiliation", parties, "voters") == "POLITICAL_OPINION"


def test_the_trained_share_of_columns_without_personal_data_is_the_training_sets() -> None:
    kinds = [kind.label for kind in training.KINDS]
    negative = kinds.count(training.NONE) * training.PER_NEGATIVE_KIND
    positive = len(set(kinds) - {training.NONE}) * training.PER_INFOTYPE
    assert negative / (negative + positive) == pytest.approx(rules.TRAINED_NONE_SHARE)


def test_what_the_values_ruled_out_the_model_does_not_bring_back(model: Model) -> None:
    # House numbers under `house_number` are no address; nor card verification codes.
    assert decide(model, "house_number", [str(1 + 37 * n % 9999) for n in range(300)]) is None
    assert decide(model, "street_number", [str(1 + 37 * n % 9999) for n in range(300)]) is None


@pytest.mark.parametrize("locale", ["en_US", "de_DE", "it_IT"])
def test_names_under_a_meaningless_column_name_are_person_names(model: Model, locale: str) -> None:
    # The model alone, with nothing in the column's name. (French and Spanish names alone
    # under such a name are still a toss-up for the shipped model.)
    faker = Faker(locale)
    faker.seed_instance(2024)
    names = [faker.name() for _ in range(300)]
    assert decide(model, "c7", names) == "PERSON_NAME"


@pytest.mark.parametrize("artefact", [None, b"", b"not a model at all"])
def test_a_missing_or_corrupt_model_falls_back_to_the_rules(
    tmp_path: Path, fake: Faker, artefact: bytes | None
) -> None:
    path = tmp_path / "model.joblib"
    if artefact is not None:
        path.write_bytes(artefact)
    with pytest.raises(ModelLoadError):
        load_model(path)
    classifier = Classifier.load(path)
    column = Column("phone", "customers", "text", [fake.phone_number() for _ in range(100)])
    decided = classifier.classify(column)
    rules = classify_by_rules(column)
    assert (decided.infotype, decided.confidence) == (rules.infotype, rules.confidence)
    assert decided.method == "fallback" and decided.model is None
    assert decided.evidence["fallback"] == classifier.unavailable


def test_a_model_for_another_feature_layout_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    joblib.dump({"format": "datawave-model-1", "feature_version": "features-0"}, buffer)
    path = tmp_path / "old.joblib"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ModelLoadError, match="retrain"):
        load_model(path)


def test_a_model_that_fails_to_predict_falls_back_to_the_rules(fake: Faker) -> None:
    broken = Model("model-broken", training.CLASSES, [np.zeros((3, 2))], [np.zeros(2)], 1.0)
    column = Column("ssn", "people", "text", [fake.ssn() for _ in range(50)])
    decided = classify(column, broken)
    assert decided.method == "fallback" and decided.infotype == "US_SSN"
    assert "ValueError" in decided.evidence["fallback"]


def test_probabilities_are_calibrated_on_held_out_synthetic_columns(model: Model) -> None:
    # A seed the shipped model was not trained with: fresh columns, names and values.
    held_out = training.dataset(seed=12345, size=0.05)
    assert held_out.x.shape[1] == N_FEATURES
    p = np.array([[model.predict(row)[c] for c in training.CLASSES] for row in held_out.x])
    accuracy = float((p.argmax(axis=1) == held_out.y).mean())
    confidence = float(p.max(axis=1).mean())
    assert accuracy > 0.85
    assert abs(confidence - accuracy) < 0.1
    assert training.expected_calibration_error(p, held_out.y) < 0.1
