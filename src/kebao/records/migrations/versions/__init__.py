"""One migration per file, in order (``down_revision`` links them)."""
