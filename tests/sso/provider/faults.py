"""A forged signature: for a user whose fault is `forged`, the token endpoint's ID token is signed again with a key
the provider does not publish, keeping the published key's id (`kid`), as an attacker who copied a token would."""

import json

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from .adapter import spec_for_sub

ATTACKER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class ForgedSignatureMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.endswith("/api/token") or response.status_code != 200:
            return response
        body = json.loads(response.content)
        id_token = body.get("id_token")
        if not id_token:
            return response
        claims = jwt.decode(id_token, options={"verify_signature": False})
        if spec_for_sub(claims.get("sub")).get("fault") != "forged":
            return response
        header = jwt.get_unverified_header(id_token)
        body["id_token"] = jwt.encode(claims, ATTACKER_KEY, algorithm="RS256", headers={"kid": header["kid"]})
        response.content = json.dumps(body).encode()
        return response
