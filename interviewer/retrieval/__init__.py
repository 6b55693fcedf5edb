"""Search over the corpus: the Chroma index (embedded or a server), the documents it holds, BM25."""
