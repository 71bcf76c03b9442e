"""The first-run guide: a strip under the header leading a new merchant through Connection → Refresh channels
→ Stores → Mapping → Preview → Pull Full, each step ticked when it is done (read from what is saved, by the
app's guide service), with a button that does the next step. Help → Getting started shows it again."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from unopim_desktop.app.guide import GuideStep

DO_IT = {"connection": "Go to Connection", "channels": "Refresh channels", "stores": "Add a store",
         "mapping": "Auto-map the fields", "preview": "Preview (dry run)", "pull": "Pull Full"}
_DONE = "QLabel { color: #1e7e34; }"
_NEXT = "QLabel { color: #1b4f8a; font-weight: 600; }"
_LATER = "QLabel { color: #777; }"


class GuideStrip(QFrame):
    go = Signal(str)  # the step key whose button was clicked
    hidden_by_user = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guide")
        self.setStyleSheet("QFrame#guide { border: 1px solid #b9c8dd; border-radius: 6px; background: #f3f7fd; }")
        self.steps: list[GuideStep] = []
        self.chips: dict[str, QLabel] = {}
        self.title = QLabel("<b>Getting started:</b>")
        self.chip_row = QHBoxLayout()
        self.chip_row.setSpacing(8)
        self.todo = QLabel("")
        self.todo.setObjectName("guideTodo")
        self.todo.setWordWrap(True)
        self.do_button = QPushButton("")
        self.do_button.setObjectName("guideDo")
        self.do_button.clicked.connect(self._do)
        self.hide_button = QPushButton("Hide guide")
        self.hide_button.setObjectName("guideHide")
        self.hide_button.setToolTip("Help → Getting started shows it again.")
        self.hide_button.clicked.connect(self._hide_by_user)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addLayout(self.chip_row)
        top.addStretch(1)
        top.addWidget(self.hide_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.todo, 1)
        bottom.addWidget(self.do_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(bottom)

    @property
    def next_step(self) -> GuideStep | None:
        return next((s for s in self.steps if not s.done), None)

    @property
    def all_done(self) -> bool:
        return bool(self.steps) and self.next_step is None

    def show_steps(self, steps: list[GuideStep]) -> None:
        self.steps = steps
        for key in list(self.chips):
            if key not in {s.key for s in steps}:
                self.chips.pop(key).deleteLater()
        upcoming = self.next_step
        for number, step in enumerate(steps, 1):
            chip = self.chips.get(step.key)
            if chip is None:
                chip = self.chips[step.key] = QLabel()
                chip.setObjectName(f"guide_{step.key}")
                self.chip_row.addWidget(chip)
            mark = "✓" if step.done else f"{number}."
            chip.setText(f"{mark} {step.title}" + (" →" if number < len(steps) else ""))
            chip.setToolTip(("Done. " if step.done else "") + step.todo)
            chip.setStyleSheet(_DONE if step.done else (_NEXT if step is upcoming else _LATER))
            chip.setProperty("done", step.done)
        if upcoming is None:
            self.todo.setText("All set: the store is in sync with UnoPim. Pull Delta and Push Changed keep it so; "
                              "the Logs tab says what each run did.")
            self.do_button.hide()
        else:
            self.todo.setText(f"Next: {upcoming.todo}")
            self.do_button.setText(DO_IT[upcoming.key])
            self.do_button.show()

    def _do(self) -> None:
        step = self.next_step
        if step is not None:
            self.go.emit(step.key)

    def _hide_by_user(self) -> None:
        self.hide()
        self.hidden_by_user.emit()
