"""The sources: one folder (or file) each, wired by :mod:`.registry`; outcomes in :mod:`.outcome`."""
