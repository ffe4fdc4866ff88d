"""What every request passes through: bodies, limits, logs, access, tokens, problems, OpenAPI."""
