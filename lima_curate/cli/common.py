"""What every command shares: the default pipeline file and one-line errors with exit codes.

Exit codes: 2 for input or settings the user can fix (a pipeline key, a bad file), 1 when
the machine refuses (disk full, read-only or forbidden folder), 130 on Ctrl-C.
"""

from __future__ import annotations

import errno
import functools
from pathlib import Path
from typing import Any, Callable

import typer

from lima_curate.interrupts import INTERRUPTED

DEFAULT_PIPELINE = Path("pipelines/sample.yaml")

#: OSErrors caused by the machine or its permissions, not by a bug: reported in one line
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG,
                         errno.EIO})


def fail(message: str, code: int = 2) -> "typer.Exit":
    """Print a one-line error and return the exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def default_pipeline(pipeline: "Path | None") -> Path:
    """The named pipeline file, else pipelines/sample.yaml (an error when that is absent)."""
    if pipeline is not None:
        return pipeline
    if not DEFAULT_PIPELINE.is_file():
        raise fail(f"{DEFAULT_PIPELINE}: not found; run from the repository root or name a pipeline file")
    return DEFAULT_PIPELINE


#: OSErrors caused by a path the user gave (a file where a folder belongs, or the reverse): exit 2
PATH_ERRNOS = frozenset({errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG})


def os_failure(error: OSError, where: "Path | str") -> "typer.Exit | None":
    """The exit for an OSError the machine or a given path caused (naming its file, else
    ``where``); None for others."""
    code = 2 if error.errno in PATH_ERRNOS else 1 if error.errno in DISK_ERRNOS else None
    return None if code is None else fail(f"{error.filename or where}: {error.strerror or error}", code)


def user_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """Report the errors a user (or the machine) can cause in one line, without a traceback."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from lima_curate.config import ConfigError
        from lima_curate.errors import InputError

        try:
            return function(*args, **kwargs)
        except (ConfigError, InputError) as error:
            raise fail(str(error)) from None
        except OSError as error:
            exit_ = os_failure(error, "output")
            if exit_ is None:
                raise
            raise exit_ from None
        except KeyboardInterrupt:
            raise fail(INTERRUPTED, 130) from None

    return wrapper
