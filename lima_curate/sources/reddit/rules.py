"""The Reddit rules, one ordered list per kind of item (the first that fails names the drop),
and the measurements they read. Drops that compare items (``not_best_story``, ``no_story``,
``submission_missing``) are decided in :mod:`.stories`, bad dump lines in :mod:`.harvest`.
"""

from __future__ import annotations

from typing import Any, Mapping

from lima_curate.config import RedditConfig
from lima_curate.rules import Rule, length_window, rule
from lima_curate.sources.reddit.items import is_deleted, is_removed_submission, score_of
from lima_curate.sources.reddit.writingprompts import NSFW_TAGS, tag_problem
from lima_curate.text import leftovers, story_notes, wording
from lima_curate.text.lang import UNDETERMINED

ENGLISH = "en"
Measurements = Mapping[str, Any]


# ---------------------------------------------------------------- measurements


def nsfw_measures(record: "Mapping[str, Any]", tags: tuple[str, ...]) -> dict[str, bool]:
    """``over_18`` (the item's flag) and ``nsfw_tag`` (an [NSFW]/[NSFL] tag)."""
    return {"over_18": bool(record.get("over_18")), "nsfw_tag": any(tag.upper() in NSFW_TAGS for tag in tags)}


def submission_deleted(record: "Mapping[str, Any]") -> str:
    """Why a submission counts as deleted ("" when it does not)."""
    return "the submission was deleted or removed" if is_removed_submission(record) else ""


def prompt_measures(tags: tuple[str, ...], prompt: str) -> dict[str, Any]:
    """``tag_problem`` (why the tags are no prompt, "" when they are) and ``prompt_chars``."""
    return {"tag_problem": tag_problem(tags) or "", "prompt_chars": len(prompt)}


def comment_measures(record: "Mapping[str, Any]") -> dict[str, Any]:
    """``author``, ``distinguished``, ``stickied``, ``deleted`` (why, or "") and ``score``."""
    body = record.get("body")
    return {
        "author": str(record.get("author") or ""),
        "distinguished": record.get("distinguished"),
        "stickied": bool(record.get("stickied")),
        "deleted": f"body is {str(body).strip()}" if is_deleted(body) else "",
        "score": score_of(record),
    }


def story_measures(story: str, part: "tuple[str, str] | None") -> dict[str, Any]:
    """``series_part`` (why the story is one part of a series, or ""), ``story_chars``,
    ``author_notes`` (``(kind, phrase)`` pairs) and ``entity_residue``, from
    :func:`.writingprompts.clean_story`'s result."""
    notes = tuple(dict.fromkeys((hit.kind, hit.phrase) for hit in story_notes.author_notes(story)))
    return {"series_part": part[1] if part else "", "story_chars": len(story), "author_notes": notes,
            "entity_residue": wording.phrases(leftovers.entity_residue(story))}


# ---------------------------------------------------------------- rules shared by several kinds


@rule("deleted_or_removed", reads=("deleted",))
def deleted_or_removed(measured: Measurements, config: RedditConfig) -> "str | None":
    """The submission or comment was deleted or removed."""
    return measured["deleted"] or None


@rule("nsfw", reads=("over_18", "nsfw_tag"))
def nsfw(measured: Measurements, config: RedditConfig) -> "str | None":
    """Marked over_18 or tagged [NSFW] (kept only with include_nsfw)."""
    if config.include_nsfw:
        return None
    if measured["over_18"]:
        return "over_18"
    return "tagged [NSFW]" if measured["nsfw_tag"] else None


@rule("prompt_tag_not_eligible", reads=("tag_problem",))
def prompt_tag_not_eligible(measured: Measurements, config: RedditConfig) -> "str | None":
    """The title's tag is not a self-contained writing prompt, or it has no tag."""
    return measured["tag_problem"] or None


def _empty_prompt(what: str) -> Rule:
    @rule("empty_prompt", reads=("prompt_chars",))
    def empty_prompt(measured: Measurements, config: RedditConfig) -> "str | None":
        """Nothing is left of the title once its tags are removed."""
        return None if measured["prompt_chars"] else f"the {what} is only tags"

    return empty_prompt


@rule("story_is_part", reads=("series_part",))
def story_is_part(measured: Measurements, config: RedditConfig) -> "str | None":
    """The story is one part of a series (Part 2, continued below ...)."""
    return measured["series_part"] or None


# LIMA's 150 stories (items 850-999): mean 1,030 chars, 5th-95th percentile 169-1,873, longest
# 2,704; the default window 150-2,100 drops 6/150 (5 short, 1 long)
story_too_short, story_too_long = length_window(
    "story_chars", lambda config: (config.min_story_chars, config.max_story_chars),
    too_short="story_too_short", too_long="story_too_long", what="Story after clean-up",
)


@rule("author_note", reads=("author_notes",))
def author_note(measured: Measurements, config: RedditConfig) -> "str | None":
    """The story holds an author's note to Reddit outside dialogue (notes at its ends are stripped
    first, :func:`.writingprompts.clean_story`). LIMA 2/150."""
    notes = measured["author_notes"]
    return f"author note ({notes[0][0]}): {notes[0][1]!r}" if notes else None


@rule("html_entity_residue", reads=("entity_residue",))
def html_entity_residue(measured: Measurements, config: RedditConfig) -> "str | None":
    """The story holds an HTML character reference left as text ("& nbsp;"). LIMA 0/150."""
    found = measured["entity_residue"]
    return f"HTML entity: {found[0]!r}" if found else None


# ---------------------------------------------------------------- stories


@rule("automoderator", reads=("author",))
def automoderator(measured: Measurements, config: RedditConfig) -> "str | None":
    """A comment by AutoModerator."""
    return "comment by AutoModerator" if measured["author"].lower() == "automoderator" else None


@rule("moderator_comment", reads=("distinguished", "stickied"))
def moderator_comment(measured: Measurements, config: RedditConfig) -> "str | None":
    """A moderator's distinguished or stickied comment."""
    distinguished, stickied = measured["distinguished"], measured["stickied"]
    if distinguished in ("moderator", "admin") or stickied:
        return f"distinguished={distinguished!r}, stickied={stickied}"
    return None


@rule("story_score_below_min", reads=("score",))
def story_score_below_min(measured: Measurements, config: RedditConfig) -> "str | None":
    """Story score below min_story_score (stories without a score are not tested)."""
    score = measured["score"]
    return f"score {score} < {config.min_story_score}" if score is not None and score < config.min_story_score else None


@rule("not_english", reads=("language",))
def pair_not_english(measured: Measurements, config: RedditConfig) -> "str | None":
    """Prompt and story (its first 1,500 characters) are not in English. LIMA 1/150."""
    return None if measured["language"] == ENGLISH else f"detected as {measured['language']!r}"


# ---------------------------------------------------------------- r/AskReddit


@rule("askreddit_score_below_min", reads=("score",))
def askreddit_score_below_min(measured: Measurements, config: RedditConfig) -> "str | None":
    """AskReddit submission score below min_askreddit_score (or no score)."""
    score = measured["score"]
    return f"score {score} < {config.min_askreddit_score}" if score is None or score < config.min_askreddit_score else None


@rule("askreddit_not_self_contained", reads=("not_self_contained",))
def askreddit_not_self_contained(measured: Measurements, config: RedditConfig) -> "str | None":
    """The AskReddit title does not stand alone as a question."""
    return measured["not_self_contained"] or None


@rule("not_english", reads=("language",))
def question_not_english(measured: Measurements, config: RedditConfig) -> "str | None":
    """The AskReddit title is not in English (too short to tell is kept)."""
    language = measured["language"]
    return None if language in (ENGLISH, UNDETERMINED) else f"title detected as {language!r}"


PROMPT_RULES = (deleted_or_removed, nsfw, prompt_tag_not_eligible, _empty_prompt("title"))
STORY_RULES = (automoderator, moderator_comment, deleted_or_removed, story_is_part, story_too_short, story_too_long,
               author_note, html_entity_residue, story_score_below_min)
DATASET_RULES = (nsfw, prompt_tag_not_eligible, _empty_prompt("prompt"), story_is_part, story_too_short,
                 story_too_long, author_note, html_entity_residue)
PAIR_RULES = (pair_not_english,)
QUESTION_RULES = (deleted_or_removed, nsfw, askreddit_score_below_min, askreddit_not_self_contained,
                  question_not_english)
