"""``lima-curate author new``: start a new example file from the template."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Sequence

from lima_curate.atomic import write_text
from lima_curate.authoring.format import write_markdown
from lima_curate.authoring.items import AuthoredItem, check_fields
from lima_curate.errors import InputError


def new_example(
    folder: Path,
    *,
    ident: "str | None" = None,
    group: "str | None" = None,
    split: "str | None" = None,
    tags: Sequence[str] = (),
    author: "str | None" = None,
) -> Path:
    """Write ``<folder>/<id>.md`` with the fields filled in and empty sections; return its path.

    Defaults: split ``train`` (``test`` for Group B), group ``A`` (``B`` for test), and
    id ``<split>-NNN`` with the first free number. Never overwrites a file.
    """
    folder = Path(folder)
    split = (split or ("test" if (group or "").upper() == "B" else "train")).lower()
    group = (group or ("B" if split == "test" else "A")).upper()
    ident = ident or _free_id(folder, split)
    fields = {"id": ident, "group": group, "split": split, "tags": list(tags), "author": author}
    checked, problems = check_fields(AuthoredItem(file="", line=1, fields=fields))
    if problems:
        raise InputError(folder / f"{ident}.md", f"{problems[0].code}: {problems[0].message}")
    path = folder / f"{checked.id}.md"
    if path.exists():
        raise InputError(path, "already exists; choose another --id")
    roles = ("user",) if checked.split == "test" else ("user", "assistant")
    sections = [{"role": role, "content": ""} for role in roles]
    write_text(path, write_markdown(dataclasses.asdict(checked), sections))
    return path


def _free_id(folder: Path, split: str) -> str:
    number = 1
    while (folder / f"{split}-{number:03d}.md").exists():
        number += 1
    return f"{split}-{number:03d}"
