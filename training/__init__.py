"""Data, line extraction, hint simulation, losses, the training loop and evaluation. No Qt."""
