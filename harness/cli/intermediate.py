"""`harness intermediate`: English intermediate-task training (STILTs) before `harness eval`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from harness.cli.common import (
    PrecisionOption,
    console,
    handle_errors,
    precision_of,
    quiet_libraries,
    split_list,
)
from harness.cli.peft_options import LoraAlpha, LoraDropout, LoraR, LoraTargets, Peft, lora_options


@handle_errors
def intermediate_command(
    model: Annotated[
        str, typer.Option("--model", "-m", help="Checkpoint folder (Hugging Face format) or hub id.")
    ],
    tasks: Annotated[
        list[str],
        typer.Option(
            "--tasks",
            "-t",
            help="Intermediate tasks, in order (comma-separated or repeated): mnli, anli, qqp, sst2, squad, "
            "hellaswag, cosmosqa, commonsenseqa.",
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the trained checkpoint (or adapter).")
    ],
    mode: Annotated[
        str,
        typer.Option(
            "--mode", help="sequential: one task after another; multitask: all at once, shared encoder."
        ),
    ] = "sequential",
    suite: Annotated[
        str,
        typer.Option(
            "--suite",
            "-s",
            help="Suite whose datasets: pins (or local folders) the data is read from; unpinned datasets "
            "are read at the hub's head and their revision recorded.",
        ),
    ] = "xtreme",
    recipe: Annotated[
        str,
        typer.Option(
            "--recipe",
            help=(
                "x-stilts: Phang et al. 2020 as jiant runs it (lr 1e-5, batch 4, 3 epochs, max length 256, "
                "10% warmup, weight decay 0.01); harness-v1: lr 2e-5, batch 32, 1 epoch, 128 (384 for "
                "SQuAD), no warmup or decay. The options below replace single values (recorded)."
            ),
        ),
    ] = "x-stilts",
    learning_rate: Annotated[float | None, typer.Option("--learning-rate", min=0.0)] = None,
    batch_size: Annotated[int | None, typer.Option("--batch-size", min=1)] = None,
    epochs: Annotated[float | None, typer.Option("--epochs", help="Passes over each task's data.")] = None,
    max_steps: Annotated[
        int | None,
        typer.Option(
            "--max-steps", min=1, help="Cap on optimizer steps: per task (sequential) or in all (multitask)."
        ),
    ] = None,
    max_length: Annotated[
        int | None, typer.Option("--max-length", min=8, help="Every task's, SQuAD's included.")
    ] = None,
    warmup_ratio: Annotated[
        float | None, typer.Option("--warmup-ratio", min=0.0, max=0.99, help="Share of the steps warming up.")
    ] = None,
    weight_decay: Annotated[float | None, typer.Option("--weight-decay", min=0.0)] = None,
    seed: Annotated[int, typer.Option("--seed")] = 42,
    sampling: Annotated[
        str,
        typer.Option(
            "--sampling", help="multitask: proportional (to task size), temperature (n^(1/T)) or uniform."
        ),
    ] = "proportional",
    temperature: Annotated[float, typer.Option("--temperature", help="T for --sampling temperature.")] = 2.0,
    peft: Peft = "none",
    lora_r: LoraR = 8,
    lora_alpha: LoraAlpha = 16.0,
    lora_dropout: LoraDropout = 0.1,
    lora_targets: LoraTargets = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="First N examples per task (smoke test).")
    ] = None,
    device: Annotated[str, typer.Option("--device", help="auto, cpu, cuda or cuda:N.")] = "auto",
    precision: PrecisionOption = None,
    tokenizer: Annotated[str | None, typer.Option("--tokenizer", help="Tokenizer folder or hub id.")] = None,
    trust_remote_code: Annotated[bool, typer.Option("--trust-remote-code")] = False,
) -> None:
    """Train a checkpoint on English intermediate tasks; save a checkpoint `harness eval` takes.

    The output folder holds the encoder (or, with --peft lora, its adapter), the tokenizer and
    harness-recipe.json (tasks, data revisions, mode, sampling, hyperparameters, seed, steps), which
    `harness eval` carries into results.json.
    """
    import sys

    from harness.errors import HarnessError
    from harness.suites import load_suite

    if mode not in ("sequential", "multitask"):
        raise HarnessError(f'--mode "{mode}": allowed: sequential, multitask')
    if sampling not in ("proportional", "temperature", "uniform"):
        raise HarnessError(f'--sampling "{sampling}": allowed: proportional, temperature, uniform')
    names = split_list(tasks, "--tasks") or []
    if not names:
        raise HarnessError("--tasks: give at least one intermediate task")
    from harness.intermediate.catalogue import intermediate_task

    for name in names:
        intermediate_task(name)  # unknown or unsupported: fail before loading anything
    lora = lora_options(peft, lora_r, lora_alpha, lora_dropout, lora_targets)
    from harness.intermediate.recipes import recipe_with

    chosen, replaced = recipe_with(
        recipe,
        learning_rate=learning_rate,
        batch_size=batch_size,
        epochs=epochs,
        max_length=max_length,
        warmup_ratio=warmup_ratio,
        weight_decay=weight_decay,
    )
    loaded = load_suite(suite)
    if output.exists() and any(output.iterdir()):
        raise HarnessError(f"{output}: output folder is not empty; choose a new one (nothing is overwritten)")
    quiet_libraries()
    from harness.cli.progress import RichReporter
    from harness.intermediate.train import IntermediateRequest, run_intermediate
    from harness.models import resolve_checkpoint
    from harness.training import Runtime

    runtime = Runtime.detect(device, precision_of(precision, loaded.precision))
    with console.status("checking the checkpoint"):
        checkpoint = resolve_checkpoint(model, tokenizer, trust_remote_code)
    request = IntermediateRequest(
        checkpoint=checkpoint,
        tasks=names,
        mode=mode,  # type: ignore[arg-type]
        output=output,
        runtime=runtime,
        suite=loaded,
        recipe=chosen,
        overrides=replaced,
        max_steps=max_steps,
        seed=seed,
        sampling=sampling,  # type: ignore[arg-type]
        temperature=temperature,
        lora=lora,
        limit=limit,
        command=list(sys.argv),
    )
    console.print(
        f"[bold]harness intermediate[/bold] {mode} on {', '.join(names)} from [cyan]{model}[/cyan] "
        f"({'LoRA' if lora else 'full fine-tuning'}, recipe {chosen.name}"
        f"{' with ' + ', '.join(f'{k} {v}' for k, v in replaced.items()) if replaced else ''}) "
        f"on {runtime.device} ({runtime.precision})",
        highlight=False,
    )
    with RichReporter(console) as reporter:
        recipe = run_intermediate(request, reporter)
    steps = sum(stage.optimizer_steps for stage in recipe.stages)
    counts = recipe.parameters
    console.print(
        f"saved {'the adapter' if lora else 'the checkpoint'} in {output} ({steps} optimizer steps, "
        f"{counts.trainable_parameters:,} trainable parameters); next: harness eval --model {output}",
        highlight=False,
    )
