"""Sentence retrieval: embeddings, similarity search, mining."""
