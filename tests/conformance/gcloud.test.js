'use strict';
// The real gcloud CLI against the Aqueduct local cloud's Pub/Sub routes, configured as a user would point it
// at an emulator: a throwaway CLOUDSDK_CONFIG, auth/disable_credentials, CLOUDSDK_API_ENDPOINT_OVERRIDES_PUBSUB.
//
// Run: AQ_SERVER_BIN=build/app/aqueduct-server node --test tests/conformance/gcloud.test.js
// Development only: AQ_CONFORMANCE_TARGET=emulator runs it against Google's Pub/Sub emulator instead.

const {test, before, after} = require('node:test');
const assert = require('node:assert/strict');
const {execFile} = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const {PROJECT, useServer, makeTempDir, sleep} = require('./node/lib/harness');

const srv = useServer();
let configDir;

before(async () => {
    configDir = makeTempDir('aq-gcloud-config-');
    await gcloud(['config', 'set', 'auth/disable_credentials', 'true']);
    await gcloud(['config', 'set', 'project', PROJECT]);
});
after(() => {
    if (configDir) fs.rmSync(configDir, {recursive: true, force: true, maxRetries: 5, retryDelay: 200});
});

/** Runs gcloud; resolves to {code, stdout, stderr} (never rejects on a non-zero exit). */
function gcloud(args, {timeoutMs = 60000} = {}) {
    const env = {
        ...process.env,
        CLOUDSDK_CONFIG: configDir,
        CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
        CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
        CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
        CLOUDSDK_SURVEY_DISABLE_PROMPTS: 'true',
    };
    if (srv.server) env.CLOUDSDK_API_ENDPOINT_OVERRIDES_PUBSUB = `${srv.server.baseUrl}/`;
    delete env.PUBSUB_EMULATOR_HOST;
    return new Promise((resolve) => {
        execFile('gcloud', args, {env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024}, (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
            resolve({code, stdout, stderr, args});
        });
    });
}

async function ok(args) {
    const r = await gcloud(args);
    assert.equal(r.code, 0, `gcloud ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr}\n${r.stdout}`);
    return r;
}
async function okJson(args) {
    const r = await ok([...args, '--format=json']);
    try {
        return JSON.parse(r.stdout);
    } catch {
        assert.fail(`gcloud ${args.join(' ')} printed no JSON:\n${r.stdout}\n${r.stderr}`);
    }
}
async function fails(args, pattern) {
    const r = await gcloud(args);
    assert.notEqual(r.code, 0, `gcloud ${args.join(' ')} succeeded, expected a failure:\n${r.stdout}\n${r.stderr}`);
    if (pattern) assert.match(r.stderr, pattern, `gcloud ${args.join(' ')}: stderr`);
    return r;
}

/** gcloud pubsub subscriptions pull until `want` messages arrived (pull returns immediately when empty). */
async function pullAll(sub, want, {autoAck = true, rounds = 20} = {}) {
    const got = [];
    for (let i = 0; i < rounds && got.length < want; i++) {
        const batch = await okJson(['pubsub', 'subscriptions', 'pull', sub, autoAck ? '--auto-ack' : '--no-auto-ack',
                                    `--limit=${want - got.length}`]);
        got.push(...batch);
        if (!batch.length) await sleep(200);
    }
    return got;
}
/**
 * An empty pull that must answer at once: `gcloud beta ... pull --return-immediately`. (GA `pull` sends
 * returnImmediately=false, which makes Google's emulator hold the request for about 90 s when there is nothing.)
 */
async function pullNow(sub) {
    return okJson(['beta', 'pubsub', 'subscriptions', 'pull', sub, '--auto-ack', '--limit=10', '--return-immediately']);
}
const decode = (m) => Buffer.from(m.message.data || '', 'base64').toString('utf8');

test('gcloud pubsub: topics and subscriptions, create, describe, list, duplicates and missing resources', async () => {
    let r = await ok(['pubsub', 'topics', 'create', 'conf-gtopic']);
    assert.match(r.stderr, /Created topic \[projects\/aqueduct-local\/topics\/conf-gtopic\]/);
    await fails(['pubsub', 'topics', 'create', 'conf-gtopic'], /already exists/i);

    const topics = await okJson(['pubsub', 'topics', 'list']);
    assert.ok(topics.some((t) => t.name === `projects/${PROJECT}/topics/conf-gtopic`), JSON.stringify(topics));
    const desc = await okJson(['pubsub', 'topics', 'describe', 'conf-gtopic']);
    assert.equal(desc.name, `projects/${PROJECT}/topics/conf-gtopic`);

    r = await ok(['pubsub', 'subscriptions', 'create', 'conf-gsub', '--topic=conf-gtopic', '--ack-deadline=30',
                  '--message-retention-duration=1d']);
    assert.match(r.stderr, /Created subscription \[projects\/aqueduct-local\/subscriptions\/conf-gsub\]/);
    await fails(['pubsub', 'subscriptions', 'create', 'conf-gsub', '--topic=conf-gtopic'], /already exists/i);
    await fails(['pubsub', 'subscriptions', 'create', 'conf-gsub-orphan', '--topic=conf-no-such-topic'], /not found|NOT_FOUND|does not exist/i);

    const sd = await okJson(['pubsub', 'subscriptions', 'describe', 'conf-gsub']);
    assert.equal(sd.name, `projects/${PROJECT}/subscriptions/conf-gsub`);
    assert.equal(sd.topic, `projects/${PROJECT}/topics/conf-gtopic`);
    assert.equal(sd.ackDeadlineSeconds, 30);
    assert.equal(sd.messageRetentionDuration, '86400s');

    const subs = await okJson(['pubsub', 'topics', 'list-subscriptions', 'conf-gtopic']);
    assert.deepEqual(subs, [`projects/${PROJECT}/subscriptions/conf-gsub`]);

    await fails(['pubsub', 'topics', 'describe', 'conf-no-such-topic'], /not found|NOT_FOUND/i);
    await fails(['pubsub', 'subscriptions', 'describe', 'conf-no-such-sub'], /not found|NOT_FOUND|does not exist/i);
});

test('gcloud pubsub: publish with --message and --attribute, pull --auto-ack --limit --format=json', async () => {
    const N = 6;
    const sent = [];
    for (let i = 0; i < N; i++) {
        const args = ['pubsub', 'topics', 'publish', 'conf-gtopic', `--message=hello ${i} ✓`, `--attribute=k=v${i},n=${i}`];
        if (i === N - 1) args.push('--ordering-key=key-1');
        const out = await okJson(args);
        assert.equal(out.messageIds.length, 1);
        sent.push({id: out.messageIds[0], data: `hello ${i} ✓`, attributes: {k: `v${i}`, n: String(i)}});
    }
    const got = await pullAll('conf-gsub', N);
    assert.equal(got.length, N, `pulled ${got.length} of ${N}: ${JSON.stringify(got)}`);
    const byId = new Map(got.map((m) => [m.message.messageId, m]));
    for (const s of sent) {
        const m = byId.get(s.id);
        assert.ok(m, `message ${s.id} (${s.data}) not pulled`);
        assert.equal(decode(m), s.data);
        assert.deepEqual(m.message.attributes, s.attributes);
        assert.match(m.message.publishTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
        assert.equal(m.ackStatus, 'SUCCESS', `auto-ack of ${s.id}: ${JSON.stringify(m)}`);
    }
    assert.equal(byId.get(sent[N - 1].id).message.orderingKey, 'key-1');

    // Everything was acknowledged.
    assert.deepEqual(await pullNow('conf-gsub'), []);
});

test('gcloud pubsub: GA pull on an empty subscription long-polls, but answers within its 20 s X-Server-Timeout', async (t) => {
    if (srv.server.kind === 'emulator') {
        // Google's emulator ignores X-Server-Timeout and holds an empty returnImmediately=false pull ~90 s.
        return t.skip("Google's emulator holds an empty pull for ~90 s");
    }
    const t0 = Date.now();
    const r = await okJson(['pubsub', 'subscriptions', 'pull', 'conf-gsub', '--auto-ack', '--limit=10']);
    assert.deepEqual(r, []);
    assert.ok(Date.now() - t0 < 30000, `empty GA pull took ${Date.now() - t0} ms`);
});

test('gcloud pubsub: pull without ack, modify-message-ack-deadline 0 redelivers, ack ends it', async () => {
    await okJson(['pubsub', 'topics', 'publish', 'conf-gtopic', '--message=redeliver me']);
    const first = await pullAll('conf-gsub', 1, {autoAck: false});
    assert.equal(first.length, 1);
    assert.equal(decode(first[0]), 'redeliver me');
    await ok(['pubsub', 'subscriptions', 'modify-message-ack-deadline', 'conf-gsub', `--ack-ids=${first[0].ackId}`, '--ack-deadline=0']);
    const second = await pullAll('conf-gsub', 1, {autoAck: false});
    assert.equal(second.length, 1, 'nacked message not redelivered');
    assert.equal(second[0].message.messageId, first[0].message.messageId);
    await ok(['pubsub', 'subscriptions', 'ack', 'conf-gsub', `--ack-ids=${second[0].ackId}`]);
    assert.deepEqual(await pullNow('conf-gsub'), []);
});

test('gcloud pubsub: delete subscription and topic', async () => {
    await ok(['pubsub', 'subscriptions', 'delete', 'conf-gsub']);
    await fails(['pubsub', 'subscriptions', 'describe', 'conf-gsub'], /not found|NOT_FOUND|does not exist/i);
    await ok(['pubsub', 'topics', 'delete', 'conf-gtopic']);
    await fails(['pubsub', 'topics', 'describe', 'conf-gtopic'], /not found|NOT_FOUND/i);
    const topics = await okJson(['pubsub', 'topics', 'list']);
    assert.ok(!topics.some((t) => t.name === `projects/${PROJECT}/topics/conf-gtopic`));
});
