"""Loading and checking the corpus (the data itself ships as interviewer/data/corpus in a wheel)."""
