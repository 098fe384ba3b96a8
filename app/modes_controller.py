"""View ▸ Flat Colours, Keep Hint Colours and Unhinted Areas: the ticks that change what a user sees and
exports, read in one place, kept with the document, always shown in the status bar (issue 16: Flat Colours
went unnoticed), and a new preview when one changes. What they do to a picture is `colour_modes.py`'s."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu

from linetint.imaging.hint_colours import Unhinted

from .colour_modes import HintColours, modes_text
from .document import Document


def unhinted_action(choice: Unhinted) -> str:
    """The name of View ▸ Unhinted Areas' action for `choice` (app/actions.py)."""
    return f"unhinted_{choice.value}"


def checked_unhinted(act: Mapping[str, QAction]) -> Unhinted:
    """The View ▸ Unhinted Areas choice the menu shows (its actions are exclusive)."""
    return next((u for u in Unhinted if act[unhinted_action(u)].isChecked()), Unhinted.TINT)


class Modes:
    """`act`: the window's actions (flats, keep_hints, unhinted_*); `label`: the status bar's modes text."""

    def __init__(
        self,
        act: Mapping[str, QAction],
        unhinted_menu: QMenu,
        label: QLabel,
        document: Callable[[], Document | None],
        request_preview: Callable[[], None],
    ) -> None:
        self._act, self._unhinted_menu, self._label = act, unhinted_menu, label
        self._document, self._request_preview = document, request_preview

    def flats(self) -> bool:
        return self._act["flats"].isChecked()

    def hint_colours(self) -> HintColours:
        """View ▸ Keep Hint Colours and View ▸ Unhinted Areas, as the menu shows them."""
        return HintColours(self._act["keep_hints"].isChecked(), checked_unhinted(self._act))

    def take_from(self, document: Document) -> None:
        """A project brings the choice it was saved with; a picture takes the window's."""
        if document.hint_colours is not None:
            self._act["keep_hints"].setChecked(document.hint_colours.keep)
            self._act[unhinted_action(document.hint_colours.unhinted)].setChecked(True)
            self.show()
        document.hint_colours = self.hint_colours()

    def toggle_flats(self) -> None:
        self.show()
        self._request_preview()  # the worker makes the flat colours along with the next result

    def hint_colours_changed(self) -> None:
        document = self._document()
        if document is not None:
            document.hint_colours = self.hint_colours()  # saved with the project
        self.show()
        self._request_preview()

    def show(self) -> None:
        choice = self.hint_colours()
        self._unhinted_menu.setEnabled(choice.keep)  # tint, network or paper matters only for kept colours
        self._label.setText(modes_text(self.flats(), choice))
