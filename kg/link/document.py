"""Link the mentions of one document into entities: one canonical name (the fullest form the text
gives) and its aliases.

Links come from, in order: the same surface form; a definition (X（以下简称Y）, X（简称Y）, X（Y）);
a lexicon's abbreviation (中科院 → 中国科学院); a short form of a full name used later (航空科技 for
贵州航空科技发展股份有限公司: place prefix, organisational form and industry words dropped). New
mentions of aliases and short forms are added where the text uses them. Branches and subsidiaries keep
their own names, so they stay separate entities.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import cache, lru_cache

import ahocorasick

from ..extract.entities import TYPE_RANK, Resources, is_boundary, nfkc, on_token_boundaries, resources
from ..model import Article, Entity, Mention, Relation, Sentence
from ..resources.lexicon import load_patterns, load_sets, load_table, load_uses
from .sets import UnionFind

# The linker's words are data (kg/data/lexicons/link_words.tsv, link_patterns.tsv, park_suffix_forms.tsv).
_WORDS = load_sets("link_words.tsv")
_RE = {name: re.compile(p) for name, p in load_patterns("link_patterns.tsv", tuple(_WORDS.items())).items()}
_ADMIN_LEVELS = "".join(load_sets("entity_words.tsv")["admin_levels"])  # 省市区县
_BRACKET_PLACE_LEVELS = "".join(_WORDS["bracket_place_levels"])
_DEFINITION = _RE["definition"]
_EXPLICIT = _RE["explicit"]
# the organisational forms a short form drops, longest first (company_forms.tsv lists each form once)
_ORG_FORMS = tuple(sorted(load_uses("company_forms.tsv")["short"], key=len, reverse=True))
_SHORTENABLE = {"Company", "Institute", "University", "Park", "Project"}
_MIN_SHORT = 2
_COMMON_WORD_FREQ = 3000  # a short form that is this common a word in jieba's dictionary is too vague


def _strip_places(name: str, places: frozenset[str]) -> str:
    changed = True
    while changed:
        changed = False
        for n in range(min(8, len(name) - 2), 1, -1):
            head = name[:n]
            if head in places:
                name = name[n:]
                changed = True
                break
        name = name.lstrip(_ADMIN_LEVELS)
    return name


_PARK_SUFFIX_FORMS = tuple((row["long"], row["short"]) for row in load_table("park_suffix_forms.tsv"))
_PROJECT_KIND = _RE["project_kind"]
_PHASE = _RE["phase"]
_BRACKETED = re.compile(r"[（(][^（）()]{1,8}[）)]")


@lru_cache(maxsize=1 << 13)  # pure, and the same names recur across documents
def variant_key(name: str) -> str:
    """One key for the forms of a park's or institute's name: 广东汕头高新区, 汕头高新技术产业开发区 →
    汕头高新区; 济南量子技术研究院 → 量子技术研究院."""
    res = resources()
    key = _BRACKETED.sub("", nfkc(name))
    for long, short in _PARK_SUFFIX_FORMS:
        if key.endswith(long):
            key = key[: -len(long)] + short
            break
    suffix_len = next((len(sh) for _l, sh in _PARK_SUFFIX_FORMS if key.endswith(sh)), 3)
    while True:
        for n in range(min(8, len(key) - suffix_len - 1), 1, -1):
            head = key[:n]
            rest = key[n:].lstrip(_ADMIN_LEVELS)
            if head in res.places and len(rest) - suffix_len >= 2:
                key = rest
                break
        else:
            return key


_BRANCH_ENDINGS = _WORDS["branch_endings"]


def _abbreviates(short: str, full: str) -> bool:
    """Whether ``short`` is an abbreviation of ``full``: same first and last character, its characters in
    order, and not simply the head of ``full`` (a parent before its branch is another entity)."""
    if len(short) >= len(full) or short[0] != full[0] or short[-1] != full[-1] or full.startswith(short):
        return False
    if full.endswith(_BRANCH_ENDINGS) != short.endswith(_BRANCH_ENDINGS):
        return False
    for k in range(1, len(short)):  # 北航江西研究院 / 北航江西景德镇研究院: a place taken out is another unit
        if (
            full.startswith(short[:k])
            and full.endswith(short[k:])
            and full[k : len(full) - len(short) + k] in (resources().places)
        ):
            return False
    it = iter(full)
    return all(c in it for c in short)


@cache
def _short_form_tails() -> tuple[str, ...]:
    """The industry words a short form may drop, longest first (sorted once, not per name)."""
    return tuple(sorted(resources().industry_tails + _WORDS["short_form_drops"], key=len, reverse=True))


@lru_cache(maxsize=1 << 13)  # pure, and company names recur across documents
def short_forms(name: str, type_: str) -> tuple[str, ...]:
    """Plausible short forms of a full company name a later sentence may use alone."""
    if type_ != "Company":
        return ()
    res = resources()
    core = name
    for form in _ORG_FORMS:
        if core.endswith(form) and len(core) > len(form) + 1:
            core = core[: -len(form)]
            break
    else:
        return ()
    forms = []
    no_place = _strip_places(core, res.places)
    for base in dict.fromkeys([core, no_place]):
        cur = base
        forms.append(cur)
        for _ in range(3):
            for tail in _short_form_tails():
                if cur.endswith(tail) and len(cur) - len(tail) >= _MIN_SHORT:
                    cur = cur[: -len(tail)]
                    forms.append(cur)
                    break
            else:
                break
    out = []
    freq = res.tokenizer.FREQ
    for f in dict.fromkeys(forms):
        if f == name or len(f) < _MIN_SHORT or f in res.generic or f in res.places:
            continue
        if len(f) <= 3 and freq.get(f, 0) >= _COMMON_WORD_FREQ:
            continue
        if is_boundary(res, f):
            continue
        out.append(f)
    return tuple(out)


_SCAN_STOP = re.compile(r"[，。；、“”()（）\s]")


def _abbreviation_candidates(text: str, first: str, last: str, gap: int) -> list[str]:
    """What ``re.findall(f"{first}[^，。；、“”()（）\\s]{{1,{gap}}}?{last}", text)`` finds (escaped), without
    compiling a regular expression per name (that was a tenth of linking): at each ``first``, the
    nearest ``last`` 2 to ``gap + 1`` characters on with no stop between; a match resumes after it."""
    out = []
    i = text.find(first)
    while i >= 0:
        j = text.find(last, i + 2, i + 2 + gap)
        if j >= 0 and not _SCAN_STOP.search(text, i + 1, j):
            out.append(text[i : j + 1])
            i = text.find(first, j + 1)
        else:
            i = text.find(first, i + 1)
    return out


def _definitions(article: Article, mentions: list[Mention]) -> list[tuple[Mention, str, int, bool]]:
    """(mention, alias, alias offset, explicit) for every X（简称Y） right after a mention."""
    out = []
    for m in mentions:
        if m.type == "Person":
            continue
        tail = article.text[m.end : m.end + 30]
        d = _DEFINITION.match(tail)
        if not d:
            continue
        alias = nfkc(d.group(1)).strip()
        explicit = bool(_EXPLICIT.search(d.group(0)))
        if not explicit:
            res = resources()
            # 杭州高新区（滨江）: a place in brackets qualifies the name, it is not another name of it
            if alias in res.places or alias.rstrip(_BRACKET_PLACE_LEVELS) in res.places:
                continue
            if len(alias) > len(m.surface):
                continue
        out.append((m, alias, m.end + d.start(1), explicit))
    return out


def spread_known_names(articles: list[Article], mentions: list[Mention]) -> list[Mention]:
    """A name found once in a document is a mention wherever the document uses it again, and there
    it wins over any shorter name found inside it (吉利 inside 吉利新能源汽车)."""
    texts = {a.index: a.text for a in articles}
    known: dict[str, str] = {}
    for m in mentions:
        if len(m.surface) >= 3 and texts[m.article][m.start : m.end] == m.surface:
            known.setdefault(m.surface, m.type)
    if not known:
        return mentions
    auto = ahocorasick.Automaton()
    for form, type_ in known.items():
        auto.add_word(form, (form, type_))
    auto.make_automaton()
    res = resources()
    owner: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)  # article -> position -> its mention's span
    for m in mentions:
        owner[m.article].update(dict.fromkeys(range(m.start, m.end), (m.start, m.end)))
    out = {(m.article, m.start, m.end): m for m in mentions}
    for art in articles:
        own = owner[art.index]
        for si, sent in enumerate(art.sentences):
            for end, (form, type_) in sorted(auto.iter(sent.text), key=lambda h: (-len(h[1][0]), h[0])):
                s, e = sent.start + end - len(form) + 1, sent.start + end + 1
                if own.get(s) == (s, e):
                    continue  # that name already (most hits: the mentions the names came from)
                inside = {own[p] for p in range(s, e) if p in own}
                if any(a < s or b > e or (a, b) == (s, e) for a, b in inside):
                    continue  # crosses a name, or is that name already
                if len(form) <= 3 and not on_token_boundaries(res, sent.text, end - len(form) + 1, end + 1):
                    continue
                for a, b in inside:
                    out.pop((art.index, a, b), None)
                out[(art.index, s, e)] = Mention(art.index, si, s, e, form, type_, "known-name")
                own.update(dict.fromkeys(range(s, e), (s, e)))
    return sorted(out.values(), key=lambda m: (m.article, m.start, m.end))


_LEADING_PARTICLES = frozenset(_WORDS["leading_particles"])


def _without_leading_particles(mentions: list[Mention]) -> list[Mention]:
    """Drop a preposition jieba glued to a name's first word (将以X产业园 cut 以北/大西门): where the
    document names X alone too, with the same type, the particle is not part of the name."""
    forms = {(m.surface, m.type) for m in mentions}
    out = []
    for m in mentions:
        rest = m.surface[1:]
        if m.type != "Person" and m.surface[:1] in _LEADING_PARTICLES and (rest, m.type) in forms:
            m = replace(m, start=m.start + 1, surface=rest)
        out.append(m)
    return out


def link_document(articles: list[Article], mentions: list[Mention]) -> list[Entity]:
    """The document's entities: its mentions' surface forms linked (same name, definition, lexicon
    entry, abbreviation, short form), with the aliases and short forms the text uses added as mentions."""
    res = resources()
    mentions = spread_known_names(articles, _without_leading_particles(mentions))
    by_article: dict[int, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_article[m.article].append(m)

    # 1. the type of a surface form is the one most of its mentions got
    surface_type = _surface_types(mentions)

    # 2. union-find over surface forms
    linked: UnionFind[str] = UnionFind()
    for m in mentions:
        linked.find(m.surface)
    new_forms = _defined_aliases(articles, by_article, surface_type)
    by_name = sorted(surface_type.items())
    longest_first = sorted(by_name, key=lambda st: -len(st[0]))  # stable: then by name
    apart = _listed_apart(articles, mentions)

    def union_unless_apart(a: str, b: str) -> None:
        if frozenset((a, b)) not in apart:
            linked.union(a, b)

    _link_longer_names(by_name, surface_type, union_unless_apart)
    _link_variants(longest_first, union_unless_apart)
    _link_place_prefixed(res, surface_type, apart, linked.union)
    _link_lexicon_forms(res, by_name, linked.union)
    _link_projects(longest_first, surface_type, linked.union)
    extra_aliases = _link_canonical_names(res, mentions, surface_type, linked.union)
    defined = set(new_forms)
    _add_short_forms(articles, surface_type, new_forms)

    # 3. find the aliases and short forms in the text: they are mentions of their full name
    added = _alias_mentions(res, articles, by_article, new_forms, surface_type)
    added_forms = {a.surface for a in added}
    for form, owner in new_forms.items():
        if form not in defined and surface_type.get(form, surface_type[owner]) != surface_type[owner]:
            continue  # 中关村 of 中关村发展集团: a short form the text uses as another kind of name is that name
        if form in surface_type or form in added_forms:
            linked.union(owner, form)
            surface_type[form] = surface_type[owner]

    # 3b. a park named after a company or university is that organisation's project
    _retype_owned_parks(res, surface_type)

    # 4. build entities: the canonical name is the longest form, ties to the first seen
    return _entities(mentions + added, linked.find, surface_type, extra_aliases)


_LIST_SEPARATORS = frozenset(_WORDS["list_separators"])


def _listed_apart(articles: list[Article], mentions: list[Mention]) -> set[frozenset[str]]:
    """Pairs of names the text lists side by side (甲研究院、某大学甲研究院): two things, whatever their
    names share, so the tail and variant links leave them apart."""
    texts = {a.index: a.text for a in articles}
    starting: dict[tuple[int, int], list[Mention]] = defaultdict(list)
    for m in mentions:
        starting[(m.article, m.start)].append(m)
    apart: set[frozenset[str]] = set()
    for m in mentions:
        text = texts[m.article]
        for sep in _LIST_SEPARATORS:
            if text.startswith(sep, m.end):
                apart.update(
                    frozenset((m.surface, n.surface))
                    for n in starting.get((m.article, m.end + len(sep)), ())
                    if n.surface != m.surface
                )
    return apart


def _surface_types(mentions: list[Mention]) -> dict[str, str]:
    """Each surface form's type: the one most of its mentions got (ties to the higher-ranked type)."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for m in mentions:
        votes[m.surface][m.type] += 1
    return {s: min(c, key=lambda t: (-c[t], TYPE_RANK[t])) for s, c in votes.items()}


def _defined_aliases(
    articles: list[Article], by_article: dict[int, list[Mention]], surface_type: dict[str, str]
) -> dict[str, str]:
    """The aliases the text defines (X（以下简称Y）): alias -> the surface it belongs to. Each alias
    gets its owner's type in ``surface_type``."""
    new_forms: dict[str, str] = {}  # alias or short form -> surface it belongs to
    for art in articles:
        for m, alias, _off, _explicit in _definitions(art, by_article[art.index]):
            if alias == m.surface:
                continue
            new_forms.setdefault(alias, m.surface)
            surface_type.setdefault(alias, surface_type[m.surface])
    return new_forms


def _link_longer_names(
    by_name: list[tuple[str, str]], surface_type: dict[str, str], union: Callable[[str, str], None]
) -> None:
    """Link a name to the one longer name of its type it is the tail or the abbreviation of."""
    # the names of a type by their last character (both links below need it shared), in insertion order
    longer: dict[tuple[str, str], list[str]] = defaultdict(list)
    for surface, type_ in surface_type.items():
        if surface:
            longer[(type_, surface[-1])].append(surface)
    for surface, type_ in by_name:
        # 新一代电子信息产业园 after 深汕新一代电子信息产业园: the tail of a longer name is that name
        if type_ in ("Park", "Institute", "Project") and len(surface) >= 6:
            fuller = [f for f in longer[(type_, surface[-1])] if len(f) > len(surface) and f.endswith(surface)]
            if len(fuller) == 1:
                union(fuller[0], surface)
    for surface, type_ in by_name:
        # 陕西省资源统筹中心 for 陕西省科技资源统筹中心, 山东产研院 for 山东产业技术研究院: an abbreviation
        # keeps the first and last characters and the order of the full name's characters
        if type_ in ("Institute", "Government", "Park", "Project") and len(surface) >= 3:
            fuller = [f for f in longer[(type_, surface[-1])] if _abbreviates(surface, f)]
            if len(fuller) == 1:
                union(fuller[0], surface)


def _link_place_prefixed(
    res: Resources, surface_type: dict[str, str], apart: set[frozenset[str]], union: Callable[[str, str], None]
) -> None:
    """河北雄安新区 and 雄安新区, 深圳市某合作区 and 某合作区: a park named with its place before it is the park."""
    for surface, type_ in surface_type.items():
        if type_ != "Park":
            continue
        for n in range(2, min(5, len(surface) - 3)):
            rest = surface[n:]
            if surface[:n] not in res.places or surface_type.get(rest) != "Park":
                continue
            if frozenset((surface, rest)) not in apart:
                union(surface, rest)


def _link_first_of_key(pairs: Iterable[tuple[str, str]], union: Callable[[str, str], None]) -> None:
    """Link every surface to the first one of ``(key, surface)`` pairs with the same key."""
    first: dict[str, str] = {}
    for key, surface in pairs:
        if key in first:
            union(first[key], surface)
        else:
            first[key] = surface


def _link_variants(longest_first: list[tuple[str, str]], union: Callable[[str, str], None]) -> None:
    """济南量子技术研究院 and 量子技术研究院 in one story: forms of one park's or institute's name."""
    first: dict[str, list[tuple[str, str]]] = defaultdict(list)  # key -> (place head, first surface)
    for surface, type_ in longest_first:
        if type_ not in ("Park", "Institute"):
            continue
        key, head = type_ + variant_key(surface), _place_head(surface)
        same = next((f for h, f in first[key] if not h or not head or h.endswith(head) or head.endswith(h)), None)
        if same is None:
            first[key].append((head, surface))  # 内乡县 / 石龙区先进制造业开发区: two places, two zones
        else:
            union(same, surface)


def _place_head(name: str) -> str:
    """The places ``variant_key`` took off the front of a name (广东汕头 of 广东汕头某研究院), less level characters."""
    bare = _BRACKETED.sub("", nfkc(name))
    at = bare.find(variant_key(name)[:2])
    return bare[:at].rstrip(_ADMIN_LEVELS) if at > 0 else ""


def _link_lexicon_forms(res: Resources, by_name: list[tuple[str, str]], union: Callable[[str, str], None]) -> None:
    """光谷 and 武汉东湖高新区 are forms of one lexicon entry."""
    pairs = ((res.canonical.get((type_, nfkc(s))), s) for s, type_ in by_name)
    _link_first_of_key(((full, s) for full, s in pairs if full), union)


def _link_projects(
    longest_first: list[tuple[str, str]], surface_type: dict[str, str], union: Callable[[str, str], None]
) -> None:
    """中环股份DW智慧化工厂项目 / DW智慧化工厂项目, 生益科技三期项目 / 生益科技项目: one project
    without its phase, its kind and its owner's name."""
    companies = sorted((f for f, t in surface_type.items() if t == "Company"), key=len, reverse=True)

    def key(surface: str) -> str:
        bare = _PROJECT_KIND.sub("", _PHASE.sub("", surface)) or surface
        owner = next((c for c in companies if bare.startswith(c) and len(bare) - len(c) >= 4), "")
        return bare[len(owner) :]

    _link_first_of_key(((key(s), s) for s, type_ in longest_first if type_ == "Project"), union)


def _link_canonical_names(
    res: Resources, mentions: list[Mention], surface_type: dict[str, str], union: Callable[[str, str], None]
) -> dict[str, set[str]]:
    """A lexicon's full name is an alias of each of its forms the text uses (and the same entity where
    the text uses it too): surface -> the full names to add as aliases."""
    extra_aliases: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        full = res.canonical.get((m.type, nfkc(m.surface)))
        if full and full != m.surface:
            extra_aliases[m.surface].add(full)
            if full in surface_type:
                union(full, m.surface)
    return extra_aliases


def _add_short_forms(articles: list[Article], surface_type: dict[str, str], new_forms: dict[str, str]) -> None:
    """Add to ``new_forms`` the short forms of each name and, for an institute, the abbreviations the
    text uses (浙江省产研院 for 浙江省产业技术研究院)."""
    for surface, type_ in list(surface_type.items()):
        if surface in new_forms:
            continue
        for short in short_forms(surface, type_):
            new_forms.setdefault(short, surface)
        if type_ == "Institute" and len(surface) >= 6:
            for art in articles:
                for form in _abbreviation_candidates(art.text, surface[0], surface[-1], len(surface) - 3):
                    if len(form) >= 4 and form not in surface_type and _abbreviates(form, surface):
                        new_forms.setdefault(form, surface)


def _alias_mentions(
    res: Resources,
    articles: list[Article],
    by_article: dict[int, list[Mention]],
    new_forms: dict[str, str],
    surface_type: dict[str, str],
) -> list[Mention]:
    """Mentions of the aliases and short forms where the text uses them outside other mentions,
    longest first."""
    added: list[Mention] = []
    if not new_forms:
        return added
    auto = ahocorasick.Automaton()
    for form in new_forms:
        auto.add_word(form, form)
    auto.make_automaton()
    for art in articles:
        taken = {p for m in by_article[art.index] for p in range(m.start, m.end)}  # positions: linear
        for si, sent in enumerate(art.sentences):
            hits = sorted(auto.iter(sent.text), key=lambda h: (-len(h[1]), h[0]))
            for end, form in hits:
                s, e = sent.start + end - len(form) + 1, sent.start + end + 1
                if any(p in taken for p in range(s, e)):
                    continue
                owner = new_forms[form]
                if len(form) <= 3 and not on_token_boundaries(res, sent.text, end - len(form) + 1, end + 1):
                    continue
                added.append(Mention(art.index, si, s, e, form, surface_type[owner], "alias"))
                taken.update(range(s, e))
    return added


# Provinces and prefecture-level cities with their short forms: a park named after one (重庆某产业园) is
# named after where it is, even where a company's trade name is the same word.
_UPPER_PLACES = frozenset(
    name
    for row in load_table("places.tsv")
    if row["level"] in ("province", "city")
    for name in (row["name"], *row["short"].split("|"))
    if name
)


def _heads_after_zone(surface: str, surface_type: dict[str, str]) -> set[str]:
    """The heads of what follows a zone the document names at the front of ``surface`` (某新区 +
    某大学大数据产业园): the owner stands after the zone the park is in."""
    out: set[str] = set()
    for k in range(2, len(surface) - 4):
        if surface_type.get(surface[:k]) == "Park":
            out.update(surface[k : k + n] for n in range(2, len(surface) - k - 2))
    return out


def _retype_owned_parks(res: Resources, surface_type: dict[str, str]) -> None:
    """A park named after a company or university (浪潮厦门产业园) is that organisation's project;
    a science park (某大学国家大学科技园, 某控股科技园) is a park whoever runs it."""
    owners = {f for f, t in surface_type.items() if t in ("Company", "University") and len(f) >= 2}
    for surface, type_ in list(surface_type.items()):
        if type_ == "Park" and surface.endswith(_WORDS["owned_park_endings"]):
            heads = {surface[:n] for n in range(2, len(surface) - 2)} - _UPPER_PLACES
            heads |= _heads_after_zone(surface, surface_type)
            if (
                not heads.isdisjoint(owners)
                or not heads.isdisjoint(res.company_cores)
                or any(("University", h) in res.canonical for h in heads)
            ):
                surface_type[surface] = "Project"


def _entities(
    mentions: list[Mention],
    find: Callable[[str], str],
    surface_type: dict[str, str],
    extra_aliases: dict[str, set[str]],
) -> list[Entity]:
    """One entity per linked group of surfaces: the longest form is its name (ties to the first seen),
    the others and the lexicon's full names its aliases."""
    all_mentions = sorted(mentions, key=lambda m: (m.article, m.start))
    first_seen: dict[str, int] = {}
    for i, m in enumerate(all_mentions):
        first_seen.setdefault(m.surface, i)
    groups: dict[str, list[Mention]] = defaultdict(list)
    for m in all_mentions:
        groups[find(m.surface)].append(m)
    entities = []
    for members in groups.values():
        forms = {m.surface for m in members}
        name = max(forms, key=lambda f: (len(f), -first_seen[f]))
        type_ = surface_type[name]
        aliases = (forms | {a for f in forms for a in extra_aliases.get(f, ())}) - {name}
        fixed = [Mention(m.article, m.sentence, m.start, m.end, m.surface, type_, m.rule) for m in members]
        entities.append(Entity(name=name, type=type_, aliases=sorted(aliases), mentions=fixed))
    return sorted(entities, key=lambda e: (e.mentions[0].article, e.mentions[0].start, e.name))


def add_original_spellings(entities: list[Entity], articles: list[Article], original: str) -> None:
    """Give each entity of a page matched in converted characters the page's own spelling.

    The first mention spelling the canonical name in full gives ``page_name`` (the contract's name
    is the text's own form); every other spelling the page gives, and the simplified name where it
    differs, are aliases. ``original`` is the normalized page before conversion; conversion keeps
    offsets, so a mention's span in its article, moved by the article's span in the page, finds the
    original spelling (a title at the head of the text, through its headings' spans in the page).
    """
    by_index = {a.index: a for a in articles}
    texts = {a.index: _original_text(a, original) for a in articles}
    for ent in entities:
        spellings: list[str] = []
        page_name = ""
        for m in ent.mentions:
            orig = _spelling(m, by_index[m.article], texts[m.article])
            if orig:
                spellings.append(orig)
                if not page_name and m.surface == ent.name:
                    page_name = orig
        if page_name and page_name != ent.name:
            ent.page_name = page_name
        extra = {s for s in spellings if s != ent.name}
        ent.aliases = sorted({*ent.aliases, *extra})


def restore_page_text(
    articles: list[Article], entities: list[Entity], relations: list[Relation], original: str
) -> list[Article]:
    """The articles of a page matched in converted characters, back in the page's own characters,
    with the evidence sentences and the mentions' surfaces: what the outputs quote is what the page
    says. Entity names stay as linking made them (see :func:`add_original_spellings`)."""
    by_index = {a.index: a for a in articles}
    texts = {a.index: _original_text(a, original) for a in articles}
    for ent in entities:
        ent.mentions = [
            replace(m, surface=_spelling(m, by_index[m.article], texts[m.article]) or m.surface) for m in ent.mentions
        ]
    for rel in relations:
        rel.evidence = [replace(ev, sentence=texts[ev.article][ev.start : ev.end]) for ev in rel.evidence]
    out = []
    for a in articles:
        text = texts[a.index]
        title = " ".join(original[s:e] for s, e in a.title_spans) if a.title_spans else a.title
        sentences = [Sentence(s.start, s.end, text[s.start : s.end]) for s in a.sentences]
        out.append(replace(a, text=text, title=title, sentences=sentences))
    return out


def _spelling(m: Mention, art: Article, original_text: str) -> str:
    """A mention's surface as the page spells it."""
    simp = art.text[m.start : m.end]
    orig = original_text[m.start : m.end]
    if m.surface != simp:  # a name built from its span (“X”工程 → X工程): map it character by character
        table = dict(zip(simp, orig, strict=True))
        orig = "".join(table.get(c, c) for c in m.surface)
    return orig


def _original_text(art: Article, original: str) -> str:
    """The article's text as the page spells it (conversion keeps lengths)."""
    body = original[art.span[0] : art.span[1]]
    if not art.head:
        return body
    if art.title_spans:
        title = " ".join(original[s:e] for s, e in art.title_spans)
    else:  # a title given beside a .jsonl document's text
        title = art.title
    return f"{title[: art.head - 1]}\n{body}"  # the title less any credit at its end
