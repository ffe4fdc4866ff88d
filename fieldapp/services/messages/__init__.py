"""Victim-update messages, in the order of a message's life.

- ``variants`` and ``writing``: choose the published template that fits the victim and write;
- ``safe_contact``, ``quota`` and ``sending``: the send-time re-check, the per-officer quota,
  then queue for the provider or confirm a manual send;
- ``delivery``: workers hand queued messages to a provider (``providers/``) exactly once;
- ``receipts``: ask the provider what became of the messages it accepted;
- ``outcomes``: the duty a sent message meets and the audit of the disclosure;
- ``erasure``: blank a victim's messages when the victim is erased.
"""
