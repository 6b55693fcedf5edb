"""The browser app (Gradio). Library code never imports this package."""
