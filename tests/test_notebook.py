"""notebooks/explore.ipynb runs top to bottom, unedited, on a fresh build of the sample corpus, and its
tables are not empty."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "explore.ipynb"


def _rows(output: dict[str, Any]) -> int:
    """Body rows of the pandas table in one execute_result / display_data output (-1: no table)."""
    html = output.get("data", {}).get("text/html", "")
    html = "".join(html) if isinstance(html, list) else html
    body = re.search(r"<tbody>(.*?)</tbody>", html, flags=re.S)
    return len(re.findall(r"<tr\b", body.group(1))) if body else -1


def _tables(cell: dict[str, Any]) -> list[int]:
    return [r for r in map(_rows, cell.get("outputs", [])) if r >= 0]


def test_committed_notebook_has_no_outputs() -> None:
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


def test_notebook_runs_on_a_fresh_build(sample_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv("KG_GRAPH", str(sample_build / "kg.ttl"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()  # raises CellExecutionError on the first cell that fails

    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    by_tag: dict[str, list[dict[str, Any]]] = {}
    for cell in nb.cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            by_tag.setdefault(tag, []).append(cell)
    assert str(sample_build / "kg.ttl") in "".join(
        "".join(o.get("text", "")) for o in nb.cells[1].outputs if o.get("output_type") == "stream"
    )

    # Every query table, the centrality rankings and the community table hold rows.
    for tag in ("summary", "query-table", "centrality", "communities"):
        assert by_tag.get(tag), f"no cell tagged {tag}"
        for cell in by_tag[tag]:
            tables = _tables(cell)
            assert tables and all(n > 0 for n in tables), f"empty table in a {tag} cell:\n{cell.source}"
    # The neighbourhood drawing is an image; the network is the inline kg.html.
    drawing = by_tag["drawing"][0]
    assert any("image/png" in o.get("data", {}) for o in drawing.outputs)
    network = "".join(o["data"]["text/html"] for o in by_tag["network"][0].outputs if "data" in o)
    assert network.startswith("<div><iframe srcdoc=") and "vis.Network" in network


def _dist_name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_notebook_extra_provides_what_the_notebook_needs() -> None:
    """Issue 15: running the notebook as the README says needed nbconvert/jupyter, which nothing
    installed: the `notebook` extra holds them and every library the notebook imports."""
    import ast
    from importlib import metadata

    import nbformat

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = {_dist_name(r) for r in project["optional-dependencies"].get("notebook", [])}
    assert {"nbconvert", "ipykernel"} <= extra and extra & {"notebook", "jupyterlab"}
    # what the extra and the core dependencies bring, following the installed ones' own requirements
    provided: set[str] = set()
    todo = [*extra, *(_dist_name(r) for r in project["dependencies"])]
    while todo:
        name = todo.pop()
        if name in provided:
            continue
        provided.add(name)
        try:
            todo += [_dist_name(r) for r in metadata.requires(name) or [] if "extra ==" not in r]
        except metadata.PackageNotFoundError:
            pass
    dists = {m: {d.lower().replace("_", "-") for d in ds} for m, ds in metadata.packages_distributions().items()}
    nb = nbformat.read(NOTEBOOK, as_version=4)
    imported = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Import):
                    imported |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    imported.add(node.module.split(".")[0])
    third_party = {m for m in imported if m in dists and m != "kg"}
    assert {"pandas", "matplotlib", "IPython"} <= third_party
    for module in third_party:
        assert dists[module] & provided, f"the notebook imports {module}, which neither kg nor kg[notebook] installs"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "pip install -e '.[notebook]'" in readme and "jupyter nbconvert --to notebook --execute" in readme
