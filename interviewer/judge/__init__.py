"""Judges score answers; the policy decides what to do with the scores."""
