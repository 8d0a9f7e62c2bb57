"""What the XML importers share: streamed, defused parsing with exact lines.

`iter_events(path)` runs `defusedxml`'s iterparse over a file fed one line
at a time, so when an element ends (or the parser gives up) the line being
read is known exactly, and every error names the file and that line.
Entity declarations (billion laughs), external entities and DTD fetches
(XXE) are refused, never expanded or fetched.
"""

from collections.abc import Iterator
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse


class XmlImportError(Exception):
    """A file that cannot be imported: the file, the line and what is wrong."""

    def __init__(self, reason: str, *, filename: str, line: int):
        self.reason, self.filename, self.line = reason, filename, line
        super().__init__(f"{filename}, line {line}: {reason}")


class LineReader:
    """A binary file read one line per `read()`, counting lines as it goes."""

    def __init__(self, handle):
        self.handle, self.line = handle, 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.readline()
        if data:
            self.line += 1
        return data


def iter_events(path: str | Path, error=XmlImportError) -> Iterator[tuple[str, object, int]]:
    """(event, element, line) for "start" and "end" events of the file at `path`;
    raises `error` (an XmlImportError class) for hostile or malformed XML."""
    filename = str(path)
    with open(path, "rb") as handle:
        lines = LineReader(handle)
        try:
            for event, element in iterparse(lines, events=("start", "end")):
                yield event, element, lines.line
        except ParseError as problem:
            line = problem.position[0] if problem.position else lines.line
            reason = str(problem).split(":", 1)[0]
            raise error(
                f"the XML is malformed ({reason})", filename=filename, line=line
            ) from None
        except DefusedXmlException as problem:
            raise error(
                f"refused: the file declares entities or a DTD to fetch ({problem})",
                filename=filename,
                line=lines.line,
            ) from None
