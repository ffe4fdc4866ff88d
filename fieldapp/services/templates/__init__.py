"""Message templates, in the order of a template's life.

- ``drafting``: lint a draft before saving, and the merge-field catalogue;
- ``versions``: create a template, save and restore versions, read and compare them;
- ``reviews``: the four-eyes workflow (submit, approve, reject, retire);
- ``audit``: the audit trail of those steps, and of wording refused as unsafe;
- ``published``: the published wording officers write from, as plain data;
- ``merge_data``: what a message merges from a case, as plain data;
- ``preview``: render a version with sample or real data, through the sending path;
- ``library``: the built-in library in ``message_templates/``, imported and exported.
"""
