"""The dnaforge document's flow, driven by urllib (HTTP) and websockets (PyPI), for
reference/tests/dnaforge_interop_npm_pypi.rs.

Usage: python3 dnaforge_flow.py http://host:port ACCESS_TOKEN

`GET /auth` refused then granted (D1), a socket whose message before auth is ignored and whose
wrong token is refused before the right one succeeds (D2, D3), a second client, a job of three
configs run to DONE and seen by both while only the subscriber gets its DetailedUpdates (D4-D6),
its delete seen by both, and the closed socket's token dead (D7). Every message is checked
exactly against scenarios/dnaforge/NOTES.md: its type, exactly its fields, the job's fields and
progress. Each wait gives up after WAIT seconds (DNAFORGE_INTEROP_WAIT_SECONDS, default 10) and
the whole run after RUN_LIMIT; any mismatch exits 1 with one line saying which socket got what
instead of what. On success it prints one JSON line: a summary sentence, the steps checked, the
message types each socket received and the jobs of its JobUpdates, which the Rust test compares.

The server must be fresh (no jobs, job ids from 0) and run steps quickly (the test sets 20 ms).
"""

import asyncio
import json
import os
import sys
import urllib.error
import urllib.request

import websockets
from websockets.asyncio.client import connect

WAIT = float(os.environ.get("DNAFORGE_INTEROP_WAIT_SECONDS", "10"))
# The whole flow's limit: a server that answers each wait slowly still fails in bounded time.
RUN_LIMIT = 3 * WAIT

TOP = "2 1\n1 A -1 1\n1 T 0 -1\n"
DAT = (
    "t = 0\nb = 20 20 20\nE = 0 0 0\n"
    "0 0 0 1 0 0 0 0 1 0 0 0 0 0 0\n0.6 0 0 1 0 0 0 0 1 0 0 0 0 0 0\n"
)
MANUAL = {
    "type": "ManualConfig",
    "steps": 2000,
    "dt": 0.005,
    "temperature": 30.0,
    "maxBackboneForce": 5.0,
    "maxBackboneForceFar": 10.0,
    "verletSkin": 0.15,
    "externalForces": True,
    "printInterval": 100,
}
# One config of each shape D4 shows; one job step each (dnaforge-N13).
CONFIGS = [
    {"type": "FileConfig", "content": "sim_type = MD\nsteps = 1000\ndt = 0.003\n"},
    dict(MANUAL, simType={"type": "MinConfig"}),
    dict(
        MANUAL,
        simType={
            "type": "McConfig",
            "deltaTranslation": 0.22,
            "deltaRotation": 0.22,
            "interactionType": "DNA2",
            "thermostat": "john",
        },
    ),
]
STEPS = len(CONFIGS)
JOB_NEW = {"type": "JobNew", "configs": CONFIGS, "top": TOP, "dat": DAT, "forces": None}
# The job's updates from a fresh server: made, started, then one per step (dnaforge-N12, N18).
RUN = [("NEW", 0), ("RUNNING", 0), ("RUNNING", 1), ("RUNNING", 2), ("DONE", 3)]
JOB_FIELDS = {"id", "steps", "completedSteps", "status", "progress", "error"}

# Loopback only: no proxy from the environment.
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Mismatch(Exception):
    """What the flow got instead of what the notes fix."""


def shown(value):
    return json.dumps(value, sort_keys=True)


def integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def get_auth(base, authorization):
    """GET /auth with this Authorization (None: without one): status, content type, body."""
    request = urllib.request.Request(f"{base}/auth")
    if authorization is not None:
        request.add_header("Authorization", authorization)
    try:
        with HTTP.open(request, timeout=WAIT) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers.get("Content-Type"), error.read()


async def refused(base, authorization, what):
    """`GET /auth` {what} is 401 with an empty body (D1, dnaforge-N2)."""
    status, _, body = await asyncio.to_thread(get_auth, base, authorization)
    if (status, body) != (401, b""):
        raise Mismatch(f"GET /auth {what}: {status} {body!r}, expected 401 with an empty body")


async def bearer(base, access):
    """`GET /auth` with the access token: 200 AuthResponse with a token (D1, dnaforge-N3)."""
    status, content_type, body = await asyncio.to_thread(get_auth, base, access)
    if status != 200 or content_type != "application/json":
        raise Mismatch(f"GET /auth: {status} {content_type} {body!r}, expected 200 JSON")
    try:
        answer = json.loads(body)
    except ValueError:
        raise Mismatch(f"GET /auth: not JSON: {body!r}") from None
    token = answer.get("bearerToken") if isinstance(answer, dict) else None
    fields = set(answer) if isinstance(answer, dict) else None
    if fields != {"type", "bearerToken"} or answer["type"] != "AuthResponse" or not token:
        raise Mismatch(f"GET /auth: {body!r}, expected AuthResponse with a bearerToken string")
    if not isinstance(token, str):
        raise Mismatch(f"GET /auth: bearerToken is not a string: {body!r}")
    return token


def check_job(who, job, status, completed):
    """`job` is exactly job 0 of STEPS steps in `status` with `completed` steps (dnaforge-N8)."""
    if not isinstance(job, dict) or set(job) != JOB_FIELDS:
        raise Mismatch(f"{who}: job is {shown(job)}, expected exactly {sorted(JOB_FIELDS)}")
    fixed = {"id": 0, "steps": STEPS, "completedSteps": completed, "status": status}
    for field, value in fixed.items():
        if type(job[field]) is not type(value) or job[field] != value:
            raise Mismatch(f"{who}: job.{field} is {shown(job[field])}, expected {shown(value)}")
    if job["error"] is not None:
        raise Mismatch(f"{who}: job.error is {shown(job['error'])}, expected null")
    progress = job["progress"]
    if not number(progress) or progress != completed / STEPS:
        raise Mismatch(f"{who}: job.progress is {shown(progress)}, expected {completed}/{STEPS}")


class Peer:
    """One socket: sends JSON objects and checks each message it receives, in order."""

    def __init__(self, name, socket):
        self.name = name
        self.socket = socket
        self.seen = []
        self.jobs = []

    async def send(self, message):
        await self.socket.send(json.dumps(message))

    async def receive(self, waiting_for):
        """The next message, a JSON object with a type."""
        try:
            text = await asyncio.wait_for(self.socket.recv(), WAIT)
        except asyncio.TimeoutError:
            raise Mismatch(f"{self.name}: no {waiting_for} within {WAIT} s") from None
        except websockets.ConnectionClosed as closed:
            raise Mismatch(f"{self.name}: closed ({closed}) waiting for {waiting_for}") from None
        try:
            message = json.loads(text)
        except ValueError:
            raise Mismatch(f"{self.name}: not JSON waiting for {waiting_for}: {text!r}") from None
        if not isinstance(message, dict):
            raise Mismatch(f"{self.name}: not an object waiting for {waiting_for}: {text!r}")
        self.seen.append(message.get("type"))
        return message

    async def expect(self, expected):
        """The next message is exactly `expected` (types included, dnaforge-N7)."""
        message = await self.receive(shown(expected))
        if shown(message) != shown(expected):
            raise Mismatch(f"{self.name}: got {shown(message)}, expected {shown(expected)}")
        return message

    async def authenticate(self, token, success):
        await self.send({"type": "WebSocketAuth", "bearerToken": token})
        await self.expect({"type": "WebSocketAuthResponse", "success": success})

    async def expect_run(self, subscribed):
        """Job 0's JobUpdates through RUN, progress never decreasing; when `subscribed`, each
        completed step's DetailedUpdate {job, conf} right after its JobUpdate (dnaforge-N18,
        N19)."""
        last = 0.0
        for status, completed in RUN:
            who = f"{self.name}, {status} {completed}/{STEPS}"
            update = await self.receive(f"JobUpdate {status} {completed}/{STEPS}")
            if set(update) != {"type", "jobId", "job"} or update["type"] != "JobUpdate":
                raise Mismatch(f"{who}: got {shown(update)}, expected JobUpdate {{jobId, job}}")
            if not integer(update["jobId"]) or update["jobId"] != 0:
                raise Mismatch(f"{who}: JobUpdate.jobId is {shown(update['jobId'])}, expected 0")
            check_job(who, update["job"], status, completed)
            if update["job"]["progress"] < last:
                raise Mismatch(f"{who}: progress went down from {last}: {shown(update)}")
            last = update["job"]["progress"]
            self.jobs.append(f"{status} {completed}/{STEPS}")
            if subscribed and completed > 0:
                await self.expect({"type": "DetailedUpdate", "job": update["job"], "conf": DAT})

    async def close(self):
        await asyncio.wait_for(self.socket.close(), WAIT)


async def open_peer(url, name):
    try:
        socket = await connect(url, open_timeout=WAIT, close_timeout=WAIT, proxy=None)
    except (OSError, TimeoutError, websockets.InvalidHandshake) as error:
        raise Mismatch(f"{name}: could not connect: {error!r}") from None
    return Peer(name, socket)


async def main(base, access):
    url = f"ws://{base.split('://', 1)[1]}/"
    steps = []
    await refused(base, f"wrong-{access}", "with a wrong Authorization")
    await refused(base, None, "without Authorization")
    steps.append("auth refused: 401, empty body")
    first_token = await bearer(base, access)
    steps.append("auth granted: AuthResponse")

    first = await open_peer(url, "first")
    # Before auth: ignored (D2, dnaforge-N6). The next answer is the auth's, and the JobList
    # after success is empty, so it neither answered nor made a job.
    await first.send(JOB_NEW)
    await first.authenticate(f"wrong-{first_token}", False)
    steps.append("wrong bearer token: success false")
    await first.authenticate(first_token, True)
    await first.expect({"type": "JobList", "jobs": []})
    steps.append("right bearer token: success true, JobList empty")

    second_token = await bearer(base, access)
    if second_token == first_token:
        raise Mismatch(f"a second GET /auth gave the same token {first_token} (D4)")
    second = await open_peer(url, "second")
    await second.authenticate(second_token, True)
    await second.expect({"type": "JobList", "jobs": []})
    steps.append("second client: success true, JobList empty")

    await first.send({"type": "JobSubscribe", "jobId": 0})
    await first.send(JOB_NEW)
    await first.expect_run(subscribed=True)
    await second.expect_run(subscribed=False)
    steps.append("job 0 NEW to DONE seen by both, DetailedUpdate to the subscriber")

    # The deletion is the second's next message: a DetailedUpdate to it would have come first.
    await second.send({"type": "JobDelete", "jobId": 0})
    for peer in (first, second):
        await peer.expect({"type": "JobUpdate", "jobId": 0, "job": None})
        peer.jobs.append("deleted")
    steps.append("job 0 deleted: job null to both")

    await first.close()
    again = await open_peer(url, "again")
    await again.authenticate(first_token, False)
    steps.append("closed socket's token: success false")
    for peer in (second, again):
        await peer.close()

    peers = (first, second, again)
    checked = sum(len(peer.seen) for peer in peers)
    return {
        "summary": f"dnaforge flow, websockets {websockets.__version__}: passed, "
        f"{checked} messages checked on 3 sockets",
        "steps": steps,
        "seen": {peer.name: peer.seen for peer in peers},
        "jobs": {peer.name: peer.jobs for peer in (first, second)},
    }


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: python3 dnaforge_flow.py http://host:port ACCESS_TOKEN", file=sys.stderr)
        sys.exit(2)
    try:
        outcome = asyncio.run(asyncio.wait_for(main(sys.argv[1], sys.argv[2]), RUN_LIMIT))
    except Mismatch as mismatch:
        print(f"dnaforge_flow.py: {mismatch}", file=sys.stderr)
        sys.exit(1)
    except asyncio.TimeoutError:
        print(f"dnaforge_flow.py: the flow did not end within {RUN_LIMIT} s", file=sys.stderr)
        sys.exit(1)
    except Exception as error:  # any other failure is the test's failure, said plainly
        print(f"dnaforge_flow.py: {error!r}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(outcome), flush=True)
