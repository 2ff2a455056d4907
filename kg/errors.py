"""Errors that carry the file they are about, so every message names it; and the one that stops a build."""

from __future__ import annotations


class InputError(Exception):
    """An input that could not be read; the build goes on without it."""

    def __init__(self, path: str, problem: str, line: int | None = None) -> None:
        self.path = path
        self.problem = problem
        self.line = line
        shown = path if path.isprintable() else repr(path)[1:-1]  # a newline in a name stays on one line
        where = f"{shown}:{line}" if line is not None else shown
        super().__init__(f"{where}: {problem}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, int | None]]:
        # Errors cross process boundaries (the --jobs pool); the default pickling calls
        # __init__(message) and fails, which hangs the pool's result thread and so the whole build.
        return (type(self), (self.path, self.problem, self.line))


class ExecutorError(RuntimeError):
    """An executor cannot run the build (e.g. a cluster's scheduler unreachable or lost): the build
    stops, having written nothing, and the command line says so in one line (exit 2)."""
