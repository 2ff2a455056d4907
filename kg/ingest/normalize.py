"""Normalize a raw newspaper page into clean, Markdown-like text.

The output keeps the page's structure in a form :mod:`kg.ingest.segment` can read back: one block a line,
blocks separated by a blank line, headings as ``#`` lines, paragraphs as single lines. What is not
content (bylines, photo captions and credits, pull quotes) is taken out into the metadata.

Rules, in order (each one a linear pass with compiled regexes):

1. Characters: line ends unified, zero-width characters dropped, odd spaces made plain spaces;
   full-width digits, Latin letters, brackets and ASCII symbols made half-width (NFKC), while the Chinese
   sentence punctuation ，！？；： stays full-width, and half-width ``, ; : ? !`` next to Chinese text
   becomes full-width (so ``2020年9月,西部`` reads like ``2020年9月，西部`` and splits the same way).
2. Lines that are not content go to the metadata: photo credits (图片来源：…, …供图, … 摄), captions
   (carrying a credit, opening with ▲/图为/上图：, or a short line in an image gap inside an unfinished
   paragraph), bylines (本报记者 …, 通讯员 …, 文/图 …, 责任编辑：…, ◎/►/▶ name lists, a line of only
   personal names closing a story, names after the last full stop of a story, （记者 X） inside a
   本报讯/科技日报讯/新华社…电 lead), Markdown pull quotes (a ``#`` line that is a whole sentence) with
   their attribution line; （完） goes.
3. Verbatim repeats: a paragraph seen before, or found word for word inside a longer one, is dropped;
   on pages whose lines are paragraphs, a line that is a prefix/suffix fragment of a neighbouring line
   too; a repeated heading keeps its last place that has text under it.
4. Hard wraps: a line that does not end a sentence (。！？… or a closing quote after one) is joined to
   the next text line even across blank lines, so 15-character PDF columns and ``贵阳高\n\n新区`` become
   one paragraph; a heading, a lead, a byline or the end of a sentence stays a break. On a Chinese page
   pieces join without a space (a number split by the column, ``12月1`` + ``7日``, is one number).
5. Headings: ``#`` lines, ``**bold**`` lines, ■/【】-marked short lines; on pages without ``#`` (PDF
   text) also a short punctuation-free line after a finished paragraph (shorter than the column, or
   with its parts set apart by a space), and a run of headline-shaped lines followed by a lead, a
   heading or the end of the page (a block of headlines, matched to their stories by kg.ingest.segment).
6. Spaces: inside paragraphs, spaces touching a Chinese character are dropped (``猪八戒贵州 公 司`` →
   ``猪八戒贵州公司``, ``209 家`` → ``209家``, ``工业 4.0的`` → ``工业4.0的``); spaces between Latin
   words and numbers stay. Headings keep one space where they had any (it separates headline parts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ..resources.lexicon import load_patterns, load_sets, pkg_resources_hidden

with pkg_resources_hidden():
    import zhconv

# The words of bylines, credits and captions are data (kg/data/lexicons/page_words.tsv and
# page_patterns.tsv); the character classes, punctuation tables and layout marks stay here.
_WORDS = load_sets("page_words.tsv")
_PATTERNS = load_patterns("page_patterns.tsv")

# ---------------------------------------------------------------------------------------------------
# character classes and tables

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"
_H = f"[{_HAN}{_CJK_PUNCT}]"
_HAN_RUN = re.compile(f"[{_HAN}]+")
_KEEP_FULL = set("，！？；：～")

_TABLE: dict[int, str] = {}
for _cp in range(0xFF01, 0xFF5F):
    if chr(_cp) not in _KEEP_FULL:
        _TABLE[_cp] = chr(_cp - 0xFEE0)
_TABLE.update({0xFF61: "。", 0xFF64: "、", 0xFF62: "「", 0xFF63: "」"})
for _cp in (0x3000, 0x00A0, 0x1680, 0x202F, 0x205F, *range(0x2000, 0x200B), 0x0009, 0x000B, 0x000C):
    _TABLE[_cp] = " "
for _cp in (
    0x200B,
    0x200C,
    0x200D,
    0x2060,
    0xFEFF,
    0x00AD,
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
):
    _TABLE[_cp] = ""  # zero-width and direction marks: invisible, never content
for _cp in (*range(0x00, 0x09), 0x0E, 0x0F, *range(0x10, 0x20), 0x7F, *range(0x80, 0x85), *range(0x86, 0xA0)):
    _TABLE[_cp] = ""  # control characters: not text (and not allowed in XML outputs)
_TABLE.update({0x2028: "\n", 0x2029: "\n", 0x0085: "\n"})

_ODD_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TABLE)) + "]")
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
# a half-width mark with a Chinese character before or after it (the mark first, so the regex engine
# skips to the marks instead of trying both lookarounds at every character)
_HALF_PUNCT = re.compile(rf"[,;:?!](?:(?<={_H}.)|(?={_H}))")
_SPACES_IN = re.compile(rf"(?<={_H}) +(?={_H}|[0-9A-Za-z(])|(?<=[0-9A-Za-z%)]) +(?={_H})")
_MULTISPACE = re.compile(r" {2,}")

# ---------------------------------------------------------------------------------------------------
# line patterns

_HEADING_MD = re.compile(r"^(#{1,6})\s*(.*?)\s*#*$")
_NAME = rf"[{_HAN}][{_HAN}·]{{1,3}}"
_ROLE = _PATTERNS["byline_role"]
_MARK = "◎►▶■●◆★☆▲◇□○•|"
_BYLINE = re.compile(
    rf"^[{_MARK}]?\s*(?:(?:{_ROLE})\s*[：:]?\s*)?{_NAME}(?:\s+(?:(?:{_ROLE})\s*[：:]?\s*)?{_NAME}){{0,7}}\s*$"
)
_HAS_ROLE = re.compile(rf"^[{_MARK}]|(?:{_ROLE})")
_MARKED_NAMES = re.compile(rf"^[{_MARK}]")
_CREDIT_ONLY = re.compile(_PATTERNS["credit_only"])
_EDITOR_TAIL = re.compile(_PATTERNS["editor_tail"])
# A caption ending in its credit. The credit must stand apart (a space or brackets) or carry a credit
# word, so a wrapped body line ending in 拍摄 or 提供图 is not taken for one.
_CAPTION_CREDIT = re.compile(_PATTERNS["caption_credit"])
_CREDIT_HINT = re.compile(_PATTERNS["credit_hint"])
_TRAILING_NAMES = re.compile(rf"(?<=[。！？”…])\s+(?P<names>{_NAME}(?:\s+{_NAME}){{0,4}})$")
LEAD = re.compile(_PATTERNS["lead"])
# Headline parts set apart by a space ("推进平台建设 优化创新资源配置"): a headline even at column width.
_HEAD_PART = r"(?=[^ ]*[\u4e00-\u9fff]{2})[\u4e00-\u9fff“”‘’A-Za-z0-9+.%·]{2,}"
_SPACED_HEADLINE = re.compile(rf"^{_HEAD_PART}(?: {_HEAD_PART})+$")
_TITLE_BREAKERS = re.compile(r"[。；！？、;!?]")
_END_MARK = re.compile(_PATTERNS["end_mark"])
_CAPTION_START = re.compile(_PATTERNS["caption_start"])
_SUBHEAD_MARK = re.compile(r"^(?:[■●◆★□◇○•]\s*(?P<t1>[^■●◆★□◇○•\s].{1,29})|【(?P<t2>[^【】]{2,20})】)$")
_BOLD_LINE = re.compile(r"^\*\*([^*]{1,40})\*\*$")
_MD_LINE = re.compile(r"^\s*#{1,6}\s")
_SENT_END = re.compile(r"(?:[。！？!?…]|[。！？!?…][”’」』)）]+)$")
_INNER_PUNCT = re.compile(r"[，。；！？、,;!?]")
NUMERIC_UNITS = "".join(_WORDS["numeric_units"])  # with digits: a figure in a box (5250万元)
_NUMERIC_HEAD = re.compile(rf"^[\d.,%+\-~～{NUMERIC_UNITS}]+$")

# Common surnames: a names-only line counts as a byline only when each name starts with one.
_SURNAMES = frozenset(_WORDS["byline_surnames"])
_COMPOUND_SURNAMES = _WORDS["compound_surnames"]


_NOT_NAME_END = frozenset(_WORDS["not_name_end"])
_PHOTO_CREDIT = "".join(_WORDS["photo_credit"])
_REPORTER_WORDS = _WORDS["reporter_words"]


def _without(text: str, words: tuple[str, ...]) -> str:
    for word in words:
        text = text.replace(word, "")
    return text


def is_person_name(token: str) -> bool:
    """A 2–4 character token that starts with a common Chinese surname (and ends like no place or body)."""
    token = token.replace("·", "")
    if not 2 <= len(token) <= 4 or token[-1] in _NOT_NAME_END:
        return False
    return token[0] in _SURNAMES or token.startswith(_COMPOUND_SURNAMES)


def _names_only(text: str) -> bool:
    toks = text.split()
    return 1 <= len(toks) <= 5 and all(is_person_name(t) for t in toks)


# ---------------------------------------------------------------------------------------------------


def unify_chars(text: str) -> str:
    """Rule 1: one form per character (see the module docstring)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ODD_CHARS.sub(lambda m: _TABLE[ord(m.group())], text)  # faster than str.translate on CJK text

    def fix(m: re.Match[str]) -> str:
        s, i = m.string, m.start()
        prev = s[i - 1] if i else ""
        nxt = s[i + 1] if i + 1 < len(s) else ""
        if prev.isdigit() and nxt.isdigit():
            return m.group()
        return _HALF_TO_FULL[m.group()]

    return _HALF_PUNCT.sub(fix, text)


def squeeze_spaces(text: str) -> str:
    """Rule 6 for paragraph text: drop spaces that touch a Chinese character."""
    text = text.strip()
    if " " not in text:
        return text
    return _SPACES_IN.sub("", _MULTISPACE.sub(" ", text))


def _ends_sentence(text: str) -> bool:
    return bool(_SENT_END.search(text[-12:]))


@dataclass
class _Item:
    kind: str  # text | heading | byline | credit | caption | lead
    text: str
    level: int = 0
    gap: int = 0  # blank lines before it
    marked: bool = False
    flat: str = ""  # the text with rule 6 applied, computed once

    def __post_init__(self) -> None:
        self.flat = squeeze_spaces(self.text)


@dataclass
class _Block:
    kind: str  # heading | para
    parts: list[str] = field(default_factory=list)
    level: int = 2
    lead: bool = False

    def render(self, cjk: bool = True) -> str:
        """The block as one line. On a Chinese page wrapped pieces join without a space (a number or a
        Latin word split by a column break is one token); elsewhere Latin words get their space back."""
        if self.kind == "heading":
            return "#" * self.level + " " + _MULTISPACE.sub(" ", " ".join(self.parts).strip())
        out = ""
        for part in self.parts:
            part = part.strip()
            if not cjk and out[-1:].isascii() and out[-1:].isalnum() and part[:1].isascii() and part[:1].isalnum():
                out += " "
            out += part
        return squeeze_spaces(out)


class _Meta:
    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {"bylines": [], "captions": [], "credits": [], "quotes": []}
        self.where: dict[str, list[tuple[int, bool]]] = {k: [] for k in self.items}

    def add(self, kind: str, text: str, block: int, at_end: bool = False) -> None:
        """Record an item taken out before block ``block`` (or, ``at_end``, after it: a signature)."""
        text = _MULTISPACE.sub(" ", text.strip())
        if text:
            self.items[kind].append(text)
            self.where[kind].append((block, at_end))


def _title_like(text: str) -> bool:
    """Short, no sentence punctuation but at most one comma, not ending in punctuation: a headline's shape."""
    t = squeeze_spaces(text)
    return (
        0 < len(t) <= 40
        and not _TITLE_BREAKERS.search(t)
        and t.count("，") + t.count(",") <= 1
        and not t.endswith(("，", ",", "：", ":"))
    )


def _marked_subheading(line: str) -> str | None:
    m = _SUBHEAD_MARK.match(line)
    if not m:
        return None
    text = (m.group("t1") or m.group("t2") or "").strip()
    if not _title_like(text) or _names_only(text) or _HAS_ROLE.search(text):
        return None
    return text


def _classify(lines: list[str], markdown: bool) -> list[_Item]:
    items: list[_Item] = []
    gap = 0
    for raw in lines:
        line = raw.strip()
        if not line:
            gap += 1
            continue
        m = _HEADING_MD.match(line) if markdown else None
        b = _BOLD_LINE.match(line) if markdown and not m else None
        if m:
            items.append(_Item("heading", m.group(2), level=len(m.group(1)), gap=gap, marked=True))
        elif b and not _ends_sentence(b.group(1)):  # a **bold** line on its own: a Markdown subheading
            items.append(_Item("heading", b.group(1).strip(), level=3, gap=gap, marked=True))
        elif _END_MARK.match(line):  # （完）
            continue
        elif (sub := _marked_subheading(line)) is not None:
            # ■ 小标题 / 【栏目】: a subheading (or a column label) set off by a marker
            items.append(_Item("heading", sub, level=3, gap=gap, marked=True))
        else:
            items.append(_Item("text", line.replace("**", ""), gap=gap))
        gap = 0
    return items


def _split_credit_lines(items: list[_Item], meta_later: list[tuple[int, str, str]]) -> list[_Item]:
    """Mark credit, caption and byline lines; returns the items with kinds set."""
    n = len(items)
    for i, it in enumerate(items):
        if it.kind != "text":
            continue
        line = it.text
        compact = _MULTISPACE.sub(" ", line)
        if len(compact) <= 40 and _CREDIT_ONLY.match(compact) and not _INNER_PUNCT.search(compact):
            it.kind = "credit"
            continue
        m = (
            _CAPTION_CREDIT.match(compact)
            if len(compact) <= 200 and _CREDIT_HINT.search(compact, max(0, len(compact) - 40))
            else None
        )  # a credit word in the last 40 characters
        if m:
            credit = (m.group("credit") or m.group("credit2") or "").strip()
            name = credit.rstrip(_PHOTO_CREDIT + " ").strip("（()）") if credit.endswith(_WORDS["photo_credit"]) else ""
            if not name or is_person_name(_without(name, _REPORTER_WORDS).strip()):
                it.kind = "caption"
                it.text = m.group("cap").strip()
                meta_later.append((i, "credits", credit.strip("（()）")))
                continue
        if len(compact) <= 150 and _CAPTION_START.match(compact):  # ▲ …, 图为…, 上图：…
            it.kind = "caption"
            continue
        if len(compact) <= 120 and _EDITOR_TAIL.search(compact):  # … 来源：… 责任编辑：某某
            it.kind = "byline"
            continue
        if len(compact) <= 60 and _BYLINE.match(compact):
            body = compact.lstrip(_MARK).strip()
            if _HAS_ROLE.search(compact) and not _names_only(body) or _MARKED_NAMES.match(compact):
                it.kind = "byline"
                continue
            # Only names: a byline when it closes an article (next is a heading, a lead or the end).
            if _names_only(body):
                nxt = items[i + 1] if i + 1 < n else None
                if (
                    nxt is None
                    or nxt.kind in ("heading", "credit", "byline")
                    or LEAD.match(nxt.text)
                    or (nxt.kind == "text" and _BYLINE.match(nxt.flat) and _MARKED_NAMES.match(nxt.flat))
                ):
                    it.kind = "byline_end"  # it signs the article above
                    continue
                if _HAS_ROLE.search(compact):
                    it.kind = "byline"
                    continue
    return items


def _fragment_dedup(items: list[_Item]) -> list[_Item]:
    """Rule 3 on pages whose lines are paragraphs: drop repeats and prefix/suffix fragments."""
    seen: set[str] = set()
    texts = [i for i, it in enumerate(items) if it.kind == "text"]
    keep = [True] * len(items)
    squeezed = {i: items[i].flat for i in texts}
    for pos, i in enumerate(texts):
        t = squeezed[i]
        if len(t) >= 8 and t in seen:
            keep[i] = False
            continue
        seen.add(t)
        if len(t) < 10:
            continue
        for j in texts[max(0, pos - 3) : pos + 4]:
            if j == i:
                continue
            other = squeezed[j]
            if len(other) > len(t) and (other.startswith(t) or other.endswith(t)):
                keep[i] = False
                break
    return [it for it, k in zip(items, keep, strict=True) if k]


def without_credit(line: str) -> str:
    """A heading without the credit it carries (``图片来源：…``, ``（…供图）``, ``来源：…``), which
    names no entity of the story; "" where it is all credit."""
    if _CREDIT_ONLY.match(line):
        return ""
    m = _CAPTION_CREDIT.match(line) if _CREDIT_HINT.search(line) else None
    return m.group("cap").rstrip() if m else line


_CLAUSE = re.compile(r"[^，。；！？、：]{4,}")
_MAX_CONTAINER = 20_000  # longer paragraphs are not searched for repeats (keeps the pass linear)


def _drop_contained(blocks: list[_Block], rendered: list[str], keep: list[bool]) -> None:
    """A paragraph found word for word inside a longer one (a pull-out box repeating the story) goes.

    Candidates come from a clause index, so each paragraph is compared with at most a few others.
    """
    clauses = {
        k: _CLAUSE.findall(r)
        for k, (b, r) in enumerate(zip(blocks, rendered, strict=True))
        if keep[k] and b.kind == "para"
    }
    # each paragraph is looked up by its longest clause: only those clauses need indexing
    longest = {k: max(cl, key=len) for k, cl in clauses.items() if len(rendered[k]) >= 15 and len(cl) >= 2}
    wanted = set(longest.values())
    where: dict[str, list[int]] = {}
    for k, cl in clauses.items():
        if len(rendered[k]) <= _MAX_CONTAINER:
            for clause in wanted.intersection(cl):
                ids = where.setdefault(clause, [])
                if len(ids) < 4:
                    ids.append(k)
    for k, clause in longest.items():
        r = rendered[k]
        for j in where.get(clause, ()):
            if j != k and keep[j] and len(rendered[j]) > len(r) and r in rendered[j]:
                keep[k] = False
                break


def _column_width(items: list[_Item]) -> int:
    lengths = sorted(len(it.flat) for it in items if it.kind == "text")
    return lengths[len(lengths) // 2] if lengths else 0


def normalize(text: str) -> tuple[str, dict[str, list[str]]]:
    """Return the clean page text and the metadata taken out of it.

    The metadata holds ``bylines``, ``captions``, ``credits`` and ``quotes`` (pull quotes), and for each
    of them a ``<key>_at`` list with the character offset in the clean text where the item stood, so
    :func:`kg.ingest.segment.segment` can give each article its own.
    """
    text = unify_chars(text)
    lines = text.split("\n")
    markdown = any(_MD_LINE.match(ln) for ln in lines)
    items = _classify(lines, markdown)
    later: list[tuple[int, str, str]] = []
    items = _split_credit_lines(items, later)
    credit_for = {id(items[i]): (kind, txt) for i, kind, txt in later}  # by the item: dedup moves them
    colwidth = _column_width(items)
    wrapped = 0 < colwidth <= 40
    if not wrapped:
        items = _fragment_dedup(items)
    page = _Assembly(
        items=items,
        credit_for=credit_for,
        markdown=markdown,
        cjk=_is_cjk(text),
        colwidth=colwidth,
        wrapped=wrapped,
        run_end=_title_runs(items),
    )
    for i, it in enumerate(items):
        page.add(i, it)
    rendered = [b.render(page.cjk) for b in page.blocks]
    keep = _kept_blocks(page.blocks, rendered)
    return _join(rendered, keep, page.meta)


def _is_cjk(text: str) -> bool:
    """Whether the page is Chinese: a third of its (first 100,000) characters are Han, or it is empty."""
    sample = text[:100_000]
    han = sum(map(len, _HAN_RUN.findall(sample)))  # counted by runs: one object per run, not per character
    return han * 3 >= len(sample.strip()) or not sample.strip()


def _is_u(it: _Item) -> bool:
    t = it.flat
    return it.kind == "text" and len(t) <= 40 and not _INNER_PUNCT.search(t) and not t.endswith(("：", ":"))


def _is_title_like(it: _Item) -> bool:
    """Looser than _is_u, for lines in a block of headlines: one comma is allowed (锚定…，济南…)."""
    return it.kind == "text" and _title_like(it.flat)


def _title_runs(items: list[_Item]) -> list[int]:
    """For unmarked headings: where the run of short title-like lines starting at each item ends."""
    n = len(items)
    run_end = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        it = items[i]
        if it.kind in ("byline", "byline_end", "credit", "caption"):
            run_end[i] = run_end[i + 1]
        elif _is_title_like(it) and not LEAD.match(it.text):
            run_end[i] = run_end[i + 1]
        else:
            run_end[i] = i
    return run_end


@dataclass
class _Assembly:
    """The page's blocks and metadata as its classified lines are read one by one."""

    items: list[_Item]
    credit_for: dict[int, tuple[str, str]]
    markdown: bool
    cjk: bool
    colwidth: int
    wrapped: bool
    run_end: list[int]
    meta: _Meta = field(default_factory=_Meta)
    blocks: list[_Block] = field(default_factory=list)
    cur: _Block | None = None  # the open (unfinished) paragraph, if any
    just_quote: bool = False

    def add(self, i: int, it: _Item) -> None:
        where = len(self.blocks) if self.cur is None else len(self.blocks) - 1
        if it.kind in ("byline_end", "byline", "credit", "caption"):
            self._aside(it, where)
        elif it.kind == "heading":
            self._heading(it, where)
        else:
            self.just_quote = False
            self._text(i, it, where)

    def _aside(self, it: _Item, where: int) -> None:
        """A byline, credit or caption: metadata, not text."""
        if it.kind == "byline_end":
            self.meta.add("bylines", it.text, max(0, len(self.blocks) - 1), at_end=True)
        elif it.kind == "byline":  # a byline starts a story: whatever paragraph was open has ended
            self.meta.add("bylines", it.text.lstrip(_MARK), len(self.blocks))
            self.cur = None
        elif it.kind == "credit":
            self.meta.add("credits", it.text, where)
        else:
            self.meta.add("captions", it.text, where)
            if id(it) in self.credit_for:
                self.meta.add("credits", self.credit_for[id(it)][1], where)

    def _heading(self, it: _Item, where: int) -> None:
        """A marked heading, or a pull quote marked like one."""
        body = it.text.strip()
        if not body:
            return
        if _ends_sentence(body) or len(squeeze_spaces(body)) > 50:
            self.meta.add("quotes", body, where)
            self.just_quote = True
            return
        if self.just_quote and len(body) <= 30 and re.match(rf"^{_NAME}\s+\S", body):
            self.meta.add("quotes", body, where)
            return
        self.just_quote = False
        self.cur = None
        self.blocks.append(_Block("heading", [body], level=it.level))

    def _story_ends_after(self, i: int) -> bool:
        """Whether a story ends after line ``i``: a lead, a heading or the page end follows."""
        items, n, run_end = self.items, len(self.items), self.run_end
        nxt = next((x for x in items[i + 1 : i + 4] if x.kind in ("text", "heading")), None)
        return (
            nxt is None
            or nxt.kind == "heading"
            or bool(LEAD.match(nxt.text))
            or run_end[i + 1] == n
            or items[run_end[i + 1]].kind == "heading"
            or bool(LEAD.match(items[run_end[i + 1]].text))
        )

    def _without_trailing_byline(self, i: int, line: str, where: int) -> str:
        """Names after the last full stop of a paragraph line: a byline. On a page of wrapped columns
        only where the story ends there, since a wrapped line may end in the next sentence's first word."""
        tm = _TRAILING_NAMES.search(line)
        if tm and self.wrapped and not self._story_ends_after(i):
            tm = None
        if tm and all(is_person_name(t) for t in tm.group("names").split()):
            self.meta.add("bylines", tm.group("names"), where, at_end=True)
            line = line[: tm.start()].rstrip()
        return line

    def _lead(self, lm: re.Match[str]) -> None:
        """A paragraph opening with a dateline lead and maybe its reporter in brackets."""
        by = lm.group("by")
        rest = lm.string[lm.end() :]
        if by:
            inner = by[1:-1].strip()
            if _HAS_ROLE.search(inner) or _names_only(inner):
                self.meta.add("bylines", inner, len(self.blocks))
            else:
                rest = by + rest
        self.cur = _Block("para", [lm.group("lead") + " ", rest], lead=True)
        self.blocks.append(self.cur)
        if _ends_sentence(rest.rstrip()):
            self.cur = None

    def _gap_caption(self, i: int, it: _Item, line: str) -> bool:
        """A short creditless caption standing in an image gap inside an unfinished paragraph."""
        return (
            self.cur is not None
            and it.gap >= 2
            and len(it.flat) <= 50
            and not _ends_sentence(line)
            and i + 1 < len(self.items)
            and self.items[i + 1].kind == "text"
        )

    def _unmarked_heading(self, i: int, it: _Item, line: str) -> bool:
        """Whether a line opening no paragraph is a heading: in a block of headlines, or short."""
        if self.markdown or not self.cjk or not _is_title_like(it):
            return False
        nxt_i = self.run_end[i]
        nxt = self.items[nxt_i] if nxt_i < len(self.items) else None
        block_of_titles = nxt is None or nxt.kind == "heading" or bool(LEAD.match(nxt.text))
        short = _is_u(it) and (
            len(it.flat) <= (0.8 * self.colwidth if self.wrapped else 40) or bool(_SPACED_HEADLINE.match(line))
        )
        return block_of_titles or short

    def _text(self, i: int, it: _Item, where: int) -> None:
        line = self._without_trailing_byline(i, it.text, where)
        lm = LEAD.match(line)
        if lm:
            self._lead(lm)
            return
        if self._gap_caption(i, it, line):
            self.meta.add("captions", line, where)
            return
        if self.cur is not None:
            self.cur.parts.append(line)
        else:
            if self._unmarked_heading(i, it, line):
                self.blocks.append(_Block("heading", [line], level=2))
                return
            self.cur = _Block("para", [line])
            self.blocks.append(self.cur)
        if _ends_sentence(line.rstrip()):
            self.cur = None


def _kept_blocks(blocks: list[_Block], rendered: list[str]) -> list[bool]:
    """Rule 3 on blocks: a repeated paragraph keeps its first place; a repeated heading keeps its last
    place that still has text under it (the first place when none has)."""
    keep = [bool(r.strip("# ")) for r in rendered]
    seen_para: set[str] = set()
    for k, (b, r) in enumerate(zip(blocks, rendered, strict=True)):
        if keep[k] and b.kind == "para" and len(r) >= 8:
            if r in seen_para:
                keep[k] = False
            seen_para.add(r)
    _drop_contained(blocks, rendered, keep)
    places: dict[str, list[int]] = {}
    for k, b in enumerate(blocks):
        if b.kind == "heading" and keep[k]:
            places.setdefault(rendered[k].lstrip("#").strip(), []).append(k)
    for ks in places.values():
        if len(ks) > 1:
            over_text = [k for k in ks if k + 1 < len(blocks) and blocks[k + 1].kind == "para" and keep[k + 1]]
            chosen = over_text[-1] if over_text else ks[0]
            for k in ks:
                keep[k] = k == chosen
    return keep


def _join(rendered: list[str], keep: list[bool], meta: _Meta) -> tuple[str, dict[str, list[str]]]:
    """The kept blocks as the clean text, and the metadata with each item's offset in it."""
    out: list[str] = []
    offsets: list[int] = []
    pos = 0
    for k, r in enumerate(rendered):
        offsets.append(pos)
        if keep[k]:
            out.append(r)
            pos += len(r) + 2
    offsets.append(pos)
    clean = "\n\n".join(out)
    clean = clean + "\n" if clean else ""
    result: dict[str, list[str]] = {}
    for kind, values in meta.items.items():
        result[kind] = values
        result[f"{kind}_at"] = [
            str(min(offsets[b] + (len(rendered[b]) if end and b < len(rendered) and keep[b] else 0), len(clean)))
            for b, end in meta.where[kind]
        ]
    return clean, result


_CLAUSE = re.compile(r"[^，。！？；、：,;!?:\n]+")


@cache
def _traditional_only() -> re.Pattern[str]:
    """A character only traditional text uses: zhconv's own test, one character at a time, less the
    few it counts as traditional but leaves as they are in simplified text (覆 of 覆盖, 藉, 彷)."""
    marked = [
        chr(c)
        for lo, hi in ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))
        for c in range(lo, hi)
        if zhconv.issimp(chr(c)) is False
    ]
    converted = zhconv.convert("\n".join(marked), "zh-cn").split("\n")  # one call: 30x as fast as one a character
    if len(converted) != len(marked):
        converted = [zhconv.convert(ch, "zh-cn") for ch in marked]
    return re.compile("[" + "".join(ch for ch, to in zip(marked, converted, strict=True) if to != ch) + "]")


def to_simplified(text: str) -> str:
    """Traditional Chinese converted to simplified, clause by clause, so offsets still hold.

    Matching runs on the simplified text (the lexicons and rules are simplified); the page's own
    spelling of every name found is kept (see ``link.add_original_spellings``). Only clauses holding
    a character no simplified text uses are converted, so a page that mixes the scripts (a
    traditional name quoted in a simplified story, stories of both kinds on one page) is converted
    where it is traditional, and simplified text is never touched (zhconv would "correct" some
    simplified names, 钜 → 巨). zhconv converts some phrases as a whole; where that changes a
    clause's length, that clause is converted one character at a time instead.
    """
    traditional = _traditional_only()
    if not traditional.search(text):
        return text
    out: list[str] = []
    pos = 0
    for m in _CLAUSE.finditer(text):
        clause = m.group()
        if not traditional.search(clause):
            continue
        conv = zhconv.convert(clause, "zh-cn")
        if len(conv) != len(clause):
            conv = "".join(c if len(s := zhconv.convert(c, "zh-cn")) != 1 else s for c in clause)
        out += (text[pos : m.start()], conv)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)
