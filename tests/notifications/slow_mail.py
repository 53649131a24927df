"""Django's file-based email backend, able to stall mid-send on request.

Used by the real-worker tests, in the worker's process: while the file
named by ``FTP_TEST_MAIL_PAUSE`` exists, a reminder email is held inside
``send_messages`` (after touching ``FTP_TEST_MAIL_STARTED``), so the test
can kill the worker at exactly that point. Nothing is written before the
pause ends: a message killed there was never sent.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        pause = os.environ.get("FTP_TEST_MAIL_PAUSE")
        started = os.environ.get("FTP_TEST_MAIL_STARTED")
        if pause and any(m.subject.startswith("Reminder") for m in email_messages):
            deadline = time.monotonic() + 60
            while Path(pause).exists() and time.monotonic() < deadline:
                if started:
                    Path(started).touch()
                time.sleep(0.05)
        return super().send_messages(email_messages)
