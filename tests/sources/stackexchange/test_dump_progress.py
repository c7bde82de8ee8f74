"""A dump reports the bytes of its Posts.xml as they are read, as their share of the file on disk."""

from __future__ import annotations

from pathlib import Path

import py7zr
import pytest

from lima_curate import progress
from lima_curate.sources.stackexchange import dump as se_dump

SITE = "physics.stackexchange.com"


def reported(path, label) -> list[float]:
    got: list[float] = []
    previous = progress.set_byte_sink(got.append)
    try:
        for _ in se_dump.iter_rows(path, label):
            pass
    finally:
        progress.set_byte_sink(previous)
    return got


def test_a_posts_file_reports_its_bytes_and_a_users_file_none(repo_root: Path):
    folder = repo_root / "raw" / "stackexchange" / SITE
    posts = reported(folder / "Posts.xml", str(folder / "Posts.xml"))
    assert sum(posts) == (folder / "Posts.xml").stat().st_size
    assert reported(folder / "Users.xml", str(folder / "Users.xml")) == []  # the unit's size is its Posts.xml


def test_a_posts_member_of_an_archive_reports_its_share_of_the_archive(tmp_path: Path, repo_root: Path):
    archive = tmp_path / f"{SITE}.7z"
    with py7zr.SevenZipFile(archive, "w") as zipped:
        for name in ("Posts.xml", "Users.xml"):
            zipped.write(repo_root / "raw" / "stackexchange" / SITE / name, arcname=name)
    site = se_dump.SiteDump(SITE, archive=archive)
    with se_dump.open_site(site) as files:
        posts = reported(files.posts, files.posts_label)
    assert sum(posts) == pytest.approx(archive.stat().st_size)  # what the executor counts for the unit
    assert site.size == archive.stat().st_size
