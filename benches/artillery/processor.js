// The measured window of jobber-send-job.yml, as an Artillery `whileTrue` function.
//
// Artillery calls `untilWindowEnds` after every loop iteration, that is once per ack, so it
// counts acks itself: those that arrive inside [every user has had an ack + warm-up,
// + duration). Waiting for every user matters: on a busy machine the last of 100 socket.io
// connections opens seconds after the first acks. It tells run.sh when the window starts and
// ends with marker files (so run.sh can read the CPU time of the Artillery process tree at those
// moments) and leaves its count in a file.
//
// Environment: BENCH_STATE_DIR (required: where the markers and counts go), BENCH_USERS (default
// 100, the phase's arrivalCount), BENCH_WARMUP_SECONDS (default 2), BENCH_SECONDS (default 10).
//
// All users are in one Artillery worker: Artillery runs an `arrivalCount` phase in its first
// worker only (lib/dist.js), so this module's state sees every user.

'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { threadId } = require('node:worker_threads');

const stateDir = process.env.BENCH_STATE_DIR;
if (!stateDir) throw new Error('BENCH_STATE_DIR is not set (run through run.sh)');
const users = numberFromEnvironment('BENCH_USERS', 100);
const warmUpMs = numberFromEnvironment('BENCH_WARMUP_SECONDS', 2) * 1000;
const windowMs = numberFromEnvironment('BENCH_SECONDS', 10) * 1000;

// Users (Artillery's `context._uid`) that have had an ack, until all have.
const usersSeen = new Set();
let window = null;
let acks = 0;
let rejected = 0;
let startMarked = false;
let reported = false;

function numberFromEnvironment(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${text} is not a number`);
  return value;
}

// Writes `text` to `name` unless it exists; true when this call wrote it. Written aside and
// linked into place, so a reader never sees a half-written file.
function writeOnce(name, text) {
  const aside = path.join(stateDir, `.${name}.${process.pid}.${threadId}`);
  fs.writeFileSync(aside, text);
  try {
    fs.linkSync(aside, path.join(stateDir, name));
    return true;
  } catch (error) {
    if (error.code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.unlinkSync(aside);
  }
}

// The window, once every user has had an ack; null before.
function windowAfter(context, now) {
  usersSeen.add(context._uid);
  if (usersSeen.size < users) return null;
  usersSeen.clear();
  writeOnce('all-users', String(now));
  const start = now + warmUpMs;
  return { start, end: start + windowMs };
}

function report() {
  const counts = JSON.stringify({ acks, rejected, users, windowMs });
  fs.writeFileSync(path.join(stateDir, `acks-${process.pid}-${threadId}.json`), counts);
  writeOnce('window-end', String(Date.now()));
}

function untilWindowEnds(context, next) {
  const now = Date.now();
  // A rejected job acks `{error}` and leaves no jobId; clear it so the next ack is judged alone.
  const accepted = context.vars.jobId !== undefined;
  delete context.vars.jobId;
  if (window === null) window = windowAfter(context, now);
  if (window === null || now < window.start) return next(true);
  if (now < window.end) {
    if (!startMarked) {
      startMarked = true;
      writeOnce('window-start', String(now));
    }
    acks += 1;
    if (!accepted) rejected += 1;
    return next(true);
  }
  if (!reported) {
    reported = true;
    report();
  }
  return next(false);
}

module.exports = { untilWindowEnds };
