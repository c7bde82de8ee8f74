"""Loading langdetect's profiles: an interrupt propagates and never leaves a partial detector."""

from __future__ import annotations

import pytest

from lima_curate.text import lang

GERMAN = "Die Mahlung ist wichtig, weil sie bestimmt, wie schnell das Wasser den Kaffee extrahiert. " * 3


@pytest.fixture
def fresh_profiles(monkeypatch):
    monkeypatch.setattr(lang, "_FACTORY", None)


def test_ctrl_c_while_profiles_load_propagates_and_the_next_call_loads_them_all(fresh_profiles, monkeypatch):
    from langdetect.utils import lang_profile

    real = lang_profile.LangProfile.__init__
    loaded = []

    def interrupted_after_four(self, **fields):
        if len(loaded) == 4:
            raise KeyboardInterrupt
        loaded.append(fields.get("name"))
        real(self, **fields)

    monkeypatch.setattr(lang_profile.LangProfile, "__init__", interrupted_after_four)
    with pytest.raises(KeyboardInterrupt):
        lang.detect_language(GERMAN)
    assert lang._FACTORY is None  # nothing half-loaded was kept
    monkeypatch.setattr(lang_profile.LangProfile, "__init__", real)
    assert lang.detect_language(GERMAN) == "de"
    assert len(lang.detector_factory().get_lang_list()) == 55


def test_the_profiles_match_langdetects_own_loader(fresh_profiles):
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    theirs = DetectorFactory()
    theirs.load_profile(PROFILES_DIRECTORY)
    mine = lang.detector_factory()
    assert mine.get_lang_list() == theirs.get_lang_list()
    assert mine.word_lang_prob_map == theirs.word_lang_prob_map
