"""An email backend that appends each message as one JSON line to the file named by
FAULTS_MAILBOX, so that a test can count the mails sent by itself and by worker
subprocesses alike (Django's locmem outbox lives in one process only)."""

from __future__ import annotations

import json
import os

from django.core.mail.backends.base import BaseEmailBackend


class JsonLinesBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        path = os.environ["FAULTS_MAILBOX"]
        for message in email_messages:
            line = json.dumps({"to": list(message.to), "subject": message.subject}) + "\n"
            # One write of a short line in append mode: lines of two processes never mix.
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode())
            finally:
                os.close(fd)
        return len(email_messages)
