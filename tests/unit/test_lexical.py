from evals.bench_retrieval import rrf_fuse
from interviewer.retrieval.lexical import tokenize, weighted_fuse


def test_tokenize_drops_stopwords_and_stems():
    assert tokenize("The cats are detecting cycles") == ["cat", "detect", "cycl"]


def test_tokenize_joins_british_and_american_spellings():
    assert tokenize("regularisation") == tokenize("regularization")
    assert tokenize("optimise") == tokenize("optimize")


def test_tokenize_empty():
    assert tokenize("") == []
    assert tokenize("the of and") == []


def test_rrf_rewards_agreement():
    fused = rrf_fuse([["a", "b", "c"], ["b", "a", "d"]], k=60)
    ids = [i for i, _ in fused]
    assert ids[:2] == ["a", "b"]  # tie on score broken by id
    assert fused[0][1] == 1 / 61 + 1 / 62
    assert set(ids) == {"a", "b", "c", "d"}
    assert dict(fused)["d"] == 1 / 63


def test_rrf_single_list_keeps_order():
    assert [i for i, _ in rrf_fuse([["x", "y", "z"]])] == ["x", "y", "z"]


def test_weighted_fuse_normalises_each_side():
    fused = dict(weighted_fuse({"a": 0.9, "b": 0.5}, {"b": 12.0, "c": 2.0}, dense_weight=0.5))
    assert fused["a"] == 0.5  # top dense, absent lexically
    assert fused["b"] == 0.5  # bottom dense (0), top lexical (1)
    assert fused["c"] == 0.0
