"""Webhooks for integrations: subscriptions, events written with their cause, signed deliveries.

``subscriptions`` manages who receives what; ``events`` writes an event and fans it out to one
delivery per subscriber in the caller's transaction; ``scan`` finds duties due soon or overdue;
``delivery`` is the worker that posts from the outbox with retries; ``targets`` resolves and
checks where a delivery may connect.
"""
