"""Checkpoints: checks with one-line errors, and every kind of model under the sentence-level heads."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import torch

from harness.errors import HarnessError
from harness.formats import get_format
from harness.models import load_model, load_tokenizer, resolve_checkpoint
from harness.suites import Hyperparameters
from harness.tasks import TASKS, FormatName


def test_missing_folder() -> None:
    with pytest.raises(HarnessError, match=re.escape("./no/such/model: model folder not found")):
        resolve_checkpoint("./no/such/model")


def test_hub_id_not_available_offline() -> None:
    with pytest.raises(HarnessError, match="xlm-roberta-large: model is neither a local folder nor a hub id"):
        resolve_checkpoint("xlm-roberta-large")


def test_corrupt_config(tmp_path: Path, tiny_bert: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_bert, broken)
    (broken / "config.json").write_text("{not json")
    with pytest.raises(HarnessError, match=re.escape("config.json: corrupt config.json")):
        resolve_checkpoint(str(broken))


def test_truncated_weights(tmp_path: Path, tiny_bert: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_bert, broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:5000])
    with pytest.raises(HarnessError, match=re.escape("model.safetensors: corrupt weights file")):
        resolve_checkpoint(str(broken))


def test_corrupt_pickled_weights(tmp_path: Path, tiny_bert: Path) -> None:
    import torch
    from safetensors.torch import load_file

    broken = tmp_path / "broken"
    shutil.copytree(tiny_bert, broken)
    state = load_file(broken / "model.safetensors")
    (broken / "model.safetensors").unlink()
    torch.save(state, broken / "pytorch_model.bin")
    resolve_checkpoint(str(broken))  # an intact .bin passes
    data = (broken / "pytorch_model.bin").read_bytes()
    (broken / "pytorch_model.bin").write_bytes(data[: len(data) // 2])
    with pytest.raises(HarnessError, match=re.escape("pytorch_model.bin: corrupt or unsafe weights file")):
        resolve_checkpoint(str(broken))


def test_no_weights(tmp_path: Path, tiny_bert: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_bert, broken)
    (broken / "model.safetensors").unlink()
    with pytest.raises(HarnessError, match="no weights file"):
        resolve_checkpoint(str(broken))


def test_no_tokenizer_and_the_tokenizer_option(tmp_path: Path, tiny_bert: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy(tiny_bert / name, bare / name)
    with pytest.raises(HarnessError, match=r"checkpoint has no tokenizer files .* pass --tokenizer"):
        resolve_checkpoint(str(bare))
    checkpoint = resolve_checkpoint(str(bare), tokenizer=str(tiny_bert))
    assert len(load_tokenizer(checkpoint)) > 100


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ("tiny_mt5", "weight tensors are missing from the checkpoint"),  # other parameter names
        ("tiny_xlmr", "weight shapes differ from config.json"),  # same names, other shapes
    ],
)
def test_weights_that_do_not_fit_the_config(
    tmp_path: Path, tiny_bert: Path, weights: str, message: str, request: pytest.FixtureRequest
) -> None:
    mixed = tmp_path / "mixed"
    shutil.copytree(tiny_bert, mixed)
    shutil.copy(request.getfixturevalue(weights) / "model.safetensors", mixed / "model.safetensors")
    with pytest.raises(HarnessError, match=message):
        load_model(resolve_checkpoint(str(mixed)), "sequence_classification", 3)


def test_weights_hash_changes_with_the_weights(tmp_path: Path, tiny_bert: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(tiny_bert, copy)
    assert resolve_checkpoint(str(copy)).weights_hash() == resolve_checkpoint(str(tiny_bert)).weights_hash()
    config = json.loads((copy / "config.json").read_text())
    from transformers import BertConfig, BertModel

    BertModel(BertConfig(**{k: v for k, v in config.items() if k != "architectures"})).save_pretrained(copy)
    assert resolve_checkpoint(str(copy)).weights_hash() != resolve_checkpoint(str(tiny_bert)).weights_hash()


@pytest.mark.parametrize("fixture", ["tiny_bert", "tiny_xlmr", "tiny_deberta", "tiny_mt5"])
@pytest.mark.parametrize("task", ["xnli", "xcopa"])
def test_every_model_kind_trains_under_every_sentence_head(
    fixture: str, task: str, request: pytest.FixtureRequest
) -> None:
    checkpoint = resolve_checkpoint(str(request.getfixturevalue(fixture)))
    spec = TASKS[task]
    fmt = get_format(spec.format)
    tokenizer = load_tokenizer(checkpoint)
    if spec.format is FormatName.classification:
        examples = [
            {"text_a": "Der Hund läuft.", "text_b": "狗跑回家了。", "label": "entailment"},
            {"text_a": "Il pleut.", "text_b": "Es regnet.", "label": "neutral"},
        ]
    else:
        examples = [
            {
                "context": "Das Glas fiel. What was the effect?",
                "choices": ["Es zerbrach.", "Es sang."],
                "label": "0",
            },
            {
                "context": "Mei ist müde. What was the cause?",
                "choices": ["Sie schlief.", "Sie lief."],
                "label": "1",
            },
        ]
    hp = Hyperparameters(learning_rate=1e-4, batch_size=2, epochs=1, max_length=32)
    features = fmt.featurize(examples, tokenizer, spec, hp)
    torch.manual_seed(0)
    model = load_model(checkpoint, fmt.head, fmt.num_labels(spec))
    batch = fmt.collate(tokenizer)(features)
    output = model(**batch)
    output.loss.backward()
    # per-class (per-choice) logits, one row per example, that depend on the example
    assert output.logits.shape == (2, len(spec.labels) if spec.labels else 2)
    assert not torch.allclose(output.logits[0], output.logits[1])
    # the loss reaches every trainable parameter: the new head and, through it, the whole encoder
    untouched = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
    assert untouched == [] and torch.isfinite(output.loss)
    predictions = fmt.decode([output.logits.detach().numpy()], features, examples, spec, hp)
    assert len(predictions) == 2 and predictions[0] in (spec.labels or (0, 1))
