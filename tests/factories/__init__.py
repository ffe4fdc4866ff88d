"""All test factories, one module per noun: users (teams, users, sign-in, credential headers),
cases (cases, victims and events through the API), messages (queued messages, writes, API keys,
template versions) and audit (ledger records and seals). The common ones are re-exported here."""

from tests.factories.audit import audit_rows
from tests.factories.users import PASSWORD, auth, bearer, create_team, create_user, login, sign_in

__all__ = [
    "PASSWORD",
    "audit_rows",
    "auth",
    "bearer",
    "create_team",
    "create_user",
    "login",
    "sign_in",
]
