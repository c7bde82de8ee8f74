"""The interactive review: show each candidate, ask accept/reject/edit/skip/quit.

Input comes through click prompts (a test drives it with ``CliRunner(input=...)``); each
decision is saved at once (:class:`~lima_curate.review.decisions.DecisionLog`). An edit opens
the editor on the conversation as ``## Prompt`` / ``## Response`` sections; without an
editor the new prompt and response are typed inline, each ended by a line holding ``.``.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import click

from lima_curate.records import META_QUOTA, META_URL, Example
from lima_curate.review.decisions import ACCEPT, EDIT, REJECT, Decision, DecisionLog, now

ACTIONS = {"a": ACCEPT, "r": REJECT, "e": EDIT, "s": "skip", "q": "quit"}
ACTION_PROMPT = "[a]ccept [r]eject [e]dit [s]kip [q]uit"
END_OF_TEXT = "."
RULE = "─" * 72
HEADINGS = {"system": "System", "user": "Prompt", "assistant": "Response"}


@dataclass
class Session:
    """Where decisions go and how edits are made."""

    log: DecisionLog
    reviewer: "str | None" = None
    editor: "str | None" = None  # a command; None: inline input
    clock: Callable[[], str] = now
    counts: Counter = field(default_factory=Counter)


def review_order(candidates: Sequence[Example]) -> list[Example]:
    """By quota, selected items first, then by rank and id."""
    def key(example: Example) -> tuple:
        rank = example.meta.get("rank")
        return (
            str(example.meta.get(META_QUOTA, "")),
            example.meta.get("selected") is not True,
            rank if isinstance(rank, int) else 1 << 30,
            example.id,
        )

    return sorted(candidates, key=key)


def choose_editor(explicit: "str | None" = None, configured: str = "", inline: bool = False) -> "str | None":
    """The edit command: --editor, then review.editor, $VISUAL, $EDITOR; None means inline."""
    if inline:
        return None
    return explicit or configured or os.environ.get("VISUAL") or os.environ.get("EDITOR") or None


def run_review(candidates: Sequence[Example], session: Session) -> Counter:
    """Go through ``candidates`` in order until they run out or the person quits."""
    items = review_order(candidates)
    for index, example in enumerate(items, start=1):
        show(example, index, len(items), session.log.latest.get(example.id))
        try:
            action = ask_action(example, session)
        except click.Abort:  # end of input: same as quit
            action = "quit"
        if action == "quit":
            click.echo("quit: the decisions so far are saved")
            break
        session.counts[action] += 1
    return session.counts


def show(example: Example, index: int, total: int, previous: "Decision | None") -> None:
    meta = example.meta
    status = "selected" if meta.get("selected") is True else "runner-up" if meta.get("selected") is False else ""
    header = f"[{index}/{total}] {meta.get(META_QUOTA, '?')}"
    if meta.get("rank") is not None:
        header += f" · rank {meta['rank']}"
    if status:
        header += f" · {status}"
    click.echo(RULE)
    click.echo(header)
    click.echo(f"{example.id} ({example.source}/{example.domain})")
    if meta.get(META_URL):
        click.echo(str(meta[META_URL]))
    if previous is not None:
        click.echo(f"earlier decision: {previous.decision}" + (f" ({previous.note})" if previous.note else ""))
    for message in example.messages:
        click.echo(f"\n## {HEADINGS[message['role']]}\n")
        click.echo(message["content"])
    click.echo("")


def ask_action(example: Example, session: Session) -> str:
    """Ask until the person accepts, rejects, edits (successfully), skips or quits."""
    while True:
        answer = click.prompt(ACTION_PROMPT).strip().lower()
        known = answer and any(word.startswith(answer) for word in ACTIONS.values())
        action = ACTIONS.get(answer[:1]) if known else None
        if action is None:
            click.echo("please answer a, r, e, s or q")
            continue
        if action in ("skip", "quit"):
            return action
        messages = None
        if action == EDIT:
            messages = edit_messages(example, session.editor)
            if messages is None:
                continue
        note = ""
        if action in (REJECT, EDIT):
            label = "reason" if action == REJECT else "note"
            note = click.prompt(f"{label} (optional)", default="", show_default=False).strip()
        decision = Decision(example.id, action, messages, note, session.reviewer, session.clock())
        session.log.record(decision)
        click.echo(f"{action}: saved to {session.log.path}")
        return action


def edit_messages(example: Example, editor: "str | None") -> "tuple[dict[str, str], ...] | None":
    """The edited conversation, or None when nothing usable came back."""
    messages = editor_edit(example, editor) if editor else inline_edit(example)
    if messages is None:
        return None
    if tuple(messages) == tuple(example.messages):
        click.echo("unchanged; nothing saved")
        return None
    return tuple(messages)


def editor_edit(example: Example, editor: str) -> "list[dict[str, str]] | None":
    """Open ``editor`` on the conversation as Markdown sections; read it back."""
    from lima_curate.authoring.format import format_sections, parse_sections
    from lima_curate.authoring.items import AuthoredItem, check_turns

    handle, name = tempfile.mkstemp(prefix="lima-review-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(format_sections(example.messages))
        status = subprocess.run([*shlex.split(editor), str(path)], check=False).returncode
        if status:
            click.echo(f"the editor exited with status {status}; nothing saved")
            return None
        lines = path.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
    except (OSError, UnicodeDecodeError) as trouble:
        click.echo(f"could not edit: {trouble}")
        return None
    finally:
        path.unlink(missing_ok=True)
    turns, problems = parse_sections(lines, "edit")
    problems += check_turns(AuthoredItem(file="edit", line=1, fields={}, turns=turns), "train")
    if problems:
        for problem in problems:
            click.echo(f"line {problem.line}: {problem.message}")
        click.echo("nothing saved; choose again")
        return None
    return [{"role": t.role, "content": t.content} for t in turns]


def inline_edit(example: Example) -> "list[dict[str, str]] | None":
    """Type the new prompt and response; a lone '.' at once keeps the current text."""
    click.echo(f"Type the new text; end each with a line holding only '{END_OF_TEXT}'. "
               f"A '{END_OF_TEXT}' at once keeps the current text.")
    messages = [dict(m) for m in example.messages]
    for role, label in (("user", "prompt"), ("assistant", "response")):
        positions = [i for i, m in enumerate(messages) if m["role"] == role]
        if not positions:
            continue
        position = positions[0] if role == "user" else positions[-1]
        click.echo(f"new {label}:")
        text = read_block()
        if text.strip():
            messages[position]["content"] = text.strip("\n")
    return messages


def read_block() -> str:
    """Lines from the prompt up to a line holding only '.'."""
    lines = []
    while True:
        line = click.prompt("", default="", show_default=False, prompt_suffix="")
        if line.strip() == END_OF_TEXT:
            return "\n".join(lines)
        lines.append(line)
