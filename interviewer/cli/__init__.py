"""The `interviewer` command: main.py registers each command group, one module per group."""
