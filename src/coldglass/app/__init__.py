"""The browser explorer of coldglass (optional extra ``coldglass[app]``: Panel with bokeh).

``coldglass explore`` (or :func:`serve`) starts a local web app with the models of the
package (spectrum, DOS, Cp, C̄p, M, Δε'/ε, Δ tan δ, echo, IEA: sliders for every parameter,
the paper's tables as presets), a tab that reads and fits your CSV with the same fits as
``coldglass fit``, and a browser of landscape catalogs.

* :mod:`.views` — what is drawn, without the browser (controls, curves, cached evaluation);
* :mod:`.fitting` — uploads and fits, without the browser;
* :mod:`.landscape_view` — a landscape catalog, its double wells and one well's 1D problem;
* :mod:`.explorer`, :mod:`.landscape_tab` — the Panel page (imported only when served).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError

__all__ = ["serve", "APP_EXTRA"]

APP_EXTRA = "pip install 'coldglass[app]'"


def _panel():
    try:
        import panel as pn
    except ImportError:  # pragma: no cover - depends on the installation
        raise InputError(f"the explorer needs Panel and bokeh: {APP_EXTRA}") from None
    return pn


def serve(port: int = 5006, *, address: str = "localhost", show: bool = False,
          catalog: str | Path | None = None, ready=None):
    """Serve the explorer on ``http://address:port/`` until stopped.

    ``catalog`` opens a landscape catalog in its tab; ``ready(url)`` is called once the
    server listens (the CLI prints the address there)."""
    pn = _panel()
    if isinstance(port, bool) or not (isinstance(port, int) and 1 <= port <= 65535):
        raise InputError(f"port must be an integer in 1..65535, got {port!r}")
    if catalog is not None:
        from .landscape_view import CatalogView

        CatalogView(catalog)  # a file that is not a catalog is refused here, not on the page
    from .explorer import build_app

    pn.extension(notifications=False)
    try:
        server = _serve(pn, build_app, catalog, port, address, show)
    except OSError as exc:
        if exc.errno in (98, 48):  # EADDRINUSE (Linux, macOS)
            raise InputError(f"port {port} on {address} is in use: choose another with "
                             "--port") from None
        raise
    server.start()
    url = f"http://{address}:{server.port}/"
    if ready is not None:
        ready(url)
    server.io_loop.start()
    return server


def _serve(pn, build_app, catalog, port: int, address: str, show: bool):
    """A Panel server (not started) making one explorer page per browser session."""
    return pn.serve({"/": lambda: build_app(catalog)}, port=port, address=address,
                    show=show, start=False, title="coldglass explorer",
                    websocket_origin=(
                        [f"{address}:{port}", f"127.0.0.1:{port}", f"localhost:{port}"]
                        if address in ("localhost", "127.0.0.1", "::1") else "*"),
                    verbose=False)
