"""After the interview: the report's content, its Markdown and HTML, and practice history."""
