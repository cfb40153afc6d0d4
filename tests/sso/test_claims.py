"""The claim rules on their own: DfE's organisation claim in both shapes, multi-factor from `amr`/`acr`, trusted
domains and tenants, and tokens signed with an algorithm anyone could use."""

import json

import jwt
import pytest

from accounts.sso import tokens, trust

ORGANISATION = {"name": "Hackney Harewood Academy", "category": {"id": "001", "name": "Establishment"}, "urn": "146001"}


@pytest.mark.parametrize("claim", [ORGANISATION, json.dumps(ORGANISATION)])
def test_organisation_claim_as_object_or_json_string(claim):
    organisation = tokens.organisation_claim({"organisation": claim})
    assert organisation["name"] == "Hackney Harewood Academy"
    assert tokens.establishment_urn(organisation) == 146001


@pytest.mark.parametrize(
    "claim",
    [None, "not json", "[1, 2]", {**ORGANISATION, "category": {"id": "010"}}, {**ORGANISATION, "urn": "12a"}],
)
def test_no_school_from_a_missing_unreadable_or_non_establishment_claim(claim):
    assert tokens.establishment_urn(tokens.organisation_claim({"organisation": claim})) is None


@pytest.mark.parametrize(
    ("claims", "acr_values", "expected"),
    [
        ({"amr": ["pwd", "mfa"]}, [], True),
        ({"amr": ["pwd"]}, [], False),
        ({"amr": "mfa"}, [], False),  # amr is a list; a string is not trusted
        ({"acr": "c1"}, ["c1"], True),
        ({"acr": "c1"}, [], False),
        ({}, ["c1"], False),
    ],
)
def test_multi_factor_only_when_the_token_says_so(claims, acr_values, expected):
    assert tokens.asserts_multi_factor(claims, acr_values) is expected


def test_trust_needs_the_domain_and_for_entra_the_tenant():
    entra = {"trusted_email_domains": ["met.police.uk"], "tenant_id": "t1"}
    assert trust.email_trusted(entra, {"tid": "t1"}, "Officer@Met.Police.uk")
    assert not trust.email_trusted(entra, {"tid": "t2"}, "officer@met.police.uk")
    assert not trust.email_trusted(entra, {"tid": "t1"}, "officer@evil.example")
    assert not trust.email_trusted(entra, {"tid": "t1"}, "officer@sub.met.police.uk")
    assert not trust.email_trusted({"trusted_email_domains": []}, {}, "someone@harewood.sch.uk")


@pytest.mark.parametrize("alg", ["HS256", "none"])
def test_a_token_signed_with_a_shared_secret_or_unsigned_is_refused(alg):
    token = jwt.encode({"sub": "1"}, "portal-dfe" if alg == "HS256" else None, algorithm=alg)
    with pytest.raises(tokens.IdTokenRejected) as error:
        tokens.id_token_verify(token, jwks_uri="http://127.0.0.1:9/", issuer="x", client_id="portal-dfe", nonce="n")
    assert error.value.reason == "signing algorithm"
