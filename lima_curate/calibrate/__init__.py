"""Calibration: how many items of a known-good reference set (the released LIMA data) a
source's rules would drop, rule by rule (:mod:`.references` reads the set, :mod:`.sources`
sets up the build's own rules and measurements for it, :mod:`.report` counts).
``lima-curate calibrate`` runs them (:mod:`lima_curate.cli.calibrate`)."""
