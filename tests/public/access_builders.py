"""The objects the public access rows point at (public/access_matrix.py names them as "public.<builder>")."""

from public.services import confirm_token_for, unsubscribe_token_for
from tests.public.factories import ConsentRecordFactory, SubscriberFactory


def confirm_token():
    return {"token": confirm_token_for(ConsentRecordFactory())}


def unsubscribe_token():
    return {"token": unsubscribe_token_for(SubscriberFactory(confirmed=True).pk)}
