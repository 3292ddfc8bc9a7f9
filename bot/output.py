"""Standard streams that survive any environment: odd output encodings, bad input bytes, closed pipes.

Replies are full of en dashes and curly quotes. On a terminal or pipe whose encoding can't hold them
(Latin-1, ASCII, `LC_ALL=C` without UTF-8 mode) a plain print raises UnicodeEncodeError; here such a
character becomes its ASCII look-alike (– as -, ’ as '), or "?" when there is none. Input bytes that
are not text in the input encoding become U+FFFD, so the line is still answered.
"""
from __future__ import annotations

import codecs
import json
import os
import sys
import unicodedata
from typing import TextIO

ERRORS = "gii-bot-ascii"  # the name of the codec error handler registered below
EXIT_BROKEN_PIPE = 141    # what a shell reports for a process killed by SIGPIPE (128 + 13)

# Characters of our replies without an ASCII decomposition, and the ASCII that reads the same.
ASCII_EQUIVALENTS: dict[str, str] = {
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
    "\u2026": "...", "\u00b7": "-", "\u2022": "*", "\u00d7": "x", "\u2192": "->", "\u2190": "<-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    "\u00df": "ss", "\u00e6": "ae", "\u00c6": "AE", "\u0153": "oe", "\u0152": "OE", "\u00f8": "o", "\u00d8": "O",
    "\u0142": "l", "\u0141": "L", "\u0111": "d", "\u0110": "D", "\u00f0": "d", "\u00d0": "D",
    "\u00fe": "th", "\u00de": "Th", "\u0131": "i",
}


class OutputError(OSError):
    """Standard output could not be written (a full disk, a device error): one line, exit status 1."""


def equivalent(char: str, encoding: str) -> str:
    """What to write for `char` where `encoding` can't hold it: a look-alike the encoding can hold, else '?'."""
    candidates = [ASCII_EQUIVALENTS.get(char, "")]
    decomposed = unicodedata.normalize("NFKD", char)
    candidates.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    for candidate in candidates:
        if candidate and _encodes(candidate, encoding):
            return candidate
    return "?"


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeError, LookupError):
        return False
    return True


def _handler(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: replaces the characters the codec could not encode (see `equivalent`)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start:error.end]
    return "".join(equivalent(char, error.encoding) for char in bad), error.end


codecs.register_error(ERRORS, _handler)


def configure_streams() -> None:
    """Make the standard streams safe for any encoding; fd 0-2 that are closed are taken by /dev/null.

    A closed standard stream (`<&-`, as some service managers start daemons) stays None in sys, so the
    commands that need it can say so, but its descriptor is reserved: otherwise the next file opened
    would get descriptor 0, 1 or 2 and be read or written by mistake.
    """
    for fd in (0, 1, 2):
        _reserve(fd)
    for stream in (sys.stdout, sys.stderr):
        _reconfigure(stream, errors=ERRORS)
    _reconfigure(sys.stdin, errors="replace")


def _reserve(fd: int) -> None:
    try:
        os.fstat(fd)
    except OSError:
        opened = os.open(os.devnull, os.O_RDWR)
        if opened != fd:  # a lower descriptor was free too: move it to where it belongs
            os.dup2(opened, fd)
            os.close(opened)


def _reconfigure(stream: TextIO | None, errors: str) -> None:
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors=errors)


def stream_encoding(stream: TextIO) -> str:
    """The encoding a stream writes in (UTF-8 for streams that don't say, such as StringIO)."""
    return getattr(stream, "encoding", None) or "utf-8"


def exact_json(text: str, stream: TextIO) -> str:
    """JSON text the stream can carry exactly: non-ASCII escaped (\\u2013) when its encoding can't hold it."""
    if _encodes(text, stream_encoding(stream)):
        return text
    return json.dumps(json.loads(text), ensure_ascii=True, separators=(",", ":"))


def write_line(stream: TextIO, text: str) -> None:
    """Write one line and flush it; a failing write becomes OutputError (BrokenPipeError passes through)."""
    try:
        stream.write(text + "\n")
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(error.errno, error.strerror) from None


def silence_stdout() -> None:
    """Point fd 1 at /dev/null, so the interpreter's last flush at exit can't fail again and print a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass
