"""Data building, fine-tuning, evaluation and publishing of the emoji classifier."""
