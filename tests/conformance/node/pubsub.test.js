'use strict';
// Google's own Node.js Pub/Sub client (@google-cloud/pubsub, REST "fallback" transport) against the Aqueduct
// local cloud. Nothing here was written by us except the calls: if the local cloud's wire format drifts from
// Google's, these fail.
//
// Run: AQ_SERVER_BIN=build/app/aqueduct-server node --test tests/conformance/node/pubsub.test.js
// Development only: AQ_CONFORMANCE_TARGET=emulator runs the same file against Google's Pub/Sub emulator.

const {test} = require('node:test');
const assert = require('node:assert/strict');
const {PubSub, v1} = require('@google-cloud/pubsub');
const {PassThroughClient} = require('google-auth-library');
const {PROJECT, useServer, sleep} = require('./lib/harness');

const srv = useServer();
const onEmulator = () => srv.server.kind === 'emulator';

// The handwritten client, pointed at the server with `apiEndpoint`, over HTTP/1.1 + JSON.
function pubsubClient() {
    return new PubSub({
        projectId: PROJECT,
        apiEndpoint: srv.server.hostPort,
        fallback: true,
        protocol: 'http',
        authClient: new PassThroughClient(),
    });
}

// The generated (GAPIC) clients, pointed at the server with servicePath/port instead.
function gapicOptions() {
    return {
        servicePath: '127.0.0.1',
        port: srv.server.port,
        protocol: 'http',
        fallback: true,
        authClient: new PassThroughClient(),
    };
}

const topicPath = (t) => `projects/${PROJECT}/topics/${t}`;
const subPath = (s) => `projects/${PROJECT}/subscriptions/${s}`;

/** Runs fn, which must reject; returns the error. */
async function rejects(fn, what) {
    try {
        await fn();
    } catch (err) {
        return err;
    }
    assert.fail(`${what}: expected an error, got success`);
}

function assertHttpError(err, code, what) {
    // Over REST, google-gax 5 hands the GaxiosError through: err.code is the HTTP status, the message the
    // raw JSON error body (gcp-rest.md §4.2).
    assert.equal(err.code, code, `${what}: err.code ${err.code} (${err.message})`);
    let body;
    try { body = JSON.parse(err.message); } catch { /* not JSON: reported below */ }
    if (body && body.error) {
        assert.equal(body.error.code, code, `${what}: error.code in the body`);
        assert.equal(typeof body.error.message, 'string', `${what}: error.message`);
        const statusFor = {400: ['INVALID_ARGUMENT', 'FAILED_PRECONDITION', 'OUT_OF_RANGE'], 404: ['NOT_FOUND'],
                           409: ['ALREADY_EXISTS', 'ABORTED']};
        if (statusFor[code]) assert.ok(statusFor[code].includes(body.error.status), `${what}: error.status ${body.error.status}`);
    }
}

/** Pulls until `want` messages arrived or `patienceMs` passed with nothing new; acks nothing. */
async function pullSome(subClient, subscription, want, {patienceMs = 3000, maxMessages = 1000} = {}) {
    const got = [];
    let idleSince = Date.now();
    while (got.length < want && Date.now() - idleSince < patienceMs) {
        const [resp] = await subClient.pull({subscription, maxMessages, returnImmediately: true});
        const msgs = resp.receivedMessages || [];
        if (msgs.length) {
            got.push(...msgs);
            idleSince = Date.now();
        } else {
            await sleep(100);
        }
    }
    return got;
}

test('topics: create, get, list, list subscriptions, delete; 409 on duplicate, 404 on missing', async () => {
    const pubsub = pubsubClient();
    try {
        const [topic] = await pubsub.createTopic('conf-topic-a');
        assert.equal(topic.name, topicPath('conf-topic-a'));

        const [meta] = await topic.getMetadata();
        assert.equal(meta.name, topicPath('conf-topic-a'));

        // Labels and retention round-trip through create and get.
        const [topicB] = await pubsub.createTopic({name: 'conf-topic-b', labels: {team: 'data', env: 'test'},
                                                   messageRetentionDuration: {seconds: 3600}});
        const [metaB] = await topicB.getMetadata();
        assert.deepEqual({...metaB.labels}, {team: 'data', env: 'test'});
        assert.equal(Number(metaB.messageRetentionDuration.seconds), 3600);

        const [topics] = await pubsub.getTopics();
        const names = topics.map((t) => t.name);
        assert.ok(names.includes(topicPath('conf-topic-a')), `list: ${names}`);
        assert.ok(names.includes(topicPath('conf-topic-b')), `list: ${names}`);

        const err409 = await rejects(() => pubsub.createTopic('conf-topic-a'), 'duplicate topic');
        assertHttpError(err409, 409, 'duplicate topic');

        const err404 = await rejects(() => pubsub.topic('conf-topic-missing').getMetadata(), 'get missing topic');
        assertHttpError(err404, 404, 'get missing topic');

        await topic.delete();
        const gone = await rejects(() => topic.getMetadata(), 'get deleted topic');
        assertHttpError(gone, 404, 'get deleted topic');
        const delAgain = await rejects(() => topic.delete(), 'delete deleted topic');
        assertHttpError(delAgain, 404, 'delete deleted topic');

        const [after] = await pubsub.getTopics();
        assert.ok(!after.map((t) => t.name).includes(topicPath('conf-topic-a')), 'deleted topic still listed');

        // Invalid names are refused by the server (the client passes them through).
        const bad = await rejects(() => pubsub.createTopic('ab'), 'two-character topic name');
        assertHttpError(bad, 400, 'two-character topic name');
        const goog = await rejects(() => pubsub.createTopic('goog-topic'), 'topic name starting with goog');
        assertHttpError(goog, 400, 'topic name starting with goog');
    } finally {
        await pubsub.close();
    }
});

test('topics: listing pages through the GAPIC PublisherClient (servicePath/port)', async () => {
    const pub = new v1.PublisherClient(gapicOptions());
    try {
        const want = [];
        for (let i = 0; i < 7; i++) {
            const name = topicPath(`conf-page-${i}`);
            const [t] = await pub.createTopic({name});
            assert.equal(t.name, name);
            want.push(name);
        }
        // One page at a time, following nextPageToken by hand.
        const seen = [];
        let pageToken;
        let pages = 0;
        do {
            const [topics, , raw] = await pub.listTopics({project: `projects/${PROJECT}`, pageSize: 2, pageToken},
                                                         {autoPaginate: false});
            assert.ok(topics.length <= 2, `page of ${topics.length} topics with pageSize 2`);
            seen.push(...topics.map((t) => t.name));
            pageToken = raw && raw.nextPageToken;
            pages++;
            assert.ok(pages < 100, 'paging does not end');
        } while (pageToken);
        for (const n of want) assert.ok(seen.includes(n), `${n} missing from the paged listing`);
        assert.equal(new Set(seen).size, seen.length, 'a topic was listed twice across pages');
        assert.ok(pages >= 4, `7+ topics in pages of 2 took only ${pages} pages`);

        // The same listing through the client's async iterator, which follows the page tokens itself.
        const all = [];
        for await (const t of pub.listTopicsAsync({project: `projects/${PROJECT}`, pageSize: 3}, {autoPaginate: false})) all.push(t.name);
        for (const n of want) assert.ok(all.includes(n), `${n} missing (listTopicsAsync)`);
        assert.equal(new Set(all).size, all.length, 'a topic was listed twice (listTopicsAsync)');
    } finally {
        await pub.close();
    }
});

test('subscriptions: create with every option, get, list, delete; 409/404', async () => {
    const pubsub = pubsubClient();
    try {
        const [topic] = await pubsub.createTopic('conf-sub-topic');
        const [dlq] = await pubsub.createTopic('conf-sub-dlq');

        const [sub] = await topic.createSubscription('conf-sub-full', {
            ackDeadlineSeconds: 30,
            messageRetentionDuration: 86400, // seconds: the client turns it into a Duration, "86400s" on the wire
            deadLetterPolicy: {deadLetterTopic: dlq.name, maxDeliveryAttempts: 5},
            retryPolicy: {minimumBackoff: {seconds: 10}, maximumBackoff: {seconds: 600}},
            labels: {purpose: 'conformance'},
        });
        assert.equal(sub.name, subPath('conf-sub-full'));

        const [m] = await sub.getMetadata();
        assert.equal(m.name, subPath('conf-sub-full'));
        assert.equal(m.topic, topicPath('conf-sub-topic'));
        assert.equal(m.ackDeadlineSeconds, 30);
        assert.equal(Number(m.messageRetentionDuration.seconds), 86400);
        assert.equal(m.deadLetterPolicy.deadLetterTopic, dlq.name);
        assert.equal(m.deadLetterPolicy.maxDeliveryAttempts, 5);
        assert.equal(Number(m.retryPolicy.minimumBackoff.seconds), 10);
        assert.equal(Number(m.retryPolicy.maximumBackoff.seconds), 600);
        assert.deepEqual({...m.labels}, {purpose: 'conformance'});

        // Defaults: a bare subscription gets the 10 s ack deadline and 7 days of retention.
        const [plain] = await topic.createSubscription('conf-sub-plain');
        const [pm] = await plain.getMetadata();
        assert.equal(pm.ackDeadlineSeconds, 10, 'default ackDeadlineSeconds');
        assert.equal(Number(pm.messageRetentionDuration.seconds), 604800, 'default messageRetentionDuration');
        assert.equal(pm.deadLetterPolicy, null, 'no deadLetterPolicy asked for');

        const [subs] = await pubsub.getSubscriptions();
        const names = subs.map((s) => s.name);
        assert.ok(names.includes(subPath('conf-sub-full')) && names.includes(subPath('conf-sub-plain')), `list: ${names}`);

        const [topicSubs] = await topic.getSubscriptions();
        assert.deepEqual(topicSubs.map((s) => s.name).sort(), [subPath('conf-sub-full'), subPath('conf-sub-plain')]);

        const dup = await rejects(() => topic.createSubscription('conf-sub-full'), 'duplicate subscription');
        assertHttpError(dup, 409, 'duplicate subscription');

        const noTopic = await rejects(() => pubsub.topic('conf-no-such-topic').createSubscription('conf-sub-orphan'),
                                      'subscription on a missing topic');
        assertHttpError(noTopic, 404, 'subscription on a missing topic');

        const noDlq = await rejects(() => topic.createSubscription('conf-sub-bad-dlq',
            {deadLetterPolicy: {deadLetterTopic: topicPath('conf-no-such-dlq'), maxDeliveryAttempts: 5}}),
            'dead-letter topic missing');
        assertHttpError(noDlq, 404, 'dead-letter topic missing');

        const badDeadline = await rejects(() => topic.createSubscription('conf-sub-bad-deadline', {ackDeadlineSeconds: 601}),
                                          'ackDeadlineSeconds 601');
        assertHttpError(badDeadline, 400, 'ackDeadlineSeconds 601');

        const missing = await rejects(() => pubsub.subscription('conf-sub-missing').getMetadata(), 'get missing subscription');
        assertHttpError(missing, 404, 'get missing subscription');

        await plain.delete();
        const gone = await rejects(() => plain.getMetadata(), 'get deleted subscription');
        assertHttpError(gone, 404, 'get deleted subscription');
        const delAgain = await rejects(() => plain.delete(), 'delete deleted subscription');
        assertHttpError(delAgain, 404, 'delete deleted subscription');

        // Deleting the topic leaves the subscription, which then reports the deleted-topic marker.
        await topic.delete();
        const [orphan] = await sub.getMetadata();
        assert.equal(orphan.topic, '_deleted-topic_');
    } finally {
        await pubsub.close();
    }
});

test('publish 10,000 messages, then pull and acknowledge every one exactly once (v1.SubscriberClient)', {timeout: 240000}, async () => {
    const N = 10000;
    const pubsub = pubsubClient();
    const subClient = new v1.SubscriberClient(await pubsub.getClientConfig());
    try {
        const [topic] = await pubsub.createTopic('conf-bulk');
        const [sub] = await topic.createSubscription('conf-bulk-sub', {ackDeadlineSeconds: 600});
        const publisher = pubsub.topic('conf-bulk', {batching: {maxMessages: 500, maxMilliseconds: 20}});

        const sent = new Map(); // messageId -> index
        const ids = await Promise.all(Array.from({length: N}, (_, i) =>
            publisher.publishMessage({data: Buffer.from(`bulk-${i}-${'x'.repeat(i % 37)}`), attributes: {i: String(i)}})));
        ids.forEach((id, i) => {
            assert.equal(typeof id, 'string');
            assert.ok(!sent.has(id), `message id ${id} returned twice by publish`);
            sent.set(id, i);
        });
        assert.equal(sent.size, N);

        const seen = new Map(); // messageId -> count
        const problems = [];
        let pulls = 0;
        let emptyPulls = 0;
        const deadline = Date.now() + 180000;
        while (seen.size < N && Date.now() < deadline && emptyPulls < 20) {
            const [resp] = await subClient.pull({subscription: sub.name, maxMessages: 1000});
            pulls++;
            const msgs = resp.receivedMessages || [];
            if (!msgs.length) { emptyPulls++; continue; }
            emptyPulls = 0;
            for (const rm of msgs) {
                const id = rm.message.messageId;
                seen.set(id, (seen.get(id) || 0) + 1);
                const i = sent.get(id);
                if (i === undefined) { problems.push(`unknown message id ${id}`); continue; }
                const want = `bulk-${i}-${'x'.repeat(i % 37)}`;
                const data = Buffer.from(rm.message.data).toString('utf8');
                if (data !== want) problems.push(`${id}: data ${JSON.stringify(data)} != ${JSON.stringify(want)}`);
                if (rm.message.attributes.i !== String(i)) problems.push(`${id}: attribute i=${rm.message.attributes.i}, want ${i}`);
            }
            await subClient.acknowledge({subscription: sub.name, ackIds: msgs.map((m) => m.ackId)});
        }
        const dups = [...seen].filter(([, c]) => c > 1);
        assert.deepEqual(problems.slice(0, 20), [], `${problems.length} message problems`);
        assert.equal(dups.length, 0, `${dups.length} messages delivered more than once, e.g. ${JSON.stringify(dups.slice(0, 5))}`);
        assert.equal(seen.size, N, `received ${seen.size} of ${N} distinct messages in ${pulls} pulls`);

        // Everything was acknowledged: nothing comes back.
        const [after] = await subClient.pull({subscription: sub.name, maxMessages: 1000, returnImmediately: true});
        assert.equal((after.receivedMessages || []).length, 0, 'acknowledged messages were delivered again');
    } finally {
        await subClient.close();
        await pubsub.close();
    }
});

test('attributes, binary data and orderingKey round-trip; ordered delivery per key', async () => {
    const pubsub = pubsubClient();
    const subClient = new v1.SubscriberClient(await pubsub.getClientConfig());
    try {
        await pubsub.createTopic('conf-attrs');
        const topic = pubsub.topic('conf-attrs', {messageOrdering: true});
        const [sub] = await topic.createSubscription('conf-attrs-sub', {enableMessageOrdering: true, ackDeadlineSeconds: 60});

        const binary = Buffer.from([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0x0a, 0x0d, 0x22, 0x5c]);
        const attrs = {'plain': 'v', 'unicode-ключ': 'значение ✓ 🚰', 'empty': '', 'json': '{"a":[1,2]}',
                       'spaces and = signs': ' x = y '};
        const t0 = Date.now();
        const idBin = await topic.publishMessage({data: binary, attributes: attrs, orderingKey: 'user-42'});
        const idAttrsOnly = await topic.publishMessage({data: Buffer.alloc(0), attributes: {only: 'attrs'}});
        const ordered = [];
        for (let i = 0; i < 25; i++) {
            ordered.push(topic.publishMessage({data: Buffer.from(`ordered-${i}`), orderingKey: 'seq-key'}));
        }
        const orderedIds = await Promise.all(ordered);

        const got = await pullSome(subClient, sub.name, 27);
        assert.equal(got.length, 27, `pulled ${got.length} of 27`);
        const byId = new Map(got.map((rm) => [rm.message.messageId, rm]));

        const b = byId.get(idBin);
        assert.ok(b, 'binary message not delivered');
        assert.deepEqual(Buffer.from(b.message.data), binary);
        assert.deepEqual({...b.message.attributes}, attrs);
        assert.equal(b.message.orderingKey, 'user-42');
        const pt = Number(b.message.publishTime.seconds) * 1000 + Math.floor(b.message.publishTime.nanos / 1e6);
        assert.ok(Math.abs(pt - t0) < 60000, `publishTime ${JSON.stringify(b.message.publishTime)} is not about now`);
        assert.ok(!b.deliveryAttempt, 'deliveryAttempt is set without a dead-letter policy');

        const a = byId.get(idAttrsOnly);
        assert.ok(a, 'attribute-only message not delivered');
        assert.equal(Buffer.from(a.message.data || []).length, 0);
        assert.deepEqual({...a.message.attributes}, {only: 'attrs'});
        assert.equal(a.message.orderingKey || '', '');

        // Messages of one ordering key arrive in publish order.
        const seq = got.filter((rm) => rm.message.orderingKey === 'seq-key');
        assert.deepEqual(seq.map((rm) => rm.message.messageId), orderedIds, 'ordering-key messages out of publish order');
        assert.deepEqual(seq.map((rm) => Buffer.from(rm.message.data).toString()),
                         orderedIds.map((_, i) => `ordered-${i}`));

        await subClient.acknowledge({subscription: sub.name, ackIds: got.map((m) => m.ackId)});
    } finally {
        await subClient.close();
        await pubsub.close();
    }
});

test('nack with modifyAckDeadline 0 redelivers; deliveryAttempt counts with a dead-letter policy', async () => {
    const pubsub = pubsubClient();
    const subClient = new v1.SubscriberClient(await pubsub.getClientConfig());
    try {
        const [topic] = await pubsub.createTopic('conf-nack');
        const [dlq] = await pubsub.createTopic('conf-nack-dlq');
        const [plain] = await topic.createSubscription('conf-nack-plain', {ackDeadlineSeconds: 60});
        const [dl] = await topic.createSubscription('conf-nack-dl', {ackDeadlineSeconds: 60,
            deadLetterPolicy: {deadLetterTopic: dlq.name, maxDeliveryAttempts: 5}});
        const [dlqSub] = await dlq.createSubscription('conf-nack-dlq-sub');

        const id = await topic.publishMessage({data: Buffer.from('nack me'), attributes: {k: 'v'}});

        // Plain subscription: leased messages are not handed out again until nacked.
        const r = await pullSome(subClient, plain.name, 1);
        assert.equal(r.length, 1);
        assert.equal(r[0].message.messageId, id);
        const [none] = await subClient.pull({subscription: plain.name, maxMessages: 10, returnImmediately: true});
        assert.equal((none.receivedMessages || []).length, 0, 'leased message delivered again before its deadline');
        await subClient.modifyAckDeadline({subscription: plain.name, ackIds: [r[0].ackId], ackDeadlineSeconds: 0});
        const again = await pullSome(subClient, plain.name, 1);
        assert.equal(again.length, 1, 'nacked message was not redelivered');
        assert.equal(again[0].message.messageId, id);
        assert.equal(Buffer.from(again[0].message.data).toString(), 'nack me');
        assert.deepEqual({...again[0].message.attributes}, {k: 'v'});
        await subClient.acknowledge({subscription: plain.name, ackIds: [again[0].ackId]});
        const [empty] = await subClient.pull({subscription: plain.name, maxMessages: 10, returnImmediately: true});
        assert.equal((empty.receivedMessages || []).length, 0, 'acknowledged message came back');

        // Dead-letter subscription: deliveryAttempt = 1, 2, ... and after 5 attempts the message moves to the DLQ.
        for (let attempt = 1; attempt <= 5; attempt++) {
            const got = await pullSome(subClient, dl.name, 1);
            assert.equal(got.length, 1, `attempt ${attempt}: not delivered`);
            assert.equal(got[0].message.messageId, id);
            assert.equal(got[0].deliveryAttempt, attempt, `deliveryAttempt on delivery ${attempt}`);
            await subClient.modifyAckDeadline({subscription: dl.name, ackIds: [got[0].ackId], ackDeadlineSeconds: 0});
        }
        const [after] = await subClient.pull({subscription: dl.name, maxMessages: 10, returnImmediately: true});
        assert.equal((after.receivedMessages || []).length, 0, 'message still delivered after 5 attempts');
        const dead = await pullSome(subClient, dlqSub.name, 1, {patienceMs: 5000});
        assert.equal(dead.length, 1, 'dead-lettered message not on the dead-letter topic');
        assert.equal(Buffer.from(dead[0].message.data).toString(), 'nack me');
        assert.equal(dead[0].message.attributes.k, 'v');
        assert.equal(dead[0].message.attributes.CloudPubSubDeadLetterSourceSubscription, 'conf-nack-dl');
        await subClient.acknowledge({subscription: dlqSub.name, ackIds: [dead[0].ackId]});

        // Lease extension: modifyAckDeadline to 600 keeps the message away; acknowledging ends it.
        const id2 = await topic.publishMessage({data: Buffer.from('extend me')});
        const ext = (await pullSome(subClient, plain.name, 1))[0];
        assert.equal(ext.message.messageId, id2);
        await subClient.modifyAckDeadline({subscription: plain.name, ackIds: [ext.ackId], ackDeadlineSeconds: 600});
        const [still] = await subClient.pull({subscription: plain.name, maxMessages: 10, returnImmediately: true});
        assert.equal((still.receivedMessages || []).length, 0);
        await subClient.acknowledge({subscription: plain.name, ackIds: [ext.ackId]});
    } finally {
        await subClient.close();
        await pubsub.close();
    }
});

test('errors: publish to a missing topic, pull from a missing subscription, bad requests', async () => {
    const pubsub = pubsubClient();
    const pub = new v1.PublisherClient(gapicOptions());
    const subClient = new v1.SubscriberClient(gapicOptions());
    try {
        const e1 = await rejects(() => pub.publish({topic: topicPath('conf-nowhere'), messages: [{data: Buffer.from('x')}]}),
                                 'publish to missing topic');
        assertHttpError(e1, 404, 'publish to missing topic');
        const e2 = await rejects(() => subClient.pull({subscription: subPath('conf-nowhere'), maxMessages: 1, returnImmediately: true}),
                                 'pull from missing subscription');
        assertHttpError(e2, 404, 'pull from missing subscription');
        const e3 = await rejects(() => subClient.acknowledge({subscription: subPath('conf-nowhere'), ackIds: ['x']}),
                                 'ack on missing subscription');
        assertHttpError(e3, 404, 'ack on missing subscription');

        await pubsub.createTopic('conf-errors');
        const [sub] = await pubsub.topic('conf-errors').createSubscription('conf-errors-sub');
        const e4 = await rejects(() => pub.publish({topic: topicPath('conf-errors'), messages: [{}]}), 'publish an empty message');
        assertHttpError(e4, 400, 'publish an empty message');
        const e5 = await rejects(() => subClient.pull({subscription: sub.name, maxMessages: 0, returnImmediately: true}),
                                 'pull with maxMessages 0');
        assertHttpError(e5, 400, 'pull with maxMessages 0');
        const e6 = await rejects(() => subClient.modifyAckDeadline({subscription: sub.name, ackIds: ['x'], ackDeadlineSeconds: -1}),
                                 'modifyAckDeadline -1');
        assertHttpError(e6, 400, 'modifyAckDeadline -1');
    } finally {
        await subClient.close();
        await pub.close();
        await pubsub.close();
    }
});

test('the server exits 0 on SIGTERM, promptly', async (t) => {
    if (onEmulator()) return t.skip('only meaningful for aqueduct-server');
    const s = srv.server;
    srv.server = null; // stopped here rather than in the after hook
    const r = await s.stop();
    assert.equal(r.killed, false, `did not exit within 10 s of SIGTERM\n${s.describe()}`);
    assert.deepEqual({code: r.code, signal: r.signal}, {code: 0, signal: null}, s.describe());
});
