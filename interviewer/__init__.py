"""Mock interviewer for Amazon Research Scientist and Data Scientist interviews."""

from interviewer.config import apply_offline_defaults

# Before any submodule imports transformers, chromadb or gradio.
apply_offline_defaults()

__version__ = "0.1.0"
