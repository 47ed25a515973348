"""`harness eval`: evaluate a checkpoint zero-shot on a suite."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from harness.cli.common import (
    Terminated,
    console,
    err_console,
    handle_errors,
    quiet_libraries,
    sigterm_as_interrupt,
    split_list,
)
from harness.cli.options import (
    CpusPerUnit,
    DataDir,
    Device,
    DeviceMapOption,
    Dtype,
    DtypeOption,
    EvalOutput,
    Executor,
    ExecutorOption,
    GpusPerUnit,
    Limit,
    LoraAlpha,
    LoraDropout,
    LoraR,
    LoraTargets,
    ModelOrSuiteDefault,
    NoTrack,
    Peft,
    PeftOption,
    PrecisionOption,
    RayAddress,
    SuiteName,
    Tasks,
    Tokenizer,
    TrackingUri,
    TrustRemoteCode,
    executor_options,
    lora_options,
    precision_of,
)


@handle_errors
def eval_command(
    suite: SuiteName,
    model: ModelOrSuiteDefault = None,
    tasks: Tasks = None,
    languages: Annotated[
        list[str] | None,
        typer.Option(
            "--languages",
            "-l",
            help="Only these languages; the others are reported missing and the task incomplete.",
        ),
    ] = None,
    seeds: Annotated[
        list[str] | None,
        typer.Option(
            "--seeds", help="Seeds replacing the suite's (comma-separated or repeated), e.g. --seeds 1,2,3."
        ),
    ] = None,
    output: EvalOutput = None,
    data_dir: DataDir = None,
    limit: Limit = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help=(
                "Override a hyperparameter: [TASK.]FIELD=VALUE (recorded and flagged in the results), e.g. "
                "--set xnli.batch_size=8."
            ),
        ),
    ] = None,
    save_predictions: Annotated[
        bool,
        typer.Option(
            "--save-predictions",
            help=(
                "Also write predictions in the XTREME leaderboard layout, "
                "OUTPUT/predictions/seed-N/TASK/test-LANG.{tsv,json,jsonl}, and the gold files under "
                "OUTPUT/labels/ (score them with `harness score`)."
            ),
        ),
    ] = False,
    tracking_uri: TrackingUri = None,
    no_track: NoTrack = False,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait",
            help="When another run holds the output folder, wait for it instead of stopping.",
        ),
    ] = False,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help=(
                "Redo everything. By default a re-run of the same command into the same --output resumes: "
                "finished (task, seed) results and fine-tuned weights are reused."
            ),
        ),
    ] = False,
    save_weights: Annotated[
        bool,
        typer.Option(
            "--save-weights/--no-save-weights",
            help="Keep every fine-tuned model under OUTPUT/weights/ (needed to resume without retraining).",
        ),
    ] = True,
    tokenizer: Tokenizer = None,
    device: Device = "auto",
    precision: PrecisionOption = None,
    executor: ExecutorOption = Executor.local,
    ray_address: RayAddress = None,
    gpus_per_unit: GpusPerUnit = None,
    cpus_per_unit: CpusPerUnit = None,
    trust_remote_code: TrustRemoteCode = False,
    dtype: DtypeOption = Dtype.fp32,
    device_map: DeviceMapOption = None,
    gradient_checkpointing: Annotated[
        bool,
        typer.Option(
            "--gradient-checkpointing",
            help="Recompute activations in the backward pass: less memory, about a third more compute.",
        ),
    ] = False,
    peft: PeftOption = Peft.none,
    lora_r: LoraR = 8,
    lora_alpha: LoraAlpha = 16.0,
    lora_dropout: LoraDropout = 0.1,
    lora_targets: LoraTargets = None,
) -> None:
    """Fine-tune on English, select on English dev, predict every target language and score each task.

    Prints per-language and per-task scores and writes results.json (format: docs/results-format.md).
    """
    import contextlib
    import dataclasses

    from harness.errors import HarnessError
    from harness.evaluation.output import OutputLock, check_writable, default_output, keep_previous
    from harness.selection import check_languages, parse_overrides, parse_seeds, select_tasks
    from harness.suites import load_suite, shadows_builtin

    loaded = load_suite(suite)
    shadow = shadows_builtin(loaded)
    if shadow is not None:
        console.print(f"[yellow]warning:[/yellow] {escape(shadow)}", highlight=False)
    selected = select_tasks(loaded, split_list(tasks, "--tasks"))
    subset = check_languages(loaded, selected, split_list(languages, "--languages"))
    seed_list = parse_seeds(split_list(seeds, "--seeds"))
    lora = lora_options(peft, lora_r, lora_alpha, lora_dropout, lora_targets)
    hp_overrides = parse_overrides(loaded, selected, overrides)
    if model is None:
        if loaded.default_model is None:
            raise HarnessError(f"--model is required: suite {loaded.name} names no default_model")
        model = str(loaded.default_model.locate(loaded.name))
    output = output or default_output(loaded.name, model)
    check_writable(output)

    quiet_libraries()
    from harness.cli.progress import RichReporter
    from harness.cli.tables import print_scores
    from harness.data import DataOptions
    from harness.evaluation import EvalRequest, Runner
    from harness.models import resolve_checkpoint
    from harness.report import NullReporter
    from harness.tracking import make_tracker
    from harness.training import Runtime

    runtime = Runtime.detect(device, precision_of(precision, loaded.precision))
    main = runtime.dist.is_main
    if not main:
        console.quiet = True  # one process talks (and tracks, and writes); the others only compute
    with console.status("checking the checkpoint"):
        checkpoint = resolve_checkpoint(model, tokenizer, trust_remote_code)
    checkpoint = dataclasses.replace(
        checkpoint,
        dtype=dtype.value,
        device_map=device_map.value if device_map is not None else None,
        gradient_checkpointing=gradient_checkpointing,
    )
    if lora is not None:
        if checkpoint.adapter is not None:
            raise HarnessError(
                f"{checkpoint.adapter}: an adapter checkpoint trains its own LoRA matrices; drop --peft"
            )
        checkpoint = dataclasses.replace(checkpoint, lora=lora)
    request = EvalRequest(
        suite=loaded,
        checkpoint=checkpoint,
        output=output,
        runtime=runtime,
        data=DataOptions(suite=loaded, data_dir=data_dir, limit=limit),
        tasks=selected,
        languages=subset,
        seeds=seed_list,
        overrides=hp_overrides,
        save_predictions=save_predictions,
        fresh=fresh,
        save_weights=save_weights,
        executor=executor_options(executor, ray_address, gpus_per_unit, cpus_per_unit),
    )
    console.print(
        f"[bold]harness eval[/bold] suite [cyan]{loaded.name}[/cyan] {loaded.version} "
        f"model [cyan]{model}[/cyan] on {runtime.device} ({runtime.precision})"
        + (f" x {runtime.dist.world} processes" if runtime.dist.active else "")
        + (" (units on Ray)" if executor is Executor.ray else "")
        + f"; tasks: {', '.join(selected)}",
        highlight=False,
    )
    lock = OutputLock(output, wait, lambda text: err_console.print(f"[dim]{text}[/dim]", highlight=False))
    try:
        # the folder is this run's before anything in it changes; SIGTERM stops it as Ctrl-C does
        with sigterm_as_interrupt(), lock if main else contextlib.nullcontext():
            kept = keep_previous(output) if main else None
            if kept is not None:
                err_console.print(f"[dim]kept the earlier results as {kept}[/dim]", highlight=False)
            if main:
                with RichReporter(console) as reporter:
                    request.tracker = make_tracker(tracking_uri, not no_track, reporter.warn)
                    reporter.info("[dim]hashing the checkpoint's weights[/dim]")
                    results = Runner(request, reporter).run()
            else:
                results = Runner(request, NullReporter()).run()
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        err_console.print(
            f"[yellow]{'terminated (SIGTERM)' if terminated else 'interrupted'}[/yellow]; finished tasks "
            f"are kept in {request.results_path} (status interrupted); run the same command to resume",
            highlight=False,
        )
        raise typer.Exit(143 if terminated else 130) from None
    print_scores(results, console)
    console.print(f"results: {request.results_path}", highlight=False)
    tracking = results.tracking
    if tracking.status == "logged":
        console.print(
            f"MLflow: run {tracking.run_id} in experiment {tracking.experiment} at {tracking.uri}",
            highlight=False,
        )
    elif tracking.status == "failed":
        err_console.print(
            f"[yellow]MLflow: not logged ({tracking.error}); run `harness track sync "
            f"{request.results_path}` once the store is back[/yellow]",
            highlight=False,
        )
    failed = [t for t in results.tasks.values() if t.status == "failed"]
    if failed:
        raise typer.Exit(1)
