"""Developer tooling, not part of the running portal or the data build: benchmarks (`python3 dev.py bench ...`) and the
load client. It stands on top of the portal's layers: it may use etl (to build a warehouse) and the UI module (to
measure it), and nothing in portal/, pages/ or etl/ imports it."""
