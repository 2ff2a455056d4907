"""Per-file extraction cache, so a rebuild re-extracts only the files that changed.

An entry holds what extraction made of one input file (see :func:`kg.build.process.pack`): its documents'
:class:`~kg.model.DocSummary` list and their serialised output text, both pickled, with a checksum. Its key is the
SHA-256 of the file's path (as given on the command line: the results name it) and of its bytes; the
entries live in a folder named after the *extractor version*: ``kg.__version__``, the Python
version, the versions of the libraries that change results (jieba, zhconv, …; see
:data:`RESULT_LIBRARIES`) and a hash of every module under ``kg/``, subpackages included, and every
file under ``kg/data`` (lexicons, models). So editing a rule, a lexicon, a model or any code, or
upgrading jieba, starts a fresh folder, and the stale ones are removed.

Where: ``--cache-dir``, else ``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg`` — outside the output
folder, so the outputs stay exactly the eight files and one cache serves builds into any folder.
Layout: ``ROOT/<version>/<key[:2]>/<key>.pkl`` plus a ``CACHEDIR.TAG`` so backup tools skip it.
Entries are written to a temporary file and renamed into place (no fsync: a damaged entry is
detected on load and simply re-extracted). A cache folder that cannot be written turns the cache
off with one warning; the build goes on. Pickle runs code on load, so the cache folder must be as
trusted as the code itself (it is the user's own). Delete the folder to reclaim the space.

Beside the version folders, *snapshots* (:func:`kg.resources.snapshots.snapshot`) hold what every worker would otherwise
make again at start-up: ``jieba/`` jieba's dictionary with the project's words added (see
``kg.extract.entities._tokenizer``), loaded in a third of jieba's own start-up time, and ``regex/`` the
compiled relation patterns (see ``kg.extract.relations.patterns``). They live in the default folder whatever
``--cache-dir`` and ``--no-cache`` say, as jieba keeps its own dictionary cache in the temporary folder.
``builds/`` holds the record of the last build into each output folder, with the index of its kg.ttl
and kg.nt (see ``kg.writers.tables.LastBuild``).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import shutil
import struct
import sys
import zlib
from functools import cache
from pathlib import Path

from ..atomic import atomic_open
from ..model import DocSummary
from ..resources.version import extractor_version

_VERSION_DIR = re.compile(r"^[0-9a-f]{16}$")
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by kg (the per-file extraction cache).\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


@cache
def build_version() -> str:
    """The folder of this build's entries: the extractor version and the configured recognizers
    (names, fingerprints: a model file's hash) and overlap policy, and whether the relation model runs."""
    from ..extract import relation_model
    from ..extract.mentions import fingerprint

    key = f"{extractor_version()}\n{fingerprint()}\n{relation_model.fingerprint()}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def file_key(path: Path, data: bytes) -> str:
    """The cache key of one input file: its path as given and its content."""
    h = hashlib.sha256(os.fsencode(str(path)) + b"\0")
    h.update(data)
    return h.hexdigest()


_MAGIC = b"kg-cache-1\n"


def _pack(summaries: bytes, text: bytes) -> bytes:
    # The text is handed on unread (to the text store), so a checksum stands guard for it.
    body = summaries + text
    return _MAGIC + struct.pack("<QI", len(summaries), zlib.crc32(body)) + body


def _unpack(data: bytes) -> tuple[list[DocSummary], bytes]:
    head = len(_MAGIC) + 12
    if not data.startswith(_MAGIC) or len(data) < head:
        raise ValueError("not a kg cache entry")
    n, crc = struct.unpack_from("<QI", data, len(_MAGIC))
    body = memoryview(data)[head:]
    if zlib.crc32(body) != crc or n > len(body):
        raise ValueError("damaged cache entry")
    summaries = pickle.loads(body[:n])
    if not isinstance(summaries, list) or not all(isinstance(d, DocSummary) for d in summaries):
        raise TypeError("not a list of DocSummary")
    return summaries, bytes(body[n:])


class Cache:
    """A folder of per-file extraction results for one extractor version."""

    def __init__(self, root: Path, version: str | None = None) -> None:
        self.root = Path(root)
        self.version = version or build_version()
        self.folder = self.root / self.version
        self.hits = 0
        self.misses = 0
        self.disabled = False  # set when the folder cannot be written
        self._prepared = False

    def _entry(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pkl"

    def has(self, key: str) -> bool:
        return self._entry(key).is_file()

    def get(self, key: str) -> tuple[list[DocSummary], bytes] | None:
        """The cached summaries and (still pickled) text for ``key``, or None when absent or damaged."""
        entry = self._entry(key)
        try:
            data = entry.read_bytes()
        except OSError:
            self.misses += 1
            return None
        try:
            summaries, text = _unpack(data)
        except Exception:  # a damaged or foreign entry: drop it, extract again
            entry.unlink(missing_ok=True)
            self.misses += 1
            return None
        self.hits += 1
        return summaries, text

    def put(self, key: str, summaries: bytes, text: bytes) -> None:
        """Store a file's pickled summaries and text (see :func:`kg.build.process.pack`), atomically."""
        if self.disabled:
            return
        try:
            self._prepare()
            with atomic_open(self._entry(key), "wb", encoding=None, fsync=False) as fh:
                fh.write(_pack(summaries, text))
        except OSError as err:  # read-only home, full disk: build on without the cache
            self.disabled = True
            print(f"kg: extraction cache off: cannot write {self.folder}: {err.strerror or err}", file=sys.stderr)

    def _prepare(self) -> None:
        """Create the folder, tag it, and drop the entries of other extractor versions."""
        if self._prepared:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        tag = self.root / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(_TAG, encoding="utf-8")
        for sub in self.root.iterdir():
            if sub.is_dir() and _VERSION_DIR.match(sub.name) and sub.name != self.version:
                shutil.rmtree(sub, ignore_errors=True)
        self._prepared = True
