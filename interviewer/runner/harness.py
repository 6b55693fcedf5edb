"""The child's side of a coding run. Stdlib only: it is copied into the sandbox and run as a script.

It reads one JSON job on stdin, installs an audit-hook guard, runs the candidate's function on
every test and writes one JSON line per event to a private copy of the original stdout, each
line prefixed by the job's random nonce so that nothing the candidate prints can pass for a
result. The candidate's own prints go to a capped buffer instead.

The guard gives clear refusals for the usual mistakes and mischief (processes, sockets,
ctypes, writes outside the work directory); it is not the security boundary on its own: the
process limits, namespaces and unprivileged uid of sandbox.py are.
"""

import builtins
import collections
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
BLOCKED_IMPORTS = {"ctypes": "ctypes", "_ctypes": "ctypes", "_posixsubprocess": "starting programs"}
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
    return value


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


def _key(value):
    return json.dumps(value, sort_keys=True, default=repr)


def _close(a, e):
    if isinstance(a, bool) or isinstance(e, bool):
        return a == e
    if isinstance(a, (int, float)) and isinstance(e, (int, float)):
        return math.isclose(a, e, rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(a, list) and isinstance(e, list):
        return len(a) == len(e) and all(_close(x, y) for x, y in zip(a, e))
    return a == e


def matches(actual, expected, mode):
    if mode == "float":
        return _close(actual, expected)
    if mode == "unordered":
        return isinstance(actual, list) and isinstance(expected, list) and sorted(actual, key=_key) == sorted(expected, key=_key)
    if mode == "unordered_nested":
        if not (isinstance(actual, list) and isinstance(expected, list)):
            return False
        norm = lambda xs: sorted((sorted(x, key=_key) if isinstance(x, list) else x for x in xs), key=_key)
        return norm(actual) == norm(expected)
    if mode == "any_of":
        return any(actual == option for option in expected)
    return actual == expected


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
        if dir_fd is not None and not os.path.isabs(path):
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
            top = str(args[0]).split(".")[0]
            if top in blocked_imports:
                refuse(f"import {top}", blocked_imports[top], RefusedImport)
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
    """Undo coding.encode: {"__pairs__": [[k, v], ...]} is a dict with non-text keys."""
    if len(obj) == 1 and "__pairs__" in obj:
        return {tuple(k) if isinstance(k, list) else k: v for k, v in obj["__pairs__"]}
    return obj


# ---- the run ---------------------------------------------------------------------------------


SCALE_REPEATS = 5
SCALE_SLOW_S = 0.3  # a call this slow is timed once: repeating it only burns the CPU limit


def _fastest(fn, args, repeats):
    best = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args)
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
        if elapsed > SCALE_SLOW_S:
            break
    return best


def scale_check(fn, scale, converters, namespace):
    """Time fn on the small and the large input (fastest of a few calls each, built outside the
    timing) and compare how much the time grew with the limit the problem allows."""
    times = []
    for n in scale["sizes"]:
        # n among the globals: a comprehension in the expression cannot see eval's locals
        raw = eval(scale["args_py"], {"__builtins__": builtins, **namespace, "n": n})  # noqa: S307 - corpus data
        args = convert_args(raw, converters)
        times.append(_fastest(fn, args, SCALE_REPEATS))
    # Below a few microseconds the clock's resolution dominates: floor the small time.
    growth = times[1] / max(times[0], 2e-6)
    return {"passed": growth <= scale["max_growth"], "growth": round(growth, 1), "ms": sum(times) * 1000}


def main():
    job = json.loads(sys.stdin.buffer.read(), object_hook=decode)
    nonce = job["nonce"]
    out_fd = os.dup(1)
    os.dup2(2, 1)  # anything written to fd 1 behind Python's back lands in stderr, not in results

    def emit(kind, **data):
        line = (nonce + " " + json.dumps({"kind": kind, **data}, default=short) + "\n").encode()
        while line:
            line = line[os.write(out_fd, line):]

    sys.path.extend(job.get("sys_path", []))
    sys.setrecursionlimit(job.get("recursion_limit", 20000))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "solution.py")
    tests = job["tests"]
    converters, returns, mode = job["args"], job["returns"], job["compare"]
    namespace_extra = {"ListNode": ListNode, "TreeNode": TreeNode}
    try:
        raws = [t["args"] if "args" in t else eval(t["args_py"], {"__builtins__": builtins, **namespace_extra}) for t in tests]
    except Exception as exc:  # noqa: BLE001
        emit("done", status="harness_error", message=f"bad test input: {type(exc).__name__}: {exc}")
        return
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
        emit("done", status="syntax", line=exc.lineno, offset=exc.offset, text=(exc.text or "").rstrip("\n"), message=exc.msg)
        return

    refusals = []

    def on_refusal(event, what):
        if len(refusals) < 5:
            refusals.append({"event": event, "what": what})
            emit("refused", event=event, what=what)

    out, err = Capture(job.get("stdout_cap", 65536)), Capture(job.get("stdout_cap", 65536))
    sys.stdout, sys.stderr = out, err
    install_guard(os.getcwd(), on_refusal)
    namespace = {"__name__": "solution", "__file__": path, "__builtins__": builtins}
    namespace.update({h: namespace_extra[h] for h in job.get("helpers", []) if h in namespace_extra})
    compute = 0.0
    status = None
    try:
        t0 = time.perf_counter()
        try:
            exec(code, namespace)  # noqa: S102 - this is the point of the sandbox
        finally:
            compute += time.perf_counter() - t0
    except OutputLimit as exc:
        status, message = "output_limit", str(exc)
    except MemoryError:
        status, message = "memory", "MemoryError while loading your code"
    except BaseException as exc:  # noqa: BLE001
        emit("done", status="load_error", error=type(exc).__name__, trace=trimmed_trace(exc, path),
             refused=refusals, stdout=out.text(), compute_ms=compute * 1000)
        return
    fn = namespace.get(job["function"])
    if status is None and not callable(fn):
        defined = sorted(k for k, v in namespace.items() if callable(v) and not k.startswith("__") and k not in namespace_extra)
        emit("done", status="missing", function=job["function"], defined=defined, stdout=out.text(), compute_ms=compute * 1000)
        return
    passed = 0
    for index, (test, raw) in enumerate(zip(tests, raws)):
        if status is not None:
            break
        visible = test.get("visible", False)
        record = {"index": index, "visible": visible, "passed": False, "ms": 0.0, "error": None}
        if visible:
            record["input"] = test.get("args_py") or ", ".join(short(a) for a in raw)
            record["expected"] = short(test["expected"])
        try:
            args = convert_args(raw, converters)
        except Exception as exc:  # noqa: BLE001 - an author's mistake, not the candidate's
            record.update(error="HarnessError", message=f"{type(exc).__name__}: {exc}")
            emit("test", **record)
            continue
        t0 = time.perf_counter()
        try:
            try:
                result = fn(*args)
            finally:
                elapsed = time.perf_counter() - t0
                compute += elapsed
                record["ms"] = elapsed * 1000
            actual = plain(convert_return(result, returns))
            record["passed"] = matches(actual, test["expected"], mode)
            if visible:
                record["actual"] = short(actual)
            passed += record["passed"]
        except OutputLimit as exc:
            status, message = "output_limit", str(exc)
            record["error"] = "OutputLimit"
        except MemoryError:
            status, message = "memory", "MemoryError"
            record["error"] = "MemoryError"
        except (Refused, RefusedImport) as exc:
            status, message = "refused", str(exc)
            record.update(error="Refused", trace=trimmed_trace(exc, path))
        except BaseException as exc:  # noqa: BLE001 - SystemExit too: it is the candidate's error
            record.update(error=type(exc).__name__, trace=trimmed_trace(exc, path, visible))
            if visible:
                record["message"] = short(str(exc))
        emit("test", **record)
    scale = job.get("scale")
    if scale and status is None:
        record = {"index": len(tests), "visible": False, "passed": False, "ms": 0.0, "error": None}
        if passed < len(tests):
            record["error"] = "NotRun"  # timing a wrong answer says nothing
        else:
            try:
                record.update(scale_check(fn, scale, converters, namespace_extra))
                compute += record["ms"] / 1000
            except OutputLimit as exc:
                status, message = "output_limit", str(exc)
            except MemoryError:
                status, message = "memory", "MemoryError"
            except (Refused, RefusedImport) as exc:
                status, message = "refused", str(exc)
            except BaseException as exc:  # noqa: BLE001
                record.update(error=type(exc).__name__, trace=trimmed_trace(exc, path, False))
        passed += record["passed"]
        emit("test", **record)
        total = len(tests) + 1
    else:
        total = len(tests) + (1 if scale else 0)
    if status is None:
        status, message = ("passed" if passed == total else "failed"), ""
    emit("done", status=status, message=message, passed=passed, total=total, compute_ms=compute * 1000,
         refused=refusals, stdout=out.text(), stderr=err.text(1000))


if __name__ == "__main__":
    exit_code = 0
    try:
        main()
    except BaseException:  # noqa: BLE001 - a harness failure: show it, exit non-zero
        traceback.print_exc(file=sys.__stderr__)
        exit_code = 3
    sys.__stderr__.flush()
    # Skip the candidate's atexit handlers and threads: the result is already out.
    os._exit(exit_code)
