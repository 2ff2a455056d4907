"""Entity mentions of an article: the configured recognizers propose over all its sentences at once
(batched, as a model wants), the overlap policy keeps the best non-overlapping candidates of each
sentence, and the rules' finishing steps (retyping, siblings, a branch's parent) run on those.

Which recognizers and which policy: ``configure()``, else the environment (``KG_RECOGNIZERS``, a
comma-separated list of registered names, where ``rules`` stands for every rule component;
``KG_OVERLAP_POLICY``), else every rule component and ``rules-first``. With no policy named, the first
recognizer that names a ``default_policy`` (the model's: ``confidence``) chooses it. Workers inherit the
parent's choice (the environment, or the fork)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from ..model import Article, Mention
from . import lac as _lac  # noqa: F401  (registers the recognizers lac, lac-all, lac-naive and their policies)
from .entities import (
    Candidate,
    _owner_in_project,
    _parent_of_branch,
    _park_in_name,
    _retype,
    _siblings,
    qualified,
    resources,
)
from .recognizers import POLICIES, RECOGNIZERS, RULE_RECOGNIZERS, Policy, Recognizer


@dataclass(frozen=True)
class EntityPipeline:
    recognizers: tuple[Recognizer, ...]
    policy: Policy
    names: tuple[str, ...]
    policy_name: str


_chosen: list[tuple[tuple[str, ...], str]] = []


def configure(recognizers: Sequence[str] | None = None, policy: str | None = None) -> None:
    """Choose the recognizers (in order) and the overlap policy for this process and the workers it
    forks; None keeps the default."""
    names = expand(recognizers) if recognizers else _env_recognizers()
    _chosen[:] = [(names, policy or _env_policy(names))]
    pipeline.cache_clear()


def expand(names: Sequence[str]) -> tuple[str, ...]:
    """Recognizer names with ``rules`` replaced by the rule components, each name once, in order."""
    out: list[str] = []
    for n in names:
        out += RULE_RECOGNIZERS if n == "rules" else [n]
    return tuple(dict.fromkeys(out))


def _env_recognizers() -> tuple[str, ...]:
    env = os.environ.get("KG_RECOGNIZERS", "")
    return expand([n.strip() for n in env.split(",") if n.strip()]) or RULE_RECOGNIZERS


def default_policy(names: Sequence[str]) -> str:
    """The policy of the first recognizer that names one, else ``rules-first``."""
    for n in names:
        policy = getattr(RECOGNIZERS.get(n), "default_policy", None)
        if policy:
            return str(policy)
    return "rules-first"


def _env_policy(names: Sequence[str]) -> str:
    return os.environ.get("KG_OVERLAP_POLICY", "") or default_policy(names)


def chosen() -> tuple[tuple[str, ...], str]:
    """The configured recognizer names and policy name (nothing is loaded)."""
    if _chosen:
        return _chosen[0]
    names = _env_recognizers()
    return names, _env_policy(names)


def fingerprint() -> str:
    """The configured recognizers' and policy's part of the cache key (nothing is loaded for it)."""
    names, policy = chosen()
    parts = [f"{n}={RECOGNIZERS[n]().fingerprint() if n in RECOGNIZERS else '?'}" for n in names]
    return hashlib.sha256("\n".join([*parts, f"policy={policy}"]).encode()).hexdigest()[:16]


@cache
def pipeline() -> EntityPipeline:
    """The configured recognizers, each set up once in this process, and the policy."""
    names, policy = chosen()
    unknown = [n for n in names if n not in RECOGNIZERS] + ([policy] if policy not in POLICIES else [])
    if unknown:
        raise ValueError(
            f"unknown recognizer or policy: {', '.join(unknown)} "
            f"(recognizers: {', '.join(sorted(RECOGNIZERS))}; policies: {', '.join(sorted(POLICIES))})"
        )
    made = tuple(RECOGNIZERS[n]() for n in names)
    for r in made:
        r.setup()
    return EntityPipeline(made, POLICIES[policy], names, policy)


def candidates(sentences: Sequence[str]) -> list[list[Candidate]]:
    """Each sentence's chosen candidates (after the policy and the finishing steps)."""
    pipe = pipeline()
    res = resources()
    proposals = [r.propose(sentences) for r in pipe.recognizers]
    out = []
    for i, sent in enumerate(sentences):
        cands = [c for p in proposals for c in p[i]]
        chosen = _siblings(res, sent, [_retype(res, sent, c) for c in pipe.policy(cands, sent)])
        chosen = qualified(res, sent, chosen)
        nested = [p for c in chosen if (p := _parent_of_branch(res, sent, c)) is not None]
        nested += [o for c in chosen if (o := _owner_in_project(res, sent, c)) is not None]
        nested += [p for c in chosen if (p := _park_in_name(res, sent, c)) is not None]
        out.append(chosen + nested)
    return out


def sentence_candidates(sent: str) -> list[Candidate]:
    """All candidate entity spans of one sentence, after selection."""
    return candidates([sent])[0]


def extract_mentions(article: Article) -> list[Mention]:
    """Mentions of the contract's entity types in one article, in text order."""
    out: list[Mention] = []
    sentences = article.sentences
    for si, (sent, chosen) in enumerate(zip(sentences, candidates([s.text for s in sentences]), strict=True)):
        for c in chosen:
            surface = c.name or sent.text[c.start : c.end]
            out.append(
                Mention(
                    article=article.index,
                    sentence=si,
                    start=sent.start + c.start,
                    end=sent.start + c.end,
                    surface=surface,
                    type=c.type,
                    rule=c.rule,
                )
            )
    return out
