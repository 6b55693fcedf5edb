"""The child's side of a coding run. Stdlib only: it is copied into the sandbox and run as a script.

It reads a job header on stdin, installs an audit-hook guard, loads the candidate's file, then
answers the parent's requests one JSON line each: run the function on these arguments, build
the scale check's input, run it once more, hand over the captured prints. It never sees an
expected value and never decides pass or fail: the parent compares, so nothing the candidate
does in here can forge a result. The candidate's own prints go to a capped buffer.

The guard gives clear refusals for the usual mistakes and mischief (processes, sockets,
ctypes, writes outside the work directory); it is a second layer, not the boundary: the
bubblewrap sandbox, limits and unprivileged uid of sandbox.py are.
"""

import builtins
import collections
import datetime
import gc
import itertools
import json
import linecache
import math
import os
import sys
import time
import traceback

ANNOTATIONS = __import__("__future__").annotations.compiler_flag
REPR_CAP = 300
MAX_NODES = 2_000_000
BLOCKED_IMPORTS = {"ctypes": "ctypes", "_ctypes": "ctypes", "_posixsubprocess": "starting programs",
                   # a second interpreter has no audit hook; libuv starts programs without one
                   "_xxsubinterpreters": "sub-interpreters", "_xxinterpchannels": "sub-interpreters",
                   "_interpreters": "sub-interpreters", "uvloop": "starting programs"}
BLOCKED_EVENTS = {
    "os.system": "running shell commands", "os.exec": "starting programs", "os.posix_spawn": "starting programs",
    "os.spawn": "starting programs", "subprocess.Popen": "starting programs", "pty.spawn": "starting programs",
    "os.fork": "creating processes", "os.forkpty": "creating processes",
    "os.kill": "sending signals", "os.killpg": "sending signals",
    "resource.setrlimit": "changing resource limits", "resource.prlimit": "changing resource limits",
    "socket.__new__": "network access", "socket.connect": "network access", "socket.bind": "network access",
    "socket.getaddrinfo": "network access", "socket.gethostbyname": "network access",
    "socket.gethostbyaddr": "network access", "socket.sendto": "network access",
    "urllib.Request": "network access", "webbrowser.open": "opening a browser",
}
# event -> ((position of a path that must stay inside the work directory, position of its dir_fd), ...)
PATH_EVENTS = {
    "os.remove": ((0, 1),), "os.rmdir": ((0, 1),), "os.mkdir": ((0, 2),), "os.chmod": ((0, 2),),
    "os.chown": ((0, 3),), "os.rename": ((0, 2), (1, 3)), "os.link": ((0, 2), (1, 3)), "os.symlink": ((1, 2),),
    "os.truncate": ((0, None),), "os.utime": ((0, 3),), "os.setxattr": ((0, None),), "os.removexattr": ((0, None),),
    "shutil.rmtree": ((0, 1),), "shutil.copyfile": ((1, None),), "shutil.copymode": ((1, None),),
    "shutil.copystat": ((1, None),), "shutil.copytree": ((1, None),), "shutil.move": ((0, None), (1, None)),
    "shutil.chown": ((0, None),), "sqlite3.connect": ((0, None),),
}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class Refused(PermissionError):
    """The sandbox refused an operation."""


class RefusedImport(ImportError):
    """The sandbox refused an import (an ImportError, so `try: import x` fallbacks still work)."""


class OutputLimit(BaseException):
    """Printed too much; a BaseException so `except Exception` in candidate code cannot hide it."""


class Capture:
    def __init__(self, cap):
        self.parts, self.size, self.cap = [], 0, cap
        self.encoding, self.errors = "utf-8", "replace"

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.size += len(text)
        if self.size > self.cap:
            raise OutputLimit(f"printed more than {self.cap // 1024} KB")
        self.parts.append(text)
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False

    def text(self, limit=4000):
        joined = "".join(self.parts)
        return joined if len(joined) <= limit else joined[:limit] + f"\n... ({len(joined) - limit} more characters)"


# ---- data structures and converters ----------------------------------------------------------


class ListNode:
    def __init__(self, val=0, next=None):
        self.val, self.next = val, next

    def __repr__(self):
        return f"ListNode({self.val!r})"


class TreeNode:
    def __init__(self, val=0, left=None, right=None):
        self.val, self.left, self.right = val, left, right

    def __repr__(self):
        return f"TreeNode({self.val!r})"


def to_linked(values):
    head = None
    for v in reversed(values):
        head = ListNode(v, head)
    return head


def to_cycle(spec):
    nodes = [ListNode(v) for v in spec["values"]]
    for a, b in itertools.pairwise(nodes):
        a.next = b
    pos = spec.get("pos", -1)
    if nodes and pos is not None and pos >= 0:
        nodes[-1].next = nodes[pos]
    return nodes[0] if nodes else None


def to_tree(values):
    if not values or values[0] is None:
        return None
    root = TreeNode(values[0])
    queue, i, head = [root], 1, 0
    while head < len(queue) and i < len(values):
        node = queue[head]
        head += 1
        for side in ("left", "right"):
            if i < len(values) and values[i] is not None:
                child = TreeNode(values[i])
                setattr(node, side, child)
                queue.append(child)
            i += 1
    return root


def find_in_tree(root, value):
    queue, head = [root] if root is not None else [], 0
    while head < len(queue):
        node = queue[head]
        head += 1
        if node.val == value:
            return node
        queue.extend(c for c in (node.left, node.right) if c is not None)
    raise ValueError(f"tree_ref: no node with value {value!r} in the tree")


FRAME_KEYS = ("__index__", "__dates__", "__dtypes__")


def to_frame(spec):
    """{"col": [values...], ...} to a DataFrame. Optional keys: "__index__" (the index values),
    "__dtypes__" ({col: dtype}, applied with astype: gives an empty column its type) and
    "__dates__" ([col, ...], ISO 8601 text parsed with pandas.to_datetime). pandas is imported here, never at
    the top: the harness is stdlib only, and problems that use frames preimport it."""
    import pandas

    if isinstance(spec, pandas.DataFrame):  # built by an args_py expression
        return spec
    if not isinstance(spec, dict):
        raise TypeError(f"a dataframe argument must be an object of columns, not {type(spec).__name__}")
    columns = {k: v for k, v in spec.items() if k not in FRAME_KEYS}
    frame = pandas.DataFrame(columns, index=spec.get("__index__"))
    for col, dtype in (spec.get("__dtypes__") or {}).items():
        frame[col] = frame[col].astype(dtype)
    for col in spec.get("__dates__") or []:
        frame[col] = pandas.to_datetime(frame[col], format="ISO8601")
    return frame


def to_series(spec):
    """A list of values, or {"values": [...], "index": [...], "name": str, "dtype": str,
    "dates": true} (parsed with pandas.to_datetime), to a Series."""
    import pandas

    if isinstance(spec, pandas.Series):
        return spec
    if not isinstance(spec, dict):
        return pandas.Series(spec)
    series = pandas.Series(spec.get("values", []), index=spec.get("index"), name=spec.get("name"),
                           dtype=spec.get("dtype"))
    return pandas.to_datetime(series, format="ISO8601") if spec.get("dates") else series


def convert_args(raw, converters):
    args = []
    for value, kind in zip(raw, converters):
        if kind == "linked_list":
            args.append(to_linked(value))
        elif kind == "linked_list_cycle":
            args.append(to_cycle(value))
        elif kind == "tree":
            args.append(to_tree(value))
        elif kind == "ndarray":
            import numpy

            args.append(numpy.asarray(value, dtype=float))
        elif kind == "dataframe":
            args.append(to_frame(value))
        elif kind == "series":
            args.append(to_series(value))
        else:
            args.append(value)
    trees = [a for a, k in zip(args, converters) if k == "tree"]
    for i, kind in enumerate(converters):
        if kind == "tree_ref":
            args[i] = None if raw[i] is None else find_in_tree(trees[0] if trees else None, raw[i])
    return args


def from_linked(node):
    values, seen = [], set()
    while node is not None:
        if id(node) in seen or len(values) > MAX_NODES:
            raise ValueError("the returned linked list has a cycle")
        seen.add(id(node))
        values.append(node.val)
        node = node.next
    return values


def from_tree(root):
    values, queue, head, seen = [], [root], 0, set()
    while head < len(queue):
        node = queue[head]
        head += 1
        if node is None:
            values.append(None)
            continue
        if id(node) in seen or len(queue) > MAX_NODES:
            raise ValueError("the returned tree has a cycle or a shared node")
        seen.add(id(node))
        values.append(node.val)
        queue.extend((node.left, node.right))
    while values and values[-1] is None:
        values.pop()
    return values


def convert_return(value, kind):
    if kind == "linked_list":
        return from_linked(value)
    if kind == "tree":
        return from_tree(value)
    if kind == "node_val":
        return getattr(value, "val", value) if value is not None else None
    if kind == "frame":
        return from_frame(value)
    return value


def _index_is_data(pandas, index):
    """Whether a frame's index carries an answer (groupby keys, set_index, pivot rows) and so
    becomes columns: it does when it is a MultiIndex, has a name, or is not integers. An unnamed
    integer index (0..n-1, or what filtering or sorting left of it) is dropped."""
    return (isinstance(index, pandas.MultiIndex) or any(n is not None for n in index.names)
            or not pandas.api.types.is_integer_dtype(index.dtype))


def from_frame(value):
    """pandas and NumPy results to JSON-ready values, compared as the problem's `frame` says:
    a DataFrame to {"columns": [...], "rows": [[...], ...]} (its index first turned into columns
    when it carries data), a Series to {"index": [...], "values": [...]}, an Index or array to a
    list; NaN, NaT and NA to None, timestamps and dates to ISO strings, timedeltas to seconds,
    periods to text, numpy scalars to Python ones. Lists, tuples and dicts are walked through.
    Modules are looked up, not imported: a value cannot be a pandas object unless pandas is loaded."""
    pandas, numpy = sys.modules.get("pandas"), sys.modules.get("numpy")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if pandas is not None:
        if value is pandas.NaT or value is pandas.NA:
            return None
        if isinstance(value, pandas.DataFrame):
            frame = value
            if _index_is_data(pandas, frame.index):
                try:
                    frame = frame.reset_index()
                except ValueError:  # the index repeats a column (set_index(..., drop=False))
                    frame = frame.reset_index(drop=True)
            return {"columns": [from_frame(c) for c in frame.columns],
                    "rows": [[from_frame(v) for v in row] for row in frame.itertuples(index=False, name=None)]}
        if isinstance(value, pandas.Series):
            return {"index": [from_frame(i) for i in value.index], "values": [from_frame(v) for v in value]}
        if isinstance(value, pandas.Index):
            return [from_frame(v) for v in value]
        if isinstance(value, (pandas.Period, pandas.Interval)):
            return str(value)
    if numpy is not None:
        if isinstance(value, numpy.ndarray):
            if value.dtype.kind in "mM" or value.dtype == object:
                return [from_frame(v) for v in value]
            return from_frame(value.tolist())
        if isinstance(value, numpy.datetime64):
            return None if numpy.isnat(value) else (
                from_frame(pandas.Timestamp(value)) if pandas is not None else str(value))
        if isinstance(value, numpy.timedelta64):
            return None if numpy.isnat(value) else float(value / numpy.timedelta64(1, "s"))
        if isinstance(value, numpy.generic):
            return from_frame(value.item())
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, (list, tuple)):
        return [from_frame(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return plain([from_frame(v) for v in value])
    if isinstance(value, dict):
        keys = [from_frame(k) for k in value]
        return {tuple(k) if isinstance(k, list) else k: from_frame(v) for k, v in zip(keys, value.values())}
    return plain(value)


def plain(value):
    """Tuples to lists, sets to sorted lists, numpy values to Python ones: comparable with JSON."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [plain(v) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "tolist") and callable(value.tolist):
        return plain(value.tolist())
    return value


def short(value):
    try:
        text = repr(value)
    except Exception as exc:  # noqa: BLE001 - a candidate's __repr__ may raise anything
        text = f"<unprintable {type(value).__name__}: {type(exc).__name__}>"
    return text if len(text) <= REPR_CAP else text[:REPR_CAP] + "..."


def trimmed_trace(exc, path, with_message=True):
    """The traceback restricted to frames of the candidate's file: no harness frames.

    Only the last few frames are looked up: a RecursionError carries thousands.
    """
    frames, skipped, tb = collections.deque(maxlen=8), 0, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            skipped += len(frames) == frames.maxlen
            frames.append((tb.tb_lineno, tb.tb_frame.f_code.co_name))
        tb = tb.tb_next
    lines = ["Traceback (most recent call last):"]
    if skipped:
        lines.append(f"  ... {skipped} earlier frame(s) of your code ...")
    repeats, previous = 0, None
    for frame in [*frames, None]:
        if frame == previous:
            repeats += 1
            continue
        if repeats:
            lines.append(f"  [the frame above repeated {repeats} more time(s)]")
        repeats, previous = 0, frame
        if frame is not None:
            lines.append(f'  File "solution.py", line {frame[0]}, in {frame[1]}')
            code = linecache.getline(path, frame[0]).strip()
            lines.extend([f"    {code}"] if code else [])
    message = str(exc) if with_message else ""
    lines.append(f"{type(exc).__name__}: {message[:REPR_CAP]}" if message else type(exc).__name__)
    return "\n".join(lines)


# ---- the guard -------------------------------------------------------------------------------


def install_guard(workdir, on_refusal):
    root = os.path.realpath(workdir)
    me = f"/proc/{os.getpid()}/"
    # Private copies: editing the module's tables from candidate code changes nothing.
    blocked_imports, blocked_events = dict(BLOCKED_IMPORTS), dict(BLOCKED_EVENTS)
    path_events = dict(PATH_EVENTS)
    posixsubprocess = sys.modules.get("_posixsubprocess")
    if posixsubprocess is not None:
        # Loaded by a trusted library before the guard: its fork_exec raises no audit event.
        def refused_fork_exec(*args, **kwargs):
            refuse("_posixsubprocess.fork_exec", "starting programs")

        posixsubprocess.fork_exec = refused_fork_exec

    def resolve(path, dir_fd=None):
        if isinstance(path, int):
            return os.path.realpath(f"/proc/self/fd/{path}")
        path = os.fsdecode(os.fspath(path))
        # -1 (and AT_FDCWD) mean "relative to the working directory", like no dir_fd at all.
        if isinstance(dir_fd, int) and dir_fd >= 0 and not os.path.isabs(path):
            path = os.path.join(os.path.realpath(f"/proc/self/fd/{dir_fd}"), path)
        return os.path.realpath(path)

    def inside(path):
        return path == root or path.startswith(root + os.sep) or path == "/dev/null"

    def refuse(event, what, exc_type=Refused):
        on_refusal(event, what)
        raise exc_type(f"refused by the sandbox: {what} is not allowed here ({event})")

    def hook(event, args):
        # No re-entrancy flag (a thread could hide behind it): nothing below raises events.
        if event == "import":
            # Every part of the name: "evil._posixsubprocess" is still _posixsubprocess.
            part = next((p for p in str(args[0]).split(".") if p in blocked_imports), None)
            if part is not None:
                refuse(f"import {part}", blocked_imports[part], RefusedImport)
        elif event in blocked_events:
            refuse(event, blocked_events[event])
        elif event.startswith("ctypes."):
            refuse(event, "ctypes")
        elif event == "open":
            path, mode, flags = args
            if isinstance(path, int):
                return
            writing = (flags or 0) & WRITE_FLAGS or any(c in (mode or "") for c in "wax+")
            real = resolve(path)
            if writing and not inside(real):
                refuse("open", f"writing outside the work directory ({real})")
            if mode is None and not inside(real) and os.path.isdir(real):
                # os.open of a directory gives a dir_fd, which the 'open' event cannot follow.
                refuse("open", f"opening directories outside the work directory ({real})")
            if real.startswith("/proc/") and real.split("/")[2].isdigit() and not (real + "/").startswith(me):
                refuse("open", "reading other processes")
        elif event in path_events:
            for pos, dir_pos in path_events[event]:
                dir_fd = args[dir_pos] if dir_pos is not None and dir_pos < len(args) else None
                real = resolve(args[pos], dir_fd)
                if not inside(real):
                    refuse(event, f"changing files outside the work directory ({real})")

    sys.addaudithook(hook)


def decode(obj):
    """Undo encode: {"__pairs__": [[k, v], ...]} is a dict with non-text keys."""
    if len(obj) == 1 and "__pairs__" in obj:
        return {tuple(k) if isinstance(k, list) else k: v for k, v in obj["__pairs__"]}
    return obj


def encode(value):
    """JSON-ready, keeping dicts with non-text keys as tagged pair lists (the parent's twin)."""
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and "__pairs__" not in value:
            return {k: encode(v) for k, v in value.items()}
        return {"__pairs__": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return {"__unserialisable__": short(value)}  # never equal to an expected value


# ---- the run ---------------------------------------------------------------------------------
#
# The parent sends one JSON line per request and reads one JSON line back. It sends a test's
# arguments only when it runs that test, the visible examples first, and never any expected
# value: what this process reports is only what the candidate's function returned.


class Channel:
    def __init__(self):
        self.out_fd = os.dup(1)
        os.dup2(2, 1)  # anything written to fd 1 behind Python's back lands in stderr
        self.inp = sys.stdin.buffer

    def read(self):
        line = self.inp.readline()
        return json.loads(line, object_hook=decode) if line else None

    def send(self, **data):
        try:
            line = (json.dumps(data, default=short, allow_nan=True) + "\n").encode()
        except (ValueError, RecursionError, TypeError):  # 10**5000, a list nested thousands deep
            line = (json.dumps({"kind": data.get("kind"), "error": "UnserialisableOutput"}) + "\n").encode()
        if len(line) > OUTPUT_CAP:
            line = (json.dumps({"kind": data.get("kind"), "error": "OutputTooLarge"}) + "\n").encode()
        while line:
            line = line[os.write(self.out_fd, line):]


OUTPUT_CAP = 1 << 20


def load(channel, job):
    """Compile and run the candidate's file; returns its namespace, or None after reporting why."""
    sys.path.extend(job.get("sys_path", []))
    sys.setrecursionlimit(job.get("recursion_limit", 20000))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "solution.py")
    for name in job.get("preimport", []):
        try:
            __import__(name)  # trusted libraries load before the guard (numpy needs ctypes)
        except Exception:  # noqa: BLE001, S110 - the candidate then sees the ImportError itself
            pass
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    try:
        code = compile(source, path, "exec", flags=ANNOTATIONS, dont_inherit=True)  # List[int] needs no import
    except SyntaxError as exc:
        channel.send(kind="done", status="syntax", line=exc.lineno, offset=exc.offset,
                     text=(exc.text or "").rstrip("\n"), message=exc.msg)
        return None
    state["path"] = path
    out = Capture(job.get("stdout_cap", 65536))
    state["out"] = out
    sys.stdout, sys.stderr = out, Capture(job.get("stdout_cap", 65536))
    install_guard(os.getcwd(), on_refusal)
    # -S leaves out site's exit() and quit(); a candidate may well call them.
    builtins.exit = builtins.quit = sys.exit
    namespace = {"__name__": "solution", "__file__": path, "__builtins__": builtins}
    namespace.update({h: HELPERS[h] for h in job.get("helpers", []) if h in HELPERS})
    t0 = time.perf_counter()
    try:
        exec(code, namespace)  # noqa: S102 - this is the point of the sandbox
    except OutputLimit as exc:
        channel.send(kind="done", status="output_limit", message=str(exc))
        return None
    except MemoryError:
        channel.send(kind="done", status="memory", message="MemoryError while loading your code")
        return None
    except BaseException as exc:  # noqa: BLE001
        channel.send(kind="done", status="load_error", error=type(exc).__name__, trace=trimmed_trace(exc, path),
                     refused=state["refusals"], stdout=out.text())
        return None
    finally:
        state["compute"] += time.perf_counter() - t0
    fn = namespace.get(job["function"])
    if not callable(fn):
        defined = sorted(k for k, v in namespace.items() if callable(v) and not k.startswith("__") and k not in HELPERS)
        channel.send(kind="done", status="missing", function=job["function"], defined=defined, stdout=out.text())
        return None
    return fn


HELPERS = {"ListNode": ListNode, "TreeNode": TreeNode}
state = {"refusals": [], "compute": 0.0, "path": "", "out": None, "channel": None}


def on_refusal(event, what):
    if len(state["refusals"]) < 5:
        state["refusals"].append({"event": event, "what": what})
        # Said at once: code that swallows the refusal and loops still gets it reported.
        state["channel"].send(kind="refused", event=event, what=what)


def call(fn, raw, job):
    """Run one test's arguments through fn; the reply carries the output, never a verdict."""
    path = state["path"]
    try:
        args = convert_args(raw, job["args"])
    except Exception as exc:  # noqa: BLE001 - an author's mistake, not the candidate's
        return {"error": "HarnessError", "message": f"{type(exc).__name__}: {exc}"}
    reply = {"error": None}
    before = len(state["refusals"])
    t0 = time.perf_counter()
    try:
        try:
            result = fn(*args)
        finally:
            state["compute"] += time.perf_counter() - t0
        reply["output"] = encode(plain(convert_return(result, job["returns"])))
    except OutputLimit as exc:
        reply.update(error="OutputLimit", fatal="output_limit", message=str(exc))
    except MemoryError:
        reply.update(error="MemoryError", fatal="memory")
    except (Refused, RefusedImport) as exc:
        reply.update(error="Refused", fatal="refused", trace=trimmed_trace(exc, path))
    except BaseException as exc:  # noqa: BLE001 - SystemExit too: it is the candidate's error
        reply.update(error=type(exc).__name__, trace=trimmed_trace(exc, path), message=str(exc)[:REPR_CAP])
    reply["refused"] = state["refusals"][before:]
    return reply


def main():
    channel = state["channel"] = Channel()
    job = channel.read()
    fn = load(channel, job)
    if fn is None:
        return
    channel.send(kind="loaded", refused=state["refusals"])
    scale_args = None
    namespace_extra = dict(HELPERS)
    while (request := channel.read()) is not None:
        op = request.get("op")
        if op == "call":
            try:
                raw = request["args"] if "args" in request else eval(
                    request["args_py"], {"__builtins__": builtins, **namespace_extra})
            except Exception as exc:  # noqa: BLE001
                channel.send(kind="result", error="HarnessError", message=f"bad test input: {type(exc).__name__}: {exc}")
                continue
            channel.send(kind="result", **call(fn, raw, job))
        elif op == "build":
            # n among the globals: a comprehension in the expression cannot see eval's locals
            raw = eval(job["scale"]["args_py"], {"__builtins__": builtins, **namespace_extra,
                                                 "n": request["n"], "k": request.get("k", 0)})
            scale_args = convert_args(raw, job["args"])
            gc.collect()  # a collection of the input just built must not land in the timed call
            channel.send(kind="built")
        elif op == "time":
            # The parent times this round trip itself; this process only runs the call.
            reply = {"error": None}
            try:
                reply["output"] = encode(plain(convert_return(fn(*scale_args), job["returns"])))
            except BaseException as exc:  # noqa: BLE001
                reply["error"] = type(exc).__name__
            channel.send(kind="timed", **reply)
        elif op == "stdout":
            channel.send(kind="stdout", stdout=state["out"].text(), stderr=sys.stderr.text(1000))
        else:
            channel.send(kind="end", compute_ms=state["compute"] * 1000)
            return


if __name__ == "__main__":
    exit_code = 0
    try:
        main()
    except BaseException:  # noqa: BLE001 - a harness failure: show it, exit non-zero
        traceback.print_exc(file=sys.__stderr__)
        exit_code = 3
    sys.__stderr__.flush()
    # Skip the candidate's atexit handlers and threads: the results are already out.
    os._exit(exit_code)
