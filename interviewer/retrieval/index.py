"""Chroma index over the corpus and search by meaning (dense, BM25 or fused).

Embedded by default (a PersistentClient under the data directory); with CHROMA_HOST set, the
same code talks to a Chroma server. The index is rebuilt only when the corpus content, the
embedding model or the document format changes: their hash is stored on each collection.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from interviewer.config import Settings
from interviewer.corpus.loading import Corpus
from interviewer.datadir import private_dir, secure_tree
from interviewer.embeddings import Embedder, ProgressCallback, model_id
from interviewer.retrieval.documents import (
    COLLECTIONS,
    DOC_FORMAT_VERSION,
    IndexDoc,
    build_documents,
    lp_key,
    role_key,
    topic_key,
)
from interviewer.retrieval.lexical import BM25Index, weighted_fuse
from interviewer.schemas import Role, Round

log = logging.getLogger(__name__)

Ranker = Literal["dense", "bm25", "hybrid"]
RANKERS: tuple[str, ...] = ("dense", "bm25", "hybrid")
COLLECTION_PREFIX = "interviewer_"
# Dense and lexical candidates fetched before fusion; the collections hold a few hundred items.
CANDIDATES = 50


class SearchHit(BaseModel):
    id: str
    kind: str
    round: str | None
    text: str
    topics: list[str]
    score: float
    metadata: dict[str, Any]


@dataclass(frozen=True)
class IndexStatus:
    embedded: int  # documents embedded by this call; 0 means the index was reused as it was
    counts: dict[str, int]
    seconds: float

    @property
    def rebuilt(self) -> bool:
        return self.embedded > 0


@dataclass(frozen=True)
class Filters:
    round: Round | str | None = None
    role: Role | str | None = None
    difficulty: int | None = None
    topic: str | None = None
    lp: str | None = None

    def conditions(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self.round is not None:
            out.append({"round": Round(self.round).value})
        if self.role is not None:
            out.append({role_key(self.role): True})
        if self.difficulty is not None:
            out.append({"difficulty": int(self.difficulty)})
        if self.topic is not None:
            out.append({topic_key(self.topic): True})
        if self.lp is not None:
            out.append({lp_key(self.lp): True})
        return out

    def chroma_where(self) -> dict[str, Any] | None:
        conds = self.conditions()
        if not conds:
            return None
        return conds[0] if len(conds) == 1 else {"$and": conds}

    def accepts(self, metadata: dict[str, Any]) -> bool:
        return all(metadata.get(k) == v for cond in self.conditions() for k, v in cond.items())


def make_client(settings: Settings):  # noqa: ANN201 - chromadb's client types are internal
    import chromadb

    chroma_settings = chromadb.Settings(anonymized_telemetry=False)
    if settings.server_mode:
        log.info("using Chroma server at %s:%s", settings.chroma_host, settings.chroma_port)
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    private_dir(settings.chroma_dir)
    client = chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    secure_tree(settings.chroma_dir)  # Chroma creates its files with the process's umask
    return client


def doc_hash(doc: IndexDoc) -> str:
    return hashlib.sha256(json.dumps([doc.text, doc.metadata], sort_keys=True).encode()).hexdigest()[:16]


def collection_hash(docs: Sequence[IndexDoc]) -> str:
    return hashlib.sha256("".join(f"{d.id}:{doc_hash(d)};" for d in docs).encode()).hexdigest()


class Retriever:
    """Builds (when needed) and searches the three collections."""

    def __init__(self, corpus: Corpus, embedder: Embedder, client: Any, ranker: str = "hybrid"):
        if ranker not in RANKERS:
            raise ValueError(f"unknown ranker {ranker!r}; choose one of {', '.join(RANKERS)}")
        self.corpus = corpus
        self.embedder = embedder
        self.client = client
        self.ranker = ranker
        self.docs = build_documents(corpus)
        self._by_id = {doc.id: doc for docs in self.docs.values() for doc in docs}
        self._bm25: dict[str, BM25Index] = {}
        self._collections: dict[str, Any] = {}
        self.model = model_id()

    # ---- building -------------------------------------------------------------------------
    #
    # Each collection records the embedding model, the document format and a hash of its
    # documents. Same hash: reused untouched. Different hash, same model: only new or changed
    # documents are embedded (a user's extra question file costs one embedding per question).
    # Different model or format: the collection is rebuilt.

    def _open(self, name: str, rebuild: bool) -> tuple[Any, bool]:
        full = COLLECTION_PREFIX + name
        if not rebuild:
            try:
                col = self.client.get_collection(full, embedding_function=None)
                meta = col.metadata or {}
                if meta.get("model") == self.model and meta.get("format") == DOC_FORMAT_VERSION:
                    return col, False
            except Exception:  # noqa: BLE001 - chromadb raises different types for "not found" per client
                pass
        try:
            self.client.delete_collection(full)
        except Exception:  # noqa: BLE001 - absent collection
            pass
        col = self.client.create_collection(
            full, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
            metadata={"model": self.model, "format": DOC_FORMAT_VERSION, "content_hash": "empty"},
        )
        return col, True

    def ensure_index(self, rebuild: bool = False, progress: ProgressCallback | None = None) -> IndexStatus:
        start = time.perf_counter()
        pending: list[tuple[Any, IndexDoc]] = []
        for name in COLLECTIONS:
            docs = self.docs[name]
            col, fresh = self._open(name, rebuild)
            self._collections[name] = col
            wanted = collection_hash(docs)
            if not fresh and (col.metadata or {}).get("content_hash") == wanted and col.count() == len(docs):
                continue
            stored = {} if fresh else self._stored_hashes(col)
            changed = [d for d in docs if stored.get(d.id) != doc_hash(d)]
            removed = sorted(set(stored) - {d.id for d in docs})
            if removed:
                col.delete(ids=removed)
            pending.extend((col, d) for d in changed)
            log.info("collection %s: %d to embed, %d removed", name, len(changed), len(removed))
        if pending:
            vectors = self.embedder.encode([d.text for _, d in pending], progress=progress)
            for name in COLLECTIONS:
                col = self._collections[name]
                rows = [(d, v) for (c, d), v in zip(pending, vectors, strict=True) if c is col]
                for begin in range(0, len(rows), 500):
                    batch = rows[begin : begin + 500]
                    col.upsert(
                        ids=[d.id for d, _ in batch],
                        embeddings=[v.tolist() for _, v in batch],
                        documents=[d.text for d, _ in batch],
                        metadatas=[{**d.metadata, "doc_hash": doc_hash(d)} for d, _ in batch],
                    )
        for name in COLLECTIONS:
            col = self._collections[name]
            wanted = collection_hash(self.docs[name])
            if (col.metadata or {}).get("content_hash") != wanted:
                col.modify(metadata={"model": self.model, "format": DOC_FORMAT_VERSION, "content_hash": wanted})
        counts = {n: self._collections[n].count() for n in COLLECTIONS}
        if pending:
            self._secure_files()
        return IndexStatus(len(pending), counts, time.perf_counter() - start)

    def _secure_files(self) -> None:
        """An embedded index's new segment files are private like the rest of the data directory."""
        try:
            folder = self.client.get_settings().persist_directory
        except Exception:  # noqa: BLE001 - a server client, or a chromadb without that setting
            return
        if folder and self.client.get_settings().is_persistent:
            secure_tree(Path(folder))

    @staticmethod
    def _stored_hashes(col: Any) -> dict[str, str]:
        got = col.get(include=["metadatas"])
        return {i: str((m or {}).get("doc_hash", "")) for i, m in zip(got["ids"], got["metadatas"], strict=True)}

    # ---- searching ------------------------------------------------------------------------

    def _collection(self, name: str) -> Any:
        if name not in self._collections:
            self.ensure_index()
        return self._collections[name]

    def _lexical(self, name: str) -> BM25Index:
        if name not in self._bm25:
            self._bm25[name] = BM25Index([d.text for d in self.docs[name]])
        return self._bm25[name]

    def dense_scores(self, name: str, query_vector: list[float], filters: Filters, n: int) -> dict[str, float]:
        col = self._collection(name)
        total = len(self.docs[name])
        if total == 0:
            return {}
        result = col.query(
            query_embeddings=[query_vector], n_results=min(n, total), where=filters.chroma_where(), include=["distances"]
        )
        # Cosine distance -> similarity. Another process with other --corpus folders may have
        # synced the shared index since; ids this corpus does not know are ignored.
        return {
            i: 1.0 - float(d) for i, d in zip(result["ids"][0], result["distances"][0], strict=True) if i in self._by_id
        }

    def lexical_scores(self, name: str, query: str, filters: Filters, n: int) -> dict[str, float]:
        docs = self.docs[name]
        scores = self._lexical(name).scores(query)
        order = scores.argsort()[::-1]
        out: dict[str, float] = {}
        for idx in order:
            if len(out) >= n or scores[idx] <= 0:
                break
            if filters.accepts(docs[idx].metadata):
                out[docs[idx].id] = float(scores[idx])
        return out

    def search(
        self,
        query: str,
        collection: str = "questions",
        k: int = 5,
        filters: Filters | None = None,
        ranker: str | None = None,
        vector: list[float] | None = None,
    ) -> list[SearchHit]:
        """`vector`: the query's embedding when the caller already has it (saves a model call)."""
        if collection not in COLLECTIONS:
            raise ValueError(f"unknown collection {collection!r}; choose one of {', '.join(COLLECTIONS)}")
        if not query.strip():
            raise ValueError("the search query is empty")
        filters = filters or Filters()
        ranker = ranker or self.ranker
        ranked: list[tuple[str, float]]
        if ranker == "bm25":
            ranked = sorted(self.lexical_scores(collection, query, filters, k).items(), key=lambda x: -x[1])
        else:
            if vector is None:
                vector = self.embedder.encode([query])[0].tolist()
            dense = self.dense_scores(collection, vector, filters, max(k, CANDIDATES) if ranker == "hybrid" else k)
            if ranker == "dense":
                ranked = sorted(dense.items(), key=lambda x: -x[1])
            else:
                lexical = self.lexical_scores(collection, query, filters, CANDIDATES)
                ranked = weighted_fuse(dense, lexical)
        return [self._hit(doc_id, score) for doc_id, score in ranked[:k]]

    def search_all(self, query: str, k: int = 5, filters: Filters | None = None) -> list[SearchHit]:
        """The best of every collection together; fused scores are normalised per collection,
        so this interleaves the collections' best hits rather than letting one crowd out the rest."""
        hits = [h for name in COLLECTIONS for h in self.search(query, name, k, filters)]
        return sorted(hits, key=lambda h: -h.score)[:k]

    def _hit(self, doc_id: str, score: float) -> SearchHit:
        doc: IndexDoc = self._by_id[doc_id]
        meta = doc.metadata
        topics = [t for t in str(meta.get("topics", "")).split("|") if t]
        return SearchHit(
            id=doc.id, kind=doc.kind, round=meta.get("round"), text=str(meta.get("display", doc.text)),
            topics=topics, score=round(score, 6), metadata=meta,
        )
