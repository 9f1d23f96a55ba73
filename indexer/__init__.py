"""Jianbao's indexer: bulletin archives in, a Whoosh index of enriched items out."""
