"""`harness intermediate`: English intermediate-task training (STILTs) before `harness eval`."""

from __future__ import annotations

from typing import Annotated

import typer

from harness.cli.common import console, handle_errors, quiet_libraries, split_list
from harness.cli.options import (
    DataSuite,
    Device,
    IntermediateOutput,
    IntermediateTasks,
    Limit,
    LoraAlpha,
    LoraDropout,
    LoraR,
    LoraTargets,
    Model,
    ModeOption,
    Peft,
    PeftOption,
    PrecisionOption,
    SamplingOption,
    Tokenizer,
    TrustRemoteCode,
    lora_options,
    precision_of,
)
from harness.intermediate.modes import Mode, Sampling


@handle_errors
def intermediate_command(
    model: Model,
    tasks: IntermediateTasks,
    output: IntermediateOutput,
    mode: ModeOption = Mode.sequential,
    suite: DataSuite = "xtreme",
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
    sampling: SamplingOption = Sampling.proportional,
    temperature: Annotated[float, typer.Option("--temperature", help="T for --sampling temperature.")] = 2.0,
    peft: PeftOption = Peft.none,
    lora_r: LoraR = 8,
    lora_alpha: LoraAlpha = 16.0,
    lora_dropout: LoraDropout = 0.1,
    lora_targets: LoraTargets = None,
    limit: Limit = None,
    device: Device = "auto",
    precision: PrecisionOption = None,
    tokenizer: Tokenizer = None,
    trust_remote_code: TrustRemoteCode = False,
) -> None:
    """Train a checkpoint on English intermediate tasks; save a checkpoint `harness eval` takes.

    The output folder holds the encoder (or, with --peft lora, its adapter), the tokenizer and
    harness-recipe.json (tasks, data revisions, mode, sampling, hyperparameters, seed, steps), which
    `harness eval` carries into results.json.
    """
    import sys

    from harness.errors import HarnessError
    from harness.suites import load_suite

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
        mode=mode,
        output=output,
        runtime=runtime,
        suite=loaded,
        recipe=chosen,
        overrides=replaced,
        max_steps=max_steps,
        seed=seed,
        sampling=sampling,
        temperature=temperature,
        lora=lora,
        limit=limit,
        command=list(sys.argv),
    )
    console.print(
        f"[bold]harness intermediate[/bold] {mode.value} on {', '.join(names)} from [cyan]{model}[/cyan] "
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
