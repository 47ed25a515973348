"""Intermediate-task training (sequential, multi-task; full, LoRA), adapters as --model, sweeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import yaml
from typer.testing import CliRunner

from harness.adapters import LoraOptions, add_lora, parameter_counts
from harness.cli import app
from harness.errors import HarnessError
from harness.intermediate.sampling import MultiTaskBatches, task_probabilities
from harness.results import read_results
from harness.sweep.config import SweepConfig, cells

runner = CliRunner()


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


# --- sampling -----------------------------------------------------------------------------------


def test_task_probabilities() -> None:
    sizes = {"mnli": 100, "squad": 400}
    assert task_probabilities(sizes, "proportional") == pytest.approx({"mnli": 0.2, "squad": 0.8})
    # n ** (1/T) with T = 2: 10 and 20
    assert task_probabilities(sizes, "temperature", 2.0) == pytest.approx({"mnli": 1 / 3, "squad": 2 / 3})
    assert task_probabilities(sizes, "temperature", 1.0) == pytest.approx({"mnli": 0.2, "squad": 0.8})
    assert task_probabilities(sizes, "uniform") == {"mnli": 0.5, "squad": 0.5}
    with pytest.raises(ValueError):
        task_probabilities({"mnli": 0}, "proportional")


def test_multitask_batches_follow_the_probabilities() -> None:
    spans = [range(0, 30), range(30, 150)]
    batches = MultiTaskBatches(spans, [0.25, 0.75], 4, torch.Generator().manual_seed(0))
    drawn = []
    for _ in range(20):  # 20 epochs of 38 batches
        drawn += list(batches)
    assert len(batches) == 8 + 30
    first = [b for b in drawn if b[0] < 30]
    assert all(all(i < 30 for i in b) or all(i >= 30 for i in b) for b in drawn)  # one task per batch
    assert len(first) / len(drawn) == pytest.approx(0.25, abs=0.03)
    # each task's examples all come round before any repeats
    stream = [i for b in first for i in b]
    assert sorted(stream[:30]) == list(range(30))
    assert batches.drawn == [len(first), len(drawn) - len(first)]


# --- LoRA ----------------------------------------------------------------------------------------


def test_lora_trainable_parameter_counts(tiny_bert: Path) -> None:
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(tiny_bert, num_labels=3)
    full = sum(p.numel() for p in model.parameters())
    add_lora(model, LoraOptions(r=4, target_modules=("query", "value")))
    counts = parameter_counts(model)
    # hidden 32: each adapted 32x32 projection gets A (4x32) and B (32x4) = 256; 2 per layer x 2 layers
    assert counts["adapter_parameters"] == 4 * 256
    assert counts["trainable_parameters"] == 4 * 256 + 32 * 3 + 3  # + the new classifier
    assert counts["total_parameters"] == full + 4 * 256 and counts["adapter_bytes"] == 4 * 256 * 4


# --- intermediate training, then evaluation --------------------------------------------------------


def _intermediate(model: Path, out: Path, tasks: str, *extra: str) -> dict:
    _invoke(
        "intermediate", "-m", str(model), "-t", tasks, "-s", "sample", "-o", str(out),
        "--batch-size", "8", "--max-steps", "3", "--learning-rate", "1e-3", "--limit", "24", *extra,
    )  # fmt: skip
    return json.loads((out / "harness-recipe.json").read_text())


@pytest.mark.parametrize(
    ("mode", "peft"),
    [("sequential", "none"), ("multitask", "none"), ("sequential", "lora"), ("multitask", "lora")],
)
def test_intermediate_checkpoints_are_scored_by_eval(
    tiny_bert: Path, tmp_path: Path, mode: str, peft: str
) -> None:
    recipe = _intermediate(tiny_bert, tmp_path / "ckpt", "mnli,hellaswag", "--mode", mode, "--peft", peft)
    assert recipe["mode"] == mode and [t["name"] for t in recipe["tasks"]] == ["mnli", "hellaswag"]
    assert recipe["finetuning"] == ("peft" if peft == "lora" else "full")
    assert all(d["pinned"] and d["source"] == "local" for t in recipe["tasks"] for d in t["data"])
    if mode == "multitask":
        stage = recipe["stages"][0]
        assert stage["sampling"] == "proportional" and stage["temperature"] is None  # plain values
        assert stage["probabilities"] == pytest.approx({"mnli": 0.5, "hellaswag": 0.5})  # 24 and 24 examples
        assert sum(stage["batches_drawn"].values()) == stage["optimizer_steps"] == 3
    else:
        assert [s["optimizer_steps"] for s in recipe["stages"]] == [3, 3]
    saved = {p.name for p in (tmp_path / "ckpt").iterdir()}
    weights = "adapter_model.safetensors" if peft == "lora" else "model.safetensors"
    assert weights in saved and {"tokenizer.json", "harness-recipe.json"} <= saved
    assert ("model.safetensors" in saved) == (peft == "none")  # an adapter never copies the base
    _invoke("eval", "-s", "sample", "-m", str(tmp_path / "ckpt"), "-o", str(tmp_path / "eval"),
            "-t", "pawsx", "--limit", "8", "--no-track")  # fmt: skip
    results = read_results(tmp_path / "eval" / "results.json")
    assert results.tasks["pawsx"].status == "complete"
    assert results.model.recipe is not None and results.model.recipe.mode == mode
    # carried into results.json as written (same keys, order and values)
    assert json.dumps(results.model.recipe.model_dump(mode="json"), indent=2) == json.dumps(recipe, indent=2)
    from harness.models import resolve_checkpoint

    assert results.model.recipe.base_model.weights_hash == resolve_checkpoint(str(tiny_bert)).weights_hash()
    if peft == "lora":
        assert results.model.adapter == str(tmp_path / "ckpt") and results.model.peft is not None
        assert results.model.peft["trainable_parameters"] < results.model.peft["total_parameters"] / 10
    else:
        assert results.model.peft is None and results.model.adapter is None


def test_the_default_recipe_is_x_stilts_and_replaced_values_are_recorded(
    tiny_bert: Path, tmp_path: Path
) -> None:
    from harness.intermediate.recipes import RECIPES

    recipe = _intermediate(tiny_bert, tmp_path / "a", "mnli")  # replaces batch size and learning rate
    assert recipe["recipe"] == "x-stilts"
    assert recipe["recipe_overrides"] == {"learning_rate": 1e-3, "batch_size": 8}
    hp = recipe["hyperparameters"]
    paper = RECIPES["x-stilts"]
    # jiant's values (harness/intermediate/recipes.py): 3 epochs, 256 tokens, 10% warmup, decay 0.01
    assert (hp["epochs"], hp["max_length"], hp["warmup_ratio"], hp["weight_decay"]) == (3.0, 256, 0.1, 0.01)
    assert (paper.learning_rate, paper.batch_size) == (1e-5, 4) and hp["learning_rate"] == 1e-3
    assert recipe["tasks"][0]["max_length"] == 256
    old = _intermediate(tiny_bert, tmp_path / "b", "mnli", "--recipe", "harness-v1")
    assert old["recipe"] == "harness-v1" and old["tasks"][0]["max_length"] == 128
    assert old["hyperparameters"]["qa_max_length"] == 384 and old["hyperparameters"]["warmup_ratio"] == 0.0


def test_warmup_ratio_warms_up_a_share_of_the_steps() -> None:
    from harness.suites import Hyperparameters

    with pytest.raises(ValueError, match="not both"):
        Hyperparameters(
            learning_rate=1e-5, batch_size=2, epochs=1, max_length=8, warmup_steps=2, warmup_ratio=0.1
        )


def test_hellaswag_reads_as_jiant_does() -> None:
    from harness.data import DataOptions, load_split
    from harness.intermediate.catalogue import intermediate_task
    from harness.suites import load_suite

    task = intermediate_task("hellaswag")
    first = load_split(task.spec, "train", "en", DataOptions(load_suite("sample"))).examples[0]
    # jiant/tasks/lib/hellaswag.py: prompt ctx_a; choices ctx_b + " " + ending
    assert first["context"] == "A man cracks two eggs into a bowl."
    assert first["choices"][1] == "He whisks them with a fork until they are smooth."


def test_eval_with_peft_lora_trains_only_lora_and_head(tiny_bert: Path, tmp_path: Path) -> None:
    _invoke("eval", "-s", "sample", "-m", str(tiny_bert), "-o", str(tmp_path), "-t", "pawsx",
            "--limit", "8", "--no-track", "--peft", "lora", "--lora-r", "4")  # fmt: skip
    results = read_results(tmp_path / "results.json")
    peft = results.model.peft
    assert peft is not None and peft["source"] == "--peft" and peft["options"]["r"] == 4
    assert peft["trainable_parameters"] == peft["adapter_parameters"] + 32 * 2 + 2  # + the 2-class head


def test_bad_intermediate_input_is_one_line(tiny_bert: Path, tmp_path: Path) -> None:
    for args, message in [
        (["-t", "mlni"], 'unknown intermediate task "mlni"'),
        (["-t", "ccg"], "CCGbank"),
        (["-t", "mnli", "--mode", "joint"], "'joint' is not one of 'sequential', 'multitask'"),
        (["-t", "mnli", "--peft", "prefix"], "'prefix' is not one of 'none', 'lora'"),
    ]:
        result = runner.invoke(app, ["intermediate", "-m", str(tiny_bert), "-o", str(tmp_path / "x"), *args])
        assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    result = runner.invoke(
        app, ["intermediate", "-m", str(tiny_bert), "-t", "mnli", "-o", str(tmp_path / "full")]
    )
    assert result.exit_code == 2 and "not empty" in result.output


def test_the_card_must_list_the_recorded_intermediate_tasks(tiny_bert: Path, tmp_path: Path) -> None:
    from harness.leaderboard.submissions import assemble

    _invoke(
        "intermediate", "-m", str(tiny_bert), "-t", "mnli", "-s", "sample", "-o", str(tmp_path / "ckpt"),
        "--batch-size", "8", "--max-steps", "3",
    )  # fmt: skip
    # the recipe is what matters, not the scores: one task, four examples
    _invoke("eval", "-s", "sample", "-m", str(tmp_path / "ckpt"), "-o", str(tmp_path / "eval"), "--no-track",
            "-t", "pawsx", "--limit", "4")  # fmt: skip
    card = {
        "name": "Tiny STILTs", "organisation": "Test", "link": "https://example.org/x", "parameters": 1,
        "base_model": "tiny", "finetuning": "full", "translate_train": False, "licence": "mit",
        "contact": "a@b.c", "intermediate_tasks": [],
    }  # fmt: skip
    (tmp_path / "model.yaml").write_text(yaml.safe_dump(card))
    with pytest.raises(HarnessError, match="records intermediate training on mnli"):
        assemble(tmp_path / "eval" / "results.json", tmp_path / "model.yaml", tmp_path / "subs")
    card["intermediate_tasks"] = [{"name": "MNLI", "data": "MultiNLI train (sample data)"}]
    (tmp_path / "model.yaml").write_text(yaml.safe_dump(card))
    # the card now agrees with the recipe: only the run's --limit stands in the way
    with pytest.raises(HarnessError, match=r"a --limit \(smoke\) run cannot be submitted"):
        assemble(tmp_path / "eval" / "results.json", tmp_path / "model.yaml", tmp_path / "subs")


# --- sweeps ----------------------------------------------------------------------------------------


def test_sweep_grid_has_no_duplicate_cells() -> None:
    config = SweepConfig(
        name="g", suite="sample", models={"a": "x"}, intermediate=[[], ["mnli"], ["mnli", "squad"]],
        modes=["sequential", "multitask"], steps=[10, 20], peft=["none", "lora"],
    )  # fmt: skip
    grid = cells(config)
    # no intermediate: 1 x peft 2; one task: steps 2 x peft 2 (no multi-task variant); two tasks: 2 x 2 x 2
    assert len(grid) == 2 + 4 + 8 and len({c.slug for c in grid}) == len(grid)


def test_a_2x2_sweep_renders_its_table_and_plots(tiny_bert: Path, tmp_path: Path) -> None:
    config = {
        "name": "tiny-2x2", "suite": "sample", "tasks": ["pawsx"], "models": {"tiny": str(tiny_bert)},
        "intermediate": [["mnli", "hellaswag"]], "modes": ["sequential", "multitask"], "steps": [2, 4],
        "settings": {"batch_size": 8, "learning_rate": 1.0e-3, "limit": 16}, "limit": 8,
    }  # fmt: skip
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(config))
    out = tmp_path / "out"
    output = _invoke("sweep", str(tmp_path / "sweep.yaml"), "-o", str(out), "--no-track")
    rows = json.loads((out / "sweep.json").read_text())
    assert [(r["mode"], r["steps"]) for r in rows] == [
        ("sequential", 2), ("sequential", 4), ("multitask", 2), ("multitask", 4)
    ]  # fmt: skip
    assert all(r["status"] == "smoke" and r["score"] is not None for r in rows)
    assert {p.name for p in out.glob("*.png")} == {"score_vs_steps.png", "modes.png"}
    table = (out / "sweep.md").read_text()
    assert table.count("| tiny ") == 4 and "trainable" in table and "mnli+hellaswag" in output
    # a second run resumes every cell: no training again, the same table
    again = _invoke("sweep", str(tmp_path / "sweep.yaml"), "-o", str(out), "--no-track")
    assert "reusing the intermediate checkpoint" in again
    assert json.loads((out / "sweep.json").read_text()) == rows


def test_sweep_file_errors_name_the_field(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("name: x\nsuite: sample\nmodels: {a: b}\nmodes: [joint]\n")
    result = runner.invoke(app, ["sweep", str(tmp_path / "s.yaml")])
    assert result.exit_code == 2 and "modes.0" in result.output
