"""English intermediate-task training before target-task fine-tuning (STILTs; Phang et al. 2020)."""
