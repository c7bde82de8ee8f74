"""One problem found in an authored file: severity, code, file, line and message."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)


@dataclass(frozen=True)
class Finding:
    """A checker finding, printed as ``path:line: severity code: message``.

    ``file`` is a path relative to the authored folder ("" for the folder itself);
    ``line`` is 1-based, or None for findings about the whole folder.
    """

    severity: str
    code: str
    file: str
    line: "int | None"
    message: str

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def render(self, base: str = "") -> str:
        """The printed line, its file joined to ``base`` (the folder as the user named it)."""
        path = "/".join(p for p in (base.rstrip("/"), self.file) if p) or "."
        where = f"{path}:{self.line}" if self.line is not None else path
        return f"{where}: {self.severity} {self.code}: {self.message}"

    def sort_key(self) -> tuple:
        return (self.file, self.line or 0, SEVERITIES.index(self.severity), self.code, self.message)


def error(code: str, file: str, line: "int | None", message: str) -> Finding:
    return Finding(ERROR, code, file, line, message)


def warning(code: str, file: str, line: "int | None", message: str) -> Finding:
    return Finding(WARNING, code, file, line, message)


def info(code: str, file: str, line: "int | None", message: str) -> Finding:
    return Finding(INFO, code, file, line, message)
