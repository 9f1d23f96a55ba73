"""The Sphinx / Manticore cluster backend: configs, connections, how items are stored, the writer and the searcher."""
