"""The hand-written fast paths against the library calls and regular expressions they replaced.

Each of these was written to give exactly what it replaced, only faster, so each is compared with
that reference on the bundled sample pages and on generated strings:

* entities: the one-loop jieba cut (both modes) against jieba's own ``Tokenizer.cut``, with the
  tokenizer and added words ``entities.resources()`` uses; the part-of-speech table read in bulk
  against ``jieba.posseg``;
* relations: the characters a pattern's regex needs are needed (the prefilter never skips a pattern
  whose regex matches), the one bit mask per sentence selects what the set tests select, and a
  sentence gives the same relations with the whole prefilter as with every regex tried;
* link: the ``str.find`` abbreviation scan against the per-institute regex it replaced;
* normalize: the half-width punctuation regex that starts with the mark against the one it replaced.
"""

from __future__ import annotations

import io
import re
import string
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import jieba
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg.build.inputs import sample_corpus
from kg.build.process import process_raw
from kg.extract import entities, relations
from kg.ingest import normalize
from kg.ingest.read import read_path
from kg.link import document as link
from kg.model import Entity, Evidence
from kg.resources.lexicon import load_list, load_table, split_multi

_ANY_CHAR = st.characters(codec="utf-8")  # any character but a lone surrogate (no text holds one)
FAST = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def mixed_text(*alphabets: st.SearchStrategy[str], min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    """Strings whose characters are drawn from each alphabet strategy about equally often (``st.text``
    would merge the alphabets into one and draw from the union, where a few chosen characters drown)."""
    return st.lists(st.one_of(*alphabets), min_size=min_size, max_size=max_size).map("".join)


# --------------------------------------------------------------------------- the sample, recorded


@dataclass
class SampleRun:
    """What the pipeline saw and did on the sample pages, recorded from inside the real stages."""

    raw: list[str] = field(default_factory=list)  # each page as read
    sentences: list[str] = field(default_factory=list)  # every sentence after normalize and segment
    cuts: set[tuple[str, bool]] = field(default_factory=set)  # every (window, hmm) the recognizer cut
    # every sentence relations matched: (the sentence, the document's entities, the mask computed for it)
    sentences_matched: list[tuple[relations._Sentence, list[Entity], int]] = field(default_factory=list)
    scans: set[tuple[str, str, str, int]] = field(default_factory=set)  # abbreviation scans (text, first, last, gap)


def _recording(calls: list[Any] | set[Any], fn: Callable[..., Any], key: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, noting ``key(*args)`` of each call in ``calls``."""
    note = calls.add if isinstance(calls, set) else calls.append

    def wrapper(*args: Any) -> Any:
        note(key(*args))
        return fn(*args)

    return wrapper


@pytest.fixture(scope="module")
def sample() -> SampleRun:
    """Run every sample page through ``process_raw`` with recorders around the fast paths' callers."""
    run = SampleRun()
    res = entities.resources()
    res.proper_part.cache_clear()  # type: ignore[attr-defined]  # so its cuts are seen, whatever ran before
    sents: list[tuple[relations._Sentence, list[Entity]]] = []
    masks: list[int] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(res, "cut", _recording(run.cuts, res.cut, lambda text, hmm: (text, hmm)))
        mp.setattr(
            relations,
            "_match_sentence",
            _recording(sents, relations._match_sentence, lambda sent, ents, _c: (sent, ents)),
        )
        mp.setattr(relations, "_passing", _recording(masks, relations._passing, lambda have: have))
        mp.setattr(link, "_abbreviation_candidates", _recording(run.scans, link._abbreviation_candidates, lambda *a: a))
        for path in sample_corpus():
            for raw in read_path(path):
                run.raw.append(raw.text)
                result = process_raw(raw)
                run.sentences += [s.text for art in result.articles for s in art.sentences]
    assert len(sents) == len(masks) > 100  # _match_sentence asks _passing once per sentence
    run.sentences_matched = [(s, ents, have) for (s, ents), have in zip(sents, masks, strict=True)]
    assert run.cuts and run.scans and run.sentences
    return run


def _lines(run: SampleRun) -> list[str]:
    """The sample's raw lines and its normalised sentences."""
    return sorted({ln for text in run.raw for ln in text.splitlines()} | set(run.sentences))


# --------------------------------------------------------------------------- entities: jieba cut


def _jieba_reference(text: str, hmm: bool) -> tuple[str, ...]:
    """jieba 0.42.1's own cut, on the tokenizer (and words added to it) the recognizer uses."""
    return tuple(entities.resources().tokenizer.cut(text, HMM=hmm))


def _cut_mismatches(texts: Iterable[tuple[str, bool]]) -> list[tuple[str, bool, tuple[str, ...], tuple[str, ...]]]:
    """(text, hmm, jieba's cut, the fast cut) wherever they differ, through ``Resources.cut`` (what the
    recognizer calls) and through ``_jieba_cut`` itself (uncached)."""
    res = entities.resources()
    out = []
    for text, hmm in texts:
        want = _jieba_reference(text, hmm)
        for got in (res.cut(text, hmm), entities._jieba_cut(res.tokenizer, text, hmm)):
            if got != want:
                out.append((text, hmm, want, got))
                break
    return out


# The fast cut and the bulk tag table are used only with the jieba they reproduce.
needs_jieba = pytest.mark.skipif(
    jieba.__version__ != entities._JIEBA_VERSION,
    reason=f"jieba {jieba.__version__} is installed; the fast paths reproduce {entities._JIEBA_VERSION}",
)


@needs_jieba
@pytest.mark.parametrize("hmm", [False, True])
def test_cut_matches_jieba_on_the_sample(sample: SampleRun, hmm: bool) -> None:
    """Every raw line and normalised sentence of the sample pages cut as jieba cuts it, in both modes."""
    lines = _lines(sample)
    assert len(lines) > 400
    assert _cut_mismatches((ln, hmm) for ln in lines)[:5] == []


@needs_jieba
def test_cut_matches_jieba_on_the_recognizers_windows(sample: SampleRun) -> None:
    """The very windows (and mode) the recognizer cut on the sample pages: name prefixes, list items."""
    assert {hmm for _t, hmm in sample.cuts} == {False, True}
    assert _cut_mismatches(sorted(sample.cuts))[:5] == []


@cache
def _dictionary_words() -> tuple[str, ...]:
    """Words the DAG walk will find: jieba's dictionary and the lexicon forms added to the tokenizer."""
    res = entities.resources()
    return tuple(sorted(set(res.word_tags) | res.canonical_forms | res.places))


# Han inside and outside jieba's range (\u4e00-\u9fd5), the ASCII jieba keeps in Han blocks (+#&._%-),
# full-width forms, CJK punctuation, whitespace (\r\n is one token) and characters jieba has no word for.
_CUT_CHARS = (
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.sampled_from("的了和在是有高新区科技公司研究院中国北京合肥〇㐀䶵豈"),
    st.sampled_from(string.ascii_letters + string.digits + string.punctuation),
    st.sampled_from(" \t\n\r\u3000\xa0，。、；：？！“”（）《》—…·ＡＢ１２"),
    _ANY_CHAR,
)
_CUT_PIECE = st.one_of(
    st.deferred(lambda: st.sampled_from(_dictionary_words())),
    mixed_text(*_CUT_CHARS, min_size=1, max_size=5),
    st.sampled_from(["\r\n", "C++", "3.5%", "A股", "5G", "iPhone", "C919", "F-35", "a_b", "#1", "R&D", "  "]),
)
CUT_TEXT = st.lists(_CUT_PIECE, max_size=12).map("".join)


@needs_jieba
@FAST
@given(text=CUT_TEXT, hmm=st.booleans())
def test_cut_matches_jieba_on_generated_text(text: str, hmm: bool) -> None:
    """Dictionary words run together with Latin, digits, punctuation, spaces and stray characters: the
    block split, the DAG walk and its ties, the Latin runs and the HMM runs all agree with jieba."""
    assert _cut_mismatches([(text, hmm)]) == []


def _small_tokenizer(words: dict[str, int]) -> jieba.Tokenizer:
    """A jieba tokenizer knowing only ``words`` (word -> frequency), loaded by jieba's own reader."""
    tok = jieba.Tokenizer()
    lines = "".join(f"{w} {f} n\n" for w, f in words.items()).encode("utf-8")
    tok.FREQ, tok.total = tok.gen_pfdict(io.BytesIO(lines))
    tok.initialized = True
    return tok


_TINY = "甲乙丙"  # few characters and frequencies, so that words overlap and paths tie
TINY_WORDS = st.dictionaries(
    st.text(st.sampled_from(_TINY + "a"), min_size=1, max_size=3),
    st.sampled_from([0, 1, 1, 1, 2, 3]),
    min_size=1,
    max_size=8,
)
TINY_TEXT = st.text(st.sampled_from(_TINY + "丁a1 ，"), max_size=12)


@needs_jieba
@FAST
@given(words=TINY_WORDS.filter(lambda w: any(w.values())), text=TINY_TEXT, hmm=st.booleans())
# what random dictionaries seldom make, each in the mode that shows it:
@example({"甲": 1, "乙": 1, "丙": 1, "甲乙": 1, "乙丙": 1}, "甲乙丙", False)  # 甲乙|丙 ties 甲|乙丙: longer word first
@example({"甲": 1, "乙": 1, "丙": 1, "甲乙": 1, "乙丙": 1}, "甲乙丙", True)
@example({"甲": 4, "甲乙": 1}, "甲乙", False)  # 乙 starts no word: scored as if of frequency 1
@example({"甲": 4, "甲乙": 1}, "甲乙", True)
@example({"甲": 5, "乙": 5, "甲乙": 1}, "甲乙", True)  # a run of single characters that is a word: split up
@example({"甲": 1, "乙": 1, "甲乙": 0, "甲乙丙": 1}, "甲乙丙甲乙", False)  # a zero frequency is no word
@example({"甲": 1, "乙": 1, "甲乙": 0, "甲乙丙": 1}, "甲乙丙甲乙", True)
def test_cut_matches_jieba_with_a_tiny_dictionary(words: dict[str, int], text: str, hmm: bool) -> None:
    """A handful of words of a few frequencies make what jieba's real dictionary rarely shows: tied
    scores, characters that start no word, zero frequencies, runs of single characters that are words."""
    tok = _small_tokenizer(words)
    assert entities._jieba_cut(tok, text, hmm) == tuple(tok.cut(text, HMM=hmm))


@needs_jieba
def test_part_of_speech_table_is_jiebas() -> None:
    """The table read in bulk from jieba's dictionary (on its own: jieba.posseg cannot be imported
    meanwhile, so there is no falling back on it) is the one jieba.posseg loads, word for word."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delattr(jieba, "posseg", raising=False)
        mp.setitem(sys.modules, "jieba.posseg", None)  # importing it raises ImportError
        got = entities._jieba_tags()
    from jieba import posseg

    want = dict(posseg.dt.word_tag_tab)
    assert len(got) == len(want) > 300_000
    assert {w: (got.get(w), t) for w, t in want.items() if got.get(w) != t} == {}
    assert got == want
    assert entities.resources().word_tags == want


# --------------------------------------------------------------------------- relations: prefilter


def _mask(skel: str, slots: Iterable[int]) -> int:
    """The bits ``_match_sentence`` sets for a skeleton: each character's sets and each slot's type."""
    pf = relations._prefilter()
    have = 0
    for ch in set(skel):
        have |= pf.char_bits.get(ch, 0)
    for i in slots:
        have |= pf.slot_bits.get(skel[i], 0)
    return have


def _check_prefilter(skel: str, slots: Iterable[int], have: int | None = None) -> None:
    """The prefilter of one skeleton, part by part.

    * The mask selects exactly the patterns whose placeholder sets (``requires``, met by a slot) and
      needed characters (``needs``, met by any character) the skeleton has (the bit-mask rewrite).
    * A needed character is needed: no regex that matches lacks one (the new claim, strictly).
    * The placeholder sets and trigger classes (older checks) hide no regex match either, except the
      organisation a title chain (``{C:CHAIN}``) requires: its regex may match a chain of bare titles
      (处长 + person), which names no organisation and so emits nothing (see ``_check_emitted``)."""
    slots = tuple(slots)
    if have is None:
        have = _mask(skel, slots)
    else:
        assert have == _mask(skel, slots), skel
    present = {skel[i] for i in slots}
    chars = set(skel)
    by_sets = [
        p.name
        for p in relations.patterns()
        if not any(present.isdisjoint(r) for r in p.requires) and not any(chars.isdisjoint(n) for n in p.needs)
    ]
    assert [p.name for p in relations._passing(have)] == by_sets, skel
    hidden = []
    for pat in relations.patterns():
        m = pat.regex.search(skel)
        if m is None:
            continue
        lacking_needs = [sorted(n) for n in pat.needs if chars.isdisjoint(n)]
        lacking_types = [sorted(r) for r in pat.requires if present.isdisjoint(r)]
        lacking_class = [c for c in pat.trigger_classes if not relations._trigger_regex(c).search(skel)]
        if lacking_needs or lacking_class or (lacking_types and not pat.chains):
            hidden.append((pat.name, m.group(), lacking_needs, lacking_types, lacking_class))
    assert hidden == [], skel


def _emitted(sent: relations._Sentence, ents: list[Entity], prefilter: bool) -> list[tuple[Any, ...]]:
    """What ``_match_sentence`` emits for a sentence, with or without any of its prefilter."""
    emit = relations._Collector(ents)
    with pytest.MonkeyPatch.context() as mp:
        if not prefilter:  # every pattern, trigger classes unchecked
            every = tuple(replace(p, trigger_classes=()) for p in relations.patterns())
            mp.setattr(relations, "_passing", lambda have: every)
        relations._match_sentence(sent, ents, emit)
    return [(r.head, r.relation, r.tail, [ev.pattern for ev in r.evidence]) for r in emit.result()]


def _check_emitted(sent: relations._Sentence, ents: list[Entity]) -> None:
    """The relations of a sentence are the same with the prefilter as with every regex tried."""
    assert _emitted(sent, ents, True) == _emitted(sent, ents, False), sent.skel


def test_prefilter_never_hides_a_match_on_the_sample(sample: SampleRun) -> None:
    """Every skeleton the sample pages gave, with the mask ``_match_sentence`` really computed for it,
    and the relations of each sentence with and without the prefilter (the real entities)."""
    assert len(sample.sentences_matched) > 300
    assert any(relations._passing(have) for _s, _e, have in sample.sentences_matched)
    emitted = 0
    for sent, ents, have in sample.sentences_matched:
        _check_prefilter(sent.skel, sent.at, have)
        _check_emitted(sent, ents)
        emitted += len(_emitted(sent, ents, True))
    assert emitted > 20  # the comparison saw relations, not only empty lists


_TYPE_OF = {code: type_ for type_, code in relations._CODE.items()}


def _sentence(skel: str) -> tuple[relations._Sentence, list[Entity]]:
    """A sentence of this skeleton, every placeholder a slot of its own entity, and a story park (the
    topic and the last park named) for the patterns bound to it."""
    ents = [Entity("话题园区", "Park")]
    at: dict[int, relations.Slot] = {}
    for i, ch in enumerate(skel):
        if ch in _TYPE_OF:
            at[i] = relations.Slot(i, i + 1, len(ents))
            ents.append(Entity(f"{_TYPE_OF[ch]}{i}", _TYPE_OF[ch]))

    def make_ev(pattern: str) -> Evidence:
        return Evidence("t.txt", "t.txt", 0, skel, 0, len(skel), pattern)

    return relations._Sentence(skel, at, 0, 0, make_ev, (0, 0)), ents


def _check_skeleton(skel: str) -> None:
    """Both checks on a made-up sentence of this skeleton."""
    sent, ents = _sentence(skel)
    _check_prefilter(skel, sent.at)
    _check_emitted(sent, ents)


@cache
def _pattern_by_name() -> dict[str, relations.Pattern]:
    return {p.name: p for p in relations.patterns()}


@FAST
@given(data=st.data())
def test_prefilter_never_hides_a_match_on_strings_the_regex_matches(data: st.DataObject) -> None:
    """A string built from a pattern's own regex (so that regex matches it, and any other that does
    is checked too): the prefilter lets it through."""
    name = data.draw(st.sampled_from(sorted(_pattern_by_name())), label="pattern")
    _check_skeleton(data.draw(st.from_regex(_pattern_by_name()[name].regex), label="skeleton"))


@cache
def _trigger_words() -> tuple[tuple[str, ...], ...]:
    """The trigger words of each class (the job titles of roles.txt with ROLE)."""
    out = {row["class"]: set(split_multi(row["triggers"])) for row in load_table("relation_triggers.tsv")}
    out["ROLE"] |= set(load_list("roles.txt"))
    return tuple(tuple(sorted(words)) for _cls, words in sorted(out.items()))


@cache
def _needed_chars() -> str:
    """Every character some pattern's regex needs."""
    return "".join(sorted({ch for p in relations.patterns() for n in p.needs for ch in n}))


_SLOT = st.sampled_from(relations._SLOTS)
_TRIGGER = st.deferred(lambda: st.sampled_from(_trigger_words()).flatmap(st.sampled_from))  # a class, then a word
_PUNCT = [*'，,。、；;：:“”"《》（）()的在由与和及等为是了将已并也该其中 1２', "以及", "共同"]
_GLUE = st.just("") | st.just("") | st.sampled_from(_PUNCT)  # mostly nothing
_NAMES = st.tuples(st.lists(_SLOT, min_size=1, max_size=3), st.sampled_from("、和及")).map(lambda t: t[1].join(t[0]))
# A clause in the shape the patterns look for (names, a trigger word, names, a little glue), and stray
# pieces (a needed character, any Han, a placeholder, a trigger word) between clauses: about one
# sentence in ten matches some pattern, the rest try the prefilter on near misses.
_CLAUSE = st.tuples(_NAMES, _GLUE, _TRIGGER, _GLUE, _NAMES, _GLUE).map("".join)
_STRAY = (
    st.deferred(lambda: st.sampled_from(_needed_chars()))
    | st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=3)
    | _SLOT
    | _TRIGGER
)
SKELETON = st.lists(_CLAUSE | _CLAUSE | _STRAY, min_size=1, max_size=4).map("".join)


@settings(FAST, max_examples=500)
@given(skel=SKELETON)
def test_prefilter_never_hides_a_match_on_trigger_word_strings(skel: str) -> None:
    """Placeholders, trigger words and punctuation in any order: whatever matches is let through."""
    _check_skeleton(skel)


# --------------------------------------------------------------------------- link: abbreviation scan


def _old_scan(text: str, first: str, last: str, gap: int) -> list[str]:
    """The regex ``link_document`` compiled per institute before ``_abbreviation_candidates``."""
    scan = re.compile(f"{re.escape(first)}[^，。；、“”()（）\\s]{{1,{gap}}}?{re.escape(last)}")
    return [hit.group() for hit in scan.finditer(text)]


def test_abbreviation_scan_matches_the_regex_on_the_sample(sample: SampleRun) -> None:
    """The scans linking made on the sample pages, and every lexicon institute over every article."""
    assert sample.scans
    for text, first, last, gap in sample.scans:
        assert link._abbreviation_candidates(text, first, last, gap) == _old_scan(text, first, last, gap)
    names = {row["name"] for f in ("cas_institutes.tsv", "institutes.tsv") for row in load_table(f)}
    texts = {text for text, *_ in sample.scans} | set(sample.raw)
    found = 0
    for name in sorted(n for n in names if len(n) >= 6):
        for text in texts:
            want = _old_scan(text, name[0], name[-1], len(name) - 3)
            assert link._abbreviation_candidates(text, name[0], name[-1], len(name) - 3) == want, name
            found += len(want)
    assert found > 0  # the comparison saw matches, not only empty lists


_SCAN_ENDS = "院所"  # two ends: the first and last characters are often the same one
_SCAN_TEXT = mixed_text(
    st.sampled_from(_SCAN_ENDS),
    st.sampled_from(_SCAN_ENDS + "研究中心科技江苏省"),
    st.sampled_from("，。；、“”()（） \n\t\u3000\xa0,.;"),
    _ANY_CHAR,
    max_size=40,
)


@FAST
@given(text=_SCAN_TEXT, first=st.sampled_from(_SCAN_ENDS), last=st.sampled_from(_SCAN_ENDS), gap=st.integers(1, 12))
@example("院a院b院", "院", "院", 3)  # a match resumes after its last character, which may start another
@example("院ab所", "院", "所", 2)  # the last character exactly gap + 1 on
@example("院ab所", "院", "所", 1)  # one too far
@example("院a\u3000b所院c所", "院", "所", 5)  # a Unicode space stops a match; the next ``first`` still counts
def test_abbreviation_scan_matches_the_regex_on_generated_text(text: str, first: str, last: str, gap: int) -> None:
    """Stops (with Unicode spaces) between the ends, repeated and equal ends, gaps at the limit."""
    assert link._abbreviation_candidates(text, first, last, gap) == _old_scan(text, first, last, gap)


# --------------------------------------------------------------------------- normalize: half-width marks

# The half-width punctuation regex before 7c2ca80 (the character class _H itself was not changed).
OLD_HALF_PUNCT = re.compile(rf"(?<={normalize._H})[,;:?!]|[,;:?!](?={normalize._H})")


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def _old(fn: Callable[[str], Any], text: str) -> Any:
    """``fn(text)`` with the old half-width regex in place of the new one."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(normalize, "_HALF_PUNCT", OLD_HALF_PUNCT)
        return fn(text)


def test_half_width_regex_matches_the_old_one_on_the_sample(sample: SampleRun) -> None:
    """The same marks on every sample page, and the same normalised pages and metadata."""
    matched = 0
    for text in sample.raw:
        unified = normalize.unify_chars(text)
        assert unified == _old(normalize.unify_chars, text)
        for t in (text, unified):
            assert _spans(normalize._HALF_PUNCT, t) == _spans(OLD_HALF_PUNCT, t)
        matched += len(_spans(OLD_HALF_PUNCT, text))
        assert normalize.normalize(text) == _old(normalize.normalize, text)
    assert matched > 0  # the pages do have half-width marks next to Chinese


_MARKS = st.sampled_from(",;:?!")
_HANLIKE = st.sampled_from("中文㐀䶿豈\u3000、。〇「」！，：？＠～‘’“”—…·䷀")  # in _H (～ and ䷀ just outside it)
_HALF_TEXT = mixed_text(
    _MARKS, _HANLIKE, st.sampled_from(string.ascii_letters + string.digits + " \n\r\t.-"), _ANY_CHAR
)


@FAST
@given(text=_HALF_TEXT)
@example("a!中")  # the Chinese character after the mark ends the text
@example("中!")  # the mark ends the text
@example("1,2中")  # between digits, Chinese further on: no match
@example(",中\n!")  # a mark at the start, a mark after a newline
def test_half_width_regex_matches_the_old_one_on_generated_text(text: str) -> None:
    """Marks at both ends, next to each other, between digits, before a newline: same spans and output."""
    assert _spans(normalize._HALF_PUNCT, text) == _spans(OLD_HALF_PUNCT, text)
    assert normalize.unify_chars(text) == _old(normalize.unify_chars, text)


def test_a_trigger_class_in_an_alternative_or_optional_group_is_not_required() -> None:
    # found by the property test above: pair-cobuild's (@COBUILD|建设|…) matched 双方建设 without a
    # COBUILD word, and the prefilter, taking COBUILD as required, hid the match
    assert not relations._required_at("A(@X|建设)B", 2)
    assert not relations._required_at("A(@X)?B", 2)
    assert not relations._required_at("A(@X){0,2}B", 2)
    assert not relations._required_at("A(?!@X)B", 4)
    assert not relations._required_at("A|@X", 2)
    assert relations._required_at("A@XB", 1)
    assert relations._required_at("A(x(@X))B", 4)
    assert relations._required_at("A[(|]@XB", 5)  # brackets and bars inside a character class are literal
    _check_skeleton("双方建设\ue000")
