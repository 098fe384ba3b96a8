"""Fréchet Inception Distance (Heusel et al. 2017) between two picture sets, the paper's Table 1 metric.

``FID = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))`` over pool3 features of the FID Inception
(``inception.py``).  The trace of the matrix square root is computed by symmetric eigendecompositions
instead of ``scipy.linalg.sqrtm``: with ``A = S1^(1/2)``, ``S1 S2`` is similar to the symmetric
positive-semidefinite ``A S2 A``, so ``tr((S1 S2)^(1/2))`` is the sum of the square roots of that matrix's
eigenvalues.  This needs no scipy, never returns a complex result, and stays defined when the covariances
are singular (fewer pictures than 2048 feature dimensions); tiny negative eigenvalues from rounding are
clipped to 0.  Covariances are unbiased (``n - 1``), as pytorch-fid's ``np.cov``.

With fewer pictures than dimensions ``fid_from_features`` works in sample space instead: for centred
feature matrices ``X1`` (n1 x d) and ``X2``, the non-zero eigenvalues of ``S1 S2`` are the squared singular
values of ``M = X1 X2^T / sqrt((n1 - 1)(n2 - 1))``, so ``tr((S1 S2)^(1/2))`` is the sum of M's singular
values and no d x d matrix is ever formed (the same number, far cheaper for small test sets).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from urllib.error import URLError

import numpy as np
import torch

from .extractors.weights import error_detail
from .inception import (
    FEATURE_DIM,
    FID_WEIGHTS_ENV,
    FID_WEIGHTS_URL,
    FIDInceptionV3,
    fid_inception,
    load_fid_state,
)

RANDOM_FID = "random"
RANDOM_FID_LABEL = "random Inception weights: not comparable to published FID (smoke test only)"


class FIDWeightsError(ValueError):
    """The FID Inception weights could not be loaded; the message says where to get them."""


def feature_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and unbiased covariance of (N, D) features, in float64; N >= 2."""
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or features.shape[0] < 2:
        raise ValueError(f"FID needs at least 2 feature vectors, got shape {features.shape}")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """``tr((sigma1 sigma2)^(1/2))`` for symmetric positive-semidefinite matrices."""
    root = _psd_sqrt(np.asarray(sigma1, dtype=np.float64))
    inner = root @ np.asarray(sigma2, dtype=np.float64) @ root
    values = np.linalg.eigvalsh((inner + inner.T) / 2)
    return float(np.sqrt(np.clip(values, 0, None)).sum())


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """The Fréchet distance between Gaussians N(mu1, sigma1) and N(mu2, sigma2)."""
    mu1, mu2 = np.asarray(mu1, dtype=np.float64), np.asarray(mu2, dtype=np.float64)
    if mu1.shape != mu2.shape or np.shape(sigma1) != np.shape(sigma2):
        raise ValueError(f"feature sizes differ: {mu1.shape} vs {mu2.shape}")
    diff = mu1 - mu2
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_sqrt_product(sigma1, sigma2)
    return float(max(value, 0.0))  # rounding can dip a hair below 0 for identical sets


def _fid_in_sample_space(real: np.ndarray, fake: np.ndarray) -> float:
    """The same FID through the (n1 x n2) cross-Gram matrix; see the module docstring."""
    x1, x2 = real - real.mean(axis=0), fake - fake.mean(axis=0)
    n1, n2 = len(real) - 1, len(fake) - 1
    diff = real.mean(axis=0) - fake.mean(axis=0)
    cross = np.linalg.svd(x1 @ x2.T, compute_uv=False).sum() / np.sqrt(n1 * n2)
    value = diff @ diff + (x1 * x1).sum() / n1 + (x2 * x2).sum() / n2 - 2 * cross
    return float(max(value, 0.0))


def fid_from_features(real: np.ndarray, fake: np.ndarray) -> float | None:
    """FID of two (N, D) feature sets; None when either has fewer than 2 vectors (FID is undefined)."""
    real, fake = np.asarray(real, dtype=np.float64), np.asarray(fake, dtype=np.float64)
    if len(real) < 2 or len(fake) < 2:
        return None
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"feature sizes differ: {real.shape[1]} vs {fake.shape[1]}")
    if max(len(real), len(fake)) < real.shape[1]:
        return _fid_in_sample_space(real, fake)
    return frechet_distance(*feature_statistics(real), *feature_statistics(fake))


def load_fid_network(source: str | None, device: torch.device | str = "cpu") -> tuple[FIDInceptionV3, bool]:
    """(network, random?) for ``source``: a file, a URL, ``'random'``, or None (``$LINETINT_FID_WEIGHTS``,
    else pytorch-fid's release through torch.hub's cache).  FIDWeightsError says where to get the file."""
    if source == RANDOM_FID:
        return fid_inception(None).to(device), True
    try:
        state = load_fid_state(source)
        return fid_inception(state).to(device), False
    except (OSError, URLError, RuntimeError, ValueError) as exc:
        detail = error_detail(exc)
        file_name = FID_WEIGHTS_URL.rsplit("/", 1)[-1]
        raise FIDWeightsError(
            f"FID needs pytorch-fid's Inception weights and they could not be loaded ({detail}). Download "
            f"{FID_WEIGHTS_URL} and put {file_name} in {torch.hub.get_dir()}/checkpoints/, or pass "
            f"--fid-weights FILE, or set ${FID_WEIGHTS_ENV}. (--fid-weights random runs without them; such "
            "numbers are not comparable to published FID.)"
        ) from None


class InceptionFeatures:
    """pool3 features of uint8 RGB pictures, in batches, on one device."""

    def __init__(self, net: FIDInceptionV3, device: torch.device | str = "cpu") -> None:
        self.device = torch.device(device)
        self.net = net.to(self.device).eval()

    @torch.inference_mode()
    def __call__(self, pictures: Sequence[np.ndarray]) -> np.ndarray:
        """(N, 2048) float64 features of N uint8 (H, W, 3) pictures of one size."""
        if not pictures:
            return np.zeros((0, FEATURE_DIM))
        batch = torch.from_numpy(np.stack(pictures)).to(self.device).permute(0, 3, 1, 2).float() / 255
        return self.net(batch).double().cpu().numpy()


def fid_weights_description(source: str | os.PathLike[str] | None, random: bool) -> str:
    """What the report says about the Inception weights."""
    if random:
        return RANDOM_FID_LABEL
    return os.fspath(source or os.environ.get(FID_WEIGHTS_ENV) or FID_WEIGHTS_URL)


__all__ = [
    "RANDOM_FID",
    "FIDWeightsError",
    "InceptionFeatures",
    "feature_statistics",
    "fid_from_features",
    "frechet_distance",
    "load_fid_network",
    "trace_sqrt_product",
]
