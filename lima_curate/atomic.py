"""Atomic writes: a file or a whole output folder appears complete or not at all.

Only a folder carrying a :data:`MARKER` that names it (one this module wrote) is ever replaced or
deleted: an output pointed at ``/home`` is refused, not obeyed. A build folder is also locked. An
old result is replaced by two renames (old -> ``.<name>.previous``, new -> ``<name>``) with Ctrl-C
held back between them; a run killed there leaves ``.<name>.previous``, which the next run restores.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from lima_curate.errors import OutputError
from lima_curate.interrupts import held

log = logging.getLogger(__name__)

#: the file inside every folder :func:`staged_directory` writes; its content names the folder
MARKER = ".lima-curate"


@contextlib.contextmanager
def atomic_write(path: Path, mode: str = "w") -> Iterator[IO]:
    """Open a temporary file beside ``path``; rename it into place only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    encoding = None if "b" in mode else "utf-8"
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=None if "b" in mode else "\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_write(path) as handle:
        handle.write(text)


# ---------------------------------------------------------------- owned folders


def marker_text(name: str, entries: "Iterable[str] | None" = None) -> str:
    """What :data:`MARKER` holds in a folder named ``name``; ``entries``: the names the
    build wrote there (recorded when it is complete)."""
    marker: dict[str, Any] = {"folder": name, "written_by": "lima-curate"}
    if entries is not None:
        marker["entries"] = sorted(entries)
    return json.dumps(marker) + "\n"


def _marker(folder: Path) -> "dict[str, Any] | None":
    """The marker of ``folder`` (a real folder, not a link), or None."""
    marker = folder / MARKER
    if folder.is_symlink() or not folder.is_dir() or marker.is_symlink() or not marker.is_file():
        return None
    try:
        found = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return found if isinstance(found, dict) and found.get("written_by") == "lima-curate" else None


def is_owned(folder: Path, name: str) -> bool:
    """True when ``folder`` is a real folder (not a link) whose marker names ``name``."""
    marker = _marker(Path(folder))
    return marker is not None and marker.get("folder") == name


def _refuse_foreign(folder: Path, also_replaces: Iterable[str]) -> None:
    """OutputError when ``folder`` holds entries its build did not write (and that are not
    in ``also_replaces``): replacing the folder would delete them."""
    marker = _marker(folder)
    written = marker.get("entries") if marker is not None else None
    if not isinstance(written, list):
        return  # a folder from before the marker listed its entries
    foreign = sorted(set(os.listdir(folder)) - set(written) - {MARKER} - set(also_replaces))
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputError(folder, f"holds what no build wrote ({shown}); a new build would delete it: "
                                  "move it out, then build again")


def _refuse_unowned(folder: Path, name: str, role: str) -> None:
    if not is_owned(folder, name):
        kind = "a link" if folder.is_symlink() else "a folder" if folder.is_dir() else "a file"
        raise OutputError(
            folder,
            f"{role} is {kind} lima-curate did not write (no {MARKER} marker naming {name!r}); "
            "it is left alone: move it away or choose another output",
        )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass  # PermissionError: someone else's process, alive
    return True


def _stage_prefix(name: str) -> str:
    return f".{name}.partial-"


def _remove_stale_stages(final: Path) -> None:
    """Remove staging folders of ``final`` left by runs that died (their process is gone)."""
    prefix = _stage_prefix(final.name)
    for stale in final.parent.glob(f"{prefix}*"):
        pid_text = stale.name[len(prefix):].split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or _pid_alive(int(pid_text)):
            continue  # not ours by name, or a live run's
        if is_owned(stale, final.name):
            shutil.rmtree(stale, ignore_errors=True)


def _previous(final: Path) -> Path:
    return final.with_name(f".{final.name}.previous")


def _recover_previous(final: Path) -> None:
    """Undo a run killed between its two renames: put the old result back in place."""
    previous = _previous(final)
    if not (previous.exists() or previous.is_symlink()):
        return
    _refuse_unowned(previous, final.name, "the previous result kept aside by an interrupted run")
    if final.exists() or final.is_symlink():
        shutil.rmtree(previous)  # the run was killed after its second rename: the new result is in place
    else:
        os.replace(previous, final)
        log.warning("%s: restored the previous result (a run was stopped while replacing it)", final)


@contextlib.contextmanager
def staged_directory(final: Path, also_replaces: Iterable[str] = ()) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``final`` in one step.

    OutputError before any work unless ``final`` is absent, or a folder this function wrote holding
    only what that run wrote or names in ``also_replaces``. A run that stops halfway leaves a hidden
    ``.<name>.partial-<pid>-*`` folder, removed by a later run once that process is gone.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    _recover_previous(final)
    if final.exists() or final.is_symlink():
        _refuse_unowned(final, final.name, "the output")
        _refuse_foreign(final, also_replaces)
    _remove_stale_stages(final)
    stage = Path(tempfile.mkdtemp(prefix=f"{_stage_prefix(final.name)}{os.getpid()}-", dir=final.parent))
    try:
        (stage / MARKER).write_text(marker_text(final.name), encoding="utf-8")
        yield stage
        entries = [entry for entry in os.listdir(stage) if entry != MARKER]
        (stage / MARKER).write_text(marker_text(final.name, entries), encoding="utf-8")
        os.chmod(stage, 0o755)
        _swap_into_place(stage, final)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _swap_into_place(stage: Path, final: Path) -> None:
    """Rename ``stage`` to ``final``; a Ctrl-C meanwhile undoes it and raises KeyboardInterrupt."""
    previous = _previous(final)
    had_final = final.exists()
    with held() as interrupted:
        if had_final:
            os.replace(final, previous)
        try:
            os.replace(stage, final)
        except BaseException:
            if had_final:
                os.replace(previous, final)
            raise
        if interrupted:  # stopped before the result was complete in place: keep the old one
            os.replace(final, stage)
            if had_final:
                os.replace(previous, final)
    if interrupted:
        raise KeyboardInterrupt
    if had_final:
        shutil.rmtree(previous, ignore_errors=True)


# ---------------------------------------------------------------- build folders


def check_plain_name(name: str, out: Path) -> Path:
    """``out/name`` when ``name`` is one plain folder name; OutputError otherwise."""
    plain = isinstance(name, str) and name not in ("", ".", "..") and not any(c in name for c in "\x00/\\")
    if not plain or os.path.basename(name) != name or (Path(out) / name).parent != Path(out):
        raise OutputError(out, f"build name {name!r} is not a plain folder name inside the output folder")
    return Path(out) / name


@contextlib.contextmanager
def folder_lock(path: Path, what: str) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` for the block; OutputError at once when taken.

    An ``flock`` ends with its process, so a killed run leaves no lock that blocks. The file is
    removed when the block ends; a run that locked a file just removed locks the new one instead.
    """
    import fcntl

    while True:
        handle = open(path, "a+b")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            handle.close()
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise OutputError(path, f"another lima-curate run is writing {what} (it holds this lock); "
                                    "wait for it to finish or write elsewhere") from None
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        if current is not None and os.path.samestat(current, os.fstat(handle.fileno())):
            break
        handle.close()  # removed or replaced meanwhile: lock what the path names now
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # while still locked, so no other run holds a lock on it
        handle.close()


@contextlib.contextmanager
def build_directory(out: Path, name: str, also_replaces: Iterable[str] = ()) -> Iterator[Path]:
    """:func:`staged_directory` for the build folder ``out/name`` (``name`` a plain folder name),
    under the lock ``out/.<name>.lock``."""
    out = Path(out)
    final = check_plain_name(name, out)
    out.mkdir(parents=True, exist_ok=True)
    with folder_lock(out / f".{name}.lock", str(final)), staged_directory(final, also_replaces) as stage:
        yield stage
