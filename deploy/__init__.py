"""fieldapp's multi-machine deployment: configuration pieces and ``make cluster``, which runs it."""
