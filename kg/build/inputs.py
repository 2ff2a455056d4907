"""Discover the input files of a build: files, folders (recursively) and globs, or the bundled sample."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from ..errors import InputError

INPUT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".pdf")


def sample_corpus() -> list[Path]:
    """The bundled sample pages, so an installed ``kg`` can build with no arguments."""
    root = resources.files("kg") / "data" / "sample"
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".txt"))


def discover(inputs: Iterable[str], ignored: list[Path] | None = None) -> tuple[list[Path], list[InputError]]:
    """Expand files, folders (recursively) and globs into a sorted, de-duplicated file list.
    The files of a folder that are not of an input format are appended to ``ignored``, so the user can
    be told (hidden files, such as .DS_Store or a .git folder's, are not worth telling)."""
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
                    elif (
                        sub.is_file()
                        and ignored is not None
                        and not any(part.startswith(".") for part in sub.relative_to(path).parts)
                    ):
                        ignored.append(sub)
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


def describe_ignored(ignored: list[Path], shown: int = 5) -> list[str]:
    """One line per kind of ignored file (its suffix), naming the first few of them."""
    by_kind: dict[str, list[Path]] = {}
    for path in ignored:
        by_kind.setdefault(path.suffix.lower(), []).append(path)
    lines = []
    for kind, paths in sorted(by_kind.items()):
        names = ", ".join(str(p) for p in paths[:shown])
        names += f" and {len(paths) - shown} more" if len(paths) > shown else ""
        what = (f"{kind} file" if kind else "file without an extension") + ("s" if len(paths) > 1 else "")
        lines.append(f"ignored {len(paths)} {what} ({names}): kg reads {', '.join(INPUT_SUFFIXES)} files")
    return lines
