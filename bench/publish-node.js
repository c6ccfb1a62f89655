'use strict';
// Google's official Node client (@google-cloud/pubsub over REST, as the conformance tests use it) publishing the
// same ~300-byte messages as benchpublisher, with the same batching (1,000 messages or 10 ms) and a bound on
// messages in flight. Run by run-publish-bench.sh; prints one JSON line.
//
//   node bench/publish-node.js HOST:PORT NAME MESSAGES [PROJECT] [TOPIC]
const path = require('path');
const modules = path.join(__dirname, '..', 'tests', 'conformance', 'node', 'node_modules');
const {PubSub} = require(path.join(modules, '@google-cloud/pubsub'));
const {PassThroughClient} = require(path.join(modules, 'google-auth-library'));

function eventBody(i) {
    let body = `{"event_id":"00000000-0000-4000-8000-${String(i).padStart(12, '0')}","event_type":"page_view",` +
        `"timestamp":"2026-11-23T12:00:00.000Z","user_id":"user-${i % 1000}",` +
        '"event_data":{"page":"/products/42","browser":"firefox","country":"DE","device":"desktop","pad":"';
    body += 'x'.repeat(Math.max(0, 298 - body.length));
    return Buffer.from(body + '"}}');
}

async function main() {
    const [hostPort, name, count, project = 'bench', topicName = 'bench-publisher-node'] = process.argv.slice(2);
    const total = Number(count);
    const pubsub = new PubSub({projectId: project, apiEndpoint: hostPort, fallback: true, protocol: 'http',
                               authClient: new PassThroughClient()});
    // Created with a plain PUT: Google's emulator refuses the Node client's create body (it carries `tags`).
    const created = await fetch(`http://${hostPort}/v1/projects/${project}/topics/${topicName}`, {method: 'PUT', body: '{}',
                                headers: {'content-type': 'application/json'}});
    if (!created.ok && created.status !== 409) throw new Error(`cannot create the topic: ${created.status}`);
    const topic = pubsub.topic(topicName, {
        batching: {maxMessages: 1000, maxMilliseconds: 10},
        flowControlOptions: {maxOutstandingMessages: 20000},
    });
    const bodies = Array.from({length: total}, (_, i) => eventBody(i));
    const flow = topic.flowControlled();
    const cpuAtStart = process.cpuUsage();
    const started = process.hrtime.bigint();
    const ids = [];
    for (let i = 0; i < total; ++i) {
        const wait = flow.publish({data: bodies[i]});
        if (wait) await wait;
    }
    ids.push(...await flow.all());
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuAtStart);
    if (ids.length !== total) throw new Error(`${ids.length} ids for ${total} messages`);
    console.log(JSON.stringify({client: 'google-node-pubsub', server: name, messages: total, seconds: Number(seconds.toFixed(3)),
                                msgs_per_s: Math.round(total / seconds),
                                client_cpu_s: Number(((cpu.user + cpu.system) / 1e6).toFixed(3))}));
    await pubsub.close();
}

main().catch((err) => { console.error(`publish-node.js: ${err.stack || err}`); process.exit(1); });
