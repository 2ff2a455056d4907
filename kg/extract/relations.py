"""Extract relations between the linked entities of a document.

The contract (``EXTRACTION.md``) asks for relations the text *states*, never co-occurrence. So every
relation comes from one of two sources:

* **Sentence patterns** (``kg/data/lexicons/relation_patterns.tsv``). Each sentence is rewritten as a
  *skeleton*: every entity mention, and every short reference a reader resolves (该公司, 园区, 该中心),
  becomes one placeholder character that encodes the entity type. Patterns are regular expressions
  over that skeleton, written in a small notation (``{H:MOVER+}…@SETTLE~{T:Park}``) whose trigger
  words live in ``relation_triggers.tsv``. Working on the skeleton lets one pattern cover
  coordination (``A、B和C``), quotes around names and any length of name, and lets one match fan out
  into several relations (``X携手Y共建Z``). All patterns are compiled once per process.
* **Names** (``name-containment``): a branch, sub-institute, sub-park or a park's government body is
  named after its parent (长城汽车重庆分公司, 中国科学院电工研究所, XX高新区管委会); a project named
  after its owner (XX公司三期项目) is undertaken by it. These need no trigger sentence; the first
  sentence that mentions the sub-unit is the evidence.

References are resolved within one story (an article and the sections printed under its headline;
a section that names no park goes on about the park of the one before): ``该区``/``高新区`` to
the park the story is about (the park it names most, its headline counting extra), ``园区`` to a
park named as a 园 in the last three sentences, else to that park, ``该公司``/``该中心`` to the
most salient fitting entity among those named in the last few sentences (left unresolved when two
tie, as after a list). A clause with no subject (``一方面，引入A、B等企业``) speaks for the story's
park only when no other organisation is named more often in the story; an unstated place
(``A、B等已入驻办公``) is the park named last.

Every emitted relation is checked against the contract's type constraints (a park "located in" a
park is recorded as ``partOf``), duplicates are merged keeping one piece of evidence per sentence that
states them, and ``cooperatesWith`` is stored once per unordered pair (names in sorted order). The
patterns are compiled once per process, from a snapshot of their compiled code after the first time
(0.25 s → 0.01 s); matching is linear in the text: a pattern is tried on a sentence only when the
sentence holds its trigger words and entity types.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from ..ingest.normalize import to_simplified
from ..model import (
    ACTOR_TYPES,
    ENTITY_TYPES,
    SYMMETRIC_RELATIONS,
    Article,
    Entity,
    Evidence,
    Relation,
    Sentence,
    norm_name,
)
from ..resources.lexicon import load_list, load_table, load_uses, split_multi

if sys.version_info >= (3, 11):  # the regular-expression parser, to read off what a pattern needs
    from re import _compiler as _sre_compile  # type: ignore[attr-defined]
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
else:
    import sre_compile as _sre_compile
    import sre_constants as _sre
    import sre_parse as _sre_parse

# --------------------------------------------------------------------------- placeholders

_CODE = {t: chr(0xE000 + i) for i, t in enumerate(ENTITY_TYPES)}
_SLOTS = "".join(_CODE.values())  # every placeholder character (a contiguous private-use range)
_SLOT_CLASS = f"\\u{ord(_SLOTS[0]):04x}-\\u{ord(_SLOTS[-1]):04x}"
ORG_TYPES = ACTOR_TYPES
_SPEC = {
    "ORG": ORG_TYPES,
    "MOVER": ("Company", "University", "Institute", "Project", "Park"),
    "ANY": ENTITY_TYPES,
}

# contract: relation -> (allowed head types, allowed tail types)
_CONSTRAINTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "locatedIn": (frozenset({"Company", "Institute", "University", "Project"}), frozenset({"Park"})),
    "partOf": (frozenset(ORG_TYPES) | {"Project"}, frozenset(ORG_TYPES) | {"Project"}),
    "cooperatesWith": (frozenset(ORG_TYPES), frozenset(ORG_TYPES)),
    "establishedBy": (frozenset({"Institute", "Park", "Project", "Company"}), frozenset(ORG_TYPES)),
    "undertakes": (frozenset(ORG_TYPES), frozenset({"Project"})),
    "worksFor": (frozenset({"Person"}), frozenset(ORG_TYPES)),
}

_OPEN_Q = '[“"《「‘]?'
_CLOSE_Q = '[”"》」’]?'
_LIST_SEP = '(?:、|[，,](?=[“"《]?[{s}][”"》]?(?:、|和|及|等))|和|及|以及|/)'
# a list item the entity extractor did not tag (A、某某、B等): kept as a filler between 、 separators
_FILLER_CHAR = f'[^、，,。！？；;：:（）()“”"《》与和及同跟在对向为{_SLOT_CLASS}\\s]'
# a bracketed part inside an untagged member (某公司(长春)发动机技改) does not end the list
_FILLER = f"(?:{_FILLER_CHAR}{{1,14}}(?:[（(]{_FILLER_CHAR}{{1,8}}[）)]{_FILLER_CHAR}{{0,14}})?)"
# a list member's investment figure (A项目、总投资20亿元的B项目): the list goes on past it
_AMOUNT = "(?:(?:总投资额?|计划投资|投资额?|合同投资额?)?[约超近达逾]?[0-9.]+(?:多|余)?[万亿]?(?:美元|元)的)?"
# an owner's name followed by what it makes (中粮年产3万吨聚乳酸原料): a list member tagged only by its owner
_CAPACITY = "(?:年产|年处理|年加工|年产能)[0-9][\u4e00-\u9fff0-9A-Za-z.]{1,20}"
_GAP = f"[^。！？；;{_SLOT_CLASS}]"
_SHORT_GAP = f"[^，,。！？；;：:{_SLOT_CLASS}]{{0,8}}?"
_CLAUSE_START = "(?:^|(?<=[，,；;：:“—]))\\s*"
# what may follow the thing a verb creates or brings in: punctuation, a coordinator, or a verb that
# goes on about it; a noun instead means the name was only a modifier (引进X体系的项目, 建立“X”基金)
_BOUNDARY = (
    '(?=[”"》」’]?(?:[，,。；;、：:！？!?）)（(…]|$|等|和|及|与|以及|并|正式|揭牌|挂牌|成立|落地|落户|签约|'
    "启动|开园|运营|投用|投产|开工|建成|项目|的|将|也|已|均|还|在|于|是|为|作为|已经|相继|先后|陆续|入驻))"
)
# a name followed by one of these nouns only modifies it (“X”院所, X的项目): X is not the actor
_MODIFIER = (
    '(?![”"》」]?(?:院所|院校|高校|机构|体系|团队|专家|人才|产品|技术|成果|品牌|基金|资金|种子|专项|大会|论坛|'
    "会议|活动|峰会|系统|项目库|系列|企业|的(?!决议|决定|通知|批复|请示|公告|合作|战略|深度|全面|交流|对接)))"
)
_CLAUSE_BREAK = re.compile("[，,。；;：:！？!?]")


def _codes(spec: str) -> str:
    types: list[str] = []
    for part in spec.split("/"):
        types.extend(_SPEC.get(part, (part,)))
    unknown = [t for t in types if t not in _CODE]
    if unknown:
        raise ValueError(f"relation_patterns.tsv: unknown entity type {unknown[0]!r}")
    return "".join(_CODE[t] for t in dict.fromkeys(types))


# --------------------------------------------------------------------------- pattern tables


@dataclass(frozen=True)
class Pattern:
    name: str
    family: str
    regex: re.Pattern[str]
    emits: tuple[tuple[str, str, str], ...]  # (relation, head group, tail group)
    bound: dict[str, str]  # groups bound to no text: group -> TOPIC | OWNTOPIC | LASTPARK | SUBJ | PAIR
    chains: frozenset[str]  # title chains: only their organisations count
    subjects: frozenset[str]  # groups that must stand in subject position
    requires: tuple[frozenset[str], ...]  # placeholder sets a sentence must each touch to be worth trying
    trigger_classes: tuple[str, ...]  # trigger classes that must occur in the sentence
    lists: frozenset[str]  # coordinated-list groups
    needs: tuple[frozenset[str], ...]  # character sets a skeleton must each touch for the regex to match


@cache
def _triggers() -> dict[str, str]:
    """Trigger class -> regex alternation (longest first)."""
    out: dict[str, str] = {}
    for row in load_table("relation_triggers.tsv"):
        words = split_multi(row["triggers"])
        if row["class"] == "ROLE":
            try:
                words += [w for w in load_list("roles.txt") if w]
            except (FileNotFoundError, OSError):
                pass
            excluded = {
                w
                for r in load_table("relation_triggers.tsv")
                if r["class"] == "NOT_ROLE"
                for w in split_multi(r["triggers"])
            }
            words = [w for w in words if w not in excluded]
        words = sorted(set(words), key=lambda w: (-len(w), w))
        out[row["class"]] = "(?:" + "|".join(re.escape(w) for w in words) + ")"
    return out


@cache
def _not_subject() -> re.Pattern[str]:
    """A clause prefix after which an entity is not the subject of what follows.

    Either a coverb anywhere in the clause before it (与X, 在X, 对X: X is governed by the coverb) or a
    verb that creates or brings in the thing right before it (成立X, 引进X: X is that verb's object).
    A clause ending in 、 means the entity is only the tail of a longer list.
    """
    trig = _triggers()
    return re.compile(f'{trig["COVERB"]}|(?:{trig["OBJECT_VERB"]}|、)[了起出]?[“"《「]?$')


_TOKEN = re.compile(r"\{(\w+):([\w/]+)(\+?)(!?)\}|…\{(\d+)\}|…|~|(?<!\[)\^|@([A-Z_]+)|%S|%P|%H|%B|%M")


def _compile(  # noqa: C901
    name: str, source: str
) -> tuple[str, dict[str, str], set[str], set[str], list[frozenset[str]], list[str], set[str]]:
    """Translate the pattern notation into a regular expression over skeletons."""
    trig = _triggers()
    lists: set[str] = set()
    requires: list[frozenset[str]] = []
    classes: list[str] = []
    bound: dict[str, str] = {}
    chain: set[str] = set()
    subjects: set[str] = set()
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(source):
        out.append(source[pos : m.start()])
        pos = m.end()
        tok = m.group()
        if m.group(1):
            group, spec, many, subj = m.group(1), m.group(2), m.group(3), m.group(4)
            if subj:
                subjects.add(group)
            optional = source[: m.start()].endswith("(?:")
            if spec in ("TOPIC", "OWNTOPIC", "LASTPARK", "SUBJ", "PAIR"):
                bound[group] = spec
                out.append(f"(?P<{group}>)")
            elif spec == "CHAIN":
                chain.add(group)
                classes.append("ROLE")
                org = _codes("ORG")
                requires.append(frozenset(org))
                item = f"(?:{_OPEN_Q}[{org}]{_CLOSE_Q})?(?:的)?[^，,。；;、：:{_SLOT_CLASS}]{{0,10}}?{trig['ROLE']}"
                # an honour inside the chain (X大学副校长、中国科学院院士Y) does not break it
                honour = f"(?:{_OPEN_Q}[{org}]{_CLOSE_Q})?[^，,。；;、：:{_SLOT_CLASS}]{{0,5}}?{trig['HONOUR']}"
                # a party committee named in full and then its member's seat (X党工委委员); like an
                # honour it needs a job title elsewhere in the chain (the prefilter asks for one)
                member = f"{_OPEN_Q}[{_CODE['Government']}]{_CLOSE_Q}{trig['SEAT']}"
                sep = "(?:[、，,]|兼)?"
                extra = f"(?:{honour}|{member})"
                out.append(f"(?P<{group}>(?:{extra}{sep})*{item}{sep}(?:(?:{item}|{extra}){sep})*)")
            else:
                codes = _codes(spec)
                if not optional:
                    requires.append(frozenset(codes))
                one = f"[{codes}]"
                if many:
                    lists.add(group)
                    sep = _LIST_SEP.format(s=codes)
                    # a list may end before 和/及 (A和B签署: A is one side) but never before 、 + another name
                    item = f"{_OPEN_Q}{one}{_CLOSE_Q}"
                    filler = f"{_OPEN_Q}{_FILLER}{_CLOSE_Q}"
                    # a member tagged only in part (中科院西光所、B: only 中科院 tagged; X年产3万吨Y项目) is passed over
                    tail = f"(?:(?:[\u4e00-\u9fff]{{1,4}}|{_CAPACITY})(?=、))?"
                    one = f"{one}{tail}"
                    # quoted names side by side are a list too (推进“A”“B”“C”建设)
                    side = f'[”"》」]{_OPEN_Q}{one}'
                    more = f"{_CLOSE_Q}{sep}{_AMOUNT}{_OPEN_Q}{one}|{side}|{_CLOSE_Q}、{filler}(?=、|和|及|等)"
                    # an untagged first member only where a phrase starts (与X、B; 引进了X、B), not mid-word
                    lead = f'(?:(?<=[与和同跟及由了进入如出，,：:“"《])|^)(?:{filler}、){{1,2}}'
                    body = f"(?:{lead})?{one}(?:{more})*"
                    out.append(f"(?P<{group}>{body})(?!{_CLOSE_Q}、{item})")
                else:
                    out.append(f"(?P<{group}>{one})")
        elif m.group(5):
            out.append(f"{_GAP}{{0,{int(m.group(5))}}}?")
        elif tok == "…":
            out.append(f"{_GAP}{{0,30}}?")
        elif tok == "~":
            out.append(_SHORT_GAP)
        elif tok == "^":
            out.append(_CLAUSE_START)
        elif m.group(6):
            if m.group(6) not in trig:
                raise ValueError(f"relation_patterns.tsv: pattern {name}: unknown trigger class @{m.group(6)}")
            if _required_at(source, m.start()):
                classes.append(m.group(6))
            out.append(trig[m.group(6)])
        elif tok == "%S":
            out.append(_SLOT_CLASS)
        elif tok == "%P":
            out.append(_CODE["Park"])
        elif tok == "%H":
            out.append(_CODE["Person"])
        elif tok == "%B":
            out.append(_BOUNDARY)
        elif tok == "%M":
            out.append(_MODIFIER)
    out.append(source[pos:])
    return "".join(out), bound, chain, subjects, requires, classes, lists


def _required_at(source: str, pos: int) -> bool:
    """Whether what stands at ``pos`` of the pattern ``source`` must occur for it to match: not inside
    a negative lookaround, an alternative (``(@A|建设)``), or a group that may match nothing
    (``(…)?``, ``(…)*``, ``(…){0,n}``). A trigger class counts for the prefilter only where it is."""
    opens: list[int] = []
    groups: list[tuple[int, int]] = []  # (open, close) of each group
    bars: list[int] = []  # the open of the group each top-level ``|`` belongs to (-1: the whole pattern)
    i, in_class = 0, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            opens.append(i)
        elif ch == ")" and opens:
            groups.append((opens.pop(), i))
        elif ch == "|":
            bars.append(opens[-1] if opens else -1)
        i += 1
    if -1 in bars:
        return False
    for start, end in groups:
        if not start < pos < end:
            continue
        after = source[end + 1 : end + 4]
        if (
            start in bars
            or source.startswith(("(?!", "(?<!"), start)
            or after[:1] in ("?", "*")
            or after.startswith("{0")
        ):
            return False
    return True


_REPEATS = tuple(getattr(_sre, op) for op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(_sre, op))
_WIDE_CLASS = 4096  # a character class this wide (a whole script) is not worth a check


def _needs(tree: Any) -> list[frozenset[str]]:
    """Character sets a string must each touch for the parsed expression ``tree`` to match in it.

    A cheap necessary condition that spares most sentences most regex runs (a skeleton without 签
    cannot match 签约). Read off conservatively: literals and small classes outside any optional
    part, alternative or negative lookaround; an alternation needs one of the first needs of its
    branches. Positive lookarounds count too, since the check is on the whole skeleton."""
    out: list[frozenset[str]] = []
    for op, av in tree:
        if op is _sre.LITERAL:
            out.append(frozenset(chr(av)))
        elif op is _sre.IN:
            chars: set[str] = set()
            for item, arg in av:
                if item is _sre.LITERAL:
                    chars.add(chr(arg))
                elif item is _sre.RANGE and arg[1] - arg[0] < _WIDE_CLASS:
                    chars.update(map(chr, range(arg[0], arg[1] + 1)))
                else:  # a negated class, a category (\s) or a whole script
                    break
            else:
                if chars:
                    out.append(frozenset(chars))
        elif op is _sre.SUBPATTERN:
            if not av[1] and not av[2]:  # no inline flags (an ignore-case group matches more)
                out += _needs(av[3])
        elif op in _REPEATS:
            if av[0] >= 1:
                out += _needs(av[2])
        elif op is _sre.BRANCH:
            alts = [_needs(alt) for alt in av[1]]
            if all(alts):
                out.append(frozenset().union(*(min(a, key=len) for a in alts)))
        elif op is _sre.ASSERT:
            out += _needs(av[1])
    return out


def _pattern_needs(regex: str, requires: tuple[frozenset[str], ...]) -> tuple[frozenset[str], ...]:
    """:func:`_needs` of a pattern, without the sets its placeholder ``requires`` already check."""
    tree = _sre_parse.parse(regex)
    if tree.state.flags & re.IGNORECASE:
        return ()
    found = set(_needs(tree))
    kept = {n for n in found if not any(o < n for o in found) and not any(r <= n for r in requires)}
    return tuple(sorted(kept, key=lambda n: (len(n), sorted(n))))


_EMIT = re.compile(r"(\w+)\((\w+),(\w+)\)")


# What ``re.compile`` makes of a pattern, less the pattern itself: the arguments of ``_sre.compile``
# (flags, code, number of groups, group index, index group) and the pattern's :func:`_pattern_needs`.
_Compiled = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...], tuple[frozenset[str], ...]]


def _compile_regex(regex: str, requires: tuple[frozenset[str], ...]) -> _Compiled:
    """Compile ``regex`` as ``re._compiler.compile`` does (the same code in Python 3.10 to 3.13), keeping
    the arguments it hands ``_sre.compile``."""
    tree = _sre_parse.parse(regex, 0)
    code = [int(op) for op in _sre_compile._code(tree, 0)]  # plain ints: the opcodes are an int subclass
    index: list[str | None] = [None] * tree.state.groups
    for name, i in tree.state.groupdict.items():
        index[i] = name
    groups = dict(tree.state.groupdict)
    return tree.state.flags, code, tree.state.groups - 1, groups, tuple(index), _pattern_needs(regex, requires)


def _compiled(regexes: list[tuple[str, str, tuple[frozenset[str], ...]]]) -> list[tuple[re.Pattern[str], tuple]]:
    """Each (name, regex, requires) compiled, with its needs.

    Compiling the table takes ``re`` 0.25 s, most of it building the bitmaps of the wide character
    classes, and every worker did it at start-up: a one-file rebuild waited for it. The compiled code
    is snapshotted instead (``kg.resources.snapshots.snapshot``, keyed by the Python build and the regexes) and the
    pattern objects made from it directly, as ``re`` itself makes them from its code. Anything odd (a
    foreign snapshot, another ``_sre``) falls back to ``re.compile``, which gives equal patterns."""
    import hashlib

    from ..resources.snapshots import snapshot

    key = hashlib.sha256(f"{sys.version}\n{sys.implementation.cache_tag}\n{_sre.MAGIC}\n".encode())
    for _, regex, requires in regexes:
        key.update(regex.encode("utf-8", "surrogatepass") + b"\0")
        key.update(repr(sorted("".join(sorted(r)) for r in requires)).encode("utf-8", "surrogatepass") + b"\0")

    def make() -> list[_Compiled]:
        table = []
        for name, regex, requires in regexes:
            try:
                table.append(_compile_regex(regex, requires))
            except re.error as exc:
                raise ValueError(f"relation_patterns.tsv: pattern {name} does not compile: {exc}") from exc
        return table

    def valid(value: Any) -> bool:
        return (
            isinstance(value, list)
            and len(value) == len(regexes)
            and all(isinstance(c, tuple) and len(c) == 6 and isinstance(c[1], list) for c in value)
        )

    table = snapshot("regex", key.hexdigest()[:24], make, valid)
    try:
        return [(_sre_module().compile(regex, *c[:5]), c[5]) for (_, regex, _), c in zip(regexes, table, strict=True)]
    except Exception:
        return [(re.compile(regex), _pattern_needs(regex, requires)) for _, regex, requires in regexes]


def _sre_module() -> Any:
    """The C engine ``re`` compiles into (its ``compile`` makes a pattern object from code)."""
    return _sre_compile._sre


@cache
def patterns() -> tuple[Pattern, ...]:
    """The compiled pattern table (once per process)."""
    rows = []
    for row in load_table("relation_patterns.tsv"):
        regex, bound, chain, subjects, requires, classes, lists = _compile(row["name"], row["pattern"])
        emits = tuple((m.group(1), m.group(2), m.group(3)) for m in _EMIT.finditer(row["emits"]))
        if not emits:
            raise ValueError(f"relation_patterns.tsv: pattern {row['name']} emits nothing")
        for rel, _h, _t in emits:
            if rel not in _CONSTRAINTS:
                raise ValueError(f"relation_patterns.tsv: pattern {row['name']}: unknown relation {rel!r}")
        rows.append((row["name"], row["family"], regex, emits, bound, chain, subjects, tuple(requires), classes, lists))
    compiled = _compiled([(name, regex, requires) for name, _, regex, _, _, _, _, requires, _, _ in rows])
    return tuple(
        Pattern(
            name,
            family,
            regex_obj,
            emits,
            bound,
            frozenset(chain),
            frozenset(subjects),
            requires,
            tuple(dict.fromkeys(classes)),
            frozenset(lists),
            needs,
        )
        for (name, family, _, emits, bound, chain, subjects, requires, classes, lists), (regex_obj, needs) in zip(
            rows, compiled, strict=True
        )
    )


@dataclass(frozen=True)
class RefWord:
    word: str
    type: str
    resolve: str  # "topic", "near", "last" or "committee"
    suffixes: tuple[str, ...]
    context: str  # "free", "clause", "bound" or "locative"


@cache
def _references() -> tuple[dict[str, RefWord], re.Pattern[str]]:
    rows = {
        r["word"]: RefWord(r["word"], r["type"], r["resolve"], tuple(split_multi(r["suffix"])), r["context"])
        for r in load_table("relation_references.tsv")
    }
    words = sorted(rows, key=lambda w: (-len(w), w))
    return rows, re.compile("|".join(re.escape(w) for w in words))


_BOUND_OK = set("在该本与和及的为对从于是入到让由向将把被经驻户")
_CLAUSE_PUNCT = set('，,。；;：:！？!?“”"「」『』（）() \n\t')
_LOCATIVE_NEXT = set("落入扎安设建投")


def _context_ok(text: str, start: int, end: int, context: str) -> bool:
    prev = text[start - 1] if start else ""
    if context == "free":
        return True
    if context == "locative":
        return prev in ("在", "于") and end < len(text) and text[end] in _LOCATIVE_NEXT
    if not prev:
        return True
    if context == "clause":
        return prev in _CLAUSE_PUNCT
    return not ("\u4e00" <= prev <= "\u9fff") or prev in _BOUND_OK


# --------------------------------------------------------------------------- stories and slots

_RECENT = 8  # sentences back within which a 该X reference looks for its entity


@dataclass(frozen=True)
class Slot:
    start: int  # offsets in the article text
    end: int
    entity: int  # index into the entity list
    ref: str = ""  # the reference word when the slot is a resolved reference


@dataclass
class _Seen:
    count: int = 0
    last_sent: int = 0
    last_pos: int = 0


def _stories(articles: list[Article]) -> list[list[Article]]:
    """Group consecutive articles that belong to one story (sections printed under one headline)."""
    groups: list[list[Article]] = []
    key_of_prev = None
    for art in articles:
        headline = (art.meta.get("headline") or [""])[0]
        key = headline or art.title
        if groups and headline and headline == key_of_prev:
            groups[-1].append(art)
        else:
            groups.append([art])
            key_of_prev = key
    return groups


def _mentions_by_article(entities: list[Entity]) -> dict[int, list[tuple[int, int, int]]]:
    """Article -> (start, end, entity) of every mention of a typed entity, in entity order (grouped
    once per document instead of scanning every entity for every article)."""
    out: dict[int, list[tuple[int, int, int]]] = {}
    for k, ent in enumerate(entities):
        if ent.type in _CODE:
            for m in ent.mentions:
                out.setdefault(m.article, []).append((m.start, m.end, k))
    return out


def _mention_spans(art: Article, mentions: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Non-overlapping mentions of one article (longest first), in text order."""
    cands = [(s, e, k) for s, e, k in mentions if 0 <= s < e <= len(art.text)]
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[0], c[2]))
    taken: list[tuple[int, int, int]] = []
    starts: list[int] = []
    for s, e, k in cands:
        i = bisect.bisect_left(starts, s)
        if (i > 0 and taken[i - 1][1] > s) or (i < len(taken) and taken[i][0] < e):
            continue
        taken.insert(i, (s, e, k))
        starts.insert(i, s)
    return taken


def _topic(
    story: list[Article], spans: list[list[tuple[int, int, int]]], entities: list[Entity], forms: list[list[str]]
) -> tuple[int | None, bool]:
    """The park a story is about (named most often, its headline counting extra; ties go to the first),
    and whether the story is about it at all: no company or other organisation is named more often.
    Only then does a clause with no subject (引进A、B等企业) speak for the park."""
    score: dict[int, int] = {}
    first: dict[int, tuple[int, int]] = {}
    others: dict[int, int] = {}
    for n, sp in enumerate(spans):
        head = story[n].head  # the title at the head of the text counts through ``headline`` below
        for s, _e, k in sp:
            if s < head:
                continue
            if entities[k].type == "Park":
                score[k] = score.get(k, 0) + 1
                first.setdefault(k, (n, s))
            elif entities[k].type in ORG_TYPES:
                others[k] = others.get(k, 0) + 1
    headline = norm_name((story[0].meta.get("headline") or [story[0].title])[0])
    if headline:
        for k, ent in enumerate(entities):
            if ent.type == "Park" and any(f in headline for f in forms[k]):
                score[k] = score.get(k, 0) + 3
                first.setdefault(k, (-1, 0))
    if not score:
        return None, False
    topic = min(score, key=lambda k: (-score[k], first[k]))
    return topic, score[topic] >= max(others.values(), default=0)


_NEAR = 3  # sentences back within which 园区 means the 园 just named rather than the story's zone


def _near_park(
    seen: dict[int, _Seen],
    entities: list[Entity],
    forms: list[list[str]],
    suffixes: tuple[str, ...],
    sent_no: int,
    topic: int | None,
) -> int | None:
    """What 园区 stands for: a park named as a 园 in this or the sentence before (该区东北部的创业园…，园区内已有…),
    else the park the story is about (a zone is called 园区 too)."""
    best: tuple[int, int] | None = None
    for j, info in seen.items():
        if entities[j].type != "Park" or sent_no - info.last_sent > _NEAR:
            continue
        if not any(f.endswith(suffixes) for f in forms[j]):
            continue
        if best is None or info.last_pos > best[0]:
            best = (info.last_pos, j)
    return best[1] if best is not None else topic


def _story_slots(  # noqa: C901
    story: list[Article],
    entities: list[Entity],
    forms: list[list[str]],  # noqa: C901
    mentions: dict[int, list[tuple[int, int, int]]],
) -> tuple[list[list[Slot]], int | None, bool]:
    """Slots (mentions and resolved references) of each article of a story, its park, and whether the
    story is about that park."""
    spans = [_mention_spans(art, mentions.get(art.index, [])) for art in story]
    topic, about_park = _topic(story, spans, entities, forms)
    rows, ref_re = _references()
    seen: dict[int, _Seen] = {}
    sent_base = 0
    out: list[list[Slot]] = []
    for art, taken in zip(story, spans, strict=True):
        starts = [s for s, _e, _k in taken]
        sent_starts = [s.start for s in art.sentences]
        events: list[tuple[int, int, int, RefWord | None]] = [(s, e, k, None) for s, e, k in taken]
        for m in ref_re.finditer(art.text):
            i = bisect.bisect_right(starts, m.start())
            if (i > 0 and taken[i - 1][1] > m.start()) or (i < len(taken) and taken[i][0] < m.end()):
                continue
            word = rows[m.group()]
            if _context_ok(art.text, m.start(), m.end(), word.context):
                events.append((m.start(), m.end(), -1, word))
        events.sort(key=lambda x: x[0])
        slots: list[Slot] = []
        for s, e, k, row in events:
            sent_no = sent_base + max(0, bisect.bisect_right(sent_starts, s) - 1)
            if row is None:
                slots.append(Slot(s, e, k))
                info = seen.setdefault(k, _Seen())
                info.count += 1
                info.last_sent, info.last_pos = sent_no, sent_base * 100000 + s
                continue
            target: int | None = None
            if row.resolve == "near":
                target = _near_park(seen, entities, forms, row.suffixes, sent_no, topic)
            elif row.resolve == "topic":
                target = topic
            else:
                best: tuple[int, int] | None = None
                for j, info in seen.items():
                    ent = entities[j]
                    if ent.type != row.type or sent_no - info.last_sent > _RECENT:
                        continue
                    if row.suffixes and not ent.name.endswith(row.suffixes):
                        continue
                    rank = (info.count, info.last_pos)
                    if best is None or rank > best:
                        best, target = rank, j
                if target is not None:
                    top = seen[target]
                    rivals = [
                        j
                        for j, info in seen.items()
                        if j != target
                        and entities[j].type == row.type
                        and info.count == top.count
                        and info.last_sent == top.last_sent
                    ]
                    if rivals:
                        target = None  # 引导A、B、C等企业…该企业: a reader cannot tell which one
            if row.resolve == "committee":
                target = _chained_park(art.text, s, slots, entities, row, target)
            if row.resolve == "committee" and target is None:
                target = topic  # 管委会主任 in a story that names no committee: the park's own committee
            if target is not None and entities[target].type in (row.type, "Park" if row.resolve == "committee" else ""):
                slots.append(Slot(s, e, target, row.word))
        out.append(slots)
        sent_base += len(art.sentences) + 1
    return out, topic, about_park


_TITLE_GAP = re.compile("[^。！？；;：:]{0,12}")


def _chained_park(
    text: str, pos: int, slots: list[Slot], entities: list[Entity], row: RefWord, found: int | None
) -> int | None:
    """The committee a bare 管委会 names inside a title chain: that of the park named just before it
    (X开发区党工委书记、管委会主任Y serves X's committee, not the story's main park); else ``found``."""
    if not slots or not _TITLE_GAP.fullmatch(text, slots[-1].end, pos):
        return found
    before = entities[slots[-1].entity]
    if before.type == "Park":
        park = slots[-1].entity
    else:  # the park's party committee (X开发区党工委书记、管委会主任)
        named = [j for j, e in enumerate(entities) if e.type == "Park" and before.name.startswith(e.name)]
        if before.type != "Government" or not named:
            return found
        park = max(named, key=lambda j: len(entities[j].name))
    name = entities[park].name
    own = [
        j
        for j, e in enumerate(entities)
        if j != slots[-1].entity
        and e.type == "Government"
        and e.name.startswith(name)
        and e.name.endswith(row.suffixes)
    ]
    return own[0] if own else park


_ALIAS_OPEN = re.compile(r"^[（(](?:以下简称|以下称|下称|简称|又称|即)?[“\"]?$")
_ALIAS_CLOSE = re.compile(r"^[”\"]?[)）]")


def _skeleton(
    text: str, sent_start: int, sent_end: int, slots: list[Slot], codes: list[str]
) -> tuple[str, dict[int, Slot]]:
    """The sentence with each slot replaced by its type's placeholder; skeleton index -> slot.

    A bracketed second name of the same entity (``X(以下简称Y)``) is dropped, so that it does not
    break coordination or adjacency.
    """
    out: list[str] = []
    at: dict[int, Slot] = {}
    length = 0
    pos = sent_start
    prev: Slot | None = None
    for sl in slots:
        if sl.start < pos:
            continue
        between = text[pos : sl.start]
        if prev is not None and prev.entity == sl.entity and _ALIAS_OPEN.match(between):
            close = _ALIAS_CLOSE.match(text, sl.end, sent_end)
            if close:
                pos = close.end()
                continue
        out.append(between)
        length += len(between)
        at[length] = sl
        out.append(codes[sl.entity])
        length += 1
        pos = sl.end
        prev = sl
    out.append(text[pos:sent_end])
    return "".join(out), at


# --------------------------------------------------------------------------- emission


def _check(rel: str, head_type: str, tail_type: str) -> str | None:
    """The relation to record for these types under the contract, or None."""
    if rel == "locatedIn" and head_type == "Park" and tail_type == "Park":
        rel = "partOf"
    heads, tails = _CONSTRAINTS[rel]
    if head_type not in heads or tail_type not in tails:
        return None
    if rel == "partOf" and (head_type == "Project") != (tail_type == "Project"):
        return None
    return rel


@dataclass
class _Collector:
    """Merges relations by (head, relation, tail), keeping every distinct piece of evidence."""

    entities: list[Entity]
    park_of: dict[int, int] = field(default_factory=dict)  # a park, or a park's committee -> the park
    rels: dict[tuple[str, str, str], Relation] = field(default_factory=dict)
    order: dict[tuple[str, str, str], tuple[int, ...]] = field(default_factory=dict)

    def add(self, rel: str, h: int, t: int, ev: Evidence, rank: tuple[int, ...]) -> None:
        he, te = self.entities[h], self.entities[t]
        if h == t or he.name == te.name:
            return
        checked = _check(rel, he.type, te.type)
        if checked is None:
            return
        if checked in SYMMETRIC_RELATIONS and te.name < he.name:
            he, te = te, he
        key = (he.name, checked, te.name)
        r = self.rels.get(key)
        if r is None:
            r = self.rels[key] = Relation(he.name, checked, te.name, he.type, te.type)
            self.order[key] = rank
        if not any(e.article == ev.article and e.start == ev.start for e in r.evidence):
            r.evidence.append(ev)  # one piece per sentence, whichever pattern saw it first

    def result(self) -> list[Relation]:
        return [self.rels[k] for k in sorted(self.rels, key=lambda k: (self.order[k], k))]


@dataclass
class _Sentence:
    """One sentence ready for matching."""

    skel: str
    at: dict[int, Slot]
    topic: int | None  # the story's park when the story is about it (zero subjects), else None
    prev_park: int | None  # the last park named before this sentence in the story
    make_ev: Callable[[str], Evidence]
    rank: tuple[int, int]
    story: _StoryState | None = None
    inherited: bool = False  # the topic is the park of the section before (this story names none)
    _breaks: list[int] | None = None
    _parks: tuple[list[int], list[int]] | None = None

    def clause_before(self, pos: int) -> str:
        """The text of the clause up to ``pos`` (at most 40 characters back: a governing coverb is near)."""
        if self._breaks is None:
            self._breaks = [m.start() for m in _CLAUSE_BREAK.finditer(self.skel)]
        i = bisect.bisect_left(self._breaks, pos)
        start = self._breaks[i - 1] + 1 if i else 0
        return self.skel[max(start, pos - 40) : pos]

    def subject_before(self, pos: int, entities: list[Entity]) -> int | None:
        """Who a clause without its own subject speaks for: the first organisation (or project) before
        ``pos`` that stands at the head of its clause, ungoverned by a coverb (X落户A，与B签署…: X);
        else the story's park when the story is about it."""
        for i in sorted(k for k in self.at if k < pos):
            ent = entities[self.at[i].entity]
            if ent.type not in ORG_TYPES and ent.type != "Project":
                continue
            before = self.clause_before(i)
            if _SUBJ_LEAD.fullmatch(before):
                return self.at[i].entity
        return self.topic

    def park_before(self, pos: int, entities: list[Entity]) -> int | None:
        """The last park named before ``pos`` in this sentence, else before the sentence."""
        if self._parks is None:
            idx = sorted(i for i, sl in self.at.items() if entities[sl.entity].type == "Park")
            self._parks = (idx, [self.at[i].entity for i in idx])
        i = bisect.bisect_left(self._parks[0], pos)
        return self._parks[1][i - 1] if i else self.prev_park


# what may precede a clause's subject in its clause: dates, times and sentence adverbs (a verb or a
# coverb before a name makes it an object)
_SUBJ_LEAD = re.compile(
    '(?:[0-9年月日号时分上下午晚间\\s“"《]|今年|去年|近日|日前|近期|近年来|目前|当前|同时|此外|另外|其中|'
    "当天|当日|随后|此前|本报讯|讯|据悉|据了解|据介绍)*"
)


_RESPECTIVELY = re.compile("分别(?:与|同|和|跟)")


@dataclass
class _StoryState:
    """What later sentences of one story may refer back to: the parties of the last agreement (双方)."""

    pair: list[int] = field(default_factory=list)


# a "name" followed by a count (实施重大转化项目6项, 新开工重大工业项目13个) names a category, not a thing
_COUNTED = re.compile(r"[”\"》]?[0-9０-９一二三四五六七八九十百千几多余]+(?:项|个|家|批|所|座|条|只|台)")
_LIST_PUNCT = set('、，,和及与并/等”"》」’')


def _glued(skel: str, i: int, end: int) -> bool:
    """Whether the name at ``i`` runs on into more name text inside a list (中科院西光所: 中科院 is not meant)."""
    return (
        i + 1 < end
        and skel[i + 1] not in _LIST_PUNCT
        and not ("\ue000" <= skel[i + 1] <= "\uf8ff")
        and not skel.startswith("以及", i + 1)
    )


def _group(m: re.Match[str], group: str, sent: _Sentence, pat: Pattern, entities: list[Entity]) -> list[int]:
    kind = pat.bound.get(group)
    if kind == "TOPIC" or (kind == "OWNTOPIC" and not sent.inherited):
        return [sent.topic] if sent.topic is not None else []
    if kind == "OWNTOPIC":
        return []
    if kind == "LASTPARK":
        park = sent.park_before(m.start(), entities)
        return [park] if park is not None else []
    if kind == "SUBJ":
        subj = sent.subject_before(m.start(), entities)
        return [subj] if subj is not None else []
    if kind == "PAIR":
        return list(sent.story.pair) if sent.story is not None else []
    if m.group(group) is None:
        return []
    s, e = m.span(group)
    if s == e:
        return []
    if group in pat.subjects and (
        _not_subject().search(sent.clause_before(s)) or _RESPECTIVELY.search(sent.skel, 0, s)
    ):
        return []  # 甲分别与乙，丙、丁签署: 乙, 丙, 丁 are each 甲's partner, not the subject of a list
    glue = group in pat.lists
    found = [
        sent.at[i].entity
        for i in range(s, e)
        if i in sent.at and not (glue and _glued(sent.skel, i, e)) and not _COUNTED.match(sent.skel, i + 1)
    ]
    if group in pat.chains:
        found = [k for k in found if entities[k].type in ORG_TYPES and not _honoured_by(sent, k, e)]
    return list(dict.fromkeys(found))


def _honoured_by(sent: _Sentence, k: int, end: int) -> bool:
    """Whether entity ``k`` is named in a title chain only as the body that grants an honour
    (中国科学院院士): an academician of the academy does not work for it."""
    honour = _trigger_regex("HONOUR")
    return any(sent.at[i].entity == k and honour.match(sent.skel, i + 1, end) is not None for i in sent.at if i < end)


# after a bare 签约 with a park: the signer settles or builds there (与X高新区签约，将在园区投资建设…,
# 与X高新区签约，X将投资10亿元建设…)
_SETTLE_AFTER = re.compile(
    f"[^。！？；;]*?(?:落户|入驻|落地|在[{_CODE['Park']}](?:内|区内|园内)?[^，,。；;]{{0,6}}?(?:投资|建设|兴建)"
    "|(?:将|拟|计划)投资[^，,。；;]{0,12}?(?:建设|兴建|新建))"
)


@cache
def _settle_sign() -> re.Pattern[str]:
    """An investment or settlement agreement (投资协议, 入驻签约): signed with a park it is ``locatedIn``."""
    return re.compile(_triggers()["SETTLE_SIGN"])


@cache
def _trigger_regex(cls: str) -> re.Pattern[str]:
    return re.compile(_triggers()[cls])


@dataclass(frozen=True)
class _Prefilter:
    """The cheap checks before a pattern's regex runs, as bit masks: one bit per distinct placeholder
    set of ``Pattern.requires`` (met by a slot) and per distinct character set of ``Pattern.needs``
    (met by any character of the skeleton), so a sentence tests each pattern with one ``&``."""

    slot_bits: dict[str, int]  # placeholder -> bits of the placeholder sets holding it
    char_bits: dict[str, int]  # character -> bits of the character sets holding it
    table: tuple[tuple[Pattern, int], ...]  # each pattern with the bits it needs, in table order


@cache
def _prefilter() -> _Prefilter:
    bit: dict[tuple[bool, frozenset[str]], int] = {}
    table = []
    for pat in patterns():
        need = 0
        for is_slot, sets in ((True, pat.requires), (False, pat.needs)):
            for chars in sets:
                need |= 1 << bit.setdefault((is_slot, chars), len(bit))
        table.append((pat, need))
    slot_bits: dict[str, int] = {}
    char_bits: dict[str, int] = {}
    for (is_slot, chars), b in bit.items():
        owner = slot_bits if is_slot else char_bits
        for ch in chars:
            owner[ch] = owner.get(ch, 0) | 1 << b
    return _Prefilter(slot_bits, char_bits, tuple(table))


@lru_cache(maxsize=4096)  # sentences share masks: 814 distinct among 18,000 sentences
def _passing(have: int) -> tuple[Pattern, ...]:
    """The patterns whose prefilter bits are all in ``have``, in table order."""
    return tuple(pat for pat, need in _prefilter().table if have & need == need)


def _match_sentence(sent: _Sentence, entities: list[Entity], emit: _Collector) -> None:  # noqa: C901
    pf = _prefilter()
    skel = sent.skel
    have = 0
    for ch in pf.char_bits.keys() & set(skel):
        have |= pf.char_bits[ch]
    for i in sent.at:
        have |= pf.slot_bits.get(skel[i], 0)
    has_class: dict[str, bool] = {}
    for pat in _passing(have):  # the others need a placeholder type or a character the sentence lacks
        missing = False
        for cls in pat.trigger_classes:
            if cls not in has_class:
                has_class[cls] = _trigger_regex(cls).search(skel) is not None
            if not has_class[cls]:
                missing = True
                break
        if missing:
            continue
        for m in pat.regex.finditer(skel):
            groups: dict[str, list[int]] = {}
            ev: Evidence | None = None
            for rel, hg, tg in pat.emits:
                for g in (hg, tg):
                    if g not in groups:
                        groups[g] = _group(m, g, sent, pat, entities)
                heads, tails = groups[hg], groups[tg]
                if not heads or not tails:
                    continue
                ev = ev or sent.make_ev(pat.name)
                rank = (*sent.rank, m.start())
                pairs = (
                    [(h, t) for i, h in enumerate(heads) for t in heads[i + 1 :]]
                    if hg == tg
                    else [(h, t) for h in heads for t in tails]
                )
                settling = rel == "cooperatesWith" and (
                    _settle_sign().search(m.group()) is not None
                    or (pat.name == "sign-with" and _SETTLE_AFTER.match(skel, m.end()) is not None)
                )
                if settling:  # only a signing with a park (or its committee) settles
                    settling = any(sent.at[i].entity in emit.park_of for i in range(*m.span()) if i in sent.at)
                for h, t in pairs:
                    if settling:
                        # signing to settle with a park (or its committee) places the signer there
                        for mover, park in ((t, h), (h, t)):
                            if park in emit.park_of and mover not in emit.park_of:
                                emit.add("locatedIn", mover, emit.park_of[park], ev, rank)
                        continue
                    emit.add(rel, h, t, ev, rank)
                if rel == "cooperatesWith" and sent.story is not None and not settling:
                    sent.story.pair = list(dict.fromkeys(heads + (tails if hg != tg else [])))


# --------------------------------------------------------------------------- names

_SEPARATORS = tuple("—-－–·・(（与和及、")
_JOINT = re.compile(r"^[—\-－–][^—\-－–]*联合")
_LEGAL_FORM = re.compile(
    r"^(?:技术|科技|信息技术|实业|网络|电子|发展)?(?:集团)?(?:股份)?(?:有限)?(?:责任)?(?:公司|集团)$"
)


_PLAN = re.compile(r"(?:计划|方案|行动|规划|工程|政策|战略|专项|纲要|试点|工作|基金|资金)[”\"》]?$")
_BRANCH = re.compile(r"(?:公司|总部|分部|事业部|分厂|工厂|分行|支行|办事处|研究院|中心|基地|集团)$")
_FACILITY = re.compile(r"(?:基地|实验室|研究院|研究所|孵化器|加速器|众创空间|工作站|中试平台)$")
_ITSELF = ("项目", "建设项目", "項目", "建設項目")  # X园项目: the park named as a project
_GOV_BODY = re.compile(r"^[省市区县]?(?:委|政府|人大|政协)$")


def _name_relation(sub: Entity, parent: Entity) -> str | None:
    """The relation a name built on a parent's name states, by the two types."""
    st, pt = sub.type, parent.type
    if "Person" in (st, pt):
        return None
    if st == "Project":
        if pt == "Government":
            return "establishedBy"
        if pt == "Park" and not _PLAN.search(sub.name):
            # X园二期项目 is built in X园; a park's plan (X区行动方案) is its own undertaking. A short
            # form (光谷城市大脑) only names the area: no relation
            prefixes = tuple(f for f in (parent.name, *parent.aliases) if len(f) >= 3)
            if any(f"{p}{rest}" in (sub.name, *sub.aliases) for p in prefixes for rest in _ITSELF):
                return None  # X产业园项目 is the park's own construction, not something in it
            return "locatedIn" if any(f.startswith(prefixes) for f in (sub.name, *sub.aliases)) else None
        return "partOf" if pt == "Project" else "undertakes"
    if pt == "Project":
        return None
    if st in ("Government", "Park"):
        return "partOf" if pt == "Park" or (st == "Government" and pt == "Government") else None
    if st == "Institute":
        # X高新区中试基地 is a facility in the zone; X高新区服务中心 is one of the zone's own bodies
        return "locatedIn" if pt == "Park" and _FACILITY.search(sub.name) else "partOf"
    if st == "University":
        return "partOf" if pt == "University" else None
    if st == "Company":
        return "partOf" if pt in ("Company", "Institute", "University") else None
    return None


_BRACKET = re.compile(r"\(([^()]+)\)")
_LEAD_BRACKET = re.compile(r"[(（]([^()（）]{1,8})[)）]")
_BRACKET_UNIT = re.compile(r"(?:园|校区|分院|分校|分部|分中心|基地)$")


def _past_place_bracket(rest: str) -> str:
    """What a name adds to its parent's past a bracketed place: 某大学(深圳)研究院 adds 研究院 (a branch named
    for its city), 某科技园(德阳园) adds 德阳园 (the bracket names the branch itself)."""
    m = _LEAD_BRACKET.match(rest)
    if m is None:
        return rest
    if rest[m.end() :]:
        return rest[m.end() :]
    return m.group(1) if _BRACKET_UNIT.search(m.group(1)) else rest  # 某大学(深圳): the place only


def _form_index(entities: list[Entity], forms: list[list[str]]) -> dict[str, list[int]]:
    """Name form -> the entities that may parent a name built on it (never a place or a person)."""
    index: dict[str, list[int]] = {}
    for a, ent in enumerate(entities):
        if ent.type in _CODE and ent.type != "Person":
            for f in forms[a]:
                index.setdefault(f, []).append(a)
    return index


def _name_parent(
    b: int, forms: list[list[str]], entities: list[Entity], index: dict[str, list[int]]
) -> tuple[int, bool] | None:
    """The entity whose name the name of ``b`` is built on (longest such), and whether jointly (A—B联合…).

    Looks up every prefix of each of ``b``'s forms in ``index``, so the cost is linear in the names."""
    sub = entities[b]
    hits: list[tuple[int, int, bool]] = []  # (-prefix length, parent, joint)
    for sf in forms[b]:
        for n in range(2, len(sf) - 1):
            cands = [a for a in index.get(sf[:n], ()) if a != b and entities[a].name != sub.name]
            parks = [a for a in cands if entities[a].type == "Park"]
            if parks and sub.type != "Government" and not _is_park_name(sf[:n]):
                # 滨岛新区, 滨岛某中心: a zone's bare place name starts the name; no sub-unit of it
                cands = [a for a in cands if entities[a].type != "Park"]
            if not cands:
                continue
            rest = _past_place_bracket(sf[n:])
            joint = bool(_JOINT.match(rest))
            if rest.startswith(_SEPARATORS) and not joint:
                continue
            if sub.type == "Company" and (_LEGAL_FORM.match(rest) or not _BRANCH.search(rest)):
                continue  # 吉利新能源汽车 is a business line, not a branch named after 吉利
            if sub.type == "Government" and _GOV_BODY.match(rest):
                continue  # 某省委省政府: two bodies side by side, not one inside the other
            hits.append((-n, min(cands), joint))
    if hits:
        _n, a, joint = min(hits)
        return a, joint
    if sub.type == "Park":
        # 某某区(某高新区)国际产业园: the bracket names the zone the park belongs to
        parks = [
            a
            for sf in forms[b]
            for m in _BRACKET.finditer(sf)
            if m.group() != sf
            for a in index.get(m.group(1), ())
            if a != b and entities[a].type == "Park"
        ]
        if parks:
            return min(parks), False
    return None


@cache
def _park_suffixes() -> tuple[str, ...]:
    return tuple(r["suffix"] for r in load_table("entity_suffixes.tsv") if r["type"] == "Park")


@cache
def _park_name_endings() -> tuple[str, ...]:
    return (*_park_suffixes(), *load_list("park_brand_heads.txt"))


def _is_park_name(form: str) -> bool:
    """Whether a park's form names it as a park (某高新区, 某科技城) rather than by a bare place name
    (滨岛, 江湾): only the former makes it the parent of what is named after it; a place name merely
    locates (滨岛新区 is no part of a zone called 滨岛 for short)."""
    return to_simplified(form).endswith(_park_name_endings())


def _owner_stated(sub: Entity, owner: Entity, sub_forms: list[str], owner_forms: list[str]) -> bool:
    """Whether a project named after an organisation says the organisation undertakes it.

    Not when the name is only the owner plus 项目 (X项目 is the owner's coming itself, as X园项目 is the
    park's), when it names a park built on the owner's brand (X科技园项目: a park, run by whoever the
    text says), or when the owner is named nowhere but inside project names (a list of projects:
    the annotator's owner is then the full company name, if any)."""
    rests = [sf[len(of) :] for sf in sub_forms for of in owner_forms if len(of) >= 2 and sf.startswith(of)]
    if not rests or all(r in _ITSELF for r in rests):
        return False
    if all(any(r.removesuffix(i).endswith(_park_suffixes()) for i in ("", *_ITSELF)) for r in rests):
        return False
    if any(sf.startswith(of) and of.endswith(_registered_forms()) for sf in sub_forms for of in owner_forms):
        return True  # 某某(肇庆)有限公司某某扩产项目: the full registered name is the owner's own statement
    return any(x.rule != "owner-in-project" for x in owner.mentions)


@cache
def _registered_forms() -> tuple[str, ...]:
    """The forms that end a registered company's full name (有限公司): company_forms.tsv, use registered."""
    return load_uses("company_forms.tsv").get("registered", ())


def _name_relations(
    entities: list[Entity], forms: list[list[str]], articles: dict[int, Article], emit: _Collector, doc: str, path: str
) -> dict[int, int]:
    """Relations stated by names alone; returns project -> owner for the owner-named projects."""
    owners: dict[int, int] = {}
    index = _form_index(entities, forms)
    found_before = re.compile(f'{_triggers()["FOUND"]}[“"《]?$')
    for b, sub in enumerate(entities):
        if not sub.mentions or sub.type not in _CODE:
            continue
        hit = _name_parent(b, forms, entities, index)
        if hit is None:
            continue
        a, joint = hit
        parent = entities[a]
        rel = "establishedBy" if joint else _name_relation(sub, parent)
        if rel is None:
            continue
        if all(_COUNTED.match(articles[x.article].text, x.end) for x in sub.mentions if x.article in articles):
            continue
        m = min(sub.mentions, key=lambda x: (x.article, x.start))
        art = articles.get(m.article)
        if art is None:
            continue
        sent = _sentence_at(art, m.start)
        if sent is None:
            continue
        if rel == "undertakes" and not _owner_stated(sub, parent, forms[b], forms[a]):
            continue
        if rel == "undertakes" and found_before.search(art.text, max(0, m.start - 6), m.start):
            rel = "establishedBy"  # 设立X基金: the text says it was set up, not run
        ev = Evidence(doc, path, art.index, sent.text, sent.start, sent.end, "name-containment")
        rank = (art.index, sent.start, m.start)
        if rel == "undertakes":
            emit.add(rel, a, b, ev, rank)
            if parent.type == "Company":
                owners[b] = a
        else:
            emit.add(rel, b, a, ev, rank)
    return owners


def _sentence_at(art: Article, pos: int) -> Sentence | None:
    """The sentence of ``art`` holding offset ``pos`` (None where a mention fell outside every one)."""
    return next((s for s in art.sentences if s.start <= pos < s.end), None)


_TITLE_SEGMENT = re.compile("[，,。；;：:！？!?]")


def _local_heads(entities: list[Entity], articles: dict[int, Article], emit: _Collector, doc: str, path: str) -> None:
    """Heads of a local government titled only by their post (X市委副书记、市长Y; X区区长Y).

    The title names the level (市长, 区长) and the clause names the place, so Y serves the government
    of that place when the document names it (X市政府, X区人民政府); the name itself is rarely written.
    """
    trig = _triggers()
    gov_tail = re.compile(f"{trig['LOCAL_GOV']}$")
    heads = re.compile(f"{trig['LOCAL_HEAD']}$")
    govs: list[tuple[int, str, re.Pattern[str]]] = []  # (government, its place: X市 of X市人民政府, a seat in it)
    for k, e in enumerate(entities):
        m = gov_tail.search(e.name) if e.type == "Government" else None
        if m and m.start() >= 2:
            place = e.name[: m.start()]
            govs.append((k, place, re.compile(f"、{re.escape(place[-1])}{trig['LOCAL_GOV']}")))
    if not govs:
        return
    for p, person in enumerate(entities):
        if person.type != "Person":
            continue
        for mention in person.mentions:
            art = articles.get(mention.article)
            if art is None:
                continue
            window = max(0, mention.start - 30)
            seg_start = max((m.end() for m in _TITLE_SEGMENT.finditer(art.text, window, mention.start)), default=window)
            segment = art.text[seg_start : mention.start]
            gov = _head_government(segment, govs, heads)
            if gov is None:
                continue
            sent = _sentence_at(art, mention.start)
            if sent is None:
                continue
            ev = Evidence(doc, path, art.index, sent.text, sent.start, sent.end, "local-head")
            emit.add("worksFor", p, gov, ev, (art.index, sent.start, mention.start))


def _head_government(segment: str, govs: list[tuple[int, str, re.Pattern[str]]], heads: re.Pattern[str]) -> int | None:
    """The government a title chain ending ``segment`` serves by post: a head's title at the end
    (X市委副书记、市长), or a seat in the government named by its level after the place's party
    committee (X市委常委、市政府党组成员、…). The place named last before the post wins."""
    title = heads.search(segment)
    placed: list[tuple[int, int]] = []
    for k, place, seat_in in govs:
        base, level = place[:-1], place[-1]
        if title is not None and level in title.group():
            placed.append((segment.rfind(base, 0, title.start()), k))
        seat = seat_in.search(segment)
        if seat is not None:
            placed.append((segment.rfind(base, 0, seat.start()), k))
    placed = [(i, k) for i, k in placed if i >= 0]
    return max(placed)[1] if placed else None


def _propagate_owners(emit: _Collector, entities: list[Entity], owners: dict[int, int]) -> None:
    """``园区企业X三期项目``: the apposition names the company too, so its owner is in the park as well."""
    index = {e.name: k for k, e in enumerate(entities)}
    for key, rel in list(emit.rels.items()):
        if key[1] != "locatedIn":
            continue
        j = index.get(rel.head)
        if j is None or j not in owners:
            continue
        for ev in rel.evidence:
            if ev.pattern == "park-enterprise":
                emit.add("locatedIn", owners[j], index[rel.tail], ev, (*emit.order[key], 1))


# --------------------------------------------------------------------------- entry point

_COMMITTEE = re.compile("(?:管委会|管理委员会|党工委|管委|管理局|管理办公室)$")


def _park_of(entities: list[Entity], forms: list[list[str]]) -> dict[int, int]:
    """Each park, and each government body named as a park's committee (X高新区管委会), -> the park."""
    parks = {f: k for k, e in enumerate(entities) if e.type == "Park" for f in forms[k]}
    out = {k: k for k in parks.values()}
    for k, e in enumerate(entities):
        if e.type == "Government":
            for f in forms[k]:
                stem = _COMMITTEE.sub("", f)
                if stem != f and stem in parks:
                    out[k] = parks[stem]
                    break
    return out


def extract_relations(articles: list[Article], entities: list[Entity], use_model: bool | None = None) -> list[Relation]:
    """All relations stated in one document's articles between its linked entities.

    ``use_model`` runs the learned candidate-pair check (:mod:`kg.extract.relation_model`) after the
    patterns (True), leaves it out (False: training it, measuring the patterns alone), or does what
    the configuration says (None: ``KG_RELATION_MODEL``, else the model file's default)."""
    if not articles or not entities:
        return []
    codes = [_CODE.get(e.type, "") for e in entities]
    forms = [[f for f in dict.fromkeys(norm_name(x) for x in [e.name, *e.aliases]) if len(f) >= 2] for e in entities]
    emit = _Collector(entities, _park_of(entities, forms))
    doc, path = articles[0].doc, articles[0].path
    mentions = _mentions_by_article(entities)
    last_topic: tuple[int | None, bool] = (None, False)
    for story in _stories(articles):
        story_slots, park, about_park = _story_slots(story, entities, forms, mentions)
        prev_park: int | None = None
        inherited = park is None
        if inherited:  # a section that names no park goes on about the park of the one before
            park, about_park = last_topic
            prev_park = park
        last_topic = (park, about_park)
        topic = park if about_park else None
        state = _StoryState()
        for art, slots in zip(story, story_slots, strict=True):
            slot_starts = [s.start for s in slots]
            for sent in art.sentences:
                lo = bisect.bisect_left(slot_starts, sent.start)
                hi = bisect.bisect_left(slot_starts, sent.end)
                inside = [s for s in slots[lo:hi] if s.end <= sent.end]
                if inside:
                    skel, at = _skeleton(art.text, sent.start, sent.end, inside, codes)

                    def make_ev(
                        pattern: str, art: Article = art, s: int = sent.start, e: int = sent.end, text: str = sent.text
                    ) -> Evidence:
                        return Evidence(doc, path, art.index, text, s, e, pattern)

                    _match_sentence(
                        _Sentence(skel, at, topic, prev_park, make_ev, (art.index, sent.start), state, inherited),
                        entities,
                        emit,
                    )
                for sl in inside:
                    if entities[sl.entity].type == "Park":
                        prev_park = sl.entity
    by_index = {a.index: a for a in articles}
    owners = _name_relations(entities, forms, by_index, emit, doc, path)
    _propagate_owners(emit, entities, owners)
    _local_heads(entities, by_index, emit, doc, path)
    from . import relation_model

    if not (relation_model.enabled() if use_model is None else use_model):
        return emit.result()
    for rel, head, tail, ev in relation_model.predict(articles, entities, emit.result()):
        emit.add(rel, head, tail, ev, (ev.article, ev.start, 1 << 30))
    return emit.result()
