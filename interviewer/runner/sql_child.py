"""The child's side of a SQL check. Copied into the sandbox and run as a script (stdlib + duckdb).

Reads one JSON job on stdin, runs the problem's schema, the reference query and the
candidate's query in a fresh in-memory DuckDB (external access off, configuration locked), and
writes one JSON line: both results, each capped in rows and cell length, or what went wrong.
The parent compares; the address-space limit and the deadline of the sandbox bound the rest.
"""

import datetime
import decimal
import hashlib
import json
import math
import sys
import threading


def cell(value, cap):
    """JSON-ready and bounded: a long text keeps its start and a digest of the whole."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (list, tuple, dict)):
        value = json.dumps(value, default=str, sort_keys=True)
        value = "\x00json:" + value  # nested values compare as their JSON text
    elif isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    else:
        value = str(value)
    if len(value) > cap:
        digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:16]
        return f"{value[:cap]}… ({len(value):,} characters, sha256 {digest})"
    return value


def query(con, sql, timeout_s, row_cap, cell_cap):
    fired = threading.Event()

    def interrupt():
        fired.set()
        con.interrupt()

    timer = threading.Timer(timeout_s, interrupt)
    timer.daemon = True
    timer.start()
    import duckdb

    try:
        cursor = con.execute(sql)
        columns = [str(d[0])[:200] for d in cursor.description or []]
        rows = []
        while len(rows) <= row_cap:
            batch = cursor.fetchmany(min(1000, row_cap + 1 - len(rows)))
            if not batch:
                break
            rows.extend([cell(v, cell_cap) for v in row] for row in batch)
    except duckdb.InterruptException:
        if fired.is_set():
            return {"timeout": True}
        raise
    finally:
        timer.cancel()
    return {"columns": columns, "rows": rows}


def main():
    job = json.loads(sys.stdin.buffer.read())
    sys.path.extend(job["sys_path"])
    import duckdb

    con = duckdb.connect(":memory:", config=job["config"])
    con.execute(job["schema"])
    con.execute("SET lock_configuration = true")  # the candidate's query cannot undo the above
    caps = job["row_cap"], job["cell_cap"]
    reply = {"reference": query(con, job["reference"], max(job["timeout_s"], 10), *caps)}
    try:
        reply["candidate"] = query(con, job["query"], job["timeout_s"], *caps)
    except MemoryError:
        reply["candidate"] = {"memory": True}
    except duckdb.Error as exc:
        kind = type(exc).__name__.replace("Exception", " error")
        reply["candidate"] = {"error": f"{kind}: {str(exc).strip()[:2000]}",
                              "memory": isinstance(exc, duckdb.OutOfMemoryException)}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
