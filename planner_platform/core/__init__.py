"""Cross-cutting pieces every feature uses: the model base, errors, permissions, after-commit work."""
