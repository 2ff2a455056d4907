"""Split a normalized page into articles and an article into sentences.

The page comes from :func:`kg.ingest.normalize.normalize`: one block a line, headings as ``#`` lines.

An article starts at the page's first paragraph, at a news lead (本报讯, 科技日报讯, …讯, 新华社…电) and
at every paragraph a heading stands over. A heading followed directly by a paragraph titles that
paragraph's article. Headings that stand together (a block of headlines, as PDF pages print them
apart from their stories, or a kicker over a headline) are matched to the stories by what they say:
each headline goes to the paragraph whose opening shares the most rare character pairs with it, and
starts an article there if none started yet. Sections under a story's headline are articles of their
own; they carry the story's headline in ``meta["headline"]``.

Offsets: ``Article.span`` is the span of ``Article.text`` in the normalized page
(``page[span[0]:span[1]] == text``), so the title line and a lead's 本报讯 marker are outside it;
``Article.title_spans`` are the spans of the headings that make the title. ``Sentence.start/end``
are offsets in ``Article.text``. :func:`with_headline` then puts the title at the head of the text
(``Article.head`` characters, after which ``text[head:] == page[span[0]:span[1]]`` still holds).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from dataclasses import dataclass, field, replace

from ..model import Article, RawDoc, Sentence
from .normalize import LEAD, NUMERIC_UNITS, to_simplified, without_credit

_SENT = re.compile(r"[^。！？；!?;\n]+(?:[。！？；!?;]+[”’」』)）]*)?|[。！？；!?;]+[”’」』)）]*")
_LINE = re.compile(r"[^\n]+")
_HEADING = re.compile(r"^(#{1,6}) (.*)$")
_RUN = re.compile(r"[\u3400-\u9fffA-Za-z0-9]+")
_NUMERIC = re.compile(rf"^[\d.,%+\-~～{NUMERIC_UNITS} ]+$")  # a figure in a box (5250万元)
_HEAD_CHARS = 200  # how much of a paragraph's opening a headline is matched against
_WINDOW = 400  # paragraphs either side of a headline block that may be its story


def split_sentences(text: str) -> list[Sentence]:
    """Sentences end at 。！？； (with any closing quote) and at line ends; spaces are trimmed off."""
    out: list[Sentence] = []
    for m in _SENT.finditer(text):
        start, end = m.start(), m.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append(Sentence(start, end, text[start:end]))
    return out


@dataclass
class _Block:
    kind: str  # heading | para
    start: int  # offset of the line in the page
    end: int
    text: str
    level: int = 0
    body: int = 0  # paragraphs: where the text proper starts (after a lead marker); headings: their text
    lead: bool = False


@dataclass
class _Story:
    para: int  # index into paragraphs
    title: list[str] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)  # block indices of the headings that title it
    story_start: bool = False


def _parse(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    for m in _LINE.finditer(text):
        line = m.group()
        h = _HEADING.match(line)
        if h:
            title = h.group(2)
            at = m.start() + h.start(2) + len(title) - len(title.lstrip())
            blocks.append(_Block("heading", m.start(), m.end(), title.strip(), level=len(h.group(1)), body=at))
            continue
        lm = LEAD.match(line)
        body = m.start() + (lm.end() if lm else 0)
        blocks.append(_Block("para", m.start(), m.end(), line, body=body, lead=bool(lm)))
    return blocks


def _bigrams(text: str) -> set[str]:
    grams: set[str] = set()
    for run in _RUN.findall(text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


class _Matcher:
    """Score a headline against paragraph openings, rare character pairs counting most."""

    def __init__(self, blocks: list[_Block], paras: list[int]) -> None:
        texts = [blocks[b].text[blocks[b].body - blocks[b].start :] for b in paras]
        # a paragraph's opening runs on into the next ones when it is short
        self.heads: list[set[str]] = []
        for k in range(len(texts)):
            opening, j = texts[k][:_HEAD_CHARS], k + 1
            while len(opening) < _HEAD_CHARS and j < len(texts) and j < k + 8:
                opening += texts[j][: _HEAD_CHARS - len(opening)]
                j += 1
            self.heads.append(_bigrams(opening))
        self.df: Counter[str] = Counter()
        for grams in self.heads:
            self.df.update(grams)

    def score(self, title: str, p: int) -> float:
        # pairs no paragraph opens with say nothing about which story is meant
        grams = [g for g in _bigrams(title) if self.df[g]]
        if not grams:
            return 0.0
        weights = {g: 1.0 / self.df[g] for g in grams}
        total = sum(weights.values())
        return sum(w for g, w in weights.items() if g in self.heads[p]) / total


def _title(stories: dict[int, _Story], para: int, heading: int, blocks: list[_Block]) -> None:
    st = stories.setdefault(para, _Story(para))
    st.story_start = True
    st.title.append(blocks[heading].text)
    st.headings.append(heading)


def segment(raw: RawDoc, text: str, meta: dict[str, list[str]]) -> list[Article]:
    blocks = _parse(text)
    paras = [i for i, b in enumerate(blocks) if b.kind == "para"]
    if not paras:
        return _headings_only(raw, text, blocks, meta)
    heads = _Headlines(blocks, paras, _lead_stories(blocks, paras, meta))
    for group in _heading_groups(blocks):
        heads.place(group)
    heads.place_pending()
    heads.mark_story_starts()
    articles, owner_of_heading = _articles(raw, text, heads)
    _assign_meta(articles, blocks, owner_of_heading, meta)
    return _with_doc_meta(raw, articles)


def _lead_stories(blocks: list[_Block], paras: list[int], meta: dict[str, list[str]]) -> dict[int, _Story]:
    """The stories known before any heading is placed: the page start, and a story at each news lead
    and at each paragraph a byline stands over (where no heading does, as on pages whose headlines were
    printed apart)."""
    stories: dict[int, _Story] = {0: _Story(0, story_start=True)}
    signed = {int(o) for o in meta.get("bylines_at", [])}
    for k, bi in enumerate(paras):
        if blocks[bi].lead or blocks[bi].start in signed:
            stories.setdefault(k, _Story(k)).story_start = True
    return stories


def _heading_groups(blocks: list[_Block]) -> list[list[int]]:
    """Runs of consecutive heading blocks."""
    groups: list[list[int]] = []
    for i, blk in enumerate(blocks):
        if blk.kind == "heading":
            if groups and groups[-1][-1] == i - 1:
                groups[-1].append(i)
            else:
                groups.append([i])
    return groups


@dataclass
class _Headlines:
    """Which paragraph each heading titles: stories by paragraph index, as the heading groups are placed."""

    blocks: list[_Block]
    paras: list[int]
    stories: dict[int, _Story]
    para_pos: dict[int, int] = field(init=False)  # block index → paragraph index
    matcher: _Matcher | None = None
    mapped_any: bool = False
    labels: dict[int, list[str]] = field(default_factory=dict)  # paragraph index → unplaced heading text
    anchored_levels: list[int] = field(default_factory=list)
    pending: list[tuple[int, int]] = field(default_factory=list)  # (paragraph, heading) placed after all groups

    def __post_init__(self) -> None:
        self.para_pos = {b: k for k, b in enumerate(self.paras)}

    def place(self, group: list[int]) -> None:
        """Place one run of headings: a lone heading titles the paragraph under it; in a block of
        headlines each goes to the story whose opening it matches best."""
        blocks = self.blocks
        after = group[-1] + 1
        next_para = self.para_pos.get(after) if after < len(blocks) else None
        if len(group) == 1 and next_para is not None:
            st = self.stories.setdefault(next_para, _Story(next_para))
            st.title.append(blocks[group[0]].text)
            st.headings.append(group[0])
            if not _NUMERIC.match(blocks[group[0]].text):
                self.anchored_levels.append(blocks[group[0]].level)
            return
        if self.matcher is None:
            self.matcher = _Matcher(blocks, self.paras)
        # where the group sits among the paragraphs
        before = bisect_left(self.paras, group[0])
        lo, hi = max(0, before - _WINDOW), min(len(self.paras), before + _WINDOW)
        placed = [(h, self._target(self.matcher, h, lo, hi, next_para)) for h in group]
        real = [h for h, p in placed if p is not None]
        if len(real) == 1 and next_para is not None and not blocks[self.paras[next_para]].lead:
            # one headline among labels and figures: it titles the text under it, as a lone heading would
            placed = [(h, next_para if h == real[0] else None) for h, _ in placed]
        for h, target in placed:
            self._assign(h, target, next_para)

    def _target(self, matcher: _Matcher, h: int, lo: int, hi: int, next_para: int | None) -> int | None:
        """The paragraph heading ``h`` titles among paragraphs ``lo:hi``, or None."""
        title = self.blocks[h].text
        if _NUMERIC.match(title):  # a figure in a box ("5250万元") names no story
            return None
        # the best story start (a lead, the page start, a signed paragraph) and the best paragraph of all
        best_start, start_score, best_any, any_score = None, 0.0, None, 0.0
        for p in range(lo, hi):
            s = matcher.score(title, p)
            if s > any_score:
                best_any, any_score = p, s
            if p in self.stories and self.stories[p].story_start or p == next_para:
                s2 = s + (0.05 if p == next_para else 0.0)
                if s2 > start_score:
                    best_start, start_score = p, s2
        if best_any is not None and any_score >= 0.5 and any_score > start_score + 0.2:
            return best_any  # clearly better inside a story: may start a new one there
        if best_start is not None and start_score >= 0.25:
            return best_start
        return None

    def _assign(self, h: int, target: int | None, next_para: int | None) -> None:
        if target is None:
            if next_para is not None:  # a column label, kicker or figure nothing else claims
                self.labels.setdefault(next_para, []).append(self.blocks[h].text)
        elif target in self.stories and self.stories[target].story_start or target == next_para:
            _title(self.stories, target, h, self.blocks)
            self.mapped_any = True
        else:
            self.pending.append((target, h))

    def place_pending(self) -> None:
        """A headline that best matches a paragraph inside a story starts a new story there only when
        the story around it already has a headline that fits it better; otherwise it is that story's
        headline."""
        stories, matcher = self.stories, self.matcher
        story_starts = sorted(k for k, st in stories.items() if st.story_start)
        for target, h in sorted(self.pending):
            container = story_starts[max(0, bisect_right(story_starts, target) - 1)] if story_starts else 0
            owner = stories.get(container)
            title = self.blocks[h].text
            split = (
                owner is not None
                and bool(owner.headings)
                and matcher is not None
                and matcher.score(title, container) < 0.5 * matcher.score(title, target)
            )
            _title(stories, target if split else container, h, self.blocks)
            if split:
                insort(story_starts, target)
            self.mapped_any = True

    def mark_story_starts(self) -> None:
        """Which titled paragraphs start a story (the others are sections of the story above them): on
        Markdown pages the headings of the top level; on pages whose headlines stood in a block, only those."""
        blocks = self.blocks
        levels_used = {blocks[h].level for st in self.stories.values() for h in st.headings}
        if not (self.mapped_any and len(levels_used) <= 1):
            top_level = min(self.anchored_levels) if self.anchored_levels else 0
            for st in self.stories.values():
                levels = [blocks[h].level for h in st.headings]
                if levels and min(levels) <= top_level:
                    st.story_start = True


def _articles(raw: RawDoc, text: str, heads: _Headlines) -> tuple[list[Article], dict[int, int]]:
    """One article per story, with the headline of the story a section belongs to, and which article
    each heading went to."""
    blocks, paras, stories = heads.blocks, heads.paras, heads.stories
    starts = sorted(stories)
    articles: list[Article] = []
    owner_of_heading: dict[int, int] = {}
    headline = ""
    for n, k in enumerate(starts):
        st = stories[k]
        last = (starts[n + 1] if n + 1 < len(starts) else len(paras)) - 1
        first_block, last_block = blocks[paras[k]], blocks[paras[last]]
        span = (first_block.body, last_block.end)
        body = text[span[0] : span[1]]
        title = " ".join(st.title)
        art_meta: dict[str, list[str]] = {}
        if st.story_start:
            headline = title
        elif headline and headline != title:
            art_meta["headline"] = [headline]
        if k in heads.labels:
            art_meta["labels"] = heads.labels[k]
        for h in st.headings:
            owner_of_heading[h] = len(articles)
        articles.append(
            Article(
                doc=raw.doc,
                path=raw.path,
                index=len(articles),
                title=title,
                text=body,
                span=span,
                sentences=split_sentences(body),
                meta=art_meta,
                title_spans=[(blocks[h].body, blocks[h].body + len(blocks[h].text)) for h in st.headings],
            )
        )
    return articles, owner_of_heading


def _with_doc_meta(raw: RawDoc, articles: list[Article]) -> list[Article]:
    """Give every article its document's metadata (a .jsonl line's keys but id and text)."""
    # a .jsonl document may carry its title beside the text
    if articles and not articles[0].title and raw.meta.get("title", "").strip():
        articles[0].title = " ".join(raw.meta["title"].split())
    for art in articles:
        for key, value in raw.meta.items():
            if key != "id" and key not in art.meta:
                art.meta[key] = [value]
    return articles


def with_headline(art: Article) -> Article:
    """The article with its title as the first line of its text, so the title is searched like a
    sentence (a headline often states the story's main relation) and can be a relation's evidence.

    A credit in the title (来源：…, …供图) is left out. A title given beside a ``.jsonl`` document's
    text is converted to simplified characters like the page (the page's own titles already are).
    """
    title = to_simplified(without_credit(art.title))
    if not title or art.head or _NUMERIC.match(title):  # a figure in a box ("5250万元") says nothing
        return art
    text = f"{title}\n{art.text}"
    head = len(title) + 1
    sentences = split_sentences(title) + [Sentence(s.start + head, s.end + head, s.text) for s in art.sentences]
    return replace(art, text=text, head=head, sentences=sentences)


def _headings_only(raw: RawDoc, text: str, blocks: list[_Block], meta: dict[str, list[str]]) -> list[Article]:
    """A page with no paragraph: each heading line is an article's text, since a document of one short
    sentence (a .jsonl line, a title) reads as a headline and would otherwise give nothing to extract;
    a page of only bylines, captions or an end mark still gives one article, with no text (carrying them)."""
    articles: list[Article] = []
    for blk in blocks:
        start = text.find(blk.text, blk.start)  # the heading's text, after its "# " marker
        articles.append(
            Article(
                doc=raw.doc,
                path=raw.path,
                index=len(articles),
                title="",
                text=blk.text,
                span=(start, blk.end),
                sentences=split_sentences(blk.text),
            )
        )
    if not articles and raw.text.strip():
        articles.append(Article(doc=raw.doc, path=raw.path, index=0, title="", text="", span=(0, 0)))
    if articles:
        _assign_meta(articles, blocks, {i: i for i in range(len(blocks))}, meta)
    return _with_doc_meta(raw, articles)


def _assign_meta(
    articles: list[Article], blocks: list[_Block], owner_of_heading: dict[int, int], meta: dict[str, list[str]]
) -> None:
    """Give each byline, caption, credit and quote to the article it stood in (or over)."""
    starts = [b.start for b in blocks]
    art_starts = [art.span[0] for art in articles]
    for kind, values in meta.items():
        if kind.endswith("_at"):
            continue
        where = meta.get(f"{kind}_at", [])
        for value, at in zip(values, where, strict=False):
            off = int(at)
            owner: int | None = None
            k = bisect_left(starts, off)
            if k >= len(blocks) or blocks[k].kind == "heading":
                # standing among headlines (or after the last block): the headline just above owns it
                h = k - 1
                if h >= 0 and blocks[h].kind == "heading" and h in owner_of_heading:
                    owner = owner_of_heading[h]
            if owner is None:
                a = bisect_right(art_starts, off) - 1
                owner = a if a >= 0 and off <= articles[a].span[1] else min(max(a + 1, 0), len(articles) - 1)
            articles[owner].meta.setdefault(kind, []).append(value)
