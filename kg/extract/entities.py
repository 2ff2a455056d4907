"""Find entity mentions in an article.

Like a spaCy pipeline of small rule components, each component proposes candidate spans over a
sentence and a final step keeps the best non-overlapping ones:

* ``lexicon``: Aho-Corasick over the shipped general lexicons (national high-tech zones, universities,
  CAS institutes, central government bodies, well-known companies and their short forms);
* ``suffix``: a name suffix (有限公司, 高新区, 研究院, 管委会 …) whose left edge is found by walking
  jieba tokens back until a boundary word (function word, news verb, generic noun);
* ``quoted``: a quoted name ending in a project suffix (“雏鹰计划”);
* ``list``: the items of an enumeration closed by 等企业 / 等公司;
* ``apposition``: the name after a category noun (园区企业X, 龙头企业X) that ends in an industry word;
* ``person``: a surname-initial name next to a role word (主任王某某) or a reporting verb (王某某表示).

The rules and word lists are data files in ``kg/data/lexicons``; this module only combines them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from math import log
from typing import Any

import ahocorasick

from ..resources.lexicon import (
    load_list,
    load_patterns,
    load_sets,
    load_table,
    load_uses,
    pkg_resources_hidden,
    split_multi,
)

with pkg_resources_hidden():
    import jieba
    from jieba import finalseg


# The rules' word sets, company forms and regular expressions are data (kg/data/lexicons): entity_words.tsv,
# company_forms.tsv (each form listed once, marked with the rules that use it) and entity_patterns.tsv.
# Only punctuation sets and the quote and bracket patterns stay here: they are the text's structure,
# not its vocabulary.
_WORDS = load_sets("entity_words.tsv")
_FORMS = load_uses("company_forms.tsv")
_RE = {
    name: re.compile(pattern)
    for name, pattern in load_patterns(
        "entity_patterns.tsv", tuple((f"company_{use}", forms) for use, forms in sorted(_FORMS.items()))
    ).items()
}


def _chars(key: str) -> str:
    """A set of single characters as a string, for ``str.rstrip`` and ``in`` tests."""
    return "".join(_WORDS[key])


_HARD_STOP = set("，。、；：！？,.;:!?“”‘’\"'《》〈〉【】[]「」『』…—\n\t ·•●◆■□▲△▶►◎※/|")
_OPEN = {"（": "）", "(": ")"}
_CLOSE = {"）": "（", ")": "("}
_CJK = re.compile(r"[\u3400-\u9fff]")
_LEADING_JUNK = _RE["leading_junk"]
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9&'’.\-]*(?: [A-Z][A-Za-z0-9&'’.\-]*)*")

TYPE_RANK = {"Government": 0, "University": 1, "Institute": 2, "Park": 3, "Company": 4, "Project": 5, "Person": 6}


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    type: str
    rule: str
    strength: int  # 3 lexicon full name, 2 suffix rule, 1 weaker pattern
    name: str = ""  # the name when it is not the span's text (江西省委省政府 → 江西省政府)
    confidence: float = 1.0  # probability-like score in [0, 1]; rules keep 1.0


def _safe_table(name: str) -> tuple[dict[str, str], ...]:
    try:
        return load_table(name)
    except FileNotFoundError:
        return ()


def _safe_list(name: str) -> tuple[str, ...]:
    try:
        return load_list(name)
    except FileNotFoundError:
        return ()


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@dataclass
class Resources:
    """Everything the recognizer loads once per process."""

    names: ahocorasick.Automaton  # surface -> (type, rule, canonical)
    suffixes: ahocorasick.Automaton  # suffix -> (suffix, type, max_len, need)
    false_suffix: frozenset[str]
    boundaries: frozenset[str]
    generic: frozenset[str]
    places: frozenset[str]
    surnames: frozenset[str]
    roles: tuple[str, ...]
    roles_set: frozenset[str]
    person_cues: ahocorasick.Automaton  # role words and reporting verbs -> (word, is_role)
    industry_tails: tuple[str, ...]
    name_words: frozenset[str]
    action_verbs: frozenset[str]
    generic_project: re.Pattern[str]  # a prefix ending in a descriptive modifier (重大, 龙头 …)
    generic_project_start: re.Pattern[str]  # a prefix opening with one
    word_tags: dict[str, str]  # jieba's dictionary part-of-speech tags
    canonical: dict[tuple[str, str], str]  # (type, surface) -> canonical full name from a lexicon
    canonical_forms: frozenset[str]
    company_cores: frozenset[str]  # trade names of known companies: 恒力 of 恒力集团
    tokenizer: jieba.Tokenizer
    # memoised, see __post_init__
    cut: Callable[[str, bool], tuple[str, ...]] = field(init=False, repr=False, compare=False)
    cut_without: Callable[[str, str], tuple[str, ...]] = field(init=False, repr=False, compare=False)
    proper_part: Callable[[str], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # jieba's cuts of short windows are most of the recognizer's time, and the same windows (a
        # name and the words before it) and the same name prefixes recur within and across articles:
        # both are pure functions of the text and these resources, so they are memoised (bounded).
        tokenizer = self.tokenizer
        own_cut = jieba.__version__ == _JIEBA_VERSION

        def cut(text: str, hmm: bool) -> tuple[str, ...]:
            if own_cut:
                return _jieba_cut(tokenizer, text, hmm)
            return tuple(tokenizer.cut(text, HMM=hmm))

        def cut_without(text: str, word: str) -> tuple[str, ...]:
            if own_cut:
                return _jieba_cut(tokenizer, text, False, word)
            return tuple(tokenizer.cut(text, HMM=False))

        self.cut = lru_cache(maxsize=_MEMO_SIZE)(cut)
        self.cut_without = lru_cache(maxsize=_MEMO_SIZE)(cut_without)
        self.proper_part = lru_cache(maxsize=_MEMO_SIZE)(partial(_has_proper_part, self))


_MEMO_SIZE = 1 << 13  # distinct strings memoised per function and process (~3 MB each when full)
_JIEBA_VERSION = "0.42.1"  # the jieba whose cut and dictionary format this module reproduces


def _jieba_cut(tokenizer: jieba.Tokenizer, text: str, hmm: bool, without: str = "") -> tuple[str, ...]:  # noqa: C901
    """``tuple(tokenizer.cut(text, HMM=hmm))`` as jieba 0.42.1 computes it, 1.6-2x as fast on the
    short windows the rules cut (jieba's own cut was a tenth of extraction); ``without``: as if that
    word were not in the dictionary.

    The same blocks, the same dictionary walk and the same floating-point scores, in one loop: the
    word from ``k`` is the dictionary word (or lone character) maximising
    ``log(freq) - log(total) + score[end]``, ties going to the longer word, as jieba's ``max`` over
    ``(score, end)`` pairs does. Then, as jieba does, a run of single characters is joined: without
    HMM only Latin letters and digits; with HMM the run goes to jieba's HMM (finalseg) unless it
    is a dictionary word, which is split into its characters."""
    freq = tokenizer.FREQ
    logtotal = log(tokenizer.total)
    out: list[str] = []

    def flush(buf: str) -> None:
        if not hmm or len(buf) == 1:
            out.append(buf)
        elif not freq.get(buf):
            out.extend(finalseg.cut(buf))
        else:
            out.extend(buf)  # one character at a time

    for blk in jieba.re_han_default.split(text):
        if not blk:
            continue
        if not jieba.re_han_default.match(blk):
            for part in jieba.re_skip_default.split(blk):
                if jieba.re_skip_default.match(part):
                    out.append(part)
                else:
                    out.extend(part)  # one character at a time
            continue
        n = len(blk)
        score: list[float] = [0.0] * (n + 1)
        last = [0] * (n + 1)  # the index of the last character of the best word from k
        for k in range(n - 1, -1, -1):
            best: float | None = None
            i, frag = k, blk[k]
            while i < n and frag in freq:
                f = freq[frag]
                if f and not (without and frag == without):
                    sc = log(f) - logtotal + score[i + 1]
                    if best is None or sc >= best:
                        best, last[k] = sc, i
                i += 1
                frag = blk[k : i + 1]
            if best is None:  # no dictionary word starts here: the character alone
                best, last[k] = log(freq.get(blk[k]) or 1) - logtotal + score[k + 1], k
            score[k] = best
        x, buf = 0, ""
        while x < n:
            y = last[x] + 1
            word = blk[x:y]
            if y - x == 1 and (hmm or jieba.re_eng.match(word)):
                buf += word
            else:
                if buf:
                    flush(buf)
                    buf = ""
                out.append(word)
            x = y
        if buf:
            flush(buf)
    return tuple(out)


# Lexicon files: (file, type, name column, columns holding other names of the same thing).
LEXICONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("hitech_zones.tsv", "Park", "name", ("short", "aliases")),
    ("econ_zones.tsv", "Park", "name", ("short", "aliases")),
    ("other_parks.tsv", "Park", "name", ("short", "aliases")),
    ("universities.tsv", "University", "name", ("abbr",)),
    ("cas_institutes.tsv", "Institute", "name", ("short",)),
    ("institutes.tsv", "Institute", "name", ("short",)),
    ("government.tsv", "Government", "name", ("short",)),
    ("companies.tsv", "Company", "name", ("short",)),
)


@cache
def resources() -> Resources:
    names = ahocorasick.Automaton()
    canonical: dict[tuple[str, str], str] = {}
    seen: dict[str, tuple[str, str, str]] = {}
    for fname, type_, col, alt_cols in LEXICONS:
        for row in _safe_table(fname):
            full = row.get(col, "")
            if not full:
                continue
            forms = [full] + [a for c in alt_cols for a in split_multi(row.get(c, ""))]
            for form in forms:
                form = nfkc(form)
                if len(form) < 2 or form in seen:
                    continue
                seen[form] = (type_, f"lexicon:{fname.split('.')[0]}", nfkc(full))
                canonical[(type_, form)] = nfkc(full)
    suffix_rows = _suffix_rows()
    suffixes = ahocorasick.Automaton()
    for row in suffix_rows:
        suffixes.add_word(row["suffix"], (row["suffix"], row["type"], int(row["max_len"]), int(row["need_prefix"])))
    suffixes.make_automaton()

    places: set[str] = set()
    for row in _safe_table("places.tsv"):
        places.add(row["name"])
        places.update(split_multi(row.get("short", "")))
    words = [w for w in list(seen) + sorted(places) if _CJK.search(w)]
    words += [row["suffix"] for row in suffix_rows]
    tokenizer, word_tags = _tokenizer(words)
    # pyahocorasick scans a node's children in insertion order, and the root has hundreds: names
    # opening with common characters go in first (~12% faster matching; the same matches)
    for form in sorted(seen, key=lambda f: -tokenizer.FREQ.get(f[0], 0)):
        names.add_word(form, (form, *seen[form]))
    names.make_automaton()
    return Resources(
        names=names,
        suffixes=suffixes,
        false_suffix=frozenset(load_list("entity_false_suffixes.txt")),
        boundaries=frozenset(load_list("entity_boundaries.txt")),
        generic=frozenset(load_list("generic_names.txt")),
        places=frozenset(places),
        surnames=frozenset(_safe_list("surnames.txt")),
        roles=tuple(sorted(_safe_list("roles.txt"), key=len, reverse=True)),
        roles_set=frozenset(_safe_list("roles.txt")),
        person_cues=_person_cues(),
        industry_tails=tuple(sorted(load_list("company_tails.txt"), key=len, reverse=True)),
        name_words=frozenset(load_list("entity_name_words.txt")),
        action_verbs=frozenset(load_list("entity_action_verbs.txt")),
        generic_project=re.compile(
            "(?:"
            + "|".join(map(re.escape, load_list("project_generic_modifiers.txt")))
            + ")"
            + _RE["generic_project_tail"].pattern
        ),
        generic_project_start=re.compile("|".join(map(re.escape, load_list("project_generic_modifiers.txt")))),
        word_tags=word_tags,
        canonical=canonical,
        canonical_forms=frozenset(seen),
        company_cores=frozenset(
            core
            for form, (type_, _r, _f) in seen.items()
            if type_ == "Company"
            for core in [_RE["company_core"].sub("", form)]
            if len(core) >= 2 and _CJK.search(core)
        ),
        tokenizer=tokenizer,
    )


def _suffix_rows() -> list[dict[str, str]]:
    """The name suffixes: entity_suffixes.tsv and the company forms of company_forms.tsv that are
    suffixes of their own (those with a max_len)."""
    rows = list(load_table("entity_suffixes.tsv"))
    rows += [
        {"suffix": row["form"], "type": "Company", "max_len": row["max_len"], "need_prefix": row["need_prefix"]}
        for row in load_table("company_forms.tsv")
        if row["max_len"]
    ]
    return rows


def _person_cues() -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for verb in _SPEECH:
        auto.add_word(verb, (verb, False))
    for role in _safe_list("roles.txt"):
        auto.add_word(role, (role, True))
    auto.make_automaton()
    return auto


def _tokenizer(words: list[str]) -> tuple[jieba.Tokenizer, dict[str, str]]:
    """jieba's tokenizer with ``words`` added (frequency 2000) and its dictionary's part-of-speech
    table. Loaded from a snapshot in the user's cache folder when one was made for the same jieba,
    dictionary and words: a third of jieba's own start-up, which every worker pays (a one-file rebuild
    waits for it). Otherwise made as jieba makes it and snapshotted (atomically; a folder that cannot
    be written is simply not used)."""
    from ..resources.snapshots import snapshot

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not news for users
    tokenizer = jieba.Tokenizer()
    key = hashlib.sha256(f"jieba {jieba.__version__}\n{_dictionary_id(tokenizer)}\nshared keys\n".encode())
    key.update("\n".join(words).encode("utf-8", "surrogatepass"))

    def make() -> tuple[dict[str, int], int, dict[str, str]]:
        tokenizer.initialize()
        for word in words:
            tokenizer.add_word(word, freq=2000)
        # the tag table's words as the very string objects of FREQ's, so the snapshot holds each word
        # once: a third faster to load (0.23 -> 0.16 s) and smaller in every worker's memory
        same = {word: word for word in tokenizer.FREQ}
        return tokenizer.FREQ, tokenizer.total, {same.get(w, w): t for w, t in _jieba_tags().items()}

    def valid(value: Any) -> bool:
        return (
            isinstance(value, tuple)
            and len(value) == 3
            and isinstance(value[0], dict)
            and isinstance(value[1], int)
            and isinstance(value[2], dict)
        )

    freq, total, tags = snapshot("jieba", key.hexdigest()[:24], make, valid)
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, total, True
    return tokenizer, tags


def _dictionary_id(tokenizer: jieba.Tokenizer) -> str:
    """Which dictionary file the tokenizer loads: its path, size and time stamp."""
    path = tokenizer.dictionary or os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)
    try:
        st = os.stat(path)
    except OSError:
        return str(path)
    return f"{path} {st.st_size} {st.st_mtime_ns}"


def _jieba_tags() -> dict[str, str]:
    """The part-of-speech tag of every word of jieba's dictionary, as ``jieba.posseg`` loads them.

    jieba 0.42.1's dictionary has three space-separated fields a line (word, frequency, tag), so it
    is read in bulk, about twice as fast as importing jieba.posseg (which also loads HMM tables
    this module never uses); anything else goes through jieba.posseg."""
    if jieba.__version__ == _JIEBA_VERSION:
        with jieba.dt.get_dict_file() as f:  # the dictionary jieba.posseg.dt reads
            text = f.read().decode("utf-8")
        fields = text.split()
        if len(fields) == 3 * (text.count("\n") + (not text.endswith("\n"))):  # no odd line
            return dict(zip(fields[0::3], fields[2::3], strict=True))
    from jieba import posseg

    return dict(posseg.dt.word_tag_tab)


# Parts of speech (jieba's tag set) that never stand inside a name: verbs, prepositions, conjunctions,
# particles, adverbs, pronouns, interjections and onomatopoeia.
_BOUNDARY_TAGS = frozenset(
    {"v", "p", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "d", "ad", "r", "y", "e", "o", "vd", "i", "l", "s"}
)
_COMPANY_FORMS = _FORMS["company"]
_VERB_COMPLEMENTS = _chars("verb_complements")


def is_boundary(res: Resources, tok: str) -> bool:
    if tok in res.boundaries:
        return True
    if len(tok) >= 3 and tok[-1] in _VERB_COMPLEMENTS and tok not in res.canonical_forms:
        return True  # 培育出, 引进到: a verb with its complement
    if tok in res.name_words or len(tok) < 2 or tok in res.places:
        # a lone character is a boundary only if listed: trade names are runs of single characters
        # (力创, 合创) that jieba's dictionary tags one by one
        return False
    tag = res.word_tags.get(tok)
    if tag in ("i", "l") and res.word_tags.get(tok[-2:]) in ("n", "vn", "nz", "ng"):
        return False  # 软件产业 is listed as a set phrase but ends in a noun: it can stand in a name
    return tag in _BOUNDARY_TAGS


# ---------------------------------------------------------------------------------------------- rules


def _lexicon_candidates(res: Resources, sent: str) -> list[Candidate]:
    out: list[Candidate] = []
    if len(res.names) == 0:
        return out
    for end, (form, type_, rule, _full) in res.names.iter(sent):
        start = end - len(form) + 1
        if len(form) <= 2 and not on_token_boundaries(res, sent, start, end + 1):
            continue
        if len(form) <= 3 and _STREET_AFTER.match(sent, end + 1):
            continue  # 清华西路, 北大西门: a street or gate named after the short form
        out.append(Candidate(start, end + 1, type_, rule, 3))
    return out


_STREET_AFTER = _RE["street_after"]


def on_token_boundaries(res: Resources, sent: str, start: int, end: int) -> bool:
    """A short name counts only where jieba would cut the sentence around it even if the name were
    not a word of its dictionary (美的 is not in 景色绝美的军舰岛, which is 绝美/的 then; it is in
    美的在顺德设立…). Lexicon names are in jieba's dictionary (and some were already), so with them
    jieba cuts 绝/美的 as readily as the name's own text."""
    lo, hi = max(0, start - 6), min(len(sent), end + 6)
    cuts = {lo}
    pos = lo
    for tok in res.cut_without(sent[lo:hi], sent[start:end]):
        pos += len(tok)
        cuts.add(pos)
    return start in cuts and end in cuts


_INNER_NOUNS = frozenset(_WORDS["inner_nouns"])
_GROUP_FORMS = frozenset(_WORDS["group_forms"])
_PROJECT_CLAUSE_VERBS = frozenset(_WORDS["project_clause_verbs"])
_AFTER_PARK = _RE["after_park"]  # 天津高新区企业X: 企业 after a park is apposition
_BRANCH_SUFFIXES = _WORDS["branch_suffixes"]
_PROJECT_JOINERS = frozenset(_WORDS["project_joiners"])
_LEFT_STOPS = frozenset(_HARD_STOP | _OPEN.keys() | _CLOSE.keys())  # one test for the common case: none


def _left_edge(res: Resources, sent: str, s: int, max_len: int, type_: str = "", suffix: str = "") -> int:  # noqa: C901
    """Walk left from ``s`` over name tokens; stop at punctuation or a boundary word."""
    lo = max(0, s - max_len)
    i = s
    while i > lo:
        ch = sent[i - 1]
        if ch not in _LEFT_STOPS:
            i -= 1
            continue
        if ch in _CLOSE:  # a short bracketed part inside a name: 广州(清远)产业转移工业园
            j = sent.rfind(_CLOSE[ch], lo, i - 1)
            inner = sent[j + 1 : i - 1] if j >= 0 else ""
            if j > lo and 1 <= len(inner) <= 6 and all(_CJK.match(c) for c in inner) and _CJK.match(sent[j - 1]):
                i = j
                continue
        break  # punctuation, an opening bracket, or a closing one that ends no short part
    window = sent[i:s]
    if not window:
        return s
    start = s
    place_like = type_ == "Park"
    depth = 0
    qualified = 2
    toks = res.cut(window, False)
    for k in range(len(toks) - 1, -1, -1):
        tok = toks[k]
        joined = type_ in ("Institute", "University") and k > 0 and start < s
        if tok in _JOINERS and joined and _joinable(res, toks[k - 1]):
            start -= len(tok)  # 电子信息和软件行业协会: two fields joined inside an association's name
            continue
        if (
            tok in _PROJECT_JOINERS
            and type_ == "Project"
            and k > 0
            and start < s
            and not toks[k - 1].endswith(_LEGAL_FORMS)
        ):
            start -= len(tok)  # 某医药物流及冷链仓储基地项目: a project of two parts is one project
            continue
        inner_company = type_ == "Company" and start == s and suffix in _GROUP_FORMS  # 广州某某企业集团
        if (
            tok in _INNER_NOUNS
            and (type_ not in ("Company", "") or inner_company)
            and not _AFTER_PARK.search(sent, lo, start - len(tok))
        ):
            start -= len(tok)  # 优势企业培育工程, 中小企业服务中心: 企业 inside a programme or body's name
            continue
        if type_ == "Company" and start < s and _zone_before_company(res, toks, k, sent[start:s]):
            break  # 广州高新区云舟生物科技有限公司: the zone the company is in, not part of its name
        if tok in _CLOSE:
            depth += 1
        elif tok in _OPEN:
            depth -= 1
        if depth > 0 or tok in _OPEN:  # a bracketed part the bracket scan above accepted: 中以(汕头)
            start -= len(tok)
            if tok in _OPEN:
                qualified = 0  # the bracket qualifies the name before it, which then needs 2 characters
            continue
        if qualified < 2:
            start -= len(tok)
            qualified += len(tok)
            continue
        if tok in _MEASURES and start < s and k > 0 and not _NUMERAL_END.search(toks[k - 1]):
            start -= len(tok)  # 家纺, 名品: a measure word counts only after a number (3家企业)
            continue
        if type_ == "Project" and start == s and k > 0 and _park_word_closes(res, toks, k):
            start -= len(tok)  # 某某未来园区项目: the park being built names the project
            continue
        if is_boundary(res, tok) or (start < s and tok.endswith(_COMPANY_FORMS) and suffix not in _BRANCH_SUFFIXES):
            break
        if tok in _APPOSITIVE_DASHES and k > 0 and toks[k - 1] in res.generic:
            break  # 运营平台-某研究院: the kind, a dash, then the name
        if (
            len(tok) >= 3
            and tok[0] in _GLUED
            and tok not in res.canonical_forms
            and res.word_tags.get(tok) in (None, "nr", "nrt", "nrfg")
        ):
            start -= len(tok) - 1  # 和良渚 (新城): a joiner jieba glued to the name's first word
            break
        if k > 0 and toks[k - 1] + tok in res.boundaries:
            break  # 运营方, 项目方: a role noun jieba cuts in two (运营 / 方) ends the walk as a whole
        if _split_boundary(res, toks, k):
            start -= len(tok) - 1  # 组 / 建华英: a verb jieba cut across (组建) ends the walk inside the token
            break
        opens = place_like or (type_ == "Project" and tok in _PROJECT_CLAUSE_VERBS)
        if tok in res.action_verbs and (opens or (start < s and _verb_opens(res, toks, k, suffix))):
            break  # 建设X项目, 共同建设X研究院, 投资建设X总部: the action on the name
        if start < s and type_ != "Government" and tok.endswith(_BODY_ENDINGS):
            break  # 某高新区管委会直属国有企业X: a government body is never inside another kind of name
        start -= len(tok)
    return start


def _split_boundary(res: Resources, toks: tuple[str, ...], k: int) -> bool:
    """Whether a one-character token and the first character of ``toks[k]`` make a boundary word
    (组 / 建华英 holds 组建): jieba glued the verb's last character to the name's first word."""
    tok = toks[k]
    return (
        k > 0
        and len(tok) >= 2
        and len(toks[k - 1]) == 1
        and toks[k - 1] + tok[0] in res.boundaries
        and tok not in res.canonical_forms
    )


def _park_word_closes(res: Resources, toks: tuple[str, ...], k: int) -> bool:
    """Whether ``toks[k]``, a park suffix standing alone (园区, 新城), ends a park's name that the
    token before it opens: then 园区 is no apposition (园区企业X) but the park a project builds."""
    tok = toks[k]
    if not any(v[0] == tok and v[1] == "Park" for _end, v in res.suffixes.iter(tok)):
        return False
    before = toks[k - 1]
    return len(before) >= 2 and not is_boundary(res, before) and before not in res.action_verbs


def _zone_before_company(res: Resources, toks: tuple[str, ...], k: int, rest: str) -> bool:
    """Whether ``toks[k]`` ends a zone's name (or closes a bracketed one: 龙岩高新区(经开区)) standing
    before a company whose own name ``rest`` already holds a trade name; 重庆高新区招商公司, with no trade
    name of its own, is the zone's company and keeps the zone."""
    tok = toks[k]
    if tok in _CLOSE and k > 0:
        tok = toks[k - 1]
    if not tok.endswith(tuple(_ZONE_SUFFIXES)):
        return False
    return has_proper_part(res, _BRACKETED.sub("", rest))


_FUNCTION_CHARS = frozenset(_WORDS["function_chars"])


def _lone_char_before(res: Resources, sent: str, start: int) -> bool:
    """Whether the walk stopped at a lone character of a trade name (上海通正: 正 is listed as an adverb)."""
    if start == 0 or not _CJK.match(sent[start - 1]) or sent[start - 1] in _FUNCTION_CHARS:
        return False
    toks = res.cut(sent[max(0, start - 4) : start], False)
    return len(toks[-1]) == 1 and len(toks) >= 2 and len(toks[-2]) == 1 and _CJK.match(toks[-2]) is not None


def _over_trade_name(res: Resources, sent: str, start: int, s: int, max_len: int) -> int:
    """A registered company's name is place + trade name + industry + form: where the walk stopped
    with only industry words left (生物科技有限公司, 管理有限公司), the word it stopped at is the trade
    name (焕发, 瑞硕企业, 通正) when a place or a proper word stands before it; the walk goes on over it."""
    lo = max(0, s - max_len)
    toks = res.cut(sent[lo:start], False)
    pos = start
    for tok in reversed(toks[-2:]):
        if tok in _LEFT_STOPS or tok in _FUNCTION_CHARS or tok in res.action_verbs or tok in res.roles_set:
            break
        if len(tok) >= 2 and tok in res.boundaries and tok not in _INNER_NOUNS:
            break
        if len(tok) >= 2 and res.word_tags.get(tok) in ("p", "c", "u", "uj", "r", "d", "ad") and not _rare(res, tok):
            break  # a rare dictionary word (鼎新, tagged an adverb) is more likely part of a trade name
        pos -= len(tok)
        # any registered form: the walk asks only whether the suffix is a legal form and not a branch's
        new = _left_edge(res, sent, pos, max_len - (s - pos), "Company", _REGISTERED_FORMS[0])
        if new < pos and (has_proper_part(res, sent[new:pos]) or _rare(res, tok)):
            return new
    return start


def _rare(res: Resources, tok: str) -> bool:
    return res.tokenizer.FREQ.get(tok, 0) < 100


def _verb_opens(res: Resources, toks: tuple[str, ...], k: int, suffix: str) -> bool:
    """Whether the action verb ``toks[k]`` opens a clause (共同建设X研究院, 在某地投资建设X总部) rather
    than stands in a name (软件研发中心, X投资集团): a registered company's name may carry it anywhere,
    other names only after a noun of their own."""
    if suffix.endswith(_LEGAL_FORMS):
        return False
    if k == 0:
        return True
    left = toks[k - 1]
    return left in res.action_verbs or left in res.places or is_boundary(res, left)


_MEASURES = frozenset(_WORDS["measures"])
_APPOSITIVE_DASHES = frozenset(_WORDS["appositive_dashes"])
_NUMERAL_END = _RE["numeral_end"]
_GLUED = frozenset(_WORDS["glued"])
_LEGAL_FORMS = _FORMS["legal"]
_REGISTERED_FORMS = _FORMS["registered"]
_BODY_ENDINGS = _WORDS["body_endings"]


_JOINERS = frozenset(_WORDS["joiners"])
_ORG_ENDINGS = _WORDS["org_endings"]


def _joinable(res: Resources, tok: str) -> bool:
    """A field word may stand before 和/与 inside a name; a whole organisation or a place may not."""
    return (
        len(tok) >= 2
        and res.word_tags.get(tok, "n") in ("n", "vn", "nz", "an")
        and not tok.endswith(_ORG_ENDINGS)
        and tok not in res.places
        and tok not in res.boundaries
    )


def has_proper_part(res: Resources, text: str) -> bool:
    """Whether a name's prefix holds something specific: a place, a known name, a rare or unknown
    word, Latin letters or a number. 重大科技创新项目 has none; 生益科技三期项目 has 生益."""
    return res.proper_part(text)


_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")


def _has_proper_part(res: Resources, text: str) -> bool:
    """:func:`has_proper_part`, not memoised."""
    if _LATIN_OR_DIGIT.search(text):
        return True
    freq = res.tokenizer.FREQ
    for tail in res.industry_tails:
        if text.endswith(tail):
            head = text[: -len(tail)]
            if len(head) >= 2 and _CJK.match(head) and freq.get(head, 0) == 0:
                return True  # 卓正电子: an unknown trade name before an industry word
    toks = res.cut(text, True)
    for a, b in zip(toks, toks[1:], strict=False):
        if len(a) == 1 and len(b) == 1 and _CJK.match(a) and _CJK.match(b):
            return True  # a run of lone characters is a word jieba does not know: a trade name
    for tok in toks:
        if len(tok) < 2:
            continue
        if tok in res.places or tok in res.canonical_forms:
            return True
        tag = res.word_tags.get(tok)
        count = freq.get(tok, 0)
        if tag in ("ns", "nr", "nrt", "nz", "j", "eng", "nrfg") or (tag == "nt" and count < 100):
            return True
        if count == 0 or (tag is None and count < 20):
            return True  # a word jieba's dictionary does not know: a coined name
    return False


def _trim(sent: str, start: int, end: int) -> int:
    """Drop numbers, dates and measure words that precede a name."""
    m = _LEADING_JUNK.match(sent[start:end])
    return start + m.end() if m and m.end() < end - start else start


def _joins_known_name(res: Resources, head: str, known: Candidate) -> bool:
    """Whether the place ``head`` before a known name belongs to it: a province or city does (贵州省 +
    贵阳综合保税区), a district or county before a listed park does not, since listed parks go by
    their own names and the district only locates them."""
    if head not in res.places:
        return False
    district = head.endswith(_DISTRICT_LEVELS) and not head.endswith(_ZONE_DISTRICTS)
    return not (district and known.type == "Park" and known.rule.startswith("lexicon:"))


def _after_zone_before_known(res: Resources, sent: str, start: int, s: int, known: Iterable[Candidate]) -> int:
    """Where a known park named with its own place begins inside the words before a suffix, right
    after another whole zone's name (某合作示范区 + 广东自贸试验区南沙片区), the name begins there: two
    zones stand in apposition."""
    best = start
    for k in known:
        if k.type != "Park" or not start < k.start < s or k.end > s or k.start <= best:
            continue
        if not any(sent[k.start : k.start + n] in res.places for n in (2, 3, 4)):
            continue  # 雄安新区中关村科技园: a known park without a place of its own joins the zone before it
        if _names_a_park(res, sent[start : k.start]):
            best = k.start
    return best


def _suffix_candidates(res: Resources, sent: str, known: list[Candidate] | None = None) -> list[Candidate]:  # noqa: C901
    best: dict[int, tuple[str, str, int, int]] = {}
    for end, val in res.suffixes.iter(sent):
        cur = best.get(end)
        if cur is None or len(val[0]) > len(cur[0]):
            best[end] = val
    out = []
    known_at: dict[int, list[Candidate]] = {}  # by end: only a name ending where the hit ends matters
    for k in known or ():
        known_at.setdefault(k.end, []).append(k)
    for end, (suffix, type_, max_len, need) in sorted(best.items()):
        e = end + 1
        s = e - len(suffix)
        if any(sent[k:e] in res.false_suffix for k in range(max(0, e - 6), s)):
            continue  # 格局, 大厅: the suffix is the end of a listed common word (up to 6 characters)
        if len(suffix) == 1 and sent[e : e + 1] in _ROLE_CHARS:  # 局长, 厅长: a role, the body ends before
            continue
        if sent[s : e + 1] in res.false_suffix or sent[s : e + 2] in res.false_suffix:  # 大学生
            continue
        if type_ == "Project" and _COUNTED_AFTER.match(sent, e):
            continue  # 电商平台项目1个: a kind of project counted, not a name
        if suffix in _PLAN_SUFFIXES and sent[e : e + 1] and sent[e] not in _AFTER_PLAN:
            continue  # 计划明年上市: a verb, not a plan's name
        if suffix in _WORK_COMMITTEE and sent[max(0, s - 3) : s].endswith(_ADMIN_COMMITTEES):
            continue  # 某园管委会工委委员: the body named is the 管委会 before it
        if suffix in _PLAN_VERB and sent[max(0, s - 2) : s].endswith(_PLAN_MANNER):
            continue  # 工作按计划推进: the manner of an action, not a plan's name
        if suffix in _PLAN_VERB and sent[max(0, s - 4) : s].endswith(_LEGAL_FORMS):
            continue  # 某集团计划在…投资: the company plans; 计划 is its verb
        start = _left_edge(res, sent, s, max_len, type_, suffix)
        if (
            type_ == "Company"
            and suffix.endswith(_LEGAL_FORMS)
            and start < s
            and (not has_proper_part(res, _BRACKETED.sub("", sent[start:s])) or _lone_char_before(res, sent, start))
        ):
            start = _over_trade_name(res, sent, start, s, max_len)
        walked = start
        start = _trim(sent, start, s)
        provincial = (
            type_ == "Government"
            and start - walked in (0, 1)
            and sent[walked] in _PROVINCE_CITY
            and suffix in _BUREAU_SUFFIXES
            and (s - walked >= 3 if len(suffix) == 1 else e - walked >= 3)
        )
        if provincial:
            start = walked  # 省商务厅, 市科委: the province's or city's own bureau, named by its field
        if sent[start : start + 1] in _FORMER and any(sent[start + 1 : start + n] in res.places for n in (3, 4, 5)):
            start += 1  # 原某市职业大学: the former name of the place's university is still its name
        start = _after_zone_before_known(res, sent, start, s, known or ())
        for k in known_at.get(e, ()):
            # 充分发挥重庆高新区: a known name ends here; what stands before it must be a place to join it,
            # and not a mere district (位于某区X科学城: the district says where X科学城 is)
            if k.end == e and k.start > start and not _joins_known_name(res, sent[start : k.start], k):
                start = k.start
        name = sent[start:e]
        prefix = sent[start:s]
        if start > 0 and sent[start - 1] in _ENUM_CLOSERS:
            continue  # 甲、乙等创新赋能中心: a category after an enumeration, not a name
        if (
            type_ == "Government"
            and suffix in _GOV_SUFFIX
            and s >= 1
            and sent[s - 1] in _ADMIN_LEVELS
            and len(prefix) <= 1
        ):
            # 汕头市委、市政府: the second body shares the first one's place
            m = _SHARED_PLACE.search(sent, 0, s - 1)
            if m and m.group(1) == sent[s - 1]:
                head = sent[: m.start()]
                place = next((head[-n:] for n in range(6, 1, -1) if head[-n:] in res.places), "")
                if place:
                    out.append(Candidate(s - 1, e, type_, f"suffix:{suffix}", 2, name=place + sent[s - 1] + suffix))
            continue
        if len(prefix) < need or name in res.generic or prefix in res.generic:
            continue
        if suffix in _NAMED_ONLY and (not _names_something(res, prefix) or _QUALIFIERS.search(prefix)):
            continue  # 智慧园区, 生态环保园区: a kind of zone unless a place or a proper name leads
        if not provincial and not _specific(res, prefix, type_, suffix):
            continue
        if not _CJK.search(prefix) and not prefix.isascii():
            continue
        if prefix in _NON_NAME_PREFIXES:
            continue
        joint = _JOINT_GOV.match(name)
        if joint and type_ == "Government":  # 江西省委省政府 names the committee and the government
            cut = start + joint.end(1)
            out.append(Candidate(start, cut, type_, f"suffix:{name[joint.end(1) - 1]}", 2))  # the committee's 委
            place = name[: joint.end(1) - 1]  # 江西省
            out.append(Candidate(cut, e, type_, f"suffix:{suffix}", 2, name=place + _GOV_SUFFIX[0]))
            continue
        if type_ == "Park":
            inner = _zone_before_descriptor(res, sent, start, s, suffix)
            if inner:  # 某示范区特色产业园, 某产业园园区: a descriptor of the zone, not another park
                out.append(Candidate(start, inner, type_, "suffix:zone", 2))
                continue
        out.append(Candidate(start, e, type_, f"suffix:{suffix}", 2))
    return out


_ZONE_DESCRIPTORS = frozenset(_WORDS["zone_descriptors"])
_PARK_AREA = frozenset(_WORDS["park_area"])


def _zone_before_descriptor(res: Resources, sent: str, start: int, s: int, suffix: str) -> int:
    """Where a park's name ends before a mere descriptor and a park suffix (中关村国家自主创新示范区
    特色产业园: the zone's featured park, named by the zone; 某产业园园区: the park's area), or 0."""
    outer = suffix
    for end, (inner, type_, _max, _need) in res.suffixes.iter(sent, start, s):
        e = end + 1
        middle = sent[e:s]
        descriptor = middle in _ZONE_DESCRIPTORS or (not middle and outer in _PARK_AREA)
        if type_ == "Park" and e - len(inner) - start >= 2 and descriptor:
            return e
    return 0


_BUREAU_SUFFIXES = frozenset(_WORDS["bureau_suffixes"])
_SHARED_PLACE = _RE["shared_place"]
_JOINT_GOV = _RE["joint_government"]
_AFTER_PLAN = set('，。、；：！？）)”」』》",.;:!?•·') | set(_WORDS["plan_followers"])
_QUALIFIERS = _RE["qualifiers"]
_ASSOCIATION_SUFFIXES = frozenset(_WORDS["association_suffixes"])
_PLAIN_COMPANY_SUFFIX = _FORMS["plain"]
_ROLE_CHARS = frozenset(_WORDS["role_chars"])
_PLAN_SUFFIXES = frozenset(_WORDS["plan_suffixes"])
_PLAN_VERB = frozenset(_WORDS["plan_verb"])
_PLAN_MANNER = tuple(_WORDS["plan_manner"])
_WORK_COMMITTEE = frozenset(_WORDS["work_committee"])
_ADMIN_COMMITTEES = _WORDS["admin_committees"]
_PROVINCE_CITY = _chars("province_city")
_ADMIN_LEVELS = _chars("admin_levels")
_DISTRICT_LEVELS = tuple(_WORDS["district_levels"])
_ZONE_DISTRICTS = tuple(_WORDS["zone_districts"])
_FORMER = frozenset(_WORDS["former"])
_ENUM_CLOSERS = frozenset(_WORDS["enum_closers"])
_GOV_SUFFIX = _WORDS["government_suffix"]
_NON_NAME_PREFIXES = frozenset(_WORDS["non_name_prefixes"])
_NATIONAL = _WORDS["national"]
_GENERIC_HEADS = _WORDS["generic_heads"]
_PROJECT_WORD = _WORDS["project_word"]
_PROVINCIAL_ZONE_SUFFIXES = frozenset(_WORDS["provincial_zone_suffixes"])
_PROVINCE = _WORDS["province"]


_LEVEL = _RE["level"]
_COUNTED = _RE["counted"]
_NAMED_ONLY = frozenset(_WORDS["named_only"])


def _names_something(res: Resources, prefix: str) -> bool:
    """Whether a prefix holds a place, a known name, Latin letters or a proper noun of jieba's."""
    if _LATIN_OR_DIGIT.search(prefix):
        return True
    freq = res.tokenizer.FREQ
    for t in res.cut(prefix, False):
        tag = res.word_tags.get(t)
        if t in res.canonical_forms or (t in res.places and tag in (None, "ns", "nr", "nrt")):
            return True
        if len(t) >= 2 and (freq.get(t, 0) == 0 or (tag in ("ns", "nr", "nrt", "nz", "nt") and freq[t] < _COMMON_FREQ)):
            return True  # a coined word or a rare proper noun: 华英, 良渚 (智慧, tagged nr, is common)
    return False


def _specific(res: Resources, prefix: str, type_: str, suffix: str) -> bool:  # noqa: C901
    """Reject generic mentions built by the suffix rule (首批国家级高新区, 重大产业项目, 地方政府)."""
    q = _QUALIFIERS.search(prefix)
    if q and q.start() > 0 and type_ == "Park":
        head = prefix[: q.start()]
        if head not in res.places and not has_proper_part(res, head):
            return False
        if any(w in q.group() for w in _NATIONAL) and head.rstrip(_PROVINCE_CITY) not in res.places:
            return False  # 黄河流域国家高新区: a region's national zones in general, not one zone
    if type_ in ("Institute", "Park", "University"):
        level = _LEVEL.search(prefix)
        if level and (_COUNTED.search(prefix) or not has_proper_part(res, prefix[level.end() :])):
            return False  # 光谷国家级科技企业孵化器, 市级科技企业孵化器: a rank of bodies, not one body
    if _COUNTED.search(prefix) or (type_ != "Project" and prefix.startswith(_GENERIC_HEADS)):
        return False  # 光谷两家孵化器, 该项目研发中心: a count or a generic word, not a name
    junk = _LEADING_JUNK.match(prefix)
    if junk and junk.end() == len(prefix) and not prefix.isdigit():  # 985工程 is a name
        return False  # 15GW项目, 2024年度计划: a measure or a date, nothing that names
    bare = prefix.rstrip(_ADMIN_LEVELS)
    if type_ == "Company" and re.search(r"\d", prefix) and not re.search(r"[A-Za-z]", prefix):
        return False  # 投资2亿元建设…: an amount, not a company name
    if type_ == "Project" and res.generic_project.search(prefix):
        return False  # 集成电路重大产业项目, 行业龙头项目: a kind of project
    if type_ == "Project" and res.generic_project_start.match(prefix) and not has_proper_part(res, prefix):
        return False  # 重大科技创新成果转化项目: a description of projects, not a name
    if suffix in _PROJECT_WORD and len(prefix) < 4:
        return False  # 科创项目, 入园项目: a kind of project, not a name
    if type_ == "Project" and (prefix in res.places or bare in res.places):
        return False  # 南通项目: a place's projects, not a named one
    if type_ == "Park" and suffix in _PROVINCIAL_ZONE_SUFFIXES and prefix.endswith(_PROVINCE):
        return False  # 江苏省高新区: the province's zones in general
    if has_proper_part(res, prefix):
        return True
    if type_ == "Project" and len(prefix) >= 8:
        return True  # a long project name is specific even in common words: 口腔健康产业园生产基地项目
    if suffix in _ASSOCIATION_SUFFIXES and len(prefix) >= 4:
        return True  # 直播产业联盟: an association is named by its field
    return not (
        type_ in ("Project", "Park", "Government", "Institute", "University") or suffix in _PLAIN_COMPANY_SUFFIX
    )


_COUNTED_AFTER = _RE["counted_after"]
_QUOTED = re.compile(r"[“\"‘「『《]([^“”\"‘’「」『』《》，。]{2,30})[”\"’」』》]")
_QUOTED_TAIL = _RE["quoted_tail"]
_PROJECT_TAILS = _WORDS["project_tails"]
_NUMERAL_START = _RE["numeral_start"]


def _quoted_candidates(res: Resources, sent: str) -> list[Candidate]:
    out = []
    for m in _QUOTED.finditer(sent):
        inner = m.group(1)
        if inner.endswith(_PROJECT_TAILS) and inner not in res.generic and len(inner) >= 4:
            head = inner[:-2]
            junk = _LEADING_JUNK.match(head)
            if not (junk and junk.end() == len(head)):  # “一号工程”: a rank, not a name
                out.append(Candidate(m.start(1), m.end(1), "Project", "quoted", 3))
            continue
        if _quoted_institute(res, inner):
            out.append(Candidate(m.start(1), m.end(1), "Institute", "quoted", 3))
            continue
        after = _QUOTED_TAIL.match(sent, m.end())
        if len(inner) == 2 and _NUMERAL_START.match(inner):
            continue  # “两新”项目, “三早”项目: a counted slogan, not a project's name
        if not after or (not has_proper_part(res, inner) and len(inner) < 8):
            continue  # “智慧城市”项目: a slogan in quotes, not a named project
        if len(inner) >= 2 and not any(c in _HARD_STOP for c in inner):
            # “百城百园”项目: the quoted name and the kind after the quote make the project's name
            out.append(Candidate(m.start(), after.end(), "Project", "quoted", 3, name=inner + after.group()))
    return out


def _quoted_institute(res: Resources, inner: str) -> bool:
    """Whether a quoted span is an institute's name (“某某创新联合体”, “量子实验室”): the quotes mark it
    as a name, so fields alone before the suffix, a generic kind elsewhere, make it one here."""
    if inner in res.generic or any(c in _HARD_STOP for c in inner) or _NUMERAL_START.match(inner):
        return False  # “四基地一中心”: a counted slogan, not a name
    return _typed_by_suffix(res, inner) == "Institute"


_LIST_CLOSE = _RE["list_close"]
_LIST_SPLIT = _RE["list_split"]
_LIST_JOINERS = _WORDS["list_joiners"]
_PROCESS_ENDINGS = _WORDS["process_endings"]


def _list_candidates(res: Resources, sent: str) -> list[Candidate]:  # noqa: C901
    """Items of an enumeration closed by 等企业: 引进甲、乙和丙等企业 names three companies."""
    out = []
    for m in _LIST_CLOSE.finditer(sent):
        seg_start = m.start()
        i = seg_start
        while i > 0 and sent[i - 1] not in "，。；：！？\n“”,;:":
            i -= 1
        segment = sent[i:seg_start]
        if "、" not in segment and not any(j in segment for j in _LIST_JOINERS):
            continue
        pos = i
        items: list[tuple[int, int]] = []
        for part in _LIST_SPLIT.split(segment):
            k = sent.find(part, pos, seg_start + 1) if part else -1
            if k >= 0:
                items.append((k, k + len(part)))
                pos = k + len(part)
        if not items:
            continue
        # the first item may carry the verb that opens the list: 引进甲 -> 甲
        first_s, first_e = items[0]
        items[0] = (_left_edge(res, sent, first_e, first_e - first_s, "Company"), first_e)
        found: list[Candidate] = []
        plain: list[tuple[int, int]] = []  # items of common words only, kept if the list names others
        for s, e in items:
            item = sent[s:e].strip()
            if 2 <= len(item) <= 14 and item not in res.generic and (_CJK.search(item) or _LATIN_NAME.fullmatch(item)):
                if any(tok in res.boundaries or tok in res.roles_set for tok in res.cut(item, False)):
                    continue
                if item in res.places or res.word_tags.get(item) == "ns" or re.search(r"\d", item):
                    continue
                known = item in res.canonical_forms
                if res.tokenizer.FREQ.get(item, 0) >= _COMMON_FREQ and not known:
                    continue
                if not known and not _LATIN_NAME.fullmatch(item) and not has_proper_part(res, item):
                    if 3 <= len(item) <= 8 and not item.endswith(_PROCESS_ENDINGS):
                        plain.append((s, e))
                    continue  # 投融资服务、产权交易等企业服务: a list of services, not of companies
                typed = [v for end, v in res.suffixes.iter(item) if end == len(item) - 1]
                type_ = max(typed, key=lambda v: len(v[0]))[1] if typed else "Company"
                if item.endswith(_PROCESS_ENDINGS) or sent[max(0, s - 2) : s] in _FIRST_OF_KIND:
                    continue  # 大数据智能化: a process; 全国首个X: an achievement, not a company
                if type_ == "Company" and _PRODUCT_ITEM.search(item):
                    type_ = "Project"  # 某某三期, 某某芯片生产线: a plant or product line being built
                if (type_ == "Park" or (not typed and _project_like(res, item))) and any(
                    w in m.group() for w in _PROJECT_WORD
                ):
                    type_ = "Project"  # 空天信息产业园等项目: parks being built are projects
                found.append(Candidate(s, e, type_, "list", 1))
        out += found
        if len(found) >= 2 and _COMPANY_CLOSE.search(m.group()) and len(plain) < len(found):
            # 甲通信、乙风电、丙等多家企业: beside two named companies, an item of common words
            # (特力佳风电) is a trade name jieba happens to know, not a service
            out += [Candidate(s, e, "Company", "list", 1) for s, e in plain if not _suffixed(res, sent[s:e])]
    return out


_COMPANY_CLOSE = _RE["company_close"]


def _suffixed(res: Resources, item: str) -> bool:
    """Whether an item ends in an entity suffix (its type would then be the suffix's, not a company)."""
    return any(end == len(item) - 1 for end, _v in res.suffixes.iter(item))


_COMMON_FREQ = 500

# 甲、乙和丙等21个重大项目开工 / 等项目5个: an enumeration the text itself calls projects
_PROJECT_LIST_CLOSE = _RE["project_list_close"]
# 项目包括甲、乙及丙 / 投资建设甲、乙以及丙: the projects follow
_PROJECT_LIST_OPEN = _RE["project_list_open"]
_PROJECT_ITEM_SPLIT = _RE["project_item_split"]
_AMOUNT_LEAD = _RE["amount_lead"]
_PROJECT_ENDS = _WORDS["project_ends"]
_LONG_JOINERS = _WORDS["long_joiners"]
_LIST_TAIL = _RE["list_tail"]


def _project_list_spans(sent: str) -> list[tuple[int, int, bool]]:
    """The segments of ``sent`` that enumerate projects: (start, end, closed by 等N个…项目)."""
    spans: list[tuple[int, int, bool]] = []
    for m in _PROJECT_LIST_CLOSE.finditer(sent):
        i = m.start()
        while i > 0 and sent[i - 1] not in "，。；：！？\n,;:!?":
            i -= 1
        spans.append((i, m.start(), True))
    for m in _PROJECT_LIST_OPEN.finditer(sent):
        j = m.end()
        while j < len(sent) and sent[j] not in "，。；：！？\n,;:!?":
            j += 1
        close = _PROJECT_LIST_CLOSE.search(sent, m.end(), j)
        spans.append((m.end(), close.start() if close else j, False))
    return spans


def _project_item_span(
    res: Resources, sent: str, s: int, e: int, first: bool, last: bool, closed: bool
) -> tuple[int, int] | None:
    """Where the list item at ``sent[s:e]`` names its project, or None when it names none."""
    lead = _AMOUNT_LEAD.match(sent, s, e)
    if lead:
        s = lead.end()  # 总投资10亿元的某某项目: the amount describes the project
    if first and closed:
        # 其中引进甲、乙等项目, 某项目主要建设甲、乙等项目: the clause before the first item ends at
        # its last verb, unless what follows is too short to be a name (街道安置房: 安置 is the name's)
        cut, at = s, s
        for t in res.cut(sent[s:e], False):
            at += len(t)
            if (is_boundary(res, t) or t in res.action_verbs or t in _HARD_STOP) and e - at >= 3:
                cut = at
        s = cut
    if sent[max(0, s - 2) : s] in _FIRST_OF_KIND or any(f in sent[s:e] for f in _FIRST_OF_KIND):
        return None  # 全国首个X: an achievement, not a project's name
    if last and not closed:
        tail = _LIST_TAIL.search(sent[s:e])
        if tail:
            e = s + tail.start()
    s = _trim(sent, s, e)
    return (s, e) if _project_item(res, sent[s:e], closed) else None


def _project_list_candidates(res: Resources, sent: str) -> list[Candidate]:
    """Items of an enumeration of projects: closed by 等N个…项目 (all its items are projects) or opened
    by 项目包括 / 投资建设 (the items that end like a project: 总部, 研发中心, 生产基地, 二期 …)."""
    out: list[Candidate] = []
    for seg_start, seg_end, closed in _project_list_spans(sent):
        segment = sent[seg_start:seg_end]
        if "、" not in segment and not any(j in segment for j in _LONG_JOINERS) and not (closed is False and segment):
            continue
        pos = seg_start
        parts = _PROJECT_ITEM_SPLIT.split(segment)
        for n, part in enumerate(parts):
            k = sent.find(part, pos, seg_end + 1) if part else -1
            if k < 0:
                continue
            pos = k + len(part)
            span = _project_item_span(res, sent, k, k + len(part), n == 0, n == len(parts) - 1, closed)
            if span is not None:
                out.append(Candidate(span[0], span[1], "Project", "list", 1))
    return out


_MONEY = _RE["money"]


def _project_like(res: Resources, item: str) -> bool:
    """An item of a list of projects names a project, not the company behind it (天马、联芯等重大项目):
    it ends like a project, or is long and does not end in a trade name's industry word."""
    bare = _BRACKETED.sub("", item)
    if bare.endswith(_PROJECT_ENDS) or _PRODUCT_ITEM.search(bare):
        return True
    return len(bare) >= 7 and not bare.endswith(res.industry_tails)


_RESEARCH_BODIES = _WORDS["research_bodies"]
_NOT_PROJECT_ENDINGS = _WORDS["not_project_endings"]


def _project_item(res: Resources, item: str, closed: bool) -> bool:
    """Whether an enumeration's item can be a project's name: specific, not a place, not a company or
    body already known, not a clause."""
    if not 3 <= len(item) <= 48 or item in res.generic or item in res.places or item in res.canonical_forms:
        return False
    if not (_CJK.search(item) or _LATIN_NAME.fullmatch(item)) or any(c in _HARD_STOP for c in item):
        return False
    if item.endswith(_LEGAL_FORMS) or item.endswith(_NOT_PROJECT_ENDINGS):
        return False  # the company or body itself, not its project
    if not (_project_like(res, item) if closed else _BRACKETED.sub("", item).endswith(_PROJECT_ENDS)):
        return False
    if not closed and any(v[1] == "Park" for end, v in res.suffixes.iter(item) if end == len(item) - 1):
        return False  # 重点建设甲产业园、乙产业园: parks being built are parks, unless called projects
    if _MONEY.search(item) or item.count("(") + item.count("（") != item.count(")") + item.count("）"):
        return False  # 超10亿美元某某: an amount and a company; a bracket cut in half
    if item.endswith(_RESEARCH_BODIES):
        return False  # 某研究中心, 某协会: a body, typed by its own suffix
    word = next((w for w in _PROJECT_WORD if item.endswith(w)), "")
    if word and not _specific(res, item[: -len(word)], "Project", word):
        return False  # 高层次人才项目: a kind of project
    toks = res.cut(item, False)
    if is_boundary(res, toks[0]) or toks[0] in res.action_verbs or toks[-1] in res.boundaries:
        return False
    if any(t in res.boundaries and t not in _JOINERS and t not in _PROJECT_JOINERS for t in toks):
        return False  # 行业带动力强的重大项目, 品牌企业进驻产业园: a clause, not a name
    if any(len(t) >= 2 and res.word_tags.get(t) in ("v",) and t not in res.name_words for t in toks[:1]):
        return False
    return has_proper_part(res, item) or len(item) >= 6


_FIRST_OF_KIND = frozenset(_WORDS["first_of_kind"])
_PRODUCT_ITEM = _RE["product_item"]

_APPOSITION = _RE["apposition"]
_NAME_BREAK = re.compile("[" + re.escape("".join(sorted(_HARD_STOP)) + "()（）") + "]")


def _apposition_candidates(res: Resources, sent: str) -> list[Candidate]:
    """园区企业X / 龙头企业X: the name after a category noun, when it ends in an industry word."""
    out = []
    for m in _APPOSITION.finditer(sent):
        s = m.end()
        stop = _NAME_BREAK.search(sent, s, s + 12)
        window = sent[s : stop.start() if stop else s + 12]  # a name is 3 to 12 characters, no stop
        if len(window) < 3:
            continue
        for tail in res.industry_tails:
            k = window.find(tail)
            while k >= 0:
                e = s + k + len(tail)
                name = sent[s:e]
                if len(name) >= 3:
                    toks = res.cut(name, True)
                    if (
                        not name.endswith(_PROCESS_ENDINGS)
                        and not any(is_boundary(res, t) or t in res.roles_set for t in toks)
                        and name not in res.generic
                        and not re.search(r"\d", name)
                        and res.word_tags.get(toks[0], "n")[0] != "v"
                        and has_proper_part(res, name[: -len(tail)] or name)
                    ):
                        out.append(Candidate(s, e, "Company", "apposition", 1))
                        break
                k = window.find(tail, k + 1)
    return out


_SPEECH = _WORDS["speech_verbs"]
_TITLE_BODY_CHARS = frozenset(_WORDS["title_body_chars"])
_SPEECH_BEFORE = frozenset(_WORDS["speech_before"])


def _person_candidates(res: Resources, sent: str) -> list[Candidate]:
    out: list[Candidate] = []
    if not res.surnames:
        return out
    for end, (word, is_role) in res.person_cues.iter(sent):
        if is_role:
            s = end + 1
            name = _person_name_at(res, sent, s)
            if name:
                out.append(Candidate(s, s + len(name), "Person", "person:role", 2))
            k = end + 1 - len(word)  # 习近平总书记: a name standing alone before its title
            for n in (3, 2):
                b = k - n
                cand = sent[b:k] if b >= 0 else ""
                if (
                    cand
                    and (b == 0 or sent[b - 1] in _HARD_STOP)
                    and cand[-1] not in _TITLE_BODY_CHARS  # 管委副主任, 宣传部部长: a body or a rank
                    and (cand[0] in res.surnames or cand[:2] in res.surnames)
                    and all(_CJK.match(c) for c in cand)
                    and _name_like(res, cand)
                    and cand not in res.places
                    and res.word_tags.get(cand) in (None, "nr", "nrfg", "nrt")
                ):
                    out.append(Candidate(b, k, "Person", "person:title", 1))
                    break
            continue
        k = end + 1 - len(word)
        if k > 0:
            for n in (3, 2):
                s = k - n
                if s < 0:
                    continue
                cand = sent[s:k]
                before = sent[s - 1] if s > 0 else "，"
                if (
                    cand[0] in res.surnames
                    and all(_CJK.match(c) for c in cand)
                    and (before in _HARD_STOP or before in _SPEECH_BEFORE)
                ):
                    if _name_like(res, cand):
                        out.append(Candidate(s, k, "Person", "person:speech", 1))
                        break
    out.extend(_appointee_candidates(res, sent))
    return out


@lru_cache(maxsize=4)
def _appointee_re(roles: frozenset[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted((re.escape(r) for r in roles), key=len, reverse=True))
    return re.compile(
        r"(?:^|(?<=[，。；：！？“”,;:!?\s]))([\u4e00-\u9fff]{2,3}?)"
        + _RE["appointee_link"].pattern
        + rf"(?=[^，。；！？,;!?、]{{2,40}}?(?:{alternatives})(?:[，。；、,;]|$))"
    )


def _appointee_candidates(res: Resources, sent: str) -> list[Candidate]:
    """A name that opens its clause and is then given a post (李某任X总经理, 李某，X董事长,): the role
    cue stands after the organisation, too far from the name for the role rule."""
    out: list[Candidate] = []
    if not res.roles_set:
        return out
    for m in _appointee_re(res.roles_set).finditer(sent):
        cand = m.group(1)
        if (
            (cand[0] in res.surnames or cand[:2] in res.surnames)
            and cand not in res.places
            and _name_like(res, cand)
            and res.word_tags.get(cand) in (None, "nr", "nrfg", "nrt")
        ):
            out.append(Candidate(m.start(1), m.end(1), "Person", "person:appointee", 1))
    return out


_NAME_STOP = set('、，。；：！？“”（）() ,.:;!?"') | set(_WORDS["name_stop"])
_NAME_FOLLOW = _SPEECH + _WORDS["name_follow"]


def _name_like(res: Resources, cand: str) -> bool:
    """A surname and given name, not a phrase: no function word inside, not a common word."""
    if res.tokenizer.FREQ.get(cand, 0) >= _COMMON_FREQ and res.word_tags.get(cand) not in ("nr", "nrfg", "nrt"):
        return False
    given = cand[1:] if cand[0] in res.surnames else cand[2:]
    return given not in res.boundaries and not any(c in _NAME_STOP for c in given)


def _person_name_at(res: Resources, sent: str, s: int) -> str | None:
    """A 2-3 character name starting with a surname at ``s``, followed by a natural break."""
    for n in (3, 2):
        cand = sent[s : s + n]
        if len(cand) < n or not all(_CJK.match(c) for c in cand):
            continue
        if not (cand[0] in res.surnames or cand[:2] in res.surnames):
            continue
        rest = sent[s + n :]
        if not rest or rest[0] in _NAME_STOP or rest.startswith(_NAME_FOLLOW):
            if n == 3 and (sent[s + 2] in _NAME_STOP or sent[s + 2 :].startswith(_NAME_FOLLOW)):
                continue
            return cand
    return None


# ------------------------------------------------------------------------------------------ selection


def _select(cands: list[Candidate]) -> list[Candidate]:
    """Keep the strongest, then longest, non-overlapping candidates.

    Rule and lexicon hits (strength >= 2) are chosen first, longest first. A weaker pattern hit is then
    kept where it crosses none of them; it may contain them, since 比亚迪动力电池 in a list of companies
    names a unit of the known 比亚迪.
    """
    # The chosen never overlap, so each position has at most one owner: overlap checks look at the
    # candidate's own positions, not at every chosen one (a 200,000-character sentence of names
    # otherwise takes minutes).
    chosen: dict[int, Candidate] = {}  # id(candidate) -> candidate
    owner: dict[int, int] = {}  # position -> id of the chosen candidate covering it
    order = sorted(cands, key=lambda c: (-(c.end - c.start), -c.strength, c.start))
    for c in order:
        if c.strength >= 2 and not any(p in owner for p in range(c.start, c.end)):
            chosen[id(c)] = c
            owner.update(dict.fromkeys(range(c.start, c.end), id(c)))
    for c in order:
        if c.strength >= 2:
            continue
        over = [chosen[i] for i in {owner[p] for p in range(c.start, c.end) if p in owner}]
        inside = [k for k in over if c.start <= k.start and k.end <= c.end]
        if len(inside) < len(over) or any(k.strength >= 3 and k.type != c.type for k in inside):
            continue
        same = [k for k in inside if k.end - k.start == c.end - c.start]
        if same:
            k = same[0]
            if c.rule == "list" and k.strength == 2 and k.type != c.type:  # the list says what its items are
                del chosen[id(k)]
                retyped = Candidate(k.start, k.end, c.type, k.rule, k.strength, k.name)
                chosen[id(retyped)] = retyped
                owner.update(dict.fromkeys(range(k.start, k.end), id(retyped)))
            continue
        for k in inside:
            del chosen[id(k)]
        chosen[id(c)] = c
        owner.update(dict.fromkeys(range(c.start, c.end), id(c)))
    return sorted(chosen.values(), key=lambda c: c.start)


def _retype(res: Resources, sent: str, c: Candidate) -> Candidate:
    """Adjust a suffix rule's type using what the name says about itself."""
    name = sent[c.start : c.end]
    type_ = c.type
    phase = _park_phase(sent, c)
    if phase:  # 某软件园区二期, 某园区扩区: the park's next phase is a project
        return Candidate(c.start, c.end + len(phase), "Project", c.rule + "+" + phase, c.strength)
    if sent[c.end : c.end + 1] in _VESSEL_MARKS and not c.name and c.type != "Person":
        # “济南某某中心号”卫星: a satellite, ship or train named after a body is a project
        return Candidate(c.start, c.end + 1, "Project", c.rule + "+" + sent[c.end], c.strength)
    if name.endswith(_REGISTERED_FORMS) and not name.endswith(_BRANCH_SUFFIXES):
        type_ = "Company"  # the legal form decides: 中国科学院控股有限公司 is a company
    if type_ == "Institute" and name.endswith(_SERVICE_CENTRES) and _PUBLIC_SERVICE.search(name):
        type_ = "Government"
    if (
        type_ == "University"
        and name.endswith(_COLLEGES)
        and any(name.startswith(core) for core in (name[:2], name[:3]) if core in res.company_cores)
    ):
        type_ = "Institute"  # 小米谷仓学院: a company's training academy, not a university
    if type_ in ("Institute", "Government") and name.endswith(_COMMITTEES) and _GOVERNMENT_COMMITTEE.search(name):
        type_ = "Government"
    if type_ == "Institute" and name.endswith(_ZONE_AGENCY_CENTRES) and _zone_led(res, name):
        type_ = "Government"  # 某高新区中小企业服务中心: a zone's service centre is its agency
    if type_ == "Institute" and _branch_of_government(res, name):
        type_ = "Government"  # a government agency's branch office is the agency's
    if type_ != c.type:
        return Candidate(c.start, c.end, type_, c.rule, c.strength, c.name)
    return c


def _park_phase(sent: str, c: Candidate) -> str:
    """The phase word (and its kind: 二期工程) right after a park's name, or "" where none follows."""
    if c.type != "Park" or c.name:
        return ""
    phase = next((w for w in _PARK_PHASES if sent.startswith(w, c.end)), "")
    kind = next((w for w in _PHASE_KINDS if phase and sent.startswith(w, c.end + len(phase))), "")
    return phase + kind


def _zone_led(res: Resources, name: str) -> bool:
    """Whether a development zone's name opens ``name``, with at most a field word (4 characters, not a
    park) between it and the name's suffix (某高新区中小企业服务中心, 某新区土地发展中心)."""
    ends = [end + 1 for end, v in res.suffixes.iter(name) if v[0] in _ZONE_SUFFIXES and end + 1 >= len(v[0]) + 2]
    tail = next((len(t) for t in _ZONE_AGENCY_CENTRES if name.endswith(t)), 0)
    return any(0 <= len(name) - tail - e <= 4 and not _names_a_park(res, name[e : len(name) - tail]) for e in ends)


def _names_a_park(res: Resources, text: str) -> bool:
    """Whether ``text`` ends in a park suffix (某高新区创业园发展中心 runs the 创业园: no zone agency)."""
    return any(end == len(text) - 1 and v[1] == "Park" for end, v in res.suffixes.iter(text))


def _branch_of_government(res: Resources, name: str) -> bool:
    """Whether ``name`` is a branch (某分中心) of a body its suffix makes a government agency."""
    m = _PARENT_INSTITUTE.match(name)
    return m is not None and _typed_by_suffix(res, m.group(1)) == "Government"


_PARK_PHASES = _WORDS["park_phases"]
_PHASE_KINDS = _WORDS["phase_kinds"]
_VESSEL_MARKS = frozenset(_WORDS["vessel_marks"])
_SERVICE_CENTRES = _WORDS["service_centres"]
_ZONE_AGENCY_CENTRES = _WORDS["zone_agency_centres"]
_PUBLIC_SERVICE = _RE["public_service"]
_COLLEGES = _WORDS["colleges"]
_COMMITTEES = _WORDS["committees"]
_GOVERNMENT_COMMITTEE = _RE["government_committee"]
_PLAN_AFTER_VERB = _RE["plan_after_verb"]


def _plan_candidates(res: Resources, sent: str) -> list[Candidate]:
    """实施高新技术企业倍增计划: what stands between the verb and the plan's kind is its name."""
    out = []
    for m in _PLAN_AFTER_VERB.finditer(sent):
        name = m.group(1)
        head = name[:-2]
        if res.generic_project.search(head) or name in res.generic:
            continue
        if any(len(t) == 1 and t in res.boundaries for t in res.cut(head, False)):
            continue  # a function word: the match runs across a clause
        out.append(Candidate(m.start(1), m.end(1), "Project", "plan-after-verb", 2))
    return out


_CAS_UNIT = _RE["cas_unit"]
_PERSON_LIST = _RE["person_list"]


def _pattern_candidates(res: Resources, sent: str) -> list[Candidate]:
    """中科院西光所: an academy's unit by its short name; 主播甲、乙、丙等: people by their stage names."""
    out = [
        Candidate(m.start(), m.end(), "Institute", "cas-unit", 2)
        for m in _CAS_UNIT.finditer(sent)
        if not any(is_boundary(res, t) for t in res.cut(m.group(1), False))
    ]
    out += _counted_set_candidates(res, sent)
    for m in _PERSON_LIST.finditer(sent):
        pos = m.start(1)
        for item in m.group(1).split("、"):
            if item not in res.generic and not any(t in res.boundaries for t in res.cut(item, True)):
                out.append(Candidate(pos, pos + len(item), "Person", "person:list", 1))
            pos += len(item) + 1
    return out


_COUNTED_SET = _RE["counted_set"]
_SET_JOINERS = _WORDS["set_joiners"]
_SET_END = re.compile(r"[。；;！？!?，,]")


def _typed_by_suffix(res: Resources, item: str) -> str:
    """The type of the longest suffix ending ``item`` with a name part of at least two characters, or ""."""
    ends = [v for end, v in res.suffixes.iter(item) if end == len(item) - 1]
    if not ends:
        return ""
    suffix, type_, _max_len, need = max(ends, key=lambda v: len(v[0]))
    return type_ if len(item) - len(suffix) >= max(need, 2) else ""


def _counted_set_candidates(res: Resources, sent: str) -> list[Candidate]:
    """“四基地一中心”，即甲产业基地、乙产业基地和丙中心: the members of a counted set of named units
    are names of their suffix's type, even where their words are only fields."""
    out: list[Candidate] = []
    for m in _COUNTED_SET.finditer(sent):
        stop = _SET_END.search(sent, m.end())
        end = stop.start() if stop else len(sent)
        spans, a = [], m.end()
        for k in range(m.end(), end):
            if sent[k] == "、":
                spans.append((a, k))
                a = k + 1
        spans.append((a, end))
        for j in _SET_JOINERS:  # 乙产业基地和丙中心: the joiner before the last member
            k = sent.rfind(j, a, end)
            if k > a and _typed_by_suffix(res, sent[k + len(j) : end]):
                spans[-1:] = [(a, k), (k + len(j), end)]
                break
        for s0, e0 in spans if len(spans) > 1 else ():  # “一中心”即X: one member is a definition, no set
            type_ = _typed_by_suffix(res, sent[s0:e0])
            if type_ and type_ != "Person" and not any(c in _HARD_STOP for c in sent[s0:e0]):
                out.append(Candidate(s0, e0, type_, "counted-set", 2))
    return out


_OWNER_TAILS = _WORDS["owner_tails"]  # tried in this order


_ITEM = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]{2,12}")
_ITEM_END = frozenset("、，。；：,;:") | frozenset(_WORDS["item_joiners"])


def _siblings(res: Resources, sent: str, chosen: list[Candidate]) -> list[Candidate]:
    """鸿雁星座、行云工程、虹云工程、天象星座: an item beside a found name in an enumeration, ending in a
    suffix of the same type, is a name of that type even where its own words are common."""
    chosen = sorted(chosen, key=lambda c: c.start)
    taken = {p for c in chosen for p in range(c.start, c.end)}
    queue = [c for c in chosen if c.rule.startswith(("suffix:", "lexicon:", "quoted"))]
    while queue:
        c = queue.pop()
        spans = []
        if c.end < len(sent) and sent[c.end] == "、":
            m = _ITEM.match(sent, c.end + 1)
            if m:  # the item ends where the enumeration goes on or closes: 、 等 和 及 or punctuation
                ends_at = [e for e in range(m.start() + 2, m.end() + 1) if e == len(sent) or sent[e] in _ITEM_END]
                if ends_at:
                    spans.append((m.start(), ends_at[0]))
        if c.start > 1 and sent[c.start - 1] == "、":
            k = c.start - 1
            while k > 0 and (sent[k - 1].isalnum() and sent[k - 1] not in "、") and c.start - k < 12:
                k -= 1
            if k < c.start - 1 and (k == 0 or sent[k - 1] in "、，。；：“”（）() "):
                spans.append((k, c.start - 1))
        for s0, e0 in spans:
            item = sent[s0:e0]
            if any(p in taken for p in range(s0, e0)) or item in res.generic:
                continue
            ends = [v for end, v in res.suffixes.iter(item) if end == len(item) - 1 and v[1] == c.type]
            if not ends or len(item) - max(len(v[0]) for v in ends) < 2:
                continue
            head = item[: len(item) - max(len(v[0]) for v in ends)]
            toks = res.cut(head, False)
            if any(t in res.boundaries for t in toks) or _QUALIFIERS.fullmatch(head):
                continue
            if not has_proper_part(res, head) and (len(toks) > 1 or res.tokenizer.FREQ.get(head, 0) >= _COMMON_FREQ):
                continue  # 工程研究中心, 国家级创新中心: a kind of body in a list of kinds, not a name
            new = Candidate(s0, e0, c.type, "list-sibling", 1)
            chosen.append(new)
            taken.update(range(s0, e0))
            queue.append(new)
    return sorted(chosen, key=lambda c: c.start)


def _lexicon_park(res: Resources, form: str) -> bool:
    """Whether a lexicon lists ``form`` as a park: 光谷 before 科技会展中心项目 names the zone, no company."""
    hit = res.names.get(form, None) if len(res.names) else None
    return hit is not None and hit[1] == "Park"


def _owner_in_project(res: Resources, sent: str, c: Candidate) -> Candidate | None:
    """生益科技三期项目 names the company 生益科技 too: a project name opening with a company's short name."""
    if c.type != "Project" or c.name:
        return None
    name = sent[c.start : c.end]
    for tail in _OWNER_TAILS:
        k = name.find(tail, 2, 10)
        if k < 2:
            continue
        owner = name[: k + len(tail)]
        head = owner[:k]
        if len(name) - len(owner) >= 2 and len(owner) <= 8 and _CJK.match(head) and has_proper_part(res, head):
            if head in res.places or len(owner) not in _cut_ends(res, name) or _lexicon_park(res, head):
                continue  # 江西电子: a place and a trade, no name; 浙南科技城项目: 科技 is part of 科技城
            if not any(is_boundary(res, t) for t in res.cut(owner, False)):
                return Candidate(c.start, c.start + len(owner), "Company", "owner-in-project", 1)
    return None


_ZONE_SUFFIXES = frozenset(_WORDS["zone_suffixes"])


_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")


_QUALIFIER_TAILS = frozenset(_WORDS["qualifier_tails"])
_QUALIFIED_TYPES = frozenset({"Institute", "Park", "University"})
_QUALIFIER = re.compile(r"[（(]([\u4e00-\u9fff]{2,8})[)）]")


def _site_qualifier(res: Resources, text: str) -> bool:
    """Whether ``text`` is only places, then at most a site word: 德阳园, 广州, 德阳什邡."""
    k, seen = 0, 0
    while k < len(text):
        n = next((n for n in range(min(6, len(text) - k), 1, -1) if text[k : k + n] in res.places), 0)
        if not n:
            break
        k, seen = k + n, seen + 1
    return seen > 0 and (k == len(text) or text[k:] in _QUALIFIER_TAILS)


_DOTS = "·・•‧"


def _dotted_start(res: Resources, sent: str, c: Candidate) -> int:
    """Where a name that a place joins with a middle dot (某地·某创新中心) starts, else ``c.start``."""
    if c.type not in _QUALIFIED_TYPES | {"Project"} or c.name or c.start < 3 or sent[c.start - 1] not in _DOTS:
        return c.start
    for n in range(min(6, c.start - 1), 1, -1):
        s = c.start - 1 - n
        if sent[s : c.start - 1] in res.places and (s == 0 or not _CJK.match(sent[s - 1])):
            return s
    return c.start


def qualified(res: Resources, sent: str, chosen: list[Candidate]) -> list[Candidate]:
    """某研究院(广州) / 某大学科技园(德阳园): a bracket naming the site right after a body's name is part of
    the name (the contract's fullest form), unless another name starts inside it; so is a place joined
    to it by a middle dot (某地·某创新中心)."""
    starts = {c.start for c in chosen}
    out = []
    for c in chosen:
        m = _QUALIFIER.match(sent, c.end) if c.type in _QUALIFIED_TYPES and not c.name else None
        if m and not any(c.end < s < m.end() for s in starts) and _site_qualifier(res, m.group(1)):
            c = Candidate(c.start, m.end(), c.type, c.rule, c.strength, c.name, c.confidence)
        if (start := _dotted_start(res, sent, c)) != c.start and not any(start <= x.start < c.start for x in chosen):
            c = Candidate(start, c.end, c.type, c.rule, c.strength, c.name, c.confidence)
        out.append(c)
    return out


def _park_in_name(res: Resources, sent: str, c: Candidate) -> Candidate | None:
    """某高新区管委会 / 某高新区投资促进局 names the park too, 某工业园区纳米产业园二期项目 the zone it
    is built in, and 某新区某片区 / 某高新区直管园 the zone it is a part of: the longest part of the name
    that ends in a park suffix (for a project or a park, an administrative zone's suffix: 某产业园项目 is
    the park being built, not another)."""
    if c.name or c.type not in ("Government", "Project", "Park"):
        return None
    name = sent[c.start : c.end]
    best, head = 0, ""
    body = _first_body_start(res, name)
    for end, (suffix, type_, _max, need) in res.suffixes.iter(name):
        e = end + 1
        if type_ != "Park" or e > body or e - len(suffix) < max(need, 2) or e <= best:
            continue
        if c.type != "Government" and suffix not in _ZONE_SUFFIXES:
            continue  # 某产业园项目 is the park being built; 某产业园西园 is a part of a park, not a zone
        if name.count("(", 0, e) + name.count("（", 0, e) != name.count(")", 0, e) + name.count("）", 0, e):
            continue  # 某区(某高新区)某产业园: the zone in brackets is another name of the place
        best, head = e, _BRACKETED.sub("", name[: e - len(suffix)])
    if not best:
        return None
    park = name[:best]
    if park in res.generic or len(head) < 2 or not (park in res.canonical_forms or has_proper_part(res, head)):
        return None
    return Candidate(c.start, c.start + best, "Park", "park-in-name", 1)


def _first_body_start(res: Resources, name: str) -> int:
    """Where the first government body's suffix inside ``name`` begins (某新区投资促进服务中心某分中心: a
    park named after the body is not the zone), or the name's length less one where none does."""
    starts = [end + 1 - len(v[0]) for end, v in res.suffixes.iter(name) if v[1] == "Government" and end + 1 < len(name)]
    return min(starts, default=len(name) - 1)


def _cut_ends(res: Resources, text: str) -> set[int]:
    """The offsets where jieba's words end in ``text``."""
    ends, pos = set(), 0
    for tok in res.cut(text, False):
        pos += len(tok)
        ends.add(pos)
    return ends


_PARENT_FORM = _RE["parent_form"]
_PARENT_INSTITUTE = _RE["parent_institute"]
_CAS_PARENT = _RE["cas_parent"]
_UNIVERSITY_ENDINGS = _WORDS["university_endings"]


def _parent_of_branch(res: Resources, sent: str, c: Candidate) -> Candidate | None:
    """北京某科技集团郑州总部 also names its parent, 北京某科技集团: a mention nested in the branch's.

    Likewise a branch of an institute (某技术转移中心粤东分中心 → 某技术转移中心)."""
    if c.name or c.type not in ("Company", "Institute", "University", "Government"):
        return None
    cas = _CAS_PARENT.match(sent, c.start, c.end)
    if c.type == "Institute" and cas:  # 中科院微电子所 is a unit of 中科院
        return Candidate(c.start, cas.end(), "Institute", "parent-of-branch", 1)
    pattern = _PARENT_FORM if c.type == "Company" else _PARENT_INSTITUTE
    m = pattern.match(sent, c.start, c.end)
    if not m:
        return None
    parent = m.group(1)
    type_ = "University" if parent.endswith(_UNIVERSITY_ENDINGS) and c.type == "Institute" else c.type
    if c.type in ("Institute", "Government") and _typed_by_suffix(res, parent) == "Government":
        type_ = "Government"  # 某新片区投资促进服务中心某分中心: a government agency's branch office
    return Candidate(c.start, c.start + len(parent), type_, "parent-of-branch", 1)
