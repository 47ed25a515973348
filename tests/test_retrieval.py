"""Retrieval pieces: mining, thresholds, ranking metrics, Mewsli-X and LAReQA text building."""

from __future__ import annotations

import pytest
import torch

from harness.metrics import average_precision_at_k, best_threshold, map_at_k, mrr_at_k
from harness.retrieval.mining import margin_candidates, mine
from harness.retrieval.texts import entity_text, mention_query, sentence_breaks


def _unit(rows: list[list[float]]) -> torch.Tensor:
    return torch.nn.functional.normalize(torch.tensor(rows, dtype=torch.float32), dim=-1)


# --- ranking metrics ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relevant", "ranked", "k", "expected"),
    [
        ({"a"}, ["a", "b"], 20, 1.0),
        ({"a"}, ["b", "a"], 20, 0.5),
        ({"a", "c"}, ["a", "b", "c"], 20, (1 / 1 + 2 / 3) / 2),  # several relevant items
        ({"a", "c", "e"}, ["x", "a", "c"], 20, (1 / 2 + 2 / 3) / 3),  # one relevant never retrieved
        ({"a"}, ["b", "c", "a"], 2, 0.0),  # beyond the cutoff
        ({"a", "b", "c"}, ["a", "b"], 2, 1.0),  # divisor min(|relevant|, k)
        ({"a"}, ["a", "a"], 20, 1.0),  # a repeated candidate counts once
    ],
)
def test_average_precision_at_k(relevant: set[str], ranked: list[str], k: int, expected: float) -> None:
    assert average_precision_at_k(relevant, ranked, k) == pytest.approx(expected)


def test_map_at_20_over_languages_pooled() -> None:
    relevant = {"q1_en": ["en_1_0", "de_1_2"], "q1_de": ["en_1_0", "de_1_2"], "q2_en": ["en_2_1"]}
    ranked = {"q1_en": ["de_1_2", "x", "en_1_0"], "q1_de": ["x"] * 25 + ["en_1_0"], "q2_en": ["en_2_1"]}
    expected = ((1 + 2 / 3) / 2 + 0 + 1) / 3 * 100
    assert map_at_k(relevant, ranked, 20) == pytest.approx(expected)


def test_mrr_at_20_counts_the_gold_examples() -> None:
    assert mrr_at_k({"m1": ["Q1"], "m2": ["Q2"]}, {"m1": ["Q9", "Q1"]}) == pytest.approx(25.0)


# --- BUCC -----------------------------------------------------------------------------------------


def test_threshold_is_the_midpoint_where_f1_peaks() -> None:
    scored = [("g1", 1.30), ("g2", 1.25), ("bad", 1.10), ("g3", 1.05), ("bad2", 1.00), ("bad3", 0.9)]
    # F1 by cut: 1/2·... -> best after g2 (P 1, R 2/3, F1 .8) vs after g3 (P .75, R 1, F1 .857)
    assert best_threshold(scored, {"g1", "g2", "g3"}) == pytest.approx((1.05 + 1.00) / 2)
    # when the best cut is the last candidate, its own score is the threshold
    assert best_threshold([("g1", 1.2), ("g2", 1.1)], {"g1", "g2"}) == pytest.approx(1.1)


def test_margin_mining_pairs_translations_and_uses_each_sentence_once() -> None:
    # three source sentences; targets are noisy copies in another order, plus a distractor
    source = _unit([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]])
    target = _unit([[0, 0.1, 1, 0], [1, 0.1, 0, 0], [0.05, 1, 0, 0.1], [0, 0, 0.3, 1]])
    pairs = margin_candidates(source, target, k=2)
    assert sorted((s, t) for s, t, _ in pairs) == [(0, 1), (1, 2), (2, 0)]
    assert len({s for s, _, _ in pairs}) == len(pairs) == len({t for _, t, _ in pairs})


def test_mine_maps_back_to_ids_and_drops_ambiguous_sentences() -> None:
    vectors = {
        "hund": [1, 0, 0],
        "katze": [0, 1, 0],
        "dog": [1, 0.1, 0],
        "cat": [0, 1, 0.1],
        "maus": [0, 0, 1],
        "mouse": [0.1, 0, 1],
    }

    def embed(texts: list[str]) -> torch.Tensor:
        return _unit([vectors[t] for t in texts])

    # "maus" occurs under two ids: its pair cannot be attributed and is dropped
    pairs = mine(
        ["de-1", "de-2", "de-3", "de-4"],
        ["hund", "katze", "maus", "maus"],
        ["en-1", "en-2", "en-3"],
        ["cat", "dog", "mouse"],
        embed,
        k=2,
    )
    assert {pair for pair, _ in pairs} == {"de-1\ten-2", "de-2\ten-1"}
    assert [score for _, score in pairs] == sorted((score for _, score in pairs), reverse=True)


# --- text building --------------------------------------------------------------------------------


def test_mention_query_uses_the_mention_sentence_and_escapes_braces() -> None:
    text = "Markets fell. The {new} minister Ana Ruiz spoke in Lima.\nThen she left."
    start = text.index("Ana Ruiz")
    contextual = {
        "context": {
            "text": text,
            "sentence_spans": [
                {"start": 0, "end": 13},
                {"start": 14, "end": text.index("\n")},
                {"start": text.index("\n") + 1, "end": len(text)},
            ],
        },
        "mention": {"mention_span": {"start": start, "end": start + 8, "text": "Ana Ruiz"}},
    }
    assert mention_query(contextual) == "Ana Ruiz: The (new) minister { Ana Ruiz } spoke in Lima."


def test_entity_text_joins_the_description_sentences() -> None:
    entity = {
        "description": "Lima is a city.\nIt is in Peru.",
        "sentence_spans": [{"start": 0, "end": 15}, {"start": 16, "end": 30}],
    }
    assert entity_text(entity) == "Lima is a city. It is in Peru."


def test_sentence_breaks_cover_the_paragraph() -> None:
    text = "The river is long. It flows north! Does it freeze? Rarely."
    breaks = sentence_breaks(text)
    assert [text[s:e] for s, e in breaks] == [
        "The river is long.",
        "It flows north!",
        "Does it freeze?",
        "Rarely.",
    ]


# --- Tatoeba: direction and ties, through the protocol ----------------------------------------------


def test_tatoeba_queries_are_english_and_ties_go_to_the_lower_index() -> None:
    from types import SimpleNamespace

    from harness.formats import get_format
    from harness.results import SeedRun
    from harness.suites import load_suite
    from harness.tasks import TASKS

    # English e_i translates o_i. Asymmetric: o0's nearest English is e1, but e0's nearest other is o0,
    # so querying from the other side would give different answers. o1 and o2 are identical.
    vectors = {
        "e0": [1, 0, 0],
        "e1": [0.8, 0.6, 0],
        "e2": [0, 0.6, 0.8],
        "o0": [0.9, 0.1, 0],
        "o1": [0.7, 0.7, 0.1],
        "o2": [0.7, 0.7, 0.1],
    }
    rows = [{"target": f"e{i}", "source": f"o{i}"} for i in range(3)]
    task = SimpleNamespace(
        entry=load_suite("sample").tasks["tatoeba"],
        encoder=lambda seed: None,
        reader=SimpleNamespace(load=lambda split, lang="en": SimpleNamespace(examples=rows)),
    )
    fmt, spec = get_format(TASKS["tatoeba"].format), TASKS["tatoeba"]
    outputs = fmt.retrieve(
        task, 1, ["de"], SeedRun(seed=1), lambda model, texts, what: _unit([vectors[t] for t in texts])
    )
    out = outputs["de"]
    # e0 -> o0; e1 -> o1 (tie with o2: lower index); e2 -> o1 (duplicate at the wrong index: wrong)
    assert fmt.write_predictions(out.predictions) == "0\n1\n1\n"
    assert fmt.write_labels(out.gold, out.examples) == "0\n1\n2\n"
    assert fmt.score(out.predictions, out.gold, ["accuracy"], spec, "de")["accuracy"] == pytest.approx(
        200 / 3
    )


def test_lareqa_candidates_drop_newlines_as_the_reference() -> None:
    from types import SimpleNamespace

    from harness.formats.dual_encoders import _pool
    from harness.suites import load_suite

    row = {
        "id": "q1", "paragraph": 1, "question": "Who?", "context": "A cat.\nIt sat.",
        "sentence_breaks": [[0, 6], [7, 14]], "answers": {"text": ["cat"], "answer_start": [2]},
    }  # fmt: skip
    entry = load_suite("xtreme-r").tasks["lareqa"]
    reader = SimpleNamespace(load=lambda split, lang="en": SimpleNamespace(examples=[row]))
    candidates, relevant, questions = _pool(reader, entry, ["en"])
    assert candidates == {"en_1_0": "A cat.A cat.It sat.", "en_1_1": "It sat.A cat.It sat."}
    assert relevant == {"q1": ["en_1_0"]} and questions == {"en": [("q1_en", "q1", "Who?")]}
