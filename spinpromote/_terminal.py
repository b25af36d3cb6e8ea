"""Text from Gate made safe for a terminal: control characters shown as escapes, never sent raw.

Pipeline names, stage names, keys and values come from anyone with WRITE on an application. Sent raw to a
terminal, ESC and OSC sequences recolour it, retitle the window, rewrite the clipboard or forge hyperlinks;
CR, line and paragraph separators and bidi controls make one line look like another.
"""

from __future__ import annotations

import re

__all__ = ["printable"]

# C0 and C1 controls (ESC, BEL, CR, LF, ...) and DEL; U+2028/2029 (line breaks to some terminals); the bidi
# embeddings, overrides and isolates ("Trojan Source") and marks; lone surrogates, which cannot be encoded.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_BUT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}
# In markup (SVG, HTML) also the two noncharacters XML forbids.
_UNSAFE_IN_MARKUP = re.compile(_UNSAFE.pattern[:-1] + "\ufffe\uffff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: object, *, multiline: bool = False, markup: bool = False) -> str:
    """``str(text)`` with every control character written as a visible escape (``\\e``, ``\\r``, ``\\x9b``).

    With ``multiline`` line feeds are kept (for text whose lines spinpromote made, such as a plan); with
    ``markup`` the noncharacters XML forbids are escaped too (for SVG and HTML).

    ```pycon
    >>> printable("Deploy\\x1b]0;pwned\\x07 to prod\\r")
    'Deploy\\\\e]0;pwned\\\\x07 to prod\\\\r'

    ```
    """
    value = str(text)
    pattern = _UNSAFE_IN_MARKUP if markup else _UNSAFE_BUT_NEWLINE if multiline else _UNSAFE
    return pattern.sub(_escape, value) if pattern.search(value) else value
