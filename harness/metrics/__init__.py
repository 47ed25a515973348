"""Pure metric functions: no torch, no I/O, nothing else of the harness. Scores are on a 0-100 scale."""

from harness.metrics.classification import accuracy
from harness.metrics.qa import QAGold, mlqa_em_f1, squad_em_f1
from harness.metrics.ranking import ndcg
from harness.metrics.retrieval import average_precision_at_k, best_threshold, bucc_f1, map_at_k, mrr_at_k
from harness.metrics.tagging import chunk_f1, token_accuracy

__all__ = [
    "QAGold",
    "accuracy",
    "average_precision_at_k",
    "best_threshold",
    "bucc_f1",
    "chunk_f1",
    "map_at_k",
    "mlqa_em_f1",
    "mrr_at_k",
    "ndcg",
    "squad_em_f1",
    "token_accuracy",
]
