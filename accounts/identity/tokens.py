"""Personal API tokens: a 32-byte random secret, shown once; only its sha256 is stored."""

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "lssp_"
PREFIX_LENGTH = 12  # what the owner sees in the token list and what the lookup narrows by


def token_generate() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def token_prefix(plaintext: str) -> str:
    return plaintext[:PREFIX_LENGTH]


def token_matches(plaintext: str, stored_hash: str) -> bool:
    """Constant-time comparison, so response timing says nothing about how much of a guess was right."""
    return hmac.compare_digest(token_hash(plaintext), stored_hash)
