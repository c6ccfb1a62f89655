'use strict';
// Test harness shared by the conformance tests: starts the Aqueduct local cloud (the binary named by
// AQ_SERVER_BIN) or Google's Pub/Sub emulator on a free loopback port, waits until it answers, and stops it
// again. It needs nothing from npm, so differential.test.js and gcloud.test.js can use it without node_modules.
//
// Every server is started in a fresh temporary directory and killed when the test file ends, also when it
// ends by an exception. When a test of the file failed, the server's output is printed (and its data
// directory kept), so a CI log shows what the server said.

const {spawn} = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const {before, after, afterEach} = require('node:test');

const PROJECT = 'aqueduct-local';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port that was free a moment ago on 127.0.0.1. */
function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const {port} = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

function makeTempDir(prefix) {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Keeps the last `limit` bytes of a stream, for dumping on failure. */
class Tail {
    constructor(limit = 256 * 1024) {
        this.limit = limit;
        this.chunks = [];
        this.size = 0;
    }
    push(chunk) {
        this.chunks.push(chunk);
        this.size += chunk.length;
        while (this.size > this.limit && this.chunks.length > 1) {
            this.size -= this.chunks.shift().length;
        }
    }
    text() {
        return Buffer.concat(this.chunks).toString('utf8');
    }
}

const liveChildren = new Set();
function killAllChildren() {
    for (const c of liveChildren) {
        try {
            if (c.group) process.kill(-c.child.pid, 'SIGKILL');
            else c.child.kill('SIGKILL');
        } catch { /* already gone */ }
    }
}
// Last resort: never leave a server behind, whatever happens to the test file (the emulator runs in its own
// process group, which a signal to ours would not reach).
process.on('exit', killAllChildren);
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.once(sig, () => {
        killAllChildren();
        process.exit(128 + ({SIGHUP: 1, SIGINT: 2, SIGTERM: 15})[sig]);
    });
}

/** A spawned server process with its output kept, its exit observed, and a stop() that escalates. */
class ServerProcess {
    constructor(name, command, args, {env, group = false, cwd, outputLimit = 256 * 1024} = {}) {
        this.name = name;
        this.command = command;
        this.args = args;
        this.group = group; // own process group: gcloud starts java as a child, stop both
        this.output = new Tail(outputLimit);
        this.exit = null;
        this.expectedExit = false;
        this.child = spawn(command, args, {
            env: env || process.env,
            cwd,
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: group,
        });
        liveChildren.add(this);
        this.child.stdout.on('data', (d) => this.output.push(d));
        this.child.stderr.on('data', (d) => this.output.push(d));
        this.exited = new Promise((resolve) => {
            this.child.on('error', (err) => {
                this.exit = {code: null, signal: null, error: err};
                liveChildren.delete(this);
                resolve(this.exit);
            });
            this.child.on('exit', (code, signal) => {
                this.exit = {code, signal};
                liveChildren.delete(this);
                if (!this.expectedExit) {
                    process.stderr.write(`\n!!! ${this.name} exited unexpectedly (code ${code}, signal ${signal})\n` +
                                         this.describe() + '\n');
                }
                resolve(this.exit);
            });
        });
    }

    describe() {
        return `--- ${this.name}: ${this.command} ${this.args.join(' ')}\n` +
               `--- output (last ${this.output.limit / 1024} KiB):\n${this.output.text()}\n--- end of ${this.name} output`;
    }

    signal(sig) {
        if (this.exit) return;
        try {
            if (this.group) process.kill(-this.child.pid, sig);
            else this.child.kill(sig);
        } catch { /* gone */ }
    }

    /** SIGTERM, then SIGKILL after `graceMs`. Resolves to {code, signal, ms, killed}. */
    async stop(graceMs = 10000) {
        this.expectedExit = true;
        if (this.exit) return {...this.exit, ms: 0, killed: false};
        const t0 = Date.now();
        this.signal('SIGTERM');
        let timer;
        const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), graceMs); });
        let killed = false;
        const first = await Promise.race([this.exited, timeout]);
        clearTimeout(timer);
        if (first === 'timeout') {
            killed = true;
            this.signal('SIGKILL');
            await this.exited;
        }
        if (this.group) {
            // The group leader may be gone while its java child lingers.
            try { process.kill(-this.child.pid, 'SIGKILL'); } catch { /* gone */ }
        }
        return {...this.exit, ms: Date.now() - t0, killed};
    }
}

/** Plain GET with a short timeout; resolves to the status code, or 0 when nothing answered. */
function probe(url, timeoutMs = 1000) {
    return new Promise((resolve) => {
        const req = http.get(url, {timeout: timeoutMs, agent: false}, (res) => {
            res.resume();
            resolve(res.statusCode);
        });
        req.on('timeout', () => { req.destroy(); resolve(0); });
        req.on('error', () => resolve(0));
    });
}

async function waitUntilUp(proc, url, timeoutMs, okStatus = (s) => s === 200) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (proc.exit) {
            throw new Error(`${proc.name} exited during start-up (code ${proc.exit.code}, signal ${proc.exit.signal}` +
                            `${proc.exit.error ? ', ' + proc.exit.error.message : ''})\n${proc.describe()}`);
        }
        if (okStatus(await probe(url))) return;
        await sleep(100);
    }
    throw new Error(`${proc.name} did not answer ${url} within ${timeoutMs} ms\n${proc.describe()}`);
}

/**
 * Starts `AQ_SERVER_BIN serve --backend local --data-dir DIR --listen 127.0.0.1:PORT --no-ingest` in a fresh
 * temporary data directory and waits for GET /healthz = 200.
 */
async function startLocalCloud({extraArgs = [], env = {}} = {}) {
    const bin = process.env.AQ_SERVER_BIN;
    if (!bin) throw new Error('AQ_SERVER_BIN is not set: it must name the aqueduct-server binary');
    if (!fs.existsSync(bin)) throw new Error(`AQ_SERVER_BIN=${bin} does not exist`);
    const dataDir = makeTempDir('aq-conformance-');
    const port = await freePort();
    const args = ['serve', '--backend', 'local', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`,
                  '--no-ingest', ...extraArgs];
    // A clean environment for the server: no emulator variables or cloud credentials leak in from the caller.
    const childEnv = {...process.env, ...env};
    for (const k of ['PUBSUB_EMULATOR_HOST', 'BIGQUERY_EMULATOR_HOST', 'GOOGLE_APPLICATION_CREDENTIALS',
                     'K_SERVICE', 'AQUEDUCT_API_KEY', 'AQUEDUCT_API_KEYS']) {
        if (!(k in env)) delete childEnv[k];
    }
    const proc = new ServerProcess('aqueduct-server (local cloud)', bin, args, {env: childEnv});
    const baseUrl = `http://127.0.0.1:${port}`;
    try {
        await waitUntilUp(proc, `${baseUrl}/healthz`, 30000);
    } catch (err) {
        await proc.stop(2000);
        if (!process.env.AQ_KEEP_DATA) fs.rmSync(dataDir, {recursive: true, force: true}); // fresh: nothing to look at
        throw err;
    }
    return {
        kind: 'local',
        baseUrl, port, dataDir, proc,
        hostPort: `127.0.0.1:${port}`,
        describe: () => proc.describe(),
        async stop({keepData = false} = {}) {
            const r = await proc.stop();
            if (!keepData && !process.env.AQ_KEEP_DATA) fs.rmSync(dataDir, {recursive: true, force: true});
            return r;
        },
    };
}

/** Where Google's Pub/Sub emulator could be started from, or null with the reason. */
function emulatorAvailability() {
    const which = (cmd) => (process.env.PATH || '').split(path.delimiter)
        .map((d) => path.join(d, cmd)).find((p) => { try { fs.accessSync(p, fs.constants.X_OK); return true; } catch { return false; } });
    const gcloud = which('gcloud');
    if (!gcloud) return {ok: false, why: 'gcloud is not on PATH'};
    if (!which('java')) return {ok: false, why: 'java is not on PATH (the Pub/Sub emulator needs it)'};
    let root = path.resolve(path.dirname(fs.realpathSync(gcloud)), '..');
    const candidates = [path.join(root, 'platform', 'pubsub-emulator'), '/usr/lib/google-cloud-sdk/platform/pubsub-emulator'];
    const found = candidates.find((p) => fs.existsSync(p));
    if (!found) return {ok: false, why: `the Pub/Sub emulator component is not installed (looked in ${candidates.join(', ')})`};
    return {ok: true, gcloud};
}

/**
 * Starts Google's Pub/Sub emulator through `gcloud beta emulators pubsub start` on a free port, with a
 * throwaway gcloud config and data dir, and waits until its REST side answers.
 */
async function startEmulator() {
    const avail = emulatorAvailability();
    if (!avail.ok) throw new Error(`cannot start Google's Pub/Sub emulator: ${avail.why}`);
    const dir = makeTempDir('aq-pubsub-emulator-');
    fs.mkdirSync(path.join(dir, 'data'));
    const port = await freePort();
    const env = {...process.env, CLOUDSDK_CONFIG: path.join(dir, 'gcloud-config'),
                 CLOUDSDK_CORE_DISABLE_PROMPTS: '1'};
    delete env.PUBSUB_EMULATOR_HOST;
    const proc = new ServerProcess("Google's Pub/Sub emulator", avail.gcloud,
        ['beta', 'emulators', 'pubsub', 'start', `--host-port=127.0.0.1:${port}`, `--project=${PROJECT}`,
         `--data-dir=${path.join(dir, 'data')}`],
        {env, group: true, outputLimit: 16 * 1024}); // it logs every request at INFO: keep only the end
    const baseUrl = `http://127.0.0.1:${port}`;
    try {
        await waitUntilUp(proc, `${baseUrl}/v1/projects/${PROJECT}/topics`, 60000);
    } catch (err) {
        await proc.stop(2000);
        fs.rmSync(dir, {recursive: true, force: true});
        throw err;
    }
    return {
        kind: 'emulator',
        baseUrl, port, proc,
        hostPort: `127.0.0.1:${port}`,
        describe: () => proc.describe(),
        async stop() {
            const r = await proc.stop(5000);
            fs.rmSync(dir, {recursive: true, force: true});
            return r;
        },
    };
}

/**
 * Development aid only (AQ_CONFORMANCE_TARGET=emulator): a proxy in front of Google's emulator that drops the
 * `tags` field which the current Node client puts in every create body and which the emulator refuses with
 * 400 "Payload isn't valid for request.". Lets pubsub.test.js and gcloud.test.js be exercised against the
 * emulator; CI never uses it.
 */
async function startTagStrippingProxy(target) {
    const server = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            let body = Buffer.concat(chunks);
            if (req.method === 'PUT' && body.length) {
                try {
                    const j = JSON.parse(body.toString('utf8'));
                    delete j.tags;
                    body = Buffer.from(JSON.stringify(j));
                } catch { /* pass through */ }
            }
            const headers = {...req.headers, 'content-length': String(body.length)};
            delete headers['transfer-encoding'];
            const up = http.request({host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers},
                (upRes) => { res.writeHead(upRes.statusCode, upRes.headers); upRes.pipe(res); });
            up.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
            up.end(body);
        });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const {port} = server.address();
    return {
        kind: 'emulator',
        baseUrl: `http://127.0.0.1:${port}`, port, hostPort: `127.0.0.1:${port}`,
        describe: () => target.describe(),
        async stop() {
            server.closeAllConnections?.();
            await new Promise((resolve) => server.close(resolve));
            return target.stop();
        },
    };
}

/**
 * Registers before/after hooks for a test file and returns a handle whose `.server` is the running server
 * once `before` has run. With AQ_CONFORMANCE_TARGET=emulator (development only) Google's emulator, behind
 * the tag-stripping proxy, stands in for the local cloud (unless emulatorCanStandIn is false).
 */
function useServer({extraArgs = [], env = {}, emulatorCanStandIn = true} = {}) {
    const handle = {server: null, failed: false};
    before(async () => {
        if (emulatorCanStandIn && process.env.AQ_CONFORMANCE_TARGET === 'emulator') {
            handle.server = await startTagStrippingProxy(await startEmulator());
        } else {
            handle.server = await startLocalCloud({extraArgs, env});
        }
    });
    afterEach((t) => {
        if (t.passed === false) handle.failed = true;
    });
    after(async () => {
        if (!handle.server) return;
        const s = handle.server;
        handle.server = null;
        if (handle.failed) {
            process.stderr.write(`\n=== a test failed: output of the server under test follows\n${s.describe()}\n`);
            if (s.dataDir) process.stderr.write(`=== its data directory is kept: ${s.dataDir}\n`);
        }
        await s.stop({keepData: handle.failed});
    });
    return handle;
}

/**
 * fetch() with a JSON body, returning {status, json, text, headers, ms}. Never throws for HTTP errors.
 */
async function rest(method, url, body, {timeoutMs = 70000, headers = {}} = {}) {
    const t0 = Date.now();
    const init = {method, headers: {...headers}, signal: AbortSignal.timeout(timeoutMs)};
    if (body !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await fetch(url, init);
    const text = await res.text();
    let json;
    try { json = text.length ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return {status: res.status, json, text, headers: res.headers, ms: Date.now() - t0};
}

module.exports = {
    PROJECT, sleep, freePort, makeTempDir, startLocalCloud, startEmulator, startTagStrippingProxy,
    emulatorAvailability, useServer, rest, ServerProcess, probe,
};
