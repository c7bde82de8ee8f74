"""7z dumps are streamed into the parser: nothing on disk, a bounded expansion, bounded memory."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import libarchive
import pytest

from lima_curate import archive_stream
from lima_curate.archive_stream import ArchiveMember, MemberStream, SevenZip, limit_bytes
from lima_curate.config import StackExchangeConfig
from lima_curate.errors import InputError
from lima_curate.rejects import Rejects
from lima_curate.sources.stackexchange import dump as se_dump
from lima_curate.sources.stackexchange import extract as stackexchange

sys.path.insert(0, str(Path(__file__).parent / "sources" / "stackexchange"))
import se_factory as f  # noqa: E402

SITE = "coffee.stackexchange.com"


def seven_zip(path: Path, members: dict[str, bytes]) -> Path:
    with libarchive.file_writer(str(path), "7zip") as archive:
        for name, data in members.items():
            archive.add_file_from_memory(name, len(data), data)
    return path


def posts_xml() -> bytes:
    rows = [f.question(1, 50, "How fine should espresso be ground?"), f.answer(2, 1, 20, owner=7)]
    for number in range(3, 400):  # enough rows that the parser reads the member in several pieces
        rows.append(f.question(number, 1, f"Question number {number} about coffee?"))
    text = f.BOM + '<?xml version="1.0" encoding="utf-8"?>\n<posts>\n' + "".join(rows) + "</posts>"
    return text.encode("utf-8")


USERS = b'<?xml version="1.0" encoding="utf-8"?>\n<users>\n  <row Id="7" DisplayName="Barista" />\n</users>'


def test_a_site_archive_is_streamed_and_matches_the_folder(tmp_path):
    posts = posts_xml()
    (tmp_path / "archive").mkdir()
    seven_zip(tmp_path / "archive" / f"{SITE}.7z", {"Badges.xml": b"<badges/>" * 1000, "Posts.xml": posts, "Users.xml": USERS})
    folder = tmp_path / "folder" / SITE
    folder.mkdir(parents=True)
    (folder / "Posts.xml").write_bytes(posts)
    (folder / "Users.xml").write_bytes(USERS)
    config = StackExchangeConfig(workers=1, min_answer_score=10, min_answer_chars=100)
    from_archive = list(stackexchange.extract(tmp_path / "archive", config, Rejects()))
    from_folder = list(stackexchange.extract(tmp_path / "folder", config, Rejects()))
    assert [e.to_dict() for e in from_archive] == [e.to_dict() for e in from_folder]
    assert from_archive and from_archive[0].meta["author"] == "Barista"


def test_nothing_is_written_to_tmpdir_while_a_member_streams(tmp_path, monkeypatch):
    spare = tmp_path / "tmpdir"
    spare.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spare))
    archive = seven_zip(tmp_path / f"{SITE}.7z", {"Posts.xml": posts_xml(), "Users.xml": USERS})
    site = se_dump.SiteDump(SITE, archive=archive)
    with se_dump.open_site(site) as files:
        for number, _ in enumerate(se_dump.iter_rows(files.posts, files.posts_label)):
            if number == 200:
                assert os.listdir(spare) == []


def test_users_after_posts_continue_the_same_pass(tmp_path, monkeypatch):
    archive = seven_zip(tmp_path / f"{SITE}.7z", {"Posts.xml": posts_xml(), "Users.xml": USERS})
    opened = []
    real_open = SevenZip._open
    monkeypatch.setattr(SevenZip, "_open", lambda self: (opened.append(1), real_open(self))[1])
    with se_dump.open_site(se_dump.SiteDump(SITE, archive=archive)) as files:
        assert sum(1 for _ in se_dump.iter_rows(files.posts, files.posts_label)) == 399
        assert [row.get("DisplayName") for row in se_dump.iter_rows(files.users, files.users_label)] == ["Barista"]
    assert len(opened) == 2  # one listing of the names, one pass over the data


def test_a_member_declared_bigger_than_the_limit_is_refused_before_any_work(tmp_path):
    archive = seven_zip(tmp_path / f"{SITE}.7z", {"Posts.xml": b"\0" * (4 << 20)})
    with SevenZip(archive, limit=1 << 20) as opened:
        with pytest.raises(InputError, match=r"Posts\.xml: expands to more than 0\.000976562 GiB, the limit "
                                             r"\(stackexchange\.max_archive_member_gib\)"):
            opened.member("Posts.xml").open()


def test_bytes_past_the_limit_are_refused_whatever_the_header_says(tmp_path):
    class Fake:
        path = tmp_path / "x.7z"

    member = ArchiveMember(Fake(), "Posts.xml", size=10)  # a header that lies
    stream = MemberStream(member, iter([b"x" * 600] * 3), limit=1000)
    assert stream.read(600) == b"x" * 600
    with pytest.raises(InputError, match="expands to more than"):
        stream.read(600)


def test_the_limit_comes_from_the_pipeline_and_ends_the_build_in_one_line(tmp_path):
    seven_zip(tmp_path / f"{SITE}.7z", {"Posts.xml": posts_xml() * 3})
    config = StackExchangeConfig(workers=1, max_archive_member_gib=50_000 / (1 << 30))
    with pytest.raises(InputError, match=r"coffee\.stackexchange\.com\.7z:Posts\.xml: expands to more than"):
        list(stackexchange.extract(tmp_path, config, Rejects()))
    assert limit_bytes(StackExchangeConfig().max_archive_member_gib) == 256 << 30


def test_an_archive_bomb_of_zeros_fails_fast_as_malformed_xml(tmp_path):
    seven_zip(tmp_path / f"{SITE}.7z", {"Posts.xml": b"\0" * (64 << 20)})
    with pytest.raises(InputError, match=r"Posts\.xml"):
        list(stackexchange.extract(tmp_path, StackExchangeConfig(workers=1), Rejects()))


def test_a_truncated_archive_is_one_line(tmp_path):
    whole = seven_zip(tmp_path / "whole.7z", {"Posts.xml": posts_xml()}).read_bytes()
    (tmp_path / f"{SITE}.7z").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match=r"cannot read the 7z archive"):
        list(stackexchange.extract(tmp_path, StackExchangeConfig(workers=1), Rejects()))


def test_without_the_libarchive_library_the_error_says_what_to_install(tmp_path, monkeypatch):
    archive = seven_zip(tmp_path / f"{SITE}.7z", {"Posts.xml": posts_xml()})
    monkeypatch.setattr(archive_stream, "_libarchive", lambda: None)
    with pytest.raises(InputError, match="needs the libarchive C library"):
        SevenZip(archive, limit=1 << 30)


def test_markup_that_is_not_a_row_does_not_grow_memory(tmp_path):
    path = tmp_path / "Posts.xml"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n<row Id="1"/>\n')
        handle.write('<x a="1"/>' * 400_000)
        handle.write("<group>" + "<y/>" * 200_000 + '<row Id="2"/></group>\n')
        handle.write("<!-- a comment -->" * 100_000 + "</posts>\n")
    script = textwrap.dedent(f"""
        import resource
        from lima_curate.sources.stackexchange.dump import iter_rows
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        ids = [row.get("Id") for row in iter_rows({str(path)!r}, "Posts.xml")]
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        print(ids, grown // 1024)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    ids, grown_mb = done.stdout.rsplit(" ", 1)
    assert ids == "['1', '2']"
    size_mb = path.stat().st_size / (1 << 20)
    assert int(grown_mb) < 2 * size_mb + 10, f"memory grew {grown_mb} MB for a {size_mb:.0f} MB file"  # was 33x
