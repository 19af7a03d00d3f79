#!/usr/bin/env python3
"""A network stack in Python using intracluster over a pipe (docs/cli.md, "process").

It speaks the `intracluster process` contract itself, in either format, so the golden runner can
test it like any implementation:

    intracluster golden --via "python3 examples/pipe_client.py"
    intracluster golden --via "python3 examples/pipe_client.py" --format binary

Frames arrive on stdin (NDJSON lines, or binary records with --format binary). Each one is decoded
here, handed to `intracluster process --format binary` running as a child (the compact format,
whatever the caller speaks), and the child's answer is decoded and written to stdout in the
caller's format, one answer per input, in order, as soon as it arrives. A bad NDJSON line is
answered here with an error line, in its place in the order.

The child is `intracluster` from PATH, or the command in the environment variable INTRACLUSTER
(for example INTRACLUSTER="npx intracluster"). Python 3.8 or newer, standard library only.
"""
import argparse
import json
import os
import queue
import shlex
import struct
import subprocess
import sys
import threading

VERDICTS = ["pass", "rewrite", "drop", "reply", "error"]
REASON_RECORD = 5
IN_HEADER = struct.Struct(">BBH")  # direction (0 inbound, 1 outbound), 0, frame length
OUT_HEADER = struct.Struct(">BBHH")  # verdict, 0, reason number, payload length
MAX_FRAME = 0xFFFF


def read_exact(stream, n):
    """n bytes, or fewer at end of input."""
    chunks = []
    while n > 0:
        b = stream.read(n)
        if not b:
            break
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def ndjson_requests(stream):
    """(direction byte, frame) per valid line; (None, error text) per bad one."""
    for raw in stream:
        try:
            o = json.loads(raw)
            direction = {"inbound": 0, "outbound": 1}[o["direction"]]
            frame = bytes.fromhex(o["frame"])
        except (ValueError, KeyError, TypeError):
            yield None, 'not a JSON object with "direction" (inbound or outbound) and "frame" (hex)'
            continue
        if len(frame) > MAX_FRAME:
            yield None, "frame over %d bytes" % MAX_FRAME
            continue
        yield direction, frame


def binary_requests(stream):
    """(direction byte, frame) per record. A record cut short ends the input (the child reports it)."""
    while True:
        head = read_exact(stream, IN_HEADER.size)
        if not head:
            return
        if len(head) < IN_HEADER.size:
            yield "raw", head
            return
        _, _, length = IN_HEADER.unpack(head)
        frame = read_exact(stream, length)
        if len(frame) < length:
            yield "raw", head + frame
            return
        yield head[0], (head[1], frame)


class Child:
    """intracluster process --format binary, with its answers decoded."""

    def __init__(self, config, host):
        command = shlex.split(os.environ.get("INTRACLUSTER", "intracluster"))
        self.proc = subprocess.Popen(
            command + ["process", "--config", config, "--host", host, "--format", "binary"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self.reasons = {0: ("", "")}

    def send(self, direction, second, frame):
        self.proc.stdin.write(IN_HEADER.pack(direction, second, len(frame)) + frame)
        self.proc.stdin.flush()

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def close_input(self):
        self.proc.stdin.close()

    def answer(self):
        """(verdict, (reason id, reason text), payload) of the next answer; None at the child's end."""
        while True:
            head = read_exact(self.proc.stdout, OUT_HEADER.size)
            if len(head) < OUT_HEADER.size:
                return None
            kind, second, reason, length = OUT_HEADER.unpack(head)
            payload = read_exact(self.proc.stdout, length)
            if kind == REASON_RECORD:
                # the second byte: length of the reason's stable id at the start (0: no id)
                self.reasons[reason] = (payload[:second].decode("latin-1"), payload[second:].decode("utf-8"))
                continue
            if kind == 4:
                return "error", ("", payload.decode("utf-8")), b""
            return VERDICTS[kind], self.reasons.get(reason, ("", "")), payload


def write_ndjson(out, verdict, reason, payload):
    reason_id, text = reason
    o = {"verdict": verdict}
    if verdict in ("pass", "rewrite"):
        o["frame"] = payload.hex()
    elif verdict == "reply":
        o["reply"] = payload.hex()
    if text:
        o["reason"] = text
    if reason_id:
        o["reasonId"] = reason_id
    out.write((json.dumps(o, separators=(",", ":")) + "\n").encode("utf-8"))


def write_binary(out, numbers, verdict, reason, payload):
    """One answer record; a reason text is defined by a type 5 record before its first use."""
    reason_id, text = reason
    if verdict == "error":
        data = text.encode("utf-8")[:MAX_FRAME]
        out.write(OUT_HEADER.pack(4, 0, 0, len(data)) + data)
        return
    number = 0
    if reason_id or text:
        number = numbers.get(reason)
        if number is None:
            number = numbers[reason] = len(numbers) + 1
            body = reason_id.encode("latin-1") + text.encode("utf-8")
            out.write(OUT_HEADER.pack(REASON_RECORD, len(reason_id), number, len(body)) + body)
    out.write(OUT_HEADER.pack(VERDICTS.index(verdict), 0, number, len(payload)) + payload)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--format", choices=["ndjson", "binary"], default="ndjson")
    args = ap.parse_args()

    child = Child(args.config, args.host)
    # one slot per input, in order: "child" (its answer comes from the child) or an error text
    slots = queue.Queue()

    def feed():
        try:
            if args.format == "ndjson":
                for direction, frame in ndjson_requests(sys.stdin.buffer):
                    if direction is None:
                        slots.put(("error", frame))
                    else:
                        slots.put(("child", None))
                        child.send(direction, 0, frame)
            else:
                for direction, item in binary_requests(sys.stdin.buffer):
                    slots.put(("child", None))
                    if direction == "raw":
                        child.send_raw(item)
                    else:
                        second, frame = item
                        child.send(direction, second, frame)
        except BrokenPipeError:
            pass
        finally:
            slots.put(("end", None))
            try:
                child.close_input()
            except BrokenPipeError:
                pass

    threading.Thread(target=feed, daemon=True).start()
    out = sys.stdout.buffer
    numbers = {}
    while True:
        kind, text = slots.get()
        if kind == "end":
            break
        if kind == "error":
            answer = ("error", ("", text), b"")
        else:
            answer = child.answer()
            if answer is None:
                sys.stderr.write("pipe_client: intracluster ended before answering\n")
                return child.proc.wait() or 1
        if args.format == "ndjson":
            write_ndjson(out, *answer)
        else:
            write_binary(out, numbers, *answer)
        out.flush()
    # a record cut short at the end: the child answers it with an error after its input closed
    while args.format == "binary":
        extra = child.answer()
        if extra is None:
            break
        write_binary(out, numbers, *extra)
        out.flush()
    return child.proc.wait()


if __name__ == "__main__":
    sys.exit(main())
