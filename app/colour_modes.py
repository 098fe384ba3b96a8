"""The choices that change the colour a user sees and exports, and the one place they are applied.

Keep Hint Colours (imaging/hint_colours.py) runs after the network, in the worker for the app and in
`linetint colorize`; both call `hint_colours` here, so preview, exports, Copy Image and the command line
give the same picture for the same choices. No Qt: the command line uses it too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from linetint.imaging.hint_colours import AreaLabels, Unhinted, keep_hint_colours
from linetint.model.hints import HintLayer


@dataclass(frozen=True)
class HintColours:
    """View ▸ Keep Hint Colours and View ▸ Unhinted Areas; a project keeps them with its hints."""

    keep: bool = True  # on by default: a hint is a decision, not a suggestion
    unhinted: Unhinted = Unhinted.TINT  # only matters while `keep` is on


FREE_HINTS = HintColours(keep=False)  # the network's colours as they come (`--free-hints`)
UNHINTED_MODES = {
    Unhinted.NETWORK: "unhinted areas in full network colour",
    Unhinted.PAPER: "unhinted areas paper",
}


def hint_colours(
    rgb: np.ndarray,
    flat: np.ndarray | None,
    labels: AreaLabels,
    hints: HintLayer,
    choice: HintColours,
    shaded: bool = True,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(kept, flat): `rgb` with every hinted area in its hints' colours and the network's shading (None
    when the choice is off), and `flat` (flat colours of `rgb`, if made) with every hinted area its hint
    colour, flat. Both at the labels' size; `hints` at any size of the picture (rasterized as the network
    sees them). `shaded=False` skips `kept` where only the flats will be shown (a preview with flats)."""
    if not choice.keep:
        return None, flat
    kept = keep_hint_colours(rgb, labels, hints, choice.unhinted) if shaded else None
    if flat is not None:
        flat = keep_hint_colours(flat, labels, hints, choice.unhinted, flat=True)
    return kept, flat


def chosen_colour(rgb: np.ndarray, flat: np.ndarray | None, kept: np.ndarray | None) -> np.ndarray:
    """The colour the user asked for, without lines: the flat colours if made, else the network's with
    the hint colours kept if made, else the network's as it came. What a PNG export, Copy Image and
    `linetint colorize` put under the lines."""
    if flat is not None:
        return flat
    return rgb if kept is None else kept


def modes_text(flat: bool, choice: HintColours) -> str:
    """The active modes that change exports, for the status bar (issue 16: a mode must never be silent)."""
    modes = []
    if choice.keep:
        modes.append("Hint colours kept")
        if choice.unhinted in UNHINTED_MODES:  # the default, a pale tint, goes unsaid
            modes.append(UNHINTED_MODES[choice.unhinted])
    if flat:
        modes.append("Flat colours")
    return " · ".join(modes)
