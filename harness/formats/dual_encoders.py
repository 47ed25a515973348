"""Retrieval with a dual encoder fine-tuned on English pairs (in-batch negatives).

- entity_linking (Mewsli-X): mentions retrieve Wikidata entities; MRR@k over the candidate set.
- answer_retrieval (LAReQA): questions in every language retrieve answer sentences from all
  languages' paragraphs, pooled; mAP@k.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from harness.batching import ExampleStats
from harness.data import SplitReader
from harness.errors import HarnessError
from harness.formats.base import LanguageOutput, TaskContext
from harness.formats.retrieval import Embedder, Rankings, cutoff, options_of
from harness.metrics import map_at_k, mrr_at_k
from harness.metrics.retrieval import average_precisions, reciprocal_ranks
from harness.results import SeedRun
from harness.retrieval.dual_encoder import DualEncoder, pair_collate, pair_features
from harness.retrieval.search import search
from harness.retrieval.texts import answer_sentence, entity_text, mention_query, sentence_breaks
from harness.suites import TaskEntry
from harness.tasks.spec import TaskSpec


def _dual_encoder(
    task: TaskContext, seed: int, queries: list[str], candidates: list[str], record: SeedRun
) -> DualEncoder:
    if task.hp is None:
        raise HarnessError(f"{task.spec.name}: a dual encoder needs hyperparameters in the suite")
    options = options_of(task)
    model = DualEncoder(task.encoder(seed), options.representation)
    features = pair_features(
        task.tokenizer,
        queries,
        candidates,
        options.representation,
        options.query_length or task.hp.max_length,
        options.candidate_length or task.hp.max_length,
    )
    task.train(model, features, pair_collate(task.tokenizer), seed, record)
    return model


def _ranked(
    task: TaskContext, embed: Embedder, model: DualEncoder, queries: list[str], index: torch.Tensor, what: str
) -> list[list[int]]:
    _, ids = search(embed(model.encoder, queries, what), index, options_of(task).top_k)
    return ids.tolist()


class EntityLinking(Rankings):
    name = "entity_linking"
    other_splits = ("candidates",)

    def retrieve(
        self, task: TaskContext, seed: int, languages: Sequence[str], record: SeedRun, embed: Embedder
    ) -> dict[str, LanguageOutput]:
        reader, test = task.reader, task.entry.splits.test
        pairs = reader.load(task.entry.splits.train[0]).examples
        queries = [mention_query(p["mention"]) for p in pairs]
        model = _dual_encoder(task, seed, queries, [entity_text(p["entity"]) for p in pairs], record)
        entities = reader.load("candidates").examples
        index = embed(model.encoder, [entity_text(e) for e in entities], "candidate entities")
        qids = [e["entity_id"] for e in entities]
        outputs = {}
        for lang in languages:
            mentions = [row["mention"] for row in reader.load(test, lang).examples]
            ranked = _ranked(
                task, embed, model, [mention_query(m) for m in mentions], index, f"{lang} mentions"
            )
            ids = [m["mention"]["example_id"] for m in mentions]
            predictions = {i: [qids[r] for r in row] for i, row in zip(ids, ranked, strict=True)}
            gold = _entities(mentions)
            # download_data.sh blanks the test entity ids: such files are predicted, never scored
            labelled = all(g[0] for g in gold.values())
            outputs[lang] = LanguageOutput(predictions, gold if labelled else None, mentions, len(mentions))
        return outputs

    def score(
        self, predictions: Any, gold: Any, metrics: Sequence[str], spec: TaskSpec, lang: str
    ) -> dict[str, float]:
        return {m: mrr_at_k(gold, predictions, cutoff(m)) for m in metrics if m.startswith("mrr@")}

    def example_stats(
        self, predictions: Any, gold: Any, metric: str, spec: TaskSpec, lang: str
    ) -> ExampleStats | None:
        if not metric.startswith("mrr@"):
            return None
        return "mean", np.array(reciprocal_ranks(gold, predictions, cutoff(metric)))

    def gold_files(self, reader: SplitReader, entry: TaskEntry, languages: Sequence[str]) -> dict[str, str]:
        found = {}
        for lang in languages:
            gold = _entities([row["mention"] for row in reader.load(entry.splits.test, lang).examples])
            if all(g[0] for g in gold.values()):  # download_data.sh blanks the test ids: no gold then
                found[lang] = self.write_labels(gold, [])
        return found


def _entities(mentions: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {m["mention"]["example_id"]: [m["mention"]["entity_id"]] for m in mentions}


class AnswerRetrieval(Rankings):
    """A question's relevant candidates are the sentences, in every language, that hold the answer of
    the question with the same id (utils_lareqa). Questions whose answer start lies outside every
    sentence are skipped, as the reference does."""

    name = "answer_retrieval"

    def retrieve(
        self, task: TaskContext, seed: int, languages: Sequence[str], record: SeedRun, embed: Embedder
    ) -> dict[str, LanguageOutput]:
        queries, responses = [], []
        for row in task.reader.load(task.entry.splits.train[0]).examples:
            if not row["answers"]["text"]:
                continue
            found = answer_sentence(
                row["context"], sentence_breaks(row["context"]), row["answers"]["answer_start"][0]
            )
            if found is not None:
                queries.append(row["question"])
                # the response is the answer sentence followed by its paragraph, newlines removed as
                # the reference removes them (processors/lareqa.py:51)
                responses.append((found[1] + row["context"]).replace("\n", ""))
        model = _dual_encoder(task, seed, queries, responses, record)

        candidates, relevant, questions = _pool(task.reader, task.entry, languages)
        uids = list(candidates)
        index = embed(model.encoder, [candidates[u] for u in uids], "candidate sentences")
        outputs = {}
        for lang, asked in questions.items():
            ranked = _ranked(task, embed, model, [text for _, _, text in asked], index, f"{lang} questions")
            predictions = {
                uid: [uids[r] for r in row] for (uid, _, _), row in zip(asked, ranked, strict=True)
            }
            gold = {uid: relevant[qid] for uid, qid, _ in asked}
            outputs[lang] = LanguageOutput(predictions, gold, asked, len(asked))
        return outputs

    def score(
        self, predictions: Any, gold: Any, metrics: Sequence[str], spec: TaskSpec, lang: str
    ) -> dict[str, float]:
        return {m: map_at_k(gold, predictions, cutoff(m)) for m in metrics if m.startswith("map@")}

    def example_stats(
        self, predictions: Any, gold: Any, metric: str, spec: TaskSpec, lang: str
    ) -> ExampleStats | None:
        if not metric.startswith("map@"):
            return None
        return "mean", np.array(average_precisions(gold, predictions, cutoff(metric)))

    def gold_files(self, reader: SplitReader, entry: TaskEntry, languages: Sequence[str]) -> dict[str, str]:
        _, relevant, questions = _pool(reader, entry, languages)
        return {
            lang: self.write_labels({uid: relevant[qid] for uid, qid, _ in asked}, [])
            for lang, asked in questions.items()
        }


def _pool(
    reader: SplitReader, entry: TaskEntry, languages: Sequence[str]
) -> tuple[dict[str, str], dict[str, list[str]], dict[str, list[tuple[str, str, str]]]]:
    """XQuAD-R of every language pooled: candidates (uid -> sentence + paragraph), the relevant
    uids of each shared question id, and each language's questions (uid, question id, text)."""
    candidates: dict[str, str] = {}
    relevant: dict[str, list[str]] = {}
    questions: dict[str, list[tuple[str, str, str]]] = {}
    for lang in languages:
        questions[lang] = []
        for row in reader.load(entry.splits.test, lang).examples:
            breaks = row.get("sentence_breaks")
            if not breaks:
                raise HarnessError(f"lareqa/{lang}: paragraphs need sentence_breaks (XQuAD-R format)")
            context = row["context"]
            for position, (start, end) in enumerate(breaks):
                # sentence + paragraph, newlines removed (evaluate_retrieval.py:572-574)
                text = (context[start:end] + context).replace("\n", "")
                candidates.setdefault(f"{lang}_{row['paragraph']}_{position}", text)
            found = answer_sentence(context, breaks, row["answers"]["answer_start"][0])
            if found is None:
                continue
            position, sentence = found
            for other, (start, end) in enumerate(breaks):
                if context[start:end] == sentence:  # the reference matches the sentence text
                    uid = f"{lang}_{row['paragraph']}_{other}"
                    if uid not in relevant.setdefault(row["id"], []):
                        relevant[row["id"]].append(uid)
            questions[lang].append((f"{row['id']}_{lang}", row["id"], row["question"]))
    return candidates, relevant, questions
