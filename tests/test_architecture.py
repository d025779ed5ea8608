"""The house rules that are not in the import-linter contract: no import cycles between modules."""

import grimp

PACKAGES = (
    "config",
    "domain",
    "storage",
    "fileformats",
    "usecases",
    "cards",
    "dialogs",
    "delivery",
    "jobs",
    "manage",
    "web",
    "observability",
)


def import_cycles() -> list[tuple[str, ...]]:
    graph = grimp.build_graph(*PACKAGES)
    cycles = []
    for importer in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None and importer < imported:
                cycles.append((importer, *back[:-1]))
    return cycles


def test_no_module_imports_itself_through_others():
    assert import_cycles() == []
