"""Short texts for the status bar, with the long form left for a tooltip."""

from __future__ import annotations

from linetint.model.hints import Hint


def short_model_name(name: str) -> str:
    """'LineTint lite (synthetic shapes, fine-tuned …, 2843 steps)' -> 'LineTint lite'."""
    short = name.split(" (", 1)[0].strip()
    return short or name


def hint_text(hint: Hint) -> str:
    """Rich text for the hint under the pointer: a swatch of its colour, its hex and its size."""
    hex_colour = "#{:02x}{:02x}{:02x}".format(*hint.color)
    return f'<span style="color:{hex_colour}">■</span> hint {hex_colour} · {hint.size} px'
