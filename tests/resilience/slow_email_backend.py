"""For .ci/faults.sh: the file backend behind a slow relay (FAULTS_EMAIL_DELAY seconds before each message is
written), so a worker killed at a random moment is usually killed in the middle of a task, as with real SMTP."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("FAULTS_EMAIL_DELAY", "0.2")))
        return super().send_messages(email_messages)
