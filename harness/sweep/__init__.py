"""`harness sweep`: a grid of intermediate-training and evaluation runs, compared in one table."""
