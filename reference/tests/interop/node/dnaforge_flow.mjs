// The dnaforge document's flow, driven by Node's fetch (HTTP) and ws (npm), for
// reference/tests/dnaforge_interop_npm_pypi.rs.
//
// Usage: node dnaforge_flow.mjs http://host:port ACCESS_TOKEN
//
// `GET /auth` refused then granted (D1), a socket whose message before auth is ignored and whose
// wrong token is refused before the right one succeeds (D2, D3), a second client, a job of three
// configs run to DONE and seen by both while only the subscriber gets its DetailedUpdates
// (D4-D6), its delete seen by both, and the closed socket's token dead (D7). Every message is
// checked exactly against scenarios/dnaforge/NOTES.md: its type, exactly its fields, the job's
// fields and progress. Each wait gives up after WAIT_MS (DNAFORGE_INTEROP_WAIT_SECONDS, default
// 10 s) and the whole run after RUN_LIMIT_MS; any mismatch exits 1 with one line saying which
// socket got what instead of what. On success it prints one JSON line: a summary sentence, the
// steps checked, the message types each socket received and the jobs of its JobUpdates, which
// the Rust test compares.
//
// The server must be fresh (no jobs, job ids from 0) and run steps quickly (the test sets 20 ms).
import { createRequire } from "node:module";
import WebSocket from "ws";

const WAIT_MS = 1000 * Number(process.env.DNAFORGE_INTEROP_WAIT_SECONDS ?? "10");
// The whole flow's limit: a server that answers each wait slowly still fails in bounded time.
const RUN_LIMIT_MS = 3 * WAIT_MS;

const TOP = "2 1\n1 A -1 1\n1 T 0 -1\n";
const DAT =
  "t = 0\nb = 20 20 20\nE = 0 0 0\n" +
  "0 0 0 1 0 0 0 0 1 0 0 0 0 0 0\n0.6 0 0 1 0 0 0 0 1 0 0 0 0 0 0\n";
const MANUAL = {
  type: "ManualConfig",
  steps: 2000,
  dt: 0.005,
  temperature: 30.0,
  maxBackboneForce: 5.0,
  maxBackboneForceFar: 10.0,
  verletSkin: 0.15,
  externalForces: true,
  printInterval: 100,
};
// One config of each shape D4 shows; one job step each (dnaforge-N13).
const CONFIGS = [
  { type: "FileConfig", content: "sim_type = MD\nsteps = 1000\ndt = 0.003\n" },
  { ...MANUAL, simType: { type: "MinConfig" } },
  { ...MANUAL, simType: { type: "MdConfig", interactionType: "DNA2", thermostat: "john" } },
];
const STEPS = CONFIGS.length;
// `forces` a string here (the Python client sends null): both are valid (dnaforge-N12).
const FORCES = "{\ntype = trap\nparticle = 0\nstiff = 1.0\n}\n";
const JOB_NEW = { type: "JobNew", configs: CONFIGS, top: TOP, dat: DAT, forces: FORCES };
// The job's updates from a fresh server: made, started, then one per step (dnaforge-N12, N18).
const RUN = [
  ["NEW", 0],
  ["RUNNING", 0],
  ["RUNNING", 1],
  ["RUNNING", 2],
  ["DONE", 3],
];
const JOB_FIELDS = ["completedSteps", "error", "id", "progress", "status", "steps"];

/** What the flow got instead of what the notes fix. */
class Mismatch extends Error {}

/** JSON with sorted keys, so that equal values print equal. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
const fieldsOf = (value) => (isObject(value) ? Object.keys(value).sort().join(",") : null);

/** GET /auth with this Authorization (undefined: without one): status, content type, body. */
async function getAuth(base, authorization) {
  const headers = authorization === undefined ? {} : { Authorization: authorization };
  const response = await fetch(`${base}/auth`, {
    headers,
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const body = await response.text();
  return { status: response.status, contentType: response.headers.get("content-type"), body };
}

/** `GET /auth` {what} is 401 with an empty body (D1, dnaforge-N2). */
async function refused(base, authorization, what) {
  const { status, body } = await getAuth(base, authorization);
  if (status !== 401 || body !== "") {
    const got = `${status} ${JSON.stringify(body)}`;
    throw new Mismatch(`GET /auth ${what}: ${got}, expected 401 with an empty body`);
  }
}

/** `GET /auth` with the access token: 200 AuthResponse with a token (D1, dnaforge-N3). */
async function bearer(base, access) {
  const { status, contentType, body } = await getAuth(base, access);
  if (status !== 200 || contentType !== "application/json") {
    throw new Mismatch(`GET /auth: ${status} ${contentType} ${body}, expected 200 JSON`);
  }
  let answer;
  try {
    answer = JSON.parse(body);
  } catch {
    throw new Mismatch(`GET /auth: not JSON: ${body}`);
  }
  const token = isObject(answer) ? answer.bearerToken : undefined;
  if (fieldsOf(answer) !== "bearerToken,type" || answer.type !== "AuthResponse") {
    throw new Mismatch(`GET /auth: ${body}, expected AuthResponse with a bearerToken`);
  }
  if (typeof token !== "string" || token === "") {
    throw new Mismatch(`GET /auth: bearerToken is not a non-empty string: ${body}`);
  }
  return token;
}

/** `job` is exactly job 0 of STEPS steps in `status` with `completed` steps (dnaforge-N8). */
function checkJob(who, job, status, completed) {
  if (fieldsOf(job) !== JOB_FIELDS.join(",")) {
    throw new Mismatch(`${who}: job is ${JSON.stringify(job)}, expected exactly ${JOB_FIELDS}`);
  }
  const fixed = { id: 0, steps: STEPS, completedSteps: completed, status, error: null };
  for (const [field, value] of Object.entries(fixed)) {
    if (job[field] !== value) {
      const got = JSON.stringify(job[field]);
      throw new Mismatch(`${who}: job.${field} is ${got}, expected ${JSON.stringify(value)}`);
    }
  }
  if (typeof job.progress !== "number" || job.progress !== completed / STEPS) {
    const got = JSON.stringify(job.progress);
    throw new Mismatch(`${who}: job.progress is ${got}, expected ${completed}/${STEPS}`);
  }
}

/** One socket: sends JSON objects and checks each message it receives, in order. */
class Peer {
  constructor(name, socket) {
    this.name = name;
    this.socket = socket;
    this.seen = [];
    this.jobs = [];
    this.inbox = [];
    this.waiting = null;
    this.closed = null;
    socket.on("message", (data) => this.deliver({ text: data.toString("utf8") }));
    // A failed connection is said by its close, which always follows.
    socket.on("error", () => {});
    socket.on("close", (code) => {
      this.closed = { code };
      this.deliver({ closed: this.closed });
    });
  }

  deliver(item) {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve(item);
    } else {
      this.inbox.push(item);
    }
  }

  /** The next message or close, or null after WAIT_MS. */
  next() {
    if (this.inbox.length > 0) return Promise.resolve(this.inbox.shift());
    if (this.closed) return Promise.resolve({ closed: this.closed });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        resolve(null);
      }, WAIT_MS);
      this.waiting = (item) => {
        clearTimeout(timer);
        resolve(item);
      };
    });
  }

  send(message) {
    this.socket.send(JSON.stringify(message));
  }

  /** The next message, a JSON object. */
  async receive(waitingFor) {
    const item = await this.next();
    if (item === null) throw new Mismatch(`${this.name}: no ${waitingFor} within ${WAIT_MS} ms`);
    if (item.closed) {
      throw new Mismatch(`${this.name}: closed (${item.closed.code}) waiting for ${waitingFor}`);
    }
    let message;
    try {
      message = JSON.parse(item.text);
    } catch {
      throw new Mismatch(`${this.name}: not JSON waiting for ${waitingFor}: ${item.text}`);
    }
    if (!isObject(message)) {
      throw new Mismatch(`${this.name}: not an object waiting for ${waitingFor}: ${item.text}`);
    }
    this.seen.push(message.type);
    return message;
  }

  /** The next message is exactly `expected` (dnaforge-N7). */
  async expect(expected) {
    const message = await this.receive(canonical(expected));
    if (canonical(message) !== canonical(expected)) {
      const got = canonical(message);
      throw new Mismatch(`${this.name}: got ${got}, expected ${canonical(expected)}`);
    }
    return message;
  }

  async authenticate(token, success) {
    this.send({ type: "WebSocketAuth", bearerToken: token });
    await this.expect({ type: "WebSocketAuthResponse", success });
  }

  /** Job 0's JobUpdates through RUN, progress never decreasing; when `subscribed`, each
   * completed step's DetailedUpdate {job, conf} right after its JobUpdate (dnaforge-N18, N19). */
  async expectRun(subscribed) {
    let last = 0;
    for (const [status, completed] of RUN) {
      const step = `${status} ${completed}/${STEPS}`;
      const who = `${this.name}, ${step}`;
      const update = await this.receive(`JobUpdate ${step}`);
      if (fieldsOf(update) !== "job,jobId,type" || update.type !== "JobUpdate") {
        const got = JSON.stringify(update);
        throw new Mismatch(`${who}: got ${got}, expected JobUpdate {jobId, job}`);
      }
      if (update.jobId !== 0) {
        const got = JSON.stringify(update.jobId);
        throw new Mismatch(`${who}: JobUpdate.jobId is ${got}, expected 0`);
      }
      checkJob(who, update.job, status, completed);
      if (update.job.progress < last) {
        const got = JSON.stringify(update);
        throw new Mismatch(`${who}: progress went down from ${last}: ${got}`);
      }
      last = update.job.progress;
      this.jobs.push(step);
      if (subscribed && completed > 0) {
        await this.expect({ type: "DetailedUpdate", job: update.job, conf: DAT });
      }
    }
  }

  /** Closes with 1000 and waits, bounded, for the close to complete. */
  async close() {
    this.socket.close(1000);
    for (let i = 0; i < 16; i += 1) {
      const item = await this.next();
      if (item === null) throw new Mismatch(`${this.name}: not closed within ${WAIT_MS} ms`);
      if (item.closed) return;
    }
    throw new Mismatch(`${this.name}: still receiving after its close`);
  }
}

async function openPeer(url, name) {
  const socket = new WebSocket(url, { handshakeTimeout: WAIT_MS });
  const peer = new Peer(name, socket);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", (e) => reject(new Mismatch(`${name}: could not connect: ${e.message}`)));
  });
  return peer;
}

async function main(base, access) {
  const url = `ws://${base.split("://")[1]}/`;
  const steps = [];
  await refused(base, `wrong-${access}`, "with a wrong Authorization");
  await refused(base, undefined, "without Authorization");
  steps.push("auth refused: 401, empty body");
  const firstToken = await bearer(base, access);
  steps.push("auth granted: AuthResponse");

  const first = await openPeer(url, "first");
  // Before auth: ignored (D2, dnaforge-N6). The next answer is the auth's, and the JobList
  // after success is empty, so it neither answered nor made a job.
  first.send(JOB_NEW);
  await first.authenticate(`wrong-${firstToken}`, false);
  steps.push("wrong bearer token: success false");
  await first.authenticate(firstToken, true);
  await first.expect({ type: "JobList", jobs: [] });
  steps.push("right bearer token: success true, JobList empty");

  const secondToken = await bearer(base, access);
  if (secondToken === firstToken) {
    throw new Mismatch(`a second GET /auth gave the same token ${firstToken} (D4)`);
  }
  const second = await openPeer(url, "second");
  await second.authenticate(secondToken, true);
  await second.expect({ type: "JobList", jobs: [] });
  steps.push("second client: success true, JobList empty");

  first.send({ type: "JobSubscribe", jobId: 0 });
  first.send(JOB_NEW);
  await first.expectRun(true);
  await second.expectRun(false);
  steps.push("job 0 NEW to DONE seen by both, DetailedUpdate to the subscriber");

  // The deletion is the second's next message: a DetailedUpdate to it would have come first.
  second.send({ type: "JobDelete", jobId: 0 });
  for (const peer of [first, second]) {
    await peer.expect({ type: "JobUpdate", jobId: 0, job: null });
    peer.jobs.push("deleted");
  }
  steps.push("job 0 deleted: job null to both");

  await first.close();
  const again = await openPeer(url, "again");
  await again.authenticate(firstToken, false);
  steps.push("closed socket's token: success false");
  for (const peer of [second, again]) await peer.close();

  const peers = [first, second, again];
  const checked = peers.reduce((sum, peer) => sum + peer.seen.length, 0);
  const { version } = createRequire(import.meta.url)("ws/package.json");
  return {
    summary: `dnaforge flow, ws ${version}: passed, ${checked} messages checked on 3 sockets`,
    steps,
    seen: Object.fromEntries(peers.map((peer) => [peer.name, peer.seen])),
    jobs: Object.fromEntries([first, second].map((peer) => [peer.name, peer.jobs])),
  };
}

if (process.argv.length !== 4) {
  console.error("usage: node dnaforge_flow.mjs http://host:port ACCESS_TOKEN");
  process.exit(2);
}
setTimeout(() => {
  console.error(`dnaforge_flow.mjs: the flow did not end within ${RUN_LIMIT_MS} ms`);
  process.exit(1);
}, RUN_LIMIT_MS).unref();
main(process.argv[2], process.argv[3]).then(
  (outcome) => {
    console.log(JSON.stringify(outcome));
    process.exit(0);
  },
  (error) => {
    const said = error instanceof Mismatch ? error.message : (error.stack ?? String(error));
    console.error(`dnaforge_flow.mjs: ${said}`);
    process.exit(1);
  },
);
