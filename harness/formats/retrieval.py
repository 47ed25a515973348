"""Retrieval tasks (spec 3.9-3.12): one protocol per task, over shared embedding and search code.

- bitext_mining (BUCC 2018): margin mining both ways, threshold tuned on dev gold, F1 over pairs.
- translation_search (Tatoeba): English sentences query the other language; top-1 accuracy.
- entity_linking (Mewsli-X): a dual encoder fine-tuned on English mention-entity pairs; MRR@k
  over the candidate entity set.
- answer_retrieval (LAReQA): a dual encoder fine-tuned on SQuAD question-answer-sentence pairs;
  mAP@k over the candidate sentences of all languages pooled.

A protocol fills a SeedRun (scores per language, predictions and labels written in the leaderboard
layout); the runner supplies the encoder, the training loop and the data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from harness.data import DataOptions, split_present
from harness.errors import HarnessError
from harness.metrics import accuracy, best_threshold, bucc_f1, map_at_k, mrr_at_k
from harness.metrics.retrieval import average_precisions, reciprocal_ranks
from harness.results import SeedRun
from harness.retrieval.dual_encoder import DualEncoder, pair_collate, pair_features
from harness.retrieval.encode import embed
from harness.retrieval.mining import mine
from harness.retrieval.search import search
from harness.retrieval.texts import answer_sentence, entity_text, mention_query, sentence_breaks
from harness.suites import Hyperparameters, RetrievalOptions, TaskEntry
from harness.tasks.spec import TaskSpec
from harness.training import Runtime

if TYPE_CHECKING:  # the runner's progress protocol; importing it at run time would be circular
    from harness.evaluation.report import Bar

Example = dict[str, Any]
Load = Callable[..., list[Example]]  # load(split, lang="en"): a split's canonical examples


@dataclass
class RetrievalContext:
    """What a protocol may use; the runner builds it per task and seed."""

    spec: TaskSpec
    entry: TaskEntry
    options: RetrievalOptions
    hp: Hyperparameters | None
    tokenizer: Any
    runtime: Runtime
    data: DataOptions
    languages: list[str]
    load: Callable[..., list[Example]]  # load(split, lang="en"): a split's canonical examples
    encoder: Callable[[], torch.nn.Module]  # the encoder to embed with, loaded on demand
    train: Callable[[torch.nn.Module, list[dict[str, Any]], Any, SeedRun], None]  # the shared loop
    write: Callable[[str, str, str], None]  # write(kind "predictions" or "labels", lang, text)
    # The seed's one embedding bar, made on first use: the encoder may first be fine-tuned under bars
    # of its own, whose time a bar started earlier would count as embedding.
    new_bar: Callable[[], Bar]
    # language -> metric -> per-example statistics, for bootstrap intervals (filled by the protocol)
    stats: dict[str, dict[str, tuple[str, np.ndarray]]] = field(default_factory=dict)

    embedded: int = 0  # texts handed to embed() so far: the progress bar's total
    progress: Bar | None = None

    def embed(self, model: torch.nn.Module, texts: Sequence[str], what: str) -> torch.Tensor:
        # A protocol embeds in several passes whose sizes are only known as they come: one bar per
        # seed that grows keeps the whole task's work on one line that stays after the run.
        bar = self.progress = self.progress or self.new_bar()
        self.embedded += len(texts)
        bar.set_total(self.embedded)
        bar.advance(0, what)
        return embed(
            model,
            self.tokenizer,
            texts,
            self.options.representation,
            self.runtime,
            lambda n: bar.advance(n, what),
        )


def _scores(values: dict[str, float], metrics: Sequence[str]) -> dict[str, float]:
    return {m: values[m] for m in metrics}


# --- Tatoeba ------------------------------------------------------------------------------------------


def translation_search(ctx: RetrievalContext, record: SeedRun) -> None:
    """Each English sentence retrieves its nearest neighbour among the other language's sentences.

    The data are aligned (row i translates row i), so the gold answer of English sentence i is i;
    ties go to the lower index, and a duplicate retrieved at another index counts as wrong.
    """
    encoder = ctx.encoder()
    for lang in ctx.languages:
        rows = ctx.load(ctx.entry.splits.test, lang)
        english = [row["target"].strip() for row in rows]
        other = [row["source"].strip() for row in rows]
        _, ids = search(ctx.embed(encoder, english, f"{lang} en"), ctx.embed(encoder, other, lang), 1)
        predicted, gold = ids[:, 0].tolist(), list(range(len(rows)))
        record.examples[lang] = len(rows)
        record.scores[lang] = _scores({"accuracy": accuracy(predicted, gold)}, ctx.entry.metrics)
        hits = np.array([p == g for p, g in zip(predicted, gold, strict=True)], float)
        ctx.stats[lang] = {"accuracy": ("mean", hits)}
        ctx.write("predictions", lang, "".join(f"{p}\n" for p in predicted))
        ctx.write("labels", lang, _lines(gold))


def _lines(values: Sequence[Any]) -> str:
    return "".join(f"{v}\n" for v in values)


def _tatoeba_gold(
    load: Load, spec: TaskSpec, entry: TaskEntry, languages: Sequence[str], data: DataOptions
) -> dict[str, str]:
    return {lang: _lines(range(len(load(entry.splits.test, lang)))) for lang in languages}


# --- BUCC -------------------------------------------------------------------------------------------


def bitext_mining(ctx: RetrievalContext, record: SeedRun) -> None:
    encoder = ctx.encoder()

    def candidates(split: str, lang: str) -> list[tuple[str, float]]:
        source, target = ctx.load(f"{split}_source", lang), ctx.load(f"{split}_target", lang)
        return mine(
            [r["id"] for r in source],
            [r["text"].strip() for r in source],
            [r["id"] for r in target],
            [r["text"].strip() for r in target],
            lambda texts: ctx.embed(encoder, texts, f"{lang} {split}"),
            k=ctx.options.margin_k,
        )

    def gold(split: str, lang: str) -> set[str]:
        return _pairs(ctx.load, split, lang)

    record.dev = {}
    for lang in ctx.languages:
        dev_gold = gold("dev", lang)
        dev = candidates("dev", lang)
        threshold = best_threshold(dev, dev_gold)  # the dev (BUCC sample) gold tunes the threshold
        record.dev[f"{lang}.threshold"] = threshold
        record.dev[f"{lang}.f1"] = bucc_f1(dev_gold, [p for p, s in dev if s >= threshold])["f1"]
        predicted = [pair for pair, score in candidates("test", lang) if score >= threshold]
        record.examples[lang] = len(predicted)
        ctx.write("predictions", lang, "".join(f"{p}\n" for p in predicted))
        if split_present(ctx.spec, "test_gold", lang, ctx.data):
            test_gold = gold("test", lang)
            record.scores[lang] = _scores(bucc_f1(test_gold, predicted), ctx.entry.metrics)
            ctx.write("labels", lang, _lines(sorted(test_gold)))
        else:
            record.unscored.append(lang)


def _pairs(load: Load, split: str, lang: str) -> set[str]:
    return {f"{r['source_id']}\t{r['target_id']}" for r in load(f"{split}_gold", lang)}


def _bucc_gold(
    load: Load, spec: TaskSpec, entry: TaskEntry, languages: Sequence[str], data: DataOptions
) -> dict[str, str]:
    return {
        lang: _lines(sorted(_pairs(load, "test", lang)))
        for lang in languages
        if split_present(spec, "test_gold", lang, data)
    }


# --- dual encoders ----------------------------------------------------------------------------------


def _dual_encoder(
    ctx: RetrievalContext, queries: list[str], candidates: list[str], record: SeedRun
) -> DualEncoder:
    if ctx.hp is None:
        raise HarnessError(f"{ctx.spec.name}: a dual encoder needs hyperparameters in the suite")
    model = DualEncoder(ctx.encoder(), ctx.options.representation)
    query_length = ctx.options.query_length or ctx.hp.max_length
    candidate_length = ctx.options.candidate_length or ctx.hp.max_length
    features = pair_features(
        ctx.tokenizer, queries, candidates, ctx.options.representation, query_length, candidate_length
    )
    ctx.train(model, features, pair_collate(ctx.tokenizer), record)
    return model


def _ranked(
    ctx: RetrievalContext, model: DualEncoder, queries: list[str], index: torch.Tensor, what: str
) -> list[list[int]]:
    _, ids = search(ctx.embed(model.encoder, queries, what), index, ctx.options.top_k)
    return ids.tolist()


def entity_linking(ctx: RetrievalContext, record: SeedRun) -> None:
    pairs = ctx.load(ctx.entry.splits.train[0])
    model = _dual_encoder(
        ctx, [mention_query(p["mention"]) for p in pairs], [entity_text(p["entity"]) for p in pairs], record
    )
    entities = ctx.load("candidates")
    index = ctx.embed(model.encoder, [entity_text(e) for e in entities], "candidate entities")
    qids = [e["entity_id"] for e in entities]
    for lang in ctx.languages:
        mentions = [row["mention"] for row in ctx.load(ctx.entry.splits.test, lang)]
        ranked = _ranked(ctx, model, [mention_query(m) for m in mentions], index, f"{lang} mentions")
        ids = [m["mention"]["example_id"] for m in mentions]
        predictions = {i: [qids[r] for r in row] for i, row in zip(ids, ranked, strict=True)}
        gold = _entities(mentions)
        record.examples[lang] = len(mentions)
        ctx.write("predictions", lang, json.dumps(predictions, ensure_ascii=False) + "\n")
        # download_data.sh blanks the test entity ids: such files are predicted, never scored
        if all(g[0] for g in gold.values()):
            record.scores[lang] = _scores(
                {"mrr@20": mrr_at_k(gold, predictions, ctx.options.top_k)}, ctx.entry.metrics
            )
            ranks = reciprocal_ranks(gold, predictions, ctx.options.top_k)
            ctx.stats[lang] = {"mrr@20": ("mean", np.array(ranks))}
            ctx.write("labels", lang, json.dumps(gold, ensure_ascii=False) + "\n")
        else:
            record.unscored.append(lang)


def _entities(mentions: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {m["mention"]["example_id"]: [m["mention"]["entity_id"]] for m in mentions}


def _mewslix_gold(
    load: Load, spec: TaskSpec, entry: TaskEntry, languages: Sequence[str], data: DataOptions
) -> dict[str, str]:
    found = {}
    for lang in languages:
        gold = _entities([row["mention"] for row in load(entry.splits.test, lang)])
        if all(g[0] for g in gold.values()):  # download_data.sh blanks the test ids: no gold then
            found[lang] = json.dumps(gold, ensure_ascii=False) + "\n"
    return found


# --- LAReQA -----------------------------------------------------------------------------------------


def answer_retrieval(ctx: RetrievalContext, record: SeedRun) -> None:
    """Questions in every language retrieve answer sentences from all languages' paragraphs, pooled.

    A question's relevant candidates are the sentences, in every language, that hold the answer of
    the question with the same id (utils_lareqa). Questions whose answer start lies outside every
    sentence are skipped, as the reference does.
    """
    queries, responses = [], []
    for row in ctx.load(ctx.entry.splits.train[0]):
        if not row["answers"]["text"]:
            continue
        found = answer_sentence(
            row["context"], sentence_breaks(row["context"]), row["answers"]["answer_start"][0]
        )
        if found is not None:
            queries.append(row["question"])
            # the response is the answer sentence followed by its paragraph, newlines removed as the
            # reference removes them (processors/lareqa.py:51)
            responses.append((found[1] + row["context"]).replace("\n", ""))
    model = _dual_encoder(ctx, queries, responses, record)

    candidates, relevant, questions = _pool(ctx.load, ctx.entry, ctx.languages)
    uids = list(candidates)
    index = ctx.embed(model.encoder, [candidates[u] for u in uids], "candidate sentences")
    for lang, asked in questions.items():
        ranked = _ranked(ctx, model, [text for _, _, text in asked], index, f"{lang} questions")
        predictions = {uid: [uids[r] for r in row] for (uid, _, _), row in zip(asked, ranked, strict=True)}
        gold = {uid: relevant[qid] for uid, qid, _ in asked}
        record.examples[lang] = len(asked)
        record.scores[lang] = _scores(
            {"map@20": map_at_k(gold, predictions, ctx.options.top_k)}, ctx.entry.metrics
        )
        ctx.stats[lang] = {
            "map@20": ("mean", np.array(average_precisions(gold, predictions, ctx.options.top_k)))
        }
        ctx.write("predictions", lang, json.dumps(predictions, ensure_ascii=False) + "\n")
        ctx.write("labels", lang, json.dumps(gold, ensure_ascii=False) + "\n")


def _pool(
    load: Load, entry: TaskEntry, languages: Sequence[str]
) -> tuple[dict[str, str], dict[str, list[str]], dict[str, list[tuple[str, str, str]]]]:
    """XQuAD-R of every language pooled: candidates (uid -> sentence + paragraph), the relevant
    uids of each shared question id, and each language's questions (uid, question id, text)."""
    candidates: dict[str, str] = {}
    relevant: dict[str, list[str]] = {}
    questions: dict[str, list[tuple[str, str, str]]] = {}
    for lang in languages:
        questions[lang] = []
        for row in load(entry.splits.test, lang):
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


def _lareqa_gold(
    load: Load, spec: TaskSpec, entry: TaskEntry, languages: Sequence[str], data: DataOptions
) -> dict[str, str]:
    _, relevant, questions = _pool(load, entry, languages)
    return {
        lang: json.dumps({uid: relevant[qid] for uid, qid, _ in asked}, ensure_ascii=False) + "\n"
        for lang, asked in questions.items()
    }


PROTOCOLS: dict[str, Callable[[RetrievalContext, SeedRun], None]] = {
    "translation_search": translation_search,
    "bitext_mining": bitext_mining,
    "entity_linking": entity_linking,
    "answer_retrieval": answer_retrieval,
}

# The leaderboard file suffix of each protocol's predictions.
SUFFIX = {
    "translation_search": "tsv",
    "bitext_mining": "tsv",
    "entity_linking": "json",
    "answer_retrieval": "json",
}

# Splits a protocol reads beside the suite's train and test roles (listed by `harness data check`).
OTHER_SPLITS: dict[str, tuple[str, ...]] = {
    "bitext_mining": ("dev_source", "dev_target", "dev_gold", "test_target", "test_gold"),
    "entity_linking": ("candidates",),
}

# The gold files of each protocol, in the leaderboard layout, from the data alone (no model):
# what `harness leaderboard check --rescore` scores a submission's predictions against.
GOLD: dict[str, Callable[[Load, TaskSpec, TaskEntry, Sequence[str], DataOptions], dict[str, str]]] = {
    "translation_search": _tatoeba_gold,
    "bitext_mining": _bucc_gold,
    "entity_linking": _mewslix_gold,
    "answer_retrieval": _lareqa_gold,
}
