"""Reading dumps: folders and .7z archives, streaming, and bad input refused in one line."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import py7zr
import pytest
import se_factory as f

from lima_curate.config import StackExchangeConfig
from lima_curate.errors import InputError
from lima_curate.records import dumps
from lima_curate.rejects import Rejects
from lima_curate.sources.stackexchange import dump as se_dump
from lima_curate.sources.stackexchange.scan import Spill, scan_posts
from lima_curate.sources.stackexchange.extract import extract

CONFIG = StackExchangeConfig(workers=1)
SITE = "earthscience.stackexchange.com"


def run(root: Path, config: StackExchangeConfig = CONFIG) -> tuple[list, Rejects]:
    rejects = Rejects()
    return list(extract(root, config, rejects)), rejects


def good_rows() -> list[str]:
    return [f.question(1, 50, "What drives the water cycle?"), f.answer(2, 1, 30)]


def test_bom_and_declaration_are_handled(tmp_path: Path):
    path = f.write_dump(tmp_path / SITE, good_rows())
    assert path.read_bytes().startswith(b"\xef\xbb\xbf<?xml")
    kept, _ = run(tmp_path)
    assert [ex.meta["answer_id"] for ex in kept] == [2]


def test_rows_that_are_not_questions_or_answers_or_lack_attributes_are_skipped(tmp_path: Path):
    rows = good_rows() + [
        f.row(Id=3, PostTypeId=4, CreationDate="2019-01-01T00:00:00.000", Score=0, Body="tag wiki excerpt"),
        f.row(Id=4, PostTypeId=5, CreationDate="2019-01-01T00:00:00.000", Score=0, Body="<p>tag wiki</p>"),
        f.row(Id=5, PostTypeId=1, CreationDate="2019-01-01T00:00:00.000", Body="<p>?</p>", Title="No score?"),
        f.row(Id=6, PostTypeId=2, CreationDate="2019-01-01T00:00:00.000", Score=3, Body="<p>orphan</p>"),  # no ParentId
        f.row(Id="x7", PostTypeId=1, CreationDate="2019-01-01T00:00:00.000", Score=1, Body="<p>?</p>", Title="Bad id?"),
        f.question(8, -4, "Why is the score negative?"), f.answer(9, 8, -1),
        f.answer(10, 999, 40),  # answer to a question that is not in the file
    ]
    posts = f.write_dump(tmp_path / SITE, rows)
    with Spill() as spill:
        scan = scan_posts(posts, str(posts), spill, 10)
    assert (scan.questions, scan.answers, scan.other_rows, scan.skipped) == (2, 3, 2, 3)
    kept, rejects = run(tmp_path)
    assert [ex.meta["question_id"] for ex in kept] == [1]
    assert [(r["record"]["meta"]["question_id"], r["rule"]) for r in rejects.rows] == [(8, "answer_score_below_min")]


def test_truncated_mid_row_names_file_and_line(tmp_path: Path):
    posts = f.write_dump(tmp_path / SITE, good_rows() * 1 + [f.question(3, 1, "Is this cut?")])
    data = posts.read_bytes()
    posts.write_bytes(data[: data.rindex(b"Title=") + 9])
    with pytest.raises(InputError) as error:
        run(tmp_path)
    message = str(error.value)
    assert str(posts) in message and "line 5" in message and "truncated" in message
    assert "\n" not in message


def test_not_xml_at_all_is_an_input_error(tmp_path: Path):
    (tmp_path / SITE).mkdir()
    (tmp_path / SITE / "Posts.xml").write_text("Id,PostTypeId\n1,1\n")
    with pytest.raises(InputError, match="malformed"):
        run(tmp_path)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE posts [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<posts>
  <row Id="1" PostTypeId="1" CreationDate="2019-01-01T00:00:00.000" Score="50" Title="Why?" Body="&lol9;" />
  <row Id="2" PostTypeId="2" ParentId="1" CreationDate="2019-01-01T00:00:00.000" Score="50" Body="&lol9;" />
</posts>
"""


def test_billion_laughs_is_refused(tmp_path: Path):
    (tmp_path / SITE).mkdir()
    (tmp_path / SITE / "Posts.xml").write_text(BILLION_LAUGHS)
    with pytest.raises(InputError) as error:
        run(tmp_path)
    # refused by our own prolog check, whatever libxml2's amplification guard would say
    assert str(error.value) == (
        f"{tmp_path / SITE / 'Posts.xml'}:line 2: has a document type declaration (DOCTYPE); "
        "a Stack Exchange dump has none, and entity declarations are refused"
    )


@pytest.mark.parametrize("prolog", [
    "\ufeff<?xml version='1.0'?>\n<!-- a comment -->\n<?pi x?>\n<!doctype posts>\n",
    "<!DOCTYPE posts SYSTEM 'http://example.invalid/x.dtd'>\n",
])
def test_any_doctype_after_the_prolog_is_refused(tmp_path: Path, prolog: str):
    (tmp_path / SITE).mkdir()
    (tmp_path / SITE / "Posts.xml").write_text(prolog + "<posts>\n</posts>\n", encoding="utf-8")
    with pytest.raises(InputError, match="document type declaration"):
        run(tmp_path)


def test_a_prolog_without_root_is_refused(tmp_path: Path):
    (tmp_path / SITE).mkdir()
    (tmp_path / SITE / "Posts.xml").write_text("<!--" + "x" * 70000 + "-->\n<!DOCTYPE p []><posts/>")
    with pytest.raises(InputError, match="no root element"):
        run(tmp_path)


def test_external_entity_is_refused_and_nothing_leaks(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a9c")
    xxe = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE posts [<!ENTITY xxe SYSTEM "file://{secret}">]>\n<posts>\n'
        '  <row Id="1" PostTypeId="1" CreationDate="2019-01-01T00:00:00.000" Score="50" Title="Why?" '
        'Body="&lt;p&gt;a&lt;/p&gt;" />\n'
        "  <row Id=\"2\" PostTypeId=\"2\" ParentId=\"1\" CreationDate=\"2019-01-01T00:00:00.000\" Score=\"50\" "
        "Body=\"x\" />\n  <note>&xxe;</note>\n</posts>\n"
    )
    (tmp_path / SITE).mkdir()
    (tmp_path / SITE / "Posts.xml").write_text(xxe)
    rejects = Rejects()
    kept: list = []
    with pytest.raises(InputError) as error:
        for example in extract(tmp_path, CONFIG, rejects):
            kept.append(example)
    assert "DOCTYPE" in str(error.value)
    everything = str(error.value) + "".join(dumps(e.to_dict()) for e in kept) + "".join(dumps(r) for r in rejects.rows)
    assert "TOP-SECRET" not in everything
    assert kept == [] and rejects.rows == []


def test_doctype_in_users_xml_is_refused_too(tmp_path: Path):
    f.write_dump(tmp_path / SITE, good_rows())
    (tmp_path / SITE / "Users.xml").write_text(BILLION_LAUGHS.replace("posts", "users"))
    with pytest.raises(InputError, match="Users.xml"):
        run(tmp_path)


@pytest.mark.parametrize("content", ["", "\ufeff", "\ufeff\n  \n", "posts"])
def test_empty_dump_warns_and_gives_nothing(tmp_path: Path, caplog, content):
    (tmp_path / SITE).mkdir()
    text = content if content != "posts" else '\ufeff<?xml version="1.0" encoding="utf-8"?>\n<posts>\n</posts>'
    (tmp_path / SITE / "Posts.xml").write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        kept, rejects = run(tmp_path)
    assert kept == [] and rejects.rows == []
    assert any("empty dump" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


def test_no_sites_warns(tmp_path: Path, caplog):
    with caplog.at_level(logging.WARNING):
        assert run(tmp_path)[0] == []
    assert any("no Stack Exchange site dumps" in r.getMessage() for r in caplog.records)


def test_missing_root_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="not found"):
        run(tmp_path / "nowhere")


def test_iter_rows_keeps_no_earlier_rows(tmp_path: Path):
    rows = [f.question(i, i, f"Question number {i}?") for i in range(1, 2001)]
    posts = f.write_dump(tmp_path / SITE, rows)
    seen = 0
    for element in se_dump.iter_rows(posts, str(posts)):
        before = element.getprevious()  # only the row just handled remains, cleared
        assert before is None or (before.getprevious() is None and not before.attrib)
        seen += 1
    assert seen == 2000


# ---------------------------------------------------------------- archives


def make_archive(source: Path, archive: Path, names: tuple[str, ...] = ("Posts.xml", "Users.xml")) -> None:
    with py7zr.SevenZipFile(archive, "w") as zipped:
        for name in names:
            if (source / name).is_file():
                zipped.write(source / name, arcname=name)


def test_archive_gives_the_same_result_as_the_folder(tmp_path: Path, repo_root: Path):
    site = "physics.stackexchange.com"
    folder_root, archive_root = tmp_path / "folder", tmp_path / "archive"
    shutil.copytree(repo_root / "raw" / "stackexchange" / site, folder_root / site)
    archive_root.mkdir()
    make_archive(folder_root / site, archive_root / f"{site}.7z")
    from_folder, rejects_folder = run(folder_root)
    from_archive, rejects_archive = run(archive_root)
    assert from_folder and [e.to_dict() for e in from_archive] == [e.to_dict() for e in from_folder]
    assert rejects_archive.rows == rejects_folder.rows
    assert all("author_url" in e.meta for e in from_archive)  # Users.xml was read from the archive
    assert not list(tmp_path.glob("archive/*.xml"))  # members went to a temporary folder


def test_split_archives_like_stack_overflow(tmp_path: Path, repo_root: Path):
    site = "physics.stackexchange.com"
    source = repo_root / "raw" / "stackexchange" / site
    make_archive(source, tmp_path / f"{site}-Posts.7z", ("Posts.xml",))
    make_archive(source, tmp_path / f"{site}-Users.7z", ("Users.xml",))
    kept, _ = run(tmp_path)
    assert kept and all(e.meta["site"] == site and "author" in e.meta for e in kept)


def test_corrupt_archive_is_an_input_error(tmp_path: Path):
    (tmp_path / f"{SITE}.7z").write_bytes(b"7z\xbc\xaf\x27\x1c this is not really an archive")
    with pytest.raises(InputError, match="7z"):
        run(tmp_path)


def test_archive_without_posts_is_an_input_error(tmp_path: Path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "Users.xml").write_text("<users/>")
    make_archive(tmp_path / "src", tmp_path / f"{SITE}.7z")
    shutil.rmtree(tmp_path / "src")
    with pytest.raises(InputError, match="no Posts.xml"):
        run(tmp_path)


def test_find_sites_prefers_a_folder_to_an_archive(tmp_path: Path):
    f.write_dump(tmp_path / SITE, good_rows())
    (tmp_path / f"{SITE}.7z").write_bytes(b"not read")
    (tmp_path / "notes.txt").write_text("ignored")
    (tmp_path / "empty.stackexchange.com").mkdir()  # no Posts.xml: not a site
    sites = se_dump.find_sites(tmp_path)
    assert [(s.name, s.folder is not None) for s in sites] == [(SITE, True)]


def test_a_question_seen_twice_keeps_its_first_row(tmp_path: Path):
    rows = [
        f.question(1, 50, "What drives the water cycle?"), f.answer(2, 1, 30),
        f.question(1, 99, "A second row with the same id?"),
        f.question(3, 10, "Is there no answer here?"),
    ]
    posts = f.write_dump(tmp_path / SITE, rows)
    with Spill() as spill:
        ranking = scan_posts(posts, str(posts), spill, 10).ranking()
    assert ranking.duplicates == 1
    assert ranking.question_id.tolist() == [1, 3] and ranking.question_score.tolist() == [50, 10]
    assert ranking.answer_id.tolist() == [2, -1] and ranking.answer_score.tolist() == [30, 0]
    kept, rejects = run(tmp_path)
    assert [e.prompt.split("\n")[0] for e in kept] == ["What drives the water cycle?"]
    assert [r["rule"] for r in rejects.rows] == ["no_answer"]


def test_questions_without_any_answers_in_the_file(tmp_path: Path):
    posts = f.write_dump(tmp_path / SITE, [f.question(5, 3, "Why?"), f.question(4, 3, "How?")])
    with Spill() as spill:
        ranking = scan_posts(posts, str(posts), spill, 10).ranking()
    assert ranking.question_id.tolist() == [4, 5]  # equal scores: lower id first
    assert ranking.answer_id.tolist() == [-1, -1]
