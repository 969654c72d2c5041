"""The trained model: loading the shipped artefact and predicting one column's infotype.

The artefact (`model.joblib`, made by `python -m edge.classification.training`) holds plain
arrays: a small network's weights and biases, the temperature that calibrates its output, the
classes (the infotype ids and `NONE`) and the feature layout it was trained on. Prediction is
computed here from those arrays; scikit-learn's own `predict_proba` validates its input on every
call and costs more than the arithmetic. The artefact ships with the code and is trusted as the
code is: it is unpickled, so never point `load_model` at a file from elsewhere.

A model that cannot be loaded or fails to predict raises `ModelError`; the classifier then falls
back to the rules alone (`rules.classify`).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import joblib  # type: ignore[import-untyped]  # ships no type information
import numpy as np
import numpy.typing as npt

from domain.taxonomy import INFOTYPES
from edge.classification.features import FEATURE_VERSION, N_FEATURES

DEFAULT_PATH = Path(__file__).with_name("model.joblib")
FORMAT = "datawave-model-1"
NONE = "NONE"

Matrix = npt.NDArray[np.float64]


class ModelError(Exception):
    """The model could not be used: the classifier falls back to the rules."""

    def __init__(self, reason: str, path: Path | None = None) -> None:
        super().__init__(f"{reason} ({path})" if path else reason)
        self.reason = reason
        self.path = path


class ModelLoadError(ModelError):
    """The artefact is missing, unreadable, or made for another feature layout."""


class ModelPredictError(ModelError):
    """The model raised while predicting."""


class Model:
    """A loaded model: its version and its calibrated probability for every class."""

    def __init__(
        self,
        version: str,
        classes: Sequence[str],
        weights: Sequence[Matrix],
        biases: Sequence[Matrix],
        temperature: float,
    ) -> None:
        self.version = version
        self.classes = tuple(classes)
        self._weights = list(weights)
        self._biases = list(biases)
        self._temperature = temperature

    def predict(self, features: Matrix) -> dict[str, float]:
        """Each class's probability (the infotype ids and `NONE`) for one feature vector."""
        try:
            x = np.asarray(features, dtype=np.float64)
            for w, b in zip(self._weights[:-1], self._biases[:-1], strict=True):
                x = np.maximum(x @ w + b, 0.0)
            logits = (x @ self._weights[-1] + self._biases[-1]) / self._temperature
            exp = np.exp(logits - logits.max())
            p = exp / exp.sum()
            if p.shape != (len(self.classes),) or not np.isfinite(p).all():
                raise ModelPredictError(f"the model gave {p.shape} values, not probabilities")
            return dict(zip(self.classes, p.tolist(), strict=True))
        except ModelPredictError:
            raise
        except Exception as error:  # whatever a model raises, it failed: say so
            raise ModelPredictError(f"{type(error).__name__}: {error}") from error


def load_model(path: Path = DEFAULT_PATH) -> Model:
    """The model in the artefact at `path`; `ModelLoadError` when there is none that fits."""
    try:
        artefact = path.read_bytes()
    except OSError as error:
        raise ModelLoadError(f"no model to read: {error.strerror}", path) from error
    try:
        payload = joblib.load(io.BytesIO(artefact))
    except Exception as error:  # a corrupt file fails in any of many ways
        raise ModelLoadError(f"not a model artefact: {type(error).__name__}", path) from error
    return _model(payload, version_of(artefact), path)


def version_of(artefact: bytes) -> str:
    """A model's version: the first 12 hex digits of the SHA-256 of its artefact's bytes."""
    return "model-" + hashlib.sha256(artefact).hexdigest()[:12]


def _model(payload: Any, version: str, path: Path) -> Model:
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelLoadError(f"not a {FORMAT} artefact", path)
    if payload.get("feature_version") != FEATURE_VERSION:
        raise ModelLoadError(
            f"trained on features {payload.get('feature_version')!r}, these are "
            f"{FEATURE_VERSION!r}: retrain with `python -m edge.classification.training`",
            path,
        )
    classes = tuple(payload.get("classes", ()))
    unknown = [c for c in classes if c != NONE and c not in INFOTYPES]
    if unknown or NONE not in classes:
        raise ModelLoadError(f"classes outside the taxonomy: {unknown or 'no NONE'}", path)
    weights = [np.asarray(w, dtype=np.float64) for w in payload.get("weights", [])]
    biases = [np.asarray(b, dtype=np.float64) for b in payload.get("biases", [])]
    shapes_fit = (
        len(weights) == len(biases) >= 1
        and weights[0].shape[0] == N_FEATURES
        and weights[-1].shape[1] == len(classes)
        and all(w.shape[1] == b.shape[0] for w, b in zip(weights, biases, strict=True))
        and all(a.shape[1] == b.shape[0] for a, b in pairwise(weights))
    )
    temperature = payload.get("temperature")
    if not shapes_fit or not isinstance(temperature, float) or temperature <= 0:
        raise ModelLoadError("weights or temperature of the wrong shape", path)
    return Model(version, classes, weights, biases, temperature)
