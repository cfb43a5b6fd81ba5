"""The Visitaties page in parts: the overview, the dossier's header and one module per tab, each with a `render` function.
pages/visitatie.py only routes between them."""
