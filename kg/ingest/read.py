"""Read input files into raw documents.

Every failure becomes an :class:`~kg.errors.InputError` naming the file (and the line, for a broken
``.jsonl`` line), so a build can skip one bad input, say why, and go on with the others.

Encodings: BOMs are trusted first, then strict UTF-8 (most files), then UTF-16 without a BOM (told by
its NUL-byte pattern), then charset-normalizer. A GBK/GB2312 guess is decoded as GB18030, its superset,
so rare characters outside GBK do not turn into errors.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from ..errors import InputError
from ..model import RawDoc

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
PDF_SUFFIXES = (".pdf",)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# charset-normalizer names → the decoder we trust for them (supersets first).
_SUPERSET = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "hz": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "big5hkscs": "big5hkscs",
}
# Control characters other than tab/newline/carriage return/form feed: their presence means "not text".
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def _plausible(text: str) -> bool:
    """Whether decoded text looks like text: few control characters, few replacement characters."""
    if not text:
        return True
    sample = text[:200_000]
    bad = len(_CONTROL.findall(sample)) + sample.count("\ufffd")
    return bad <= max(2, len(sample) // 1000)


def _utf16_guess(data: bytes) -> str | None:
    """UTF-16 without a BOM: the NUL bytes of ASCII characters sit all on one parity."""
    sample = data[:20_000]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2 or 1
    # Not "no NULs on the other parity": CJK characters such as 一 (U+4E00) put a NUL there too.
    if odd > 0.05 * half and even < odd / 4:
        return "utf-16-le"
    if even > 0.05 * half and odd < even / 4:
        return "utf-16-be"
    # CJK-only UTF-16 has no NULs at all; try both byte orders and keep one that reads cleanly.
    return None


def decode_bytes(data: bytes, path: str, declared: str | None = None) -> str:
    """Decode a file's bytes to text, or raise InputError saying why it is not text."""
    if not data.strip(b" \t\r\n\x00\x0b\x0c"):
        raise InputError(path, "empty file (no text to read)")
    text = _decode_marked(data, path)
    if text is not None:
        return text
    if b"\x00" in data:
        return _decode_with_nuls(data, path)
    text = _decode_utf8(data, path)
    if text is not None:
        return text
    for enc in _legacy_candidates(data, declared):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        # A legacy guess must give CJK text or plain ASCII; Latin-1 garbage from random bytes does not count.
        if _plausible(text) and (_CJK.search(text[:20_000]) or enc.startswith("utf") or text.isascii()):
            return text
    raise InputError(path, "cannot decode the text: not UTF-8, UTF-16, GB18030 or Big5 (undecodable bytes)")


def _decode_marked(data: bytes, path: str) -> str | None:
    """The text of a file opening with a byte-order mark (an error if it is not that encoding), or None."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc)
            except UnicodeDecodeError as exc:
                problem = f"starts with a {enc} byte-order mark but is not valid {enc}: {exc.reason}"
                raise InputError(path, problem) from exc
    return None


def _decode_with_nuls(data: bytes, path: str) -> str:
    """NUL bytes: UTF-16 without a BOM when it reads as text, else a binary file."""
    enc16 = _utf16_guess(data)
    if enc16:
        try:
            text = data.decode(enc16)
        except UnicodeDecodeError:
            text = ""
        if text and _plausible(text):
            return text
    raise InputError(path, "binary file (contains NUL bytes), not text")


def _decode_utf8(data: bytes, path: str) -> str | None:
    """The UTF-8 text; an error for UTF-8 cut short or with a few bad bytes; None for another encoding."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Valid UTF-8 up to a last, unfinished character: a file cut short. Guessing on would read
        # it as UTF-16 or GB18030 mojibake (any even-length byte string decodes as UTF-16).
        line = data.count(b"\n", 0, exc.start) + 1
        if exc.end == len(data) and exc.reason == "unexpected end of data" and not data[: exc.start].isascii():
            raise InputError(path, "ends in the middle of a UTF-8 character (the file looks cut short)", line) from exc
        lenient = data.decode("utf-8", "replace")
        bad = lenient.count("\ufffd")
        if bad <= 16 and sum(ord(ch) > 0x7F for ch in lenient) - bad >= 20 * bad:  # UTF-8 with a few bad bytes
            raise InputError(
                path, f"invalid UTF-8 (a corrupt byte {data[exc.start]:#04x}; {bad} in the file)", line
            ) from exc
    return None


def _legacy_candidates(data: bytes, declared: str | None) -> list[str]:
    """The encodings to try, in order: the declared one, the detector's guess, then GB18030, Big5 and
    UTF-16 (each once)."""
    candidates: list[str] = []
    if declared:
        candidates.append(_SUPERSET.get(declared.lower(), declared.lower()))
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - a detector crash must not kill the build
        best = None
    if best is not None and best.encoding:
        candidates.append(_SUPERSET.get(best.encoding.lower(), best.encoding))
    candidates += ["gb18030", "big5hkscs", "utf-16-le", "utf-16-be"]
    return list(dict.fromkeys(candidates))


class _VisibleText(HTMLParser):
    """Collect the visible text of an HTML page, one line per block, headings kept as Markdown ``#``."""

    _SKIP = frozenset({"script", "style", "head", "noscript", "template", "svg", "iframe", "object", "title"})
    _BLOCK = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "ul",
            "ol",
            "tr",
            "table",
            "section",
            "article",
            "header",
            "footer",
            "blockquote",
            "pre",
            "dd",
            "dt",
            "dl",
            "figure",
            "figcaption",
            "hr",
            "main",
            "aside",
            "nav",
            "form",
            "fieldset",
            "address",
            "td",
            "th",
            "caption",
            "center",
            "body",
            "html",
        }
    )
    _HEADINGS = {f"h{i}": i for i in range(1, 7)}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def _newline(self) -> None:
        self.parts.append("\n\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skip += 1
        elif tag in self._HEADINGS:
            self._newline()
            self.parts.append("#" * self._HEADINGS[tag] + " ")
        elif tag in self._BLOCK:
            self._newline()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCK:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self._BLOCK or tag in self._HEADINGS:
            self._newline()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))

    def text(self) -> str:
        joined = "".join(self.parts)
        lines = [ln.strip() for ln in joined.split("\n")]
        out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
        return out + "\n" if out else ""


def html_to_text(html: str) -> str:
    """Visible text of an HTML document: scripts, styles and the head dropped, blocks as paragraphs."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.text()


_WHOLE_PAGE = re.compile(r"<(?:html|body)\b", re.IGNORECASE)
_NO_SPACE = re.compile(r"\s+")


def main_text(html: str) -> str:
    """The text of a web page's main content, without its menus, sidebars, share buttons and footer.

    readability-lxml finds the content; it was chosen over trafilatura on pages with those parts and
    on a newspaper e-paper page of several stories (tests/data/html, docs/html-extraction.md): it kept
    every story's headline, where trafilatura kept one of three, and gave structured paragraphs on a
    table-laid page. The page's headline, which readability leaves out when it stands above the
    content, is put back (a heading whose text the <title> contains). A fragment (no <html> or <body>)
    or a page where readability finds no text is read whole, as :func:`html_to_text` reads it.
    """
    if not _WHOLE_PAGE.search(html):
        return html_to_text(html)
    try:
        import lxml.html
        from readability import Document

        page = Document(html)
        text = html_to_text(page.summary(html_partial=True))
        title = _NO_SPACE.sub("", page.title())
        headings = lxml.html.fromstring(html).xpath("//h1|//h2|//h3")
    except Exception:  # a page lxml cannot parse is still text to read
        return html_to_text(html)
    if not text.strip():
        return html_to_text(html)
    for heading in headings:
        words = " ".join(heading.text_content().split())
        if words and _NO_SPACE.sub("", words) in title:
            if _NO_SPACE.sub("", words) not in _NO_SPACE.sub("", text):
                text = f"# {words}\n\n{text}"
            break
    return text


def pdf_to_text(data: bytes, path: str) -> str:
    """The text of a PDF's pages, page after page: newspaper pages are PDFs in origin, and their hard
    wraps and columns are what :func:`kg.ingest.normalize.normalize` joins."""
    from pypdf import PdfReader

    if not data.strip():
        raise InputError(path, "empty file (no text to read)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")  # many PDFs are "encrypted" with an empty password only
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except Exception as exc:  # pypdf raises many kinds on broken files; one bad PDF must not end the build
        raise InputError(path, f"cannot read the PDF: {exc}") from exc
    text = "\n\n".join(p for p in pages if p)
    if not text:
        raise InputError(path, "no text in the PDF (a scanned page would need OCR, which kg does not do)")
    return text + "\n"


def _read_bytes(path: Path) -> bytes:
    """A file's content, or the :class:`InputError` a build reports for it (also for a file the client
    reads to send to a distributed executor's workers)."""
    spath = str(path)
    if path.is_symlink() and not path.exists():
        raise InputError(spath, "broken symbolic link")
    if not path.exists():
        raise InputError(spath, "no such file or folder")
    if path.is_dir():
        raise InputError(spath, "is a folder, not a file")
    if not path.is_file():  # reading a FIFO waits forever, /dev/zero never ends
        raise InputError(spath, "not a regular file (a pipe, socket or device)")
    try:
        return path.read_bytes()
    except PermissionError as exc:
        raise InputError(spath, "file is not readable (permission denied)") from exc
    except OSError as exc:
        raise InputError(spath, f"cannot read the file: {exc.strerror or exc}") from exc


def _jsonl_docs(path: Path, text: str, errors: list[InputError] | None) -> list[RawDoc]:
    docs: list[RawDoc] = []
    seen: set[str] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
            body = obj.get("text")
            if not isinstance(body, str):
                raise ValueError('no "text" string')
            if not body.strip():
                raise ValueError('"text" is empty')
            lone = re.search("[\ud800-\udfff]", json.dumps(obj, ensure_ascii=False))
            if lone:  # "\ud800" alone decodes to no character; no output file could be written with it
                raise ValueError(f"a lone surrogate escape \\u{ord(lone.group()):04x} is not a character")
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            err = InputError(str(path), f"broken JSON line: {exc}", line=number)
            if errors is None:
                raise err from exc
            errors.append(err)
            continue
        ident = obj.get("id")
        key = str(ident) if ident is not None and str(ident) != "" else str(number)
        if key in seen:  # keep doc ids unique within a file
            key = f"{key}@{number}"
        seen.add(key)
        meta = {
            k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)
            for k, v in obj.items()
            if k not in ("text",)
        }
        docs.append(RawDoc(doc=f"{path.name}#{key}", path=str(path), text=body, meta=meta))
    if not docs and errors is not None and not errors:
        raise InputError(str(path), "empty file (no JSON lines)")
    return docs


def read_path(path: Path, errors: list[InputError] | None = None) -> list[RawDoc]:
    """Read one file into raw documents.

    A whole-file problem raises :class:`InputError`. A broken line of a ``.jsonl`` file is appended to
    ``errors`` when a list is given (so the good lines are still returned), and raised otherwise.
    """
    path = Path(path)
    return read_bytes(str(path), _read_bytes(path), errors)


def read_bytes(name: str, data: bytes, errors: list[InputError] | None = None) -> list[RawDoc]:
    """Read one file's content, already in memory, into raw documents exactly as :func:`read_path` reads
    the file ``name`` (the path as the user gave it: doc ids, messages, the format by its suffix), so a
    worker that does not share the client's file system extracts the bytes it was sent, never ``name``."""
    path = Path(name)
    spath = str(path)
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return [RawDoc(doc=path.name, path=spath, text=pdf_to_text(data, spath))]
    declared = None
    if suffix in HTML_SUFFIXES:
        m = _META_CHARSET.search(data[:4096])
        declared = m.group(1).decode("ascii", "replace") if m else None
    text = decode_bytes(data, spath, declared)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if suffix in JSONL_SUFFIXES:
        return _jsonl_docs(path, text, errors)
    if suffix in HTML_SUFFIXES:
        text = main_text(text)
        if not text.strip():
            raise InputError(spath, "no visible text in the HTML page")
    return [RawDoc(doc=path.name, path=spath, text=text)]
