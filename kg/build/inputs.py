"""Discover the input files of a build: files, folders (recursively) and globs, or the bundled sample."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from ..errors import InputError

INPUT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")


def sample_corpus() -> list[Path]:
    """The bundled sample pages, so an installed ``kg`` can build with no arguments."""
    root = resources.files("kg") / "data" / "sample"
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".txt"))


def discover(inputs: Iterable[str]) -> tuple[list[Path], list[InputError]]:
    """Expand files, folders (recursively) and globs into a sorted, de-duplicated file list."""
    files: list[Path] = []
    errors: list[InputError] = []
    for item in inputs:
        matches = [Path(m) for m in sorted(glob.glob(item, recursive=True))] if glob.has_magic(item) else []
        candidates = matches or [Path(item)]
        for path in candidates:
            if path.is_dir():
                if not os.access(path, os.R_OK | os.X_OK):
                    errors.append(InputError(str(path), "folder is not readable (permission denied)"))
                    continue
                for sub in sorted(path.rglob("*")):
                    if sub.is_symlink() and not sub.exists():
                        errors.append(InputError(str(sub), "broken symbolic link"))
                    elif sub.is_dir() and not os.access(sub, os.R_OK | os.X_OK):
                        errors.append(InputError(str(sub), "folder is not readable (permission denied)"))
                    elif sub.is_file() and sub.suffix.lower() in INPUT_SUFFIXES:
                        files.append(sub)
            elif path.is_symlink() and not path.exists():
                errors.append(InputError(str(path), "broken symbolic link"))
            elif path.exists():
                files.append(path)
            elif glob.has_magic(item):
                errors.append(InputError(item, "no file matches this pattern"))
            else:
                errors.append(InputError(str(path), "no such file or folder"))
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, errors
