"""Use cases: permissions, transactions and rules; no Flask request or g in here."""
