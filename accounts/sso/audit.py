"""Links between a portal account and a provider identity are audited however they are made or removed: the
adapter's automatic link (trusted domain), "Link" on My account, "Remove" on the sign-in services page."""

from allauth.socialaccount.signals import social_account_added, social_account_removed
from django.dispatch import receiver

from core.services import audit_record


def _label(account) -> str:
    return f"{account.get_provider().name} sign-in"


@receiver(social_account_added, dispatch_uid="sso.audit.added")
def _added(sender, request, sociallogin, **kwargs):
    account = sociallogin.account
    how = getattr(request, "sso_link_how", "linked from My account")
    audit_record(
        actor=account.user,
        verb="sso.linked",
        target=account.user,
        to_state="linked",
        reason=how,
        data={"provider": account.provider},
        target_label=_label(account),
    )


@receiver(social_account_removed, dispatch_uid="sso.audit.removed")
def _removed(sender, request, socialaccount, **kwargs):
    audit_record(
        actor=request.user,
        verb="sso.unlinked",
        target=socialaccount.user,
        from_state="linked",
        to_state="removed",
        data={"provider": socialaccount.provider},
        target_label=_label(socialaccount),
    )
