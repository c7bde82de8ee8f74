"""Calibration: how many items of a known-good reference set (the released LIMA data) a
source's rules would drop, rule by rule (:mod:`.references` reads the set, :mod:`.report`
counts, :mod:`.proposed` and :mod:`.today` hold the rules compared)."""
