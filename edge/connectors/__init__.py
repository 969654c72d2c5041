"""One connector per source kind behind the Connector interface of `base`."""

from __future__ import annotations

import importlib

from edge.connectors.base import Connector, ConnectorError

# Imported on first use: an agent that catalogs only PostgreSQL never loads pyarrow.
_MODULES = {
    "postgresql": "edge.connectors.postgresql",
    "mysql": "edge.connectors.mysql",
    "sqlite": "edge.connectors.sqlite",
    "csv": "edge.connectors.csv_files",
    "parquet": "edge.connectors.parquet_files",
}


def open_connector(kind: str, connection: dict[str, str]) -> Connector:
    """The connector for a source of this kind, opened with its clear-text connection settings
    (`{"dsn": ...}` for servers, `{"path": ...}` for files). Raises a ConnectorError subclass
    whose reason the user can act on."""
    module_name = _MODULES.get(kind)
    if module_name is None:
        raise ConnectorError(f"no connector for source kind {kind}")
    connector: Connector = importlib.import_module(module_name).connect(connection)
    return connector
