"""Short texts for the status bar, with the long form left for a tooltip."""

from __future__ import annotations

from linetint.model.hints import Hint, HintLayer, count_strokes


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def strokes_text(layer: HintLayer, colours: int) -> str:
    """'12 strokes (201 dabs) · 3 colours': a drag is one stroke, however many dabs it laid."""
    strokes, dabs = plural(count_strokes(layer), "stroke"), plural(len(layer), "dab")
    return f"{strokes} ({dabs}) · {plural(colours, 'colour')}"


def short_model_name(name: str) -> str:
    """'LineTint lite (synthetic shapes, fine-tuned …, 2843 steps)' -> 'LineTint lite'."""
    short = name.split(" (", 1)[0].strip()
    return short or name


def hint_text(hint: Hint) -> str:
    """Rich text for the hint under the pointer: a swatch of its colour, its hex and its size."""
    hex_colour = "#{:02x}{:02x}{:02x}".format(*hint.color)
    return f'<span style="color:{hex_colour}">■</span> hint {hex_colour} · {hint.size} px'
