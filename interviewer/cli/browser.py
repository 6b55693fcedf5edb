"""`interviewer ui`: the practice interview in the browser."""

from __future__ import annotations

import errno
import logging
import socket
from typing import Annotated, Optional

import typer
from rich.markup import escape

from interviewer.cli.common import (
    EXIT_BAD_INPUT,
    OFFLINE_NOTICE,
    build_services,
    err,
    out,
    settings,
)

log = logging.getLogger(__name__)

app = typer.Typer()


def port_problem(host: str, port: int) -> str | None:
    """Why the app could not listen on host:port, in one line naming both and the way out; None
    when it can. Checked by binding, as the server will (SO_REUSEADDR, as uvicorn sets it, so a
    port in TIME_WAIT is free and one with a listener is not)."""
    how = f"choose another port with --port N or INTERVIEWER_PORT (e.g. --port {port + 1 if port < 65535 else 8080})"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"{host} is not an address of this machine ({exc.strerror}); set --host or INTERVIEWER_HOST"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use (another app, or another `interviewer ui`); {how}"
            if exc.errno == errno.EACCES:
                return f"port {port} needs administrator rights on this machine; {how}"
            if exc.errno == errno.EADDRNOTAVAIL:
                return f"{host} is not an address of this machine; set --host or INTERVIEWER_HOST"
            return f"cannot use port {port} on {host} ({exc.strerror}); {how}"
    return None


@app.command("ui")
def ui(
    host: Annotated[Optional[str], typer.Option("--host", help="Interface to listen on (INTERVIEWER_HOST).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="Port (INTERVIEWER_PORT, default 7860).",
                                                min=1, max=65535)] = None,
) -> None:
    """The practice interview in the browser (Gradio), on 127.0.0.1:7860 by default."""
    from interviewer.ui.app import launch

    host = host or settings().ui_host
    port = port or settings().ui_port
    where = f"http://{host}:{port}"
    # Before the slow start (corpus, judge): a taken port is said at once, not after it.
    problem = port_problem(host, port)
    if problem:
        err.print(f"[red]Cannot listen on {escape(where)}: {escape(problem)}.[/red]", soft_wrap=True)  # one line
        raise typer.Exit(EXIT_BAD_INPUT)
    services = build_services()
    services.settings = services.settings.model_copy(update={"ui_host": host})
    try:
        demo = launch(services, port=port, prevent_thread_lock=True)
    except OSError as exc:  # taken between the check and the start
        err.print(f"[red]Cannot listen on {escape(where)}: {escape(str(exc))}. Choose another port with --port N "
                  "or INTERVIEWER_PORT.[/red]", soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    # Only now: the server is listening.
    login = " (login required: INTERVIEWER_AUTH is set)" if services.settings.ui_auth else ""
    out.print(f"Interviewer app listening on [bold]{escape(where)}[/bold]{login}. Ctrl+C stops it.")
    if services.speaker_client is None:
        out.print(f"[dim]{OFFLINE_NOTICE}[/dim]")
    try:
        demo.block_thread()
    finally:
        services.stop_warm_up()
