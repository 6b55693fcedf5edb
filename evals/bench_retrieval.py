"""Retrieval benchmark: quality (hit@1, hit@5, MRR) and latency of dense, BM25 and fused ranking.

Labelled queries live in evals/retrieval/*.yaml; each is phrased unlike the question it should
find. Run with `make bench` (or `python -m evals.bench_retrieval [--out FILE]`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

from evals.statistics import percentile
from interviewer.config import Settings
from interviewer.corpus.loading import load_with_extras
from interviewer.embeddings import get_embedder
from interviewer.retrieval.index import CANDIDATES, Filters, Retriever, make_client
from interviewer.retrieval.lexical import DENSE_WEIGHT, weighted_fuse

HERE = Path(__file__).resolve().parent


def load_queries() -> list[dict]:
    queries = []
    for file in sorted((HERE / "retrieval").glob("*.yaml")):
        for q in yaml.safe_load(file.read_text())["queries"]:
            queries.append({"query": q["query"], "expect": set(q["expect"]), "file": file.name})
    return queries


def rrf_fuse(rankings: Sequence[Sequence[str]], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion, the usual alternative to the shipped weighted fusion: each list contributes 1 / (k + rank) for each id it ranks."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def metrics(rankings: list[list[str]], queries: list[dict]) -> dict[str, float]:
    hit1 = hit5 = rr = 0.0
    for ranked, q in zip(rankings, queries, strict=True):
        ranks = [i for i, doc in enumerate(ranked[:10], start=1) if doc in q["expect"]]
        first = ranks[0] if ranks else None
        hit1 += first == 1
        hit5 += first is not None and first <= 5
        rr += 1.0 / first if first else 0.0
    n = len(queries)
    return {"hit@1": hit1 / n, "hit@5": hit5 / n, "mrr": rr / n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "retrieval.json")
    args = parser.parse_args()

    settings = Settings.from_env()
    corpus = load_with_extras(settings.corpus_dir, [])
    queries = load_queries()
    embedder = get_embedder()

    with tempfile.TemporaryDirectory() as tmp:
        local = settings.model_copy(update={"home": Path(tmp), "chroma_host": None})
        t0 = time.perf_counter()
        embedder.encode(["warm up"])  # model load is not index build time
        load_seconds = time.perf_counter() - t0
        retriever = Retriever(corpus, embedder, make_client(local))
        status = retriever.ensure_index()
        build_seconds = status.seconds
        reuse = Retriever(corpus, embedder, make_client(local)).ensure_index()

        filters = Filters()
        # Quality: every ranker from the same dense and lexical candidate lists.
        dense_lists, lexical_lists, rrf_lists, weighted_lists = [], [], [], []
        for q in queries:
            vector = embedder.encode([q["query"]])[0].tolist()
            dense = retriever.dense_scores("questions", vector, filters, CANDIDATES)
            lexical = retriever.lexical_scores("questions", q["query"], filters, CANDIDATES)
            dense_rank = sorted(dense, key=lambda i: -dense[i])
            lexical_rank = sorted(lexical, key=lambda i: -lexical[i])
            dense_lists.append(dense_rank)
            lexical_lists.append(lexical_rank)
            rrf_lists.append([i for i, _ in rrf_fuse([dense_rank, lexical_rank])])
            weighted_lists.append([i for i, _ in weighted_fuse(dense, lexical)])
        quality = {
            "dense": metrics(dense_lists, queries),
            "bm25": metrics(lexical_lists, queries),
            "reciprocal rank fusion": metrics(rrf_lists, queries),
            f"hybrid: {DENSE_WEIGHT} dense + {1 - DENSE_WEIGHT:.1f} bm25 (shipped)": metrics(weighted_lists, queries),
        }

        # Warm latency of the full search call (query embedding included), per ranker.
        latency: dict[str, dict[str, float]] = {}
        for ranker in ("dense", "bm25", "hybrid"):
            times = []
            for q in queries:
                start = time.perf_counter()
                retriever.search(q["query"], k=5, ranker=ranker)
                times.append((time.perf_counter() - start) * 1000)
            latency[ranker] = {"p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99), "mean_ms": statistics.mean(times)}

    report = {
        "queries": len(queries),
        "documents": status.counts,
        "model_load_seconds": load_seconds,
        "index_build_seconds": build_seconds,
        "index_reuse_seconds": reuse.seconds,
        "index_reused": not reuse.rebuilt,
        "quality": quality,
        "latency": latency,
    }
    print(f"Retrieval benchmark: {len(queries)} labelled queries over {status.counts['questions']} questions\n")
    print("| ranker | hit@1 | hit@5 | MRR |\n|---|---|---|---|")
    for name, m in quality.items():
        print(f"| {name} | {m['hit@1']:.3f} | {m['hit@5']:.3f} | {m['mrr']:.3f} |")
    print("\n| ranker | warm p50 ms | warm p99 ms |\n|---|---|---|")
    for name, m in latency.items():
        print(f"| {name} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} |")
    total_docs = sum(status.counts.values())
    print(
        f"\nIndex build: {build_seconds:.1f} s for {total_docs} documents "
        f"(reopening the unchanged index: {reuse.seconds:.2f} s, re-embedded: {'no' if not reuse.rebuilt else 'yes'}); "
        f"model load {load_seconds:.1f} s."
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"JSON: {args.out}")


if __name__ == "__main__":
    main()
