#!/usr/bin/env python3
"""The Linux side of the conformance tests (test/kernel/Conformance.test.ts):
the socket calls a script asks the device under test to make, made by the
Linux kernel's own sockets.

Runs inside a test-made network namespace whose only interface is a TAP's
kernel side; the test checks that every address it passes lies in
198.18.0.0/15. Commands come one JSON object per line on stdin:

  {"id": 3, "op": "listen", "port": 5000, "backlog": 8}
  {"id": 3, "op": "listen", "port": 5000, "address": "127.0.0.1"}   (bound to that address, not every one)
  {"id": 4, "op": "accept"}
  {"id": 5, "op": "connect", "host": "198.18.0.1", "port": 6000}
  {"id": 5, "op": "connect", "host": "198.18.0.1", "port": 6000, "localPort": 5000}   (SO_REUSEADDR, bind, connect: Node's localPort)
  {"id": 5, "op": "connectAsync", "host": "198.18.0.1", "port": 6000}   (non-blocking: "ok" once the SYN is on its way)
  {"id": 6, "op": "write", "bytes": 100}
  {"id": 7, "op": "read", "bytes": 100}
  {"id": 8, "op": "shutdown"} | {"op": "close"} | {"op": "abort"} | {"op": "nodelay"}
  {"id": 9, "op": "keepalive", "idle": 1, "interval": 1, "count": 2} | {"op": "unlisten"}
  {"id": 11, "op": "userTimeout", "ms": 1000}   (TCP_USER_TIMEOUT; "userTimeout" on a listen: the listener's, inherited;
                                                 on a connect: set before connect(2))
  {"id": 10, "op": "writeUrgent", "bytes": 10}   (send with MSG_OOB: the last octet urgent)

Sockets use CUBIC (TCP_CONGESTION), the stack's congestion control, whatever
the host's default. Each runs in a thread of its own (accept, connect and read block until the
segments the script sends let them return) and ends with one JSON line on
stdout, {"id": 4, "result": "..."}: "ok", "read N", "read N then eof", "eof",
or the errno's name. A read asks recv for no more than it still wants, until
`bytes` octets (default 1) came, the end, or an error. Every blocking call has a timeout, and stdin's end ends the program.
"""
import errno
import json
import socket
import struct
import sys
import threading

TIMEOUT = 20.0
out_lock = threading.Lock()
socks = {}
# every socket made, so that one replaced in `socks` (a second accept or connect) stays open as the
# stack's connection does, not closed by the garbage collector (which would send its FIN)
kept = []


def say(cid, result):
    with out_lock:
        sys.stdout.write(json.dumps({"id": cid, "result": result}) + "\n")
        sys.stdout.flush()


def errname(e):
    # (the errno first: a connection that timed out raises TimeoutError with ETIMEDOUT, where the
    # socket's own timeout raises it with none)
    if isinstance(e, OSError) and e.errno is not None:
        return errno.errorcode.get(e.errno, str(e.errno))
    if isinstance(e, socket.timeout):
        return "TIMEOUT"
    return type(e).__name__


def conn():
    if "conn" not in socks:
        raise OSError(errno.ENOTCONN, "no connection")
    return socks["conn"]


def cubic(s, cc="cubic"):
    # the stack's congestion control, CUBIC, whatever the host's default (a namespace takes it, and
    # may not set one the host does not allow; a socket of root's may): accepted sockets inherit it.
    # A listen's "cc" names another ("reno", built in: the stack's "newreno", which the script sets)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())


def bind_local(c, cmd):
    # a chosen local port as Node's localPort takes it: libuv's bind sets SO_REUSEADDR, which lets
    # the port be bound while a TIME-WAIT of a socket that had it too holds it (inet_csk_bind_conflict)
    if "localPort" in cmd:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(("0.0.0.0", cmd["localPort"]))


def run(cmd):
    op = cmd["op"]
    if op == "listen":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        cubic(s, cmd.get("cc", "cubic"))
        if "userTimeout" in cmd:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, cmd["userTimeout"])
        s.bind((cmd.get("address", "0.0.0.0"), cmd["port"]))
        s.listen(cmd.get("backlog", 8))
        s.settimeout(TIMEOUT)
        socks["listener"] = s
        return "ok"
    if op == "accept":
        c, _ = socks["listener"].accept()
        kept.append(c)
        c.settimeout(TIMEOUT)
        socks["conn"] = c
        return "ok"
    if op == "connect":
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        kept.append(c)
        cubic(c)
        c.settimeout(TIMEOUT)
        socks["conn"] = c
        bind_local(c, cmd)
        if "userTimeout" in cmd:
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, cmd["userTimeout"])
        c.connect((cmd["host"], cmd["port"]))
        return "ok"
    if op == "connectAsync":
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        kept.append(c)
        bind_local(c, cmd)
        c.setblocking(False)
        err = c.connect_ex((cmd["host"], cmd["port"]))
        # (blocking again for what follows, should the handshake complete)
        c.settimeout(TIMEOUT)
        socks["conn"] = c
        return "ok" if err == errno.EINPROGRESS else errno.errorcode.get(err, str(err))
    if op == "write":
        conn().sendall(b"x" * cmd["bytes"])
        return "ok"
    if op == "read":
        want = cmd.get("bytes", 1)
        got = 0
        while got < want:
            b = conn().recv(want - got)
            if len(b) == 0:
                return "eof" if got == 0 else "read %d then eof" % got
            got += len(b)
        return "read %d" % got
    if op == "shutdown":
        conn().shutdown(socket.SHUT_WR)
        return "ok"
    if op == "close":
        conn().close()
        return "ok"
    if op == "abort":
        # SO_LINGER on with a zero timeout: close(2) resets the connection
        conn().setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn().close()
        return "ok"
    if op == "keepalive":
        c = conn()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, cmd["idle"])
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, cmd["interval"])
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, cmd["count"])
        return "ok"
    if op == "userTimeout":
        conn().setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, cmd["ms"])
        return "ok"
    if op == "unlisten":
        socks["listener"].close()
        return "ok"
    if op == "nodelay":
        conn().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return "ok"
    if op == "writeUrgent":
        conn().sendall(b"x" * cmd["bytes"], socket.MSG_OOB)
        return "ok"
    raise ValueError("unknown op " + op)


def worker(cmd):
    try:
        result = run(cmd)
    except Exception as e:  # reported, never raised: the test compares it
        result = errname(e)
    say(cmd["id"], result)


def main():
    # the test waits for this before its first step, so that no step's window holds our start-up
    with out_lock:
        sys.stdout.write(json.dumps({"ready": True}) + "\n")
        sys.stdout.flush()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        cmd = json.loads(line)
        threading.Thread(target=worker, args=(cmd,), daemon=True).start()


if __name__ == "__main__":
    main()
