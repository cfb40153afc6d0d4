import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses every recipient, quoting the addresses as real servers do."""

    def send_messages(self, email_messages):
        refused = {address: (550, b"No such user") for message in email_messages for address in message.to}
        raise smtplib.SMTPRecipientsRefused(refused)
