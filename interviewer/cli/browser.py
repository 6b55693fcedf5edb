"""`interviewer ui`: the practice interview in the browser."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from interviewer.cli.common import (
    EXIT_BAD_INPUT,
    OFFLINE_NOTICE,
    build_services,
    err,
    out,
)

app = typer.Typer()


@app.command("ui")
def ui(
    host: Annotated[Optional[str], typer.Option("--host", help="Interface to listen on (INTERVIEWER_HOST).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="Port (INTERVIEWER_PORT, default 7860).")] = None,
) -> None:
    """The practice interview in the browser (Gradio), on 127.0.0.1:7860 by default."""
    from interviewer.ui.app import launch

    services = build_services()
    if host:
        services.settings = services.settings.model_copy(update={"ui_host": host})
    where = f"http://{services.settings.ui_host}:{port or services.settings.ui_port}"
    login = " (login required: INTERVIEWER_AUTH is set)" if services.settings.ui_auth else ""
    out.print(f"Interviewer app on [bold]{where}[/bold]{login}. Ctrl+C stops it.")
    if services.speaker_client is None:
        out.print(f"[dim]{OFFLINE_NOTICE}[/dim]")
    try:
        launch(services, port=port)
    except OSError as exc:
        err.print(f"[red]Cannot listen on {where}: {exc}. Set INTERVIEWER_PORT or --port to a free port.[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None
