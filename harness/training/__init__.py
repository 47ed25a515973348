"""One fine-tuning loop and one prediction loop for every format."""

from harness.training.loop import TrainOutcome, TrainProgress, fine_tune
from harness.training.predict import predict_outputs
from harness.training.runtime import Runtime, seed_everything

__all__ = ["Runtime", "TrainOutcome", "TrainProgress", "fine_tune", "predict_outputs", "seed_everything"]
