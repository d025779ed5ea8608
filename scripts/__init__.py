"""Developer and deployment tools: the app icons and the Teams app package.

Run them from the repository root with `python -m scripts.<name>`.
"""
