"""The recognizer interface and registries: how entity recognizers plug into the build.

A recognizer proposes candidate spans over a batch of sentences; the build runs an ordered list of
them, pools their candidates per sentence, and an overlap *policy* keeps the non-overlapping ones.
Like spaCy's pipeline components, recognizers are registered by name (``register_recognizer``), and
so are policies (``register_policy``). The rule components of :mod:`kg.extract.entities` are
registered here; a learned model registers itself the same way.

Adding a recognizer::

    @register_recognizer("my-model")
    class MyModel:
        name = "my-model"
        def setup(self) -> None: ...            # once per worker process: load the model
        def fingerprint(self) -> str: ...       # model file hash and library versions (the cache key)
        def propose(self, sentences: Sequence[str]) -> list[list[Candidate]]: ...

and name it in ``KG_RECOGNIZERS`` (or :func:`kg.extract.mentions.configure`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Protocol

from .entities import (
    Candidate,
    Resources,
    _apposition_candidates,
    _lexicon_candidates,
    _list_candidates,
    _pattern_candidates,
    _person_candidates,
    _plan_candidates,
    _project_list_candidates,
    _quoted_candidates,
    _select,
    _suffix_candidates,
    resources,
)

__all__ = [
    "POLICIES",
    "RECOGNIZERS",
    "RULE_RECOGNIZERS",
    "Candidate",
    "Policy",
    "Recognizer",
    "register_policy",
    "register_recognizer",
]


class Recognizer(Protocol):
    """Proposes entity candidates; see the module's docstring."""

    name: str  # registry name, e.g. "lexicon", "suffix", "lac"

    def setup(self) -> None:
        """Load lexicons or a model: once per worker process, before the first sentence."""

    def fingerprint(self) -> str:
        """What its results depend on beyond kg's code and data (model file hashes, library versions):
        part of the cache key."""
        ...

    def propose(self, sentences: Sequence[str]) -> list[list[Candidate]]:
        """Candidates for each sentence (one list per sentence, character offsets into it)."""
        ...


Policy = Callable[[list[Candidate], str], list[Candidate]]  # (overlapping candidates, sentence) -> kept

RECOGNIZERS: dict[str, Callable[[], Recognizer]] = {}
POLICIES: dict[str, Policy] = {}


def register_recognizer(name: str) -> Callable[[type], type]:
    """Class decorator: register a recognizer class (made with no arguments) under ``name``."""

    def add(cls: type) -> type:
        RECOGNIZERS[name] = cls
        return cls

    return add


def register_policy(name: str) -> Callable[[Callable[..., list[Candidate]]], Callable[..., list[Candidate]]]:
    """Function decorator: register an overlap policy ``resolve(cands, sent) -> kept`` under ``name``
    (``sent``: the sentence's text, for a policy that reads words; one taking ``cands`` only is called so)."""

    def add(fn: Callable[..., list[Candidate]]) -> Callable[..., list[Candidate]]:
        if len(inspect.signature(fn).parameters) >= 2:
            POLICIES[name] = fn
        else:
            POLICIES[name] = lambda cands, _sent: fn(cands)
        return fn

    return add


# Today's selection: lexicon and rule hits (strength >= 2) first, longest first; weaker pattern hits
# where they cross none of them. Confidence plays no part (rules have 1.0).
register_policy("rules-first")(_select)


class _Rule:
    """A rule component of :mod:`kg.extract.entities` as a recognizer. The rules and their word lists
    are kg's own code and data, which the extractor version already covers: no fingerprint of its own."""

    name = ""

    def setup(self) -> None:
        resources()

    def fingerprint(self) -> str:
        return f"rule:{self.name}"

    def propose(self, sentences: Sequence[str]) -> list[list[Candidate]]:
        res = resources()
        return [self.find(res, s) for s in sentences]

    def find(self, res: Resources, sent: str) -> list[Candidate]:
        raise NotImplementedError


# The suffix rule reads the lexicon's hits of the same sentences: the last batch's are kept for it.
_last_lexical: list[object] = [None, None]


def _lexical(res: Resources, sentences: Sequence[str]) -> list[list[Candidate]]:
    if _last_lexical[0] is not sentences:
        _last_lexical[:] = [sentences, [_lexicon_candidates(res, s) for s in sentences]]
    return _last_lexical[1]  # type: ignore[return-value]


def _rule(name: str, find: Callable[[Resources, str], list[Candidate]]) -> type:
    cls = type(f"Rule_{name}", (_Rule,), {"name": name, "find": staticmethod(find)})
    return register_recognizer(name)(cls)


@register_recognizer("lexicon")
class LexiconRecognizer(_Rule):
    """Aho-Corasick over the general lexicons (zones, universities, CAS institutes, bodies, companies)."""

    name = "lexicon"

    def propose(self, sentences: Sequence[str]) -> list[list[Candidate]]:
        return _lexical(resources(), sentences)


@register_recognizer("suffix")
class SuffixRecognizer(_Rule):
    """A name suffix (有限公司, 高新区 …) whose left edge is found by walking jieba tokens back."""

    name = "suffix"

    def propose(self, sentences: Sequence[str]) -> list[list[Candidate]]:
        res = resources()
        known = _lexical(res, sentences)
        return [_suffix_candidates(res, s, k) for s, k in zip(sentences, known, strict=True)]


_rule("quoted", _quoted_candidates)
_rule("plan", _plan_candidates)
_rule("pattern", _pattern_candidates)
_rule("list", _list_candidates)
_rule("project-list", _project_list_candidates)
_rule("apposition", _apposition_candidates)
_rule("person", _person_candidates)

# The rule components in the order their candidates are pooled (the policy breaks ties by that order).
RULE_RECOGNIZERS: tuple[str, ...] = (
    "lexicon",
    "suffix",
    "quoted",
    "plan",
    "pattern",
    "list",
    "project-list",
    "apposition",
    "person",
)
