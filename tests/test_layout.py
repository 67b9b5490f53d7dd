"""The layout of issues 10 and 22, checked on the source: import direction, no circles, wing APIs, one node
file per box of the README's picture, room sizes.

- imports run one way, ``graph/`` → ``nodes/`` → ``tools/``: ``tools/`` never imports ``reportgraph.graph``
  or ``reportgraph.nodes``, and ``nodes/`` never imports ``reportgraph.graph``;
- no import circle between modules anywhere (imports inside functions count too);
- every node the graph adds has its own file in ``nodes/`` and is drawn in the README's picture;
- nodes and surfaces use the intake, retrieval and video wings through the wing package (its ``__all__``);
- no class is longer than 200 lines and no function longer than 60, in ``tools/``, ``nodes/`` and ``graph/``.

Each rule is checked by a small AST walk (imports inside functions count too); each also runs on a planted
violation, so a rule that could never fail is caught.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tools", "nodes", "graph")
MAX_CLASS_LINES = 200
MAX_FUNCTION_LINES = 60
# Wings whose package names their public API: nodes and surfaces import the package (or a sub-package, like
# intake's requirement reader ``spec``), never one of its modules.
API_WINGS = ("intake", "retrieval", "video")
PICTURE_START = "## How it works"


def sources(*packages: str) -> Iterator[tuple[str, ast.Module]]:
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def imported_modules(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every absolute module an import names, with its line (``from a import b`` names ``a`` and ``a.b``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def direction_violations(name: str, tree: ast.Module) -> list[str]:
    """Imports against the direction: tools → graph/nodes, nodes → graph."""
    forbidden: tuple[str, ...] = ()
    if name.startswith("tools/"):
        forbidden = ("reportgraph.graph", "reportgraph.nodes")
    elif name.startswith("nodes/"):
        forbidden = ("reportgraph.graph",)
    return [
        f"{name}:{line} imports {module}"
        for line, module in imported_modules(tree)
        if any(within(module, package) for package in forbidden)
    ]


def module_name(path: str) -> str:
    """``tools/llm/ask.py`` → ``reportgraph.tools.llm.ask`` (a package's ``__init__`` is the package)."""
    dotted = "reportgraph." + path.removesuffix(".py").replace("/", ".")
    return dotted.removesuffix(".__init__")


def import_graph(trees: dict[str, ast.Module]) -> dict[str, set[str]]:
    """Module → the project's modules it imports (``from package import name`` counts the package, and the
    module ``package.name`` when there is one)."""
    modules = {module_name(name) for name in trees}
    edges: dict[str, set[str]] = {}
    for name, tree in trees.items():
        here = module_name(name)
        edges[here] = {m for _, m in imported_modules(tree) if m in modules and m != here}
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: strongly connected groups of more than one module (Tarjan's algorithm)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        for other in edges.get(module, ()):
            if other not in order:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], order[other])
        if low[module] == order[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(edges):
        if module not in order:
            visit(module)
    return found


def graph_nodes(tree: ast.Module) -> dict[str, str]:
    """Node name → the ``reportgraph.nodes`` module its function comes from, read from ``add_node`` calls."""
    origin = {alias.asname or alias.name: node.module for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module for alias in node.names}
    added = {}
    for call in ast.walk(tree):
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "add_node" and len(call.args) >= 2
                and isinstance(call.args[0], ast.Constant) and isinstance(call.args[1], ast.Name)):
            added[str(call.args[0].value)] = origin.get(call.args[1].id, "")
    return added


def picture(readme: str) -> str:
    """The README's drawing of the graph: the first fenced block under "How it works"."""
    section = readme[readme.index(PICTURE_START):]
    return section.split("```", 2)[1]


def is_module(dotted: str) -> bool:
    """Whether ``reportgraph.tools.…`` names a module file (as opposed to a package folder)."""
    return (ROOT / (dotted.removeprefix("reportgraph.").replace(".", "/") + ".py")).is_file()


def wing_api_violations(name: str, tree: ast.Module) -> list[str]:
    """Imports of a wing's modules from nodes/ or graph/ (the wing package's ``__all__`` is the API)."""
    if name.startswith("tools/"):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for wing in API_WINGS:
                if node.module.startswith(f"reportgraph.tools.{wing}.") and is_module(node.module):
                    found.append(f"{name}:{node.lineno} imports {node.module} (use reportgraph.tools.{wing})")
    return found


def size_violations(name: str, tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            limit, kind = MAX_CLASS_LINES, "class"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            limit, kind = MAX_FUNCTION_LINES, "function"
        else:
            continue
        lines = (node.end_lineno or node.lineno) - node.lineno + 1
        if lines > limit:
            found.append(f"{name}:{node.lineno} {kind} {node.name} has {lines} lines (limit {limit})")
    return found


def test_no_import_circle() -> None:
    trees = dict(sources(*PACKAGES, "prompts"))
    found = circles(import_graph(trees))
    assert not found, "import circles:\n" + "\n".join(" → ".join(group) for group in found)


def test_every_node_has_its_own_file_and_is_drawn() -> None:
    nodes = graph_nodes(dict(sources("graph"))["graph/graph.py"])
    drawing = picture((ROOT / "README.md").read_text(encoding="utf-8"))
    assert {"plan", "retrieve", "gap_search", "join", "draft", "validate", "finish"} <= set(nodes)
    assert all(module.startswith("reportgraph.nodes.") for module in nodes.values()), nodes
    modules = list(nodes.values())
    # one file per box: video_analyse and video_fallback, one box with its fallback, share nodes/video.py
    shared = {m for m in modules if modules.count(m) > 1}
    assert shared <= {"reportgraph.nodes.video"}, shared
    undrawn = [name for name in nodes if name not in drawing]
    assert not undrawn, f"nodes missing from the README's picture: {undrawn}"


def test_tools_never_import_graph_or_nodes_and_nodes_never_import_graph() -> None:
    found = [v for name, tree in sources(*PACKAGES) for v in direction_violations(name, tree)]
    assert not found, "imports against the layout's direction:\n" + "\n".join(found)


def test_nodes_and_surfaces_use_the_wing_packages() -> None:
    found = [v for name, tree in sources("nodes", "graph") for v in wing_api_violations(name, tree)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("wing", API_WINGS)
def test_each_wing_api_name_exists(wing: str) -> None:
    import importlib

    package = importlib.import_module(f"reportgraph.tools.{wing}")
    missing = [name for name in package.__all__ if not hasattr(package, name)]
    assert package.__all__ and not missing


def test_no_class_over_200_and_no_function_over_60_lines() -> None:
    found = [
        violation
        for name, tree in sources(*PACKAGES)
        for violation in size_violations(name, tree)
    ]
    assert not found, "rooms too large:\n" + "\n".join(found)


def test_the_rules_catch_planted_violations() -> None:
    planted = ast.parse(
        "import reportgraph.nodes.plan\n"
        "def f():\n    from reportgraph.nodes.context import Context\n"
        "from reportgraph.tools.retrieval.hybrid import search\n"
        "class C:\n" + "    x = 1\n" * MAX_CLASS_LINES + "def g():\n" + "    y = 1\n" * MAX_FUNCTION_LINES
    )
    assert len(direction_violations("tools/x.py", planted)) == 3  # one plain import, two names of one from
    assert direction_violations("nodes/x.py", ast.parse("from reportgraph.graph import cli\n"))
    assert direction_violations("nodes/x.py", ast.parse("def f():\n    import reportgraph.graph.graph\n"))
    allowed = ast.parse("from reportgraph.nodes.context import Context\n")
    assert not direction_violations("nodes/x.py", allowed)
    looped = {"tools/a.py": ast.parse("from reportgraph.tools import b\n"),
              "tools/b.py": ast.parse("def f():\n    from reportgraph.tools.a import x\n"),
              "tools/c.py": ast.parse("import reportgraph.tools.a\n")}
    assert circles(import_graph(looped)) == [["reportgraph.tools.a", "reportgraph.tools.b"]]
    wired = ast.parse("from reportgraph.nodes.plan import plan\nfrom reportgraph.graph.x import y\n"
                      "b.add_node('plan', plan)\nb.add_node('y', y)\n")
    assert graph_nodes(wired) == {"plan": "reportgraph.nodes.plan", "y": "reportgraph.graph.x"}
    assert wing_api_violations("nodes/x.py", planted) == [
        "nodes/x.py:4 imports reportgraph.tools.retrieval.hybrid (use reportgraph.tools.retrieval)"
    ]
    assert not wing_api_violations("graph/x.py", ast.parse("from reportgraph.tools.intake.spec import X\n"))
    sizes = [v.split()[1:3] for v in size_violations("tools/x.py", planted)]
    assert sizes == [["class", "C"], ["function", "g"]]


def shadowed_names(package_dir: Path, exported: list[str]) -> list[str]:
    """Names a package exports that are also its submodules' names: importing the submodule anywhere
    replaces the exported function with the module (``spec.mentions`` once did)."""
    return [name for name in exported
            if (package_dir / f"{name}.py").is_file() or (package_dir / name).is_dir()]


def test_no_wing_exports_a_name_one_of_its_modules_has() -> None:
    import importlib

    found = []
    for init in sorted((ROOT / "tools").rglob("__init__.py")):
        dotted = module_name(init.relative_to(ROOT).as_posix())
        package = importlib.import_module(dotted)
        found += [f"{dotted}.{n}" for n in shadowed_names(init.parent, list(getattr(package, "__all__", [])))]
    assert not found, f"exported names shadowed by modules: {found}"
    planted = ROOT / "tools" / "intake" / "spec"
    assert shadowed_names(planted, ["facets", "section_facets"]) == ["facets"]
