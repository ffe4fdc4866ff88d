"""The template editor's pure parts: problems told by line, and what a text message costs."""
