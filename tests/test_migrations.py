"""Each of our apps has one latest migration. Two branches that each add a migration to the same
app (two 0009s landed at once) leave it with two leaves: `migrate` then refuses to run until
someone writes a merge migration. Caught here, in the suite, on the commit that lands second."""

from pathlib import Path

from django.apps import apps
from django.db.migrations.graph import MigrationGraph
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parents[1]


def split_leaves(graph: MigrationGraph, labels) -> dict[str, list[str]]:
    """The apps among ``labels`` with more than one leaf migration, and their leaves."""
    found = {}
    for label in labels:
        leaves = sorted(name for _app, name in graph.leaf_nodes(label))
        if len(leaves) > 1:
            found[label] = leaves
    return found


def _ours() -> list[str]:
    return sorted(
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(ROOT)
        and "site-packages" not in Path(config.path).parts
    )


def test_each_of_our_apps_has_a_single_latest_migration():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = [label for label in _ours() if label in loader.migrated_apps]
    assert {"portal", "approvals", "grid", "enforcement", "centre"} <= set(ours)
    assert split_leaves(loader.graph, ours) == {}


def test_two_migrations_after_the_same_parent_are_reported_with_the_app():
    graph = MigrationGraph()
    for name in ("0008_x", "0009_a", "0009_b", "0001_initial"):
        graph.add_node(("grid" if name != "0001_initial" else "centre", name), None)
    graph.add_dependency("0009_a", ("grid", "0009_a"), ("grid", "0008_x"))
    graph.add_dependency("0009_b", ("grid", "0009_b"), ("grid", "0008_x"))
    assert split_leaves(graph, ["grid", "centre"]) == {"grid": ["0009_a", "0009_b"]}
