from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Tests never touch the network: datasets and models come from local folders only.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"


@pytest.fixture(autouse=True)
def _isolated_caches(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Keep the datasets cache out of the user's home and the repository.
    cache = tmp_path_factory.getbasetemp() / "hf-datasets-cache"
    monkeypatch.setenv("HF_DATASETS_CACHE", str(cache))
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path_factory.getbasetemp() / "harness-cache"))
    # every CLI eval of the tests logs to one SQLite store of the session, never to the working directory
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path_factory.getbasetemp() / 'mlflow.db'}")
    import datasets.config

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", cache)


def _quiet() -> None:
    import datasets
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    datasets.disable_progress_bars()


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import make_bert

    _quiet()
    return make_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def tiny_xlmr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import make_xlmr

    _quiet()
    return make_xlmr(tmp_path_factory.mktemp("tiny-xlmr"))


@pytest.fixture(scope="session")
def tiny_deberta(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import make_deberta

    _quiet()
    return make_deberta(tmp_path_factory.mktemp("tiny-deberta"))


@pytest.fixture(scope="session")
def tiny_mt5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import make_mt5

    _quiet()
    return make_mt5(tmp_path_factory.mktemp("tiny-mt5"))
