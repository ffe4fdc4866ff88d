"""Password hashing with Argon2id (argon2-cffi), with a dummy hash for unknown users, and the
refusal of common and breached passwords (OWASP ASVS 2.1.7).

The list of common passwords is the 30,000 most frequent ones from breach corpora that ships
inside zxcvbn (a maintained package; the list is read offline, never fetched at run time).
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

COMMON_PASSWORD_MESSAGE = (
    "This password is one of the most common or breached passwords; choose another, "
    "for example a few unrelated words."
)
# What people add to a common word to pass a length rule: "password2024!", "!!qwerty123".
_PADDING = string.digits + string.punctuation + " "


@cache
def common_passwords() -> frozenset[str]:
    """The common and breached passwords, lower-cased (loaded once, on first use)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def is_common_password(password: str) -> bool:
    """Whether a password is a common one, ignoring case and digits or symbols around it."""
    known = common_passwords()
    candidate = password.strip().lower()
    core = candidate.strip(_PADDING)
    return candidate in known or (bool(core) and core in known)


@dataclass
class Passwords:
    """Hashes and verifies passwords; verification costs the same whether or not a user exists."""

    time_cost: int = 3
    memory_cost: int = 64 * 1024
    parallelism: int = 2
    _hasher: PasswordHasher = field(init=False, repr=False)
    _dummy_hash: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Build the Argon2id hasher and a hash to verify against when no user matches."""
        self._hasher = PasswordHasher(
            time_cost=self.time_cost, memory_cost=self.memory_cost, parallelism=self.parallelism
        )
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(24))

    def hash(self, password: str) -> str:
        """Hash a new password."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Check a password; with no stored hash, spend the same time and fail."""
        try:
            return self._hasher.verify(stored_hash or self._dummy_hash, password) and (
                stored_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether a stored hash was made with weaker parameters than today's."""
        return self._hasher.check_needs_rehash(stored_hash)
