"""Edit ▸ Clean Up Line Art: levels for the line art in a dialog, each trial shown on the canvas, OK one undo
step. The trials, Auto and an OK that comes before the last trial run on the jobs service's clean-up lane."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtWidgets import QDialog, QWidget

from .canvas import HintCanvas
from .document import Document
from .jobs import Jobs
from .levels_dialog import LANE, LevelsDialog
from .placement import place_beside


class CleanUpFlow:
    def __init__(
        self, parent: QWidget, document: Callable[[], Document | None], canvas: HintCanvas, jobs: Jobs
    ) -> None:
        self._parent, self._document, self._canvas, self._jobs = parent, document, canvas, jobs

    def start(self) -> LevelsDialog | None:
        doc = self._document()
        if doc is None:
            return None
        dialog = LevelsDialog(doc.lineart, self._jobs, self._parent)
        dialog.previewChanged.connect(self._canvas.set_lineart)
        dialog.finished.connect(lambda code: self._finish(dialog, code))
        dialog.open()
        place_beside(dialog, self._canvas)  # the trial shows on the canvas: keep it in sight
        return dialog

    def _finish(self, dialog: LevelsDialog, code: int) -> None:
        doc = self._document()
        dialog.deleteLater()
        if doc is None:
            return
        levels, cleaned, lineart = dialog.levels(), dialog.shown(), doc.lineart
        if code != QDialog.DialogCode.Accepted or levels.is_identity:
            self._canvas.set_lineart(lineart)  # the canvas showed the trial (its colour stays): put it back
        elif cleaned is not None:
            self._cleaned_up(doc, lineart, cleaned)
        else:  # OK came before the trial of the last settings
            cleaner = dialog.cleaner
            self._jobs.run(
                lambda: cleaner.render(levels),
                lambda art: self._cleaned_up(doc, lineart, art),
                text="Cleaning up the line art…",
                lane=LANE,
            )

    def _cleaned_up(self, doc: Document, lineart: np.ndarray, cleaned: np.ndarray) -> None:
        if doc is self._document() and doc.lineart is lineart:  # else the page changed meanwhile
            doc.set_lineart(cleaned, doc.source_path, "Clean up line art")
