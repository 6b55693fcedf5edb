"""The DS online assessment: timed sections of SQL multiple choice, pandas/NumPy and algorithm
coding run against hidden tests, and a work-style survey keyed to the Leadership Principles."""
