"""Where the reviewer writes a note; it travels with the next verdict."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea


class NoteEditor(TextArea):
    """A text area whose text is never cleared except after it was saved."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save note"),
        Binding("escape", "leave", "Done editing"),
    ]

    class SaveRequested(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Left(Message):
        pass

    def __init__(self, **kwargs) -> None:
        super().__init__(soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                         placeholder="Note for this case: press n to write; it is saved with the verdict", **kwargs)

    def action_save(self) -> None:
        if self.text.strip():
            self.post_message(self.SaveRequested(self.text))

    def action_leave(self) -> None:
        self.post_message(self.Left())
