"""Speakers turn the policy's decisions into the interviewer's words (templates or a model)."""
