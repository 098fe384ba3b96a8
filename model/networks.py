"""Building the generator a `ModelConfig` describes; the one place that maps architecture to class."""

from __future__ import annotations

from .config import ModelConfig
from .generator import CSAGenerator
from .pix2pixhd import GlobalGenerator

Generator = CSAGenerator | GlobalGenerator


def build_generator(config: ModelConfig) -> Generator:
    """A freshly initialised generator (draws from torch's global RNG)."""
    if config.architecture == "pix2pixhd":
        return GlobalGenerator(config)
    return CSAGenerator(config)
