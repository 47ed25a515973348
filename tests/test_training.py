"""The shared fine-tuning loop: step accounting as the reference, selection, determinism."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn
from transformers.modeling_outputs import SequenceClassifierOutput

from harness.suites import Hyperparameters
from harness.training import Runtime, TrainProgress, fine_tune, predict_outputs, seed_everything
from harness.training.distributed import Dist
from harness.training.loop import LengthGroupedBatches
from harness.training.throughput import Meter

CPU = Runtime(torch.device("cpu"), "fp32")


class Linear(nn.Module):
    """A one-layer classifier over fixed features: fast, and its weights show every update."""

    def __init__(self) -> None:
        super().__init__()
        self.classifier = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> SequenceClassifierOutput:
        logits = self.classifier(x)
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


def _features(n: int) -> list[dict]:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(n, 4, generator=generator)
    return [{"x": x[i], "labels": int(x[i, 0] > 0)} for i in range(n)]


def _collate(batch: list[dict]) -> dict[str, torch.Tensor]:
    return {"x": torch.stack([b["x"] for b in batch]), "labels": torch.tensor([b["labels"] for b in batch])}


def _hp(**kw: object) -> Hyperparameters:
    return Hyperparameters.model_validate(
        {"learning_rate": 0.1, "batch_size": 2, "epochs": 1, "max_length": 16, **kw}
    )


def test_total_steps_follow_the_reference_formula() -> None:
    # 10 examples / batch 2 = 5 batches; // grad_accum 2 = 2 steps per epoch; x 3 epochs = 6 steps
    seed_everything(0)
    outcome = fine_tune(Linear(), _features(10), _collate, _hp(grad_accum=2, epochs=3), seed=0, runtime=CPU)
    assert outcome.optimizer_steps == 6 and outcome.epochs == 3.0


def test_max_steps_caps_training() -> None:
    seed_everything(0)
    outcome = fine_tune(Linear(), _features(10), _collate, _hp(epochs=5, max_steps=3), seed=0, runtime=CPU)
    assert outcome.optimizer_steps == 3


def test_best_dev_checkpoint_is_restored() -> None:
    seed_everything(0)
    model = Linear()
    snapshots: dict[int, torch.Tensor] = {}
    scores = iter([10.0, 30.0, 20.0, 30.0])  # the first 30.0 wins: strictly greater replaces
    step = {"n": 0}

    def evaluate() -> float:
        step["n"] += 1
        snapshots[step["n"]] = model.classifier.weight.detach().clone()
        return next(scores)

    outcome = fine_tune(
        model, _features(8), _collate, _hp(epochs=2), seed=0, runtime=CPU, evaluate=evaluate, every_steps=2
    )
    assert outcome.dev_history == [(2, 10.0), (4, 30.0), (6, 20.0), (8, 30.0)]
    assert (outcome.selected_step, outcome.selected_score) == (4, 30.0)
    assert torch.equal(model.classifier.weight, snapshots[2])


@pytest.mark.parametrize(("final", "kept"), [(40.0, 8), (30.0, 6)])
def test_the_final_weights_are_a_candidate_as_in_the_reference(final: float, kept: int) -> None:
    """run_classify.py / run_tag.py --eval_all_checkpoints score checkpoint-best, then the final save,
    and keep the final one only when strictly better (a tie keeps the interval checkpoint)."""
    seed_everything(0)
    model = Linear()
    # 8 examples / batch 2 x 2 epochs = 8 steps; dev every 3 steps: at 3 and 6, then the final weights
    scores = iter([10.0, 30.0, final])
    snapshots: dict[int, torch.Tensor] = {}

    def evaluate() -> float:
        snapshots[len(snapshots)] = model.classifier.weight.detach().clone()
        return next(scores)

    outcome = fine_tune(
        model, _features(8), _collate, _hp(epochs=2), seed=0, runtime=CPU, evaluate=evaluate, every_steps=3
    )
    assert outcome.dev_history == [(3, 10.0), (6, 30.0), (8, final)]
    assert outcome.selected_step == kept
    assert torch.equal(model.classifier.weight, snapshots[2] if kept == 8 else snapshots[1])


def test_progress_callbacks_see_every_step() -> None:
    seen: list[int] = []
    totals: list[int] = []
    progress = TrainProgress(on_start=totals.append, on_step=lambda step, loss: seen.append(step))
    fine_tune(Linear(), _features(8), _collate, _hp(epochs=2), seed=0, runtime=CPU, progress=progress)
    assert totals == [8] and seen == list(range(1, 9))


def test_same_seed_same_weights_other_seed_other_order() -> None:
    def train(seed: int) -> torch.Tensor:
        seed_everything(seed)
        model = Linear()
        fine_tune(model, _features(16), _collate, _hp(epochs=2), seed=seed, runtime=CPU)
        return model.classifier.weight.detach()

    assert torch.equal(train(3), train(3))
    assert not torch.equal(train(3), train(4))


def test_short_epoch_still_steps() -> None:
    # fewer batches than grad_accum (a --limit run): one step at the end of each epoch
    outcome = fine_tune(Linear(), _features(4), _collate, _hp(grad_accum=16, epochs=2), seed=0, runtime=CPU)
    assert outcome.optimizer_steps == 2


# --- fast paths, out-of-memory resilience, sharing work across processes --------------------------


class OomLinear(Linear):
    """Raises CUDA's out-of-memory error on any batch larger than `limit` (as a small GPU would)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.refused = 0

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> SequenceClassifierOutput:
        if x.shape[0] > self.limit:
            self.refused += 1
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")
        return super().forward(x, labels)


def test_out_of_memory_splits_the_batch_and_keeps_the_update() -> None:
    hp = _hp(batch_size=4, grad_accum=2, epochs=2)
    seed_everything(0)
    plain = Linear()
    seed_everything(0)
    small = OomLinear(limit=1)
    small.load_state_dict(plain.state_dict(), strict=False)
    expected = fine_tune(plain, _features(20), _collate, hp, seed=3, runtime=CPU)
    outcome = fine_tune(small, _features(20), _collate, hp, seed=3, runtime=CPU)
    assert small.refused > 0 and outcome.micro_batches == 4 and outcome.meter.oom_retries == 2
    assert outcome.optimizer_steps == expected.optimizer_steps
    # the same effective batch, hence the same updates (up to float summation order)
    assert torch.allclose(small.classifier.weight, plain.classifier.weight, atol=1e-6)
    # every example counted once per pass through it, the redone ones not again
    assert outcome.meter.examples == expected.meter.examples == 36


def test_other_errors_are_not_retried() -> None:
    class Broken(Linear):
        def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> SequenceClassifierOutput:
            raise RuntimeError("shape mismatch")

    with pytest.raises(RuntimeError, match="shape mismatch"):
        fine_tune(Broken(), _features(8), _collate, _hp(), seed=0, runtime=CPU)


def test_prediction_shrinks_its_batch_after_out_of_memory() -> None:
    seed_everything(0)
    model = OomLinear(limit=3)
    features = _features(10)
    meter = Meter()
    outputs = predict_outputs(model, features, _collate, 8, CPU, meter=meter)
    assert meter.oom_retries == 2 and meter.examples == 10  # 8 -> 4 -> 2
    expected = model.classifier(torch.stack([f["x"] for f in features]))
    assert torch.allclose(torch.from_numpy(np.concatenate(outputs)), expected.detach(), atol=1e-6)


def _token_features(tokenizer, n: int) -> list[dict]:  # type: ignore[no-untyped-def]
    generator = random.Random(1)
    words = [
        "the",
        "a",
        "cat",
        "sat",
        "on",
        "mat",
        "dog",
        "ran",
        "far",
        "away",
        "quickly",
        "slowly",
        "big",
        "small",
        "red",
        "green",
    ]
    texts = [" ".join(generator.choices(words, k=generator.randint(1, 40))) for _ in range(n)]
    return [dict(tokenizer(t, truncation=True, max_length=64)) for t in texts]


def test_length_grouped_prediction_equals_plain_prediction(tiny_bert: Path) -> None:
    """The fast path (sorted by length, dynamic padding) predicts what input order with a batch of 1 does."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding

    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    seed_everything(0)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_bert, num_labels=3)
    features = _token_features(tokenizer, 60)
    collate = DataCollatorWithPadding(tokenizer)
    fast_meter, plain_meter = Meter(), Meter()
    fast = predict_outputs(model, features, collate, 16, CPU, meter=fast_meter)
    plain = predict_outputs(model, features, collate, 1, CPU, meter=plain_meter, group_by_length=False)
    fast_logits, plain_logits = np.concatenate(fast), np.concatenate(plain)
    assert (fast_logits.argmax(-1) == plain_logits.argmax(-1)).all()
    assert np.abs(fast_logits - plain_logits).max() < 1e-5
    # sorted batches pad far less than batches of the same size in input order
    unsorted = Meter()
    predict_outputs(model, features, collate, 16, CPU, meter=unsorted, group_by_length=False)
    assert fast_meter.tokens == plain_meter.tokens == unsorted.tokens
    assert fast_meter.padded_tokens - fast_meter.tokens < (unsorted.padded_tokens - unsorted.tokens) / 2


def test_length_grouped_batches_cover_every_example_once_and_pad_little() -> None:
    lengths = [random.Random(i).randint(1, 100) for i in range(1000)]
    sampler = LengthGroupedBatches(lengths, 16, torch.Generator().manual_seed(5))
    batches = list(sampler)
    assert sorted(i for b in batches for i in b) == list(range(1000)) and len(batches) == len(sampler)
    padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    assert sum(lengths) / padded > 0.9
    again = list(LengthGroupedBatches(lengths, 16, torch.Generator().manual_seed(5)))
    assert again == batches  # seeded


def test_group_by_length_training_is_seeded(tiny_bert: Path) -> None:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding

    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    features = [{**f, "labels": i % 3} for i, f in enumerate(_token_features(tokenizer, 24))]
    weights = []
    for _ in range(2):
        seed_everything(0)
        model = AutoModelForSequenceClassification.from_pretrained(tiny_bert, num_labels=3)
        outcome = fine_tune(
            model,
            features,
            DataCollatorWithPadding(tokenizer),
            _hp(group_by_length=True),
            seed=1,
            runtime=CPU,
        )
        weights.append(model.classifier.weight.detach().clone())
    assert torch.equal(weights[0], weights[1]) and outcome.meter.tokens > 0


@pytest.mark.parametrize("world", [1, 2, 3, 8])
def test_process_shares_partition_the_examples(world: int) -> None:
    for count in (0, 1, 5, 7, 64):
        shares = [list(Dist(rank=r, world=world).share(count)) for r in range(world)]
        assert [i for share in shares for i in share] == list(range(count))
        assert max(map(len, shares)) - min(map(len, shares)) <= 1


def test_a_token_budget_fills_prediction_batches_and_predicts_the_same(tiny_bert: Path) -> None:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding

    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    seed_everything(0)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_bert, num_labels=3)
    features = _token_features(tokenizer, 60)
    collate = DataCollatorWithPadding(tokenizer)
    sizes: list[int] = []
    budget = Runtime(torch.device("cpu"), "fp32", prediction_tokens=400)
    filled = predict_outputs(model, features, collate, 4, budget, on_batch=sizes.append)
    plain = predict_outputs(model, features, collate, 4, CPU)
    assert np.abs(np.concatenate(filled) - np.concatenate(plain)).max() < 1e-5
    longest = max(len(f["input_ids"]) for f in features)
    assert sizes[0] == max(4, 400 // longest) and max(sizes) > 4 and sum(sizes) == 60


def test_precision_is_chosen_never_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    """A GPU that supports bf16 runs fp32 unless bf16 is asked for; bf16 where it cannot run is an error."""
    from harness.errors import HarnessError

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    monkeypatch.setattr(torch.cuda, "set_device", lambda device: None)
    assert Runtime.detect("cuda").precision == "fp32"
    assert Runtime.detect("cuda", "bf16").precision == "bf16"
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    with pytest.raises(HarnessError, match="--precision bf16: cuda has no bf16 autocast"):
        Runtime.detect("cuda", "bf16")
    with pytest.raises(HarnessError, match="--precision bf16: cpu"):
        Runtime.detect("cpu", "bf16")
