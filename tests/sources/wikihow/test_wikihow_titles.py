"""wikiHow titles -> prompt questions."""

from __future__ import annotations

import pytest

from lima_curate.sources.wikihow.titles import (
    core_title,
    howto_prompt,
    page_name_from_title,
    page_url,
    title_from_page_name,
)


@pytest.mark.parametrize(
    ("raw", "core"),
    [
        ("Cook Pasta", "Cook Pasta"),
        ("How to Cook Pasta", "Cook Pasta"),
        ("How To Tell if Your Guy Friend Sees You as One of the Guys", "Tell if Your Guy Friend Sees You as One of the Guys"),
        ("How to Paint Styrofoam: 8 Steps (with Pictures) - wikiHow", "Paint Styrofoam"),
        ("How to Brush a Dog's Teeth (with Pictures) - wikiHow", "Brush a Dog's Teeth"),
        ("How to Make a Tail (with Pictures)", "Make a Tail"),
        ("3 Ways to Take Evening Primrose Oil - wikiHow", "Take Evening Primrose Oil"),
        ("10 Simple Ways to Spend Time with Your Husband at Home", "Spend Time with Your Husband at Home"),
        ("Easy Ways to Install Vinyl Plank Flooring on Concrete", "Install Vinyl Plank Flooring on Concrete"),
        ("How to Teach a Kid to Roller Skate in 14 Easy and Safe Steps", "Teach a Kid to Roller Skate"),
        ("How to Thin Your Blood: Can Natural Remedies Help?", "Thin Your Blood"),
        ("Expert Advice on How to Get Stronger and Thicker Wrists", "Get Stronger and Thicker Wrists"),
        ("Why Is Life So Hard? 13 Reasons & How to Cope with Them", "Why Is Life So Hard?"),
        ("How to Be an Organized Artist1", "Be an Organized Artist"),
        ("How to Use Remote Desktop on Windows 8 (with Pictures)", "Use Remote Desktop on Windows 8"),
        ("Gardening - wikiHow", "Gardening"),
        ("  ", ""),
        ("", ""),
    ],
)
def test_core_title(raw: str, core: str) -> None:
    assert core_title(raw) == core


@pytest.mark.parametrize(
    ("core", "prompt"),
    [
        ("Cook an Omelette", "How to cook an omelette?"),
        ("Verify Your YouTube Account", "How to verify your YouTube account?"),
        ("Do CPR on an Adult", "How to do CPR on an adult?"),
        ("Write a Thank-You Note", "How to write a thank-you note?"),
        ("Why Do You Get Sleepy Around Someone You Love?", "Why do you get sleepy around someone you love?"),
        ("", ""),
    ],
)
def test_howto_prompt_lowercases_plain_words_only(core: str, prompt: str) -> None:
    assert howto_prompt(core) == prompt


def test_howto_prompt_can_keep_the_title_case() -> None:
    assert howto_prompt("Cook Pasta", lowercase=False) == "How to Cook Pasta?"


def test_page_names_and_urls() -> None:
    assert page_name_from_title("Cook Pasta") == "Cook-Pasta"
    assert title_from_page_name("Cope-with-the-Stress-of-Homeschooling-(for-Parents)") == (
        "Cope with the Stress of Homeschooling (for Parents)"
    )
    assert page_url("Cope-with-the-Stress-of-Homeschooling-(for-Parents)") == (
        "https://www.wikihow.com/Cope-with-the-Stress-of-Homeschooling-(for-Parents)"
    )
    assert page_url("Make-Papier-Mâché-Paste") == "https://www.wikihow.com/Make-Papier-M%C3%A2ch%C3%A9-Paste"
