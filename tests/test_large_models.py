"""Size-aware execution (bf16 weights, device maps, gradient checkpointing) and encoder-decoder
checkpoints across every format of the sample suite."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from harness.cli import app
from harness.models import load_model, resolve_checkpoint
from harness.results import read_results

runner = CliRunner()


def test_weights_load_in_the_dtype_asked_for(tiny_bert: Path, tmp_path: Path) -> None:
    from transformers import AutoModel

    # a checkpoint saved in bf16 still fine-tunes in fp32 unless bf16 is asked for (transformers 5
    # would otherwise keep the file's dtype)
    AutoModel.from_pretrained(tiny_bert).to(torch.bfloat16).save_pretrained(tmp_path / "bf16")
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        if (tiny_bert / name).is_file():
            (tmp_path / "bf16" / name).write_bytes((tiny_bert / name).read_bytes())
    checkpoint = resolve_checkpoint(str(tmp_path / "bf16"))
    model = load_model(checkpoint, "sequence_classification", 2)
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    big = dataclasses.replace(checkpoint, dtype="bf16", gradient_checkpointing=True)
    model = load_model(big, "sequence_classification", 2)
    assert {p.dtype for p in model.parameters()} == {torch.bfloat16}
    assert model.is_gradient_checkpointing


def test_eval_records_size_aware_options(tiny_bert: Path, tmp_path: Path) -> None:
    args = ["eval", "-s", "sample", "-m", str(tiny_bert), "-o", str(tmp_path), "-t", "pawsx", "--limit", "4"]
    args += ["--no-track", "--dtype", "bf16", "--gradient-checkpointing", "--device-map", "auto"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    run = read_results(tmp_path / "results.json").run
    assert (run.dtype, run.device_map, run.gradient_checkpointing) == ("bf16", "auto", True)
    bad = runner.invoke(app, [*args[:11], "--dtype", "fp8"])
    assert bad.exit_code == 2 and "'fp8' is not one of 'fp32', 'bf16'" in bad.output


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["tiny_mt5", "tiny_xlmr"])
def test_every_sample_task_runs_on_encoder_decoder_and_xlmr(
    fixture: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """mT5 (encoder-decoder) and XLM-R through every format: classification, multiple choice,
    tagging, QA and the four retrieval protocols (encoder pooling)."""
    model = request.getfixturevalue(fixture)
    result = runner.invoke(
        app, ["eval", "-s", "sample", "-m", str(model), "-o", str(tmp_path), "--limit", "4", "--no-track"]
    )
    assert result.exit_code == 0, result.output
    results = read_results(tmp_path / "results.json")
    assert {name: task.status for name, task in results.tasks.items()} == {
        name: "complete" for name in results.tasks
    }
    assert results.model.is_encoder_decoder == (fixture == "tiny_mt5")
