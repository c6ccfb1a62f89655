'use strict';
// Google's own Node.js BigQuery client (@google-cloud/bigquery) against the Aqueduct local cloud: datasets,
// tables, streaming inserts, queries with parameters, paging, the jobs.insert path, and every type as the
// client decodes it.
//
// Run: AQ_SERVER_BIN=build/app/aqueduct-server node --test tests/conformance/node/bigquery.test.js

const {test} = require('node:test');
const assert = require('node:assert/strict');
const {BigQuery} = require('@google-cloud/bigquery');
const {PassThroughClient} = require('google-auth-library');
const Big = require('big.js');
const {PROJECT, useServer} = require('./lib/harness');

// This file needs the local cloud itself: Google's Pub/Sub emulator has no BigQuery side.
const srv = useServer({emulatorCanStandIn: false});

/** A client on apiEndpoint (=> http://host:port/bigquery/v2/...); `requests` logs every request it sends. */
function bigquery() {
    const bq = new BigQuery({projectId: PROJECT, apiEndpoint: srv.server.baseUrl, authClient: new PassThroughClient()});
    bq.requests = [];
    bq.interceptors.push({request: (reqOpts) => { bq.requests.push({method: reqOpts.method || 'GET', uri: reqOpts.uri, qs: reqOpts.qs}); return reqOpts; }});
    return bq;
}

async function rejects(fn, what) {
    try {
        await fn();
    } catch (err) {
        return err;
    }
    assert.fail(`${what}: expected an error, got success`);
}

function assertApiError(err, code, reason, what) {
    assert.equal(err.code, code, `${what}: err.code ${err.code}: ${err.message}`);
    assert.ok(Array.isArray(err.errors) && err.errors.length > 0, `${what}: err.errors (BigQuery errors[]) missing: ${err.message}`);
    if (reason) assert.equal(err.errors[0].reason, reason, `${what}: errors[0].reason (${JSON.stringify(err.errors)})`);
}

// Normalises what the client decoded into plain comparable values.
function plain(v) {
    if (v === null || v === undefined) return v;
    if (Buffer.isBuffer(v)) return {bytes: v.toString('hex')};
    if (v instanceof Big) return {numeric: v.toString()};
    const ctor = v.constructor && v.constructor.name;
    if (ctor === 'BigQueryTimestamp') return {timestamp: micros(v.value)};
    if (ctor === 'BigQueryDate') return {date: v.value};
    if (ctor === 'BigQueryDatetime') return {datetime: normDatetime(v.value)};
    if (ctor === 'BigQueryInt') return {int: v.value};
    if (Array.isArray(v)) return v.map(plain);
    if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
}
// A TIMESTAMP as microseconds since the epoch (a string): the client's own ISO formatting of a decoded value
// varies (".000Z" or ".123456000Z"), the instant must not.
function micros(iso) {
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(iso);
    assert.ok(m, `not an RFC 3339 UTC timestamp: ${iso}`);
    return String(BigInt(Date.parse(`${m[1]}Z`)) * 1000n + BigInt(((m[2] || '') + '000000').slice(0, 6)));
}
// DATETIME comes back as YYYY-MM-DDTHH:MM:SS[.ffffff]; compare without trailing fraction zeros.
function normDatetime(s) {
    return s.replace(' ', 'T').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

const TYPES_SCHEMA = [
    {name: 'id', type: 'INT64', mode: 'REQUIRED'},
    {name: 'f', type: 'FLOAT64'},
    {name: 'b', type: 'BOOL'},
    {name: 's', type: 'STRING'},
    {name: 'ts', type: 'TIMESTAMP'},
    {name: 'd', type: 'DATE'},
    {name: 'dt', type: 'DATETIME'},
    {name: 'n', type: 'NUMERIC'},
    {name: 'j', type: 'JSON'},
    {name: 'by', type: 'BYTES'},
    {name: 'tags', type: 'STRING', mode: 'REPEATED'},
    {name: 'attrs', type: 'RECORD', mode: 'REPEATED', fields: [{name: 'key', type: 'STRING'}, {name: 'value', type: 'STRING'}]},
];
// The legacy names that BigQuery reports in responses (gcp-rest.md §2.4).
const LEGACY = {INT64: 'INTEGER', FLOAT64: 'FLOAT', BOOL: 'BOOLEAN', STRUCT: 'RECORD'};

// Rows as given to table.insert() (the client encodes them) ...
const TYPE_ROWS = [
    {id: 1, f: 1.5, b: true, s: 'héllo "quoted" \\ ✓', ts: BigQuery.timestamp('2024-05-01T12:00:00.123456Z'),
     d: BigQuery.date('2024-05-01'), dt: BigQuery.datetime('2024-05-01 12:34:56.789'), n: new Big('123.456'),
     j: JSON.stringify({x: 1, arr: [1, 2], s: 'y'}), by: Buffer.from([0, 1, 2, 0xfe, 0xff]),
     tags: ['a', 'b', 'c'], attrs: [{key: 'k1', value: 'v1'}, {key: 'k2', value: null}]},
    {id: 2, f: null, b: null, s: null, ts: null, d: null, dt: null, n: null, j: null, by: null, tags: [], attrs: []},
    {id: '9007199254740993', f: -0.25, b: false, s: '', ts: new Date('1999-12-31T23:59:59.000Z'),
     d: BigQuery.date({year: 1970, month: 1, day: 1}), dt: BigQuery.datetime('2024-02-29T00:00:00'), n: '-0.000000001',
     j: '[1,"two",null,{"three":3}]', by: Buffer.alloc(0), tags: ['only'], attrs: [{key: 'solo', value: 'x'}]},
];
// ... and as the client must decode them (INT64 ids wrapped: wrapIntegers).
const TYPE_EXPECTED = [
    {id: {int: '1'}, f: 1.5, b: true, s: 'héllo "quoted" \\ ✓', ts: {timestamp: micros('2024-05-01T12:00:00.123456Z')},
     d: {date: '2024-05-01'}, dt: {datetime: '2024-05-01T12:34:56.789'}, n: {numeric: '123.456'},
     j: {x: 1, arr: [1, 2], s: 'y'}, by: {bytes: '000102feff'}, tags: ['a', 'b', 'c'],
     attrs: [{key: 'k1', value: 'v1'}, {key: 'k2', value: null}]},
    {id: {int: '2'}, f: null, b: null, s: null, ts: null, d: null, dt: null, n: null, j: null, by: null, tags: [], attrs: []},
    {id: {int: '9007199254740993'}, f: -0.25, b: false, s: '', ts: {timestamp: micros('1999-12-31T23:59:59Z')},
     d: {date: '1970-01-01'}, dt: {datetime: '2024-02-29T00:00:00'}, n: {numeric: '-1e-9'},
     j: [1, 'two', null, {three: 3}], by: {bytes: ''}, tags: ['only'], attrs: [{key: 'solo', value: 'x'}]},
];
/** Compares decoded rows field by field, so that a failure names each wrong cell. */
function assertRows(actual, expected, what) {
    const {isDeepStrictEqual} = require('node:util');
    const diffs = [];
    if (actual.length !== expected.length) diffs.push(`${actual.length} rows, want ${expected.length}`);
    for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
        const keys = new Set([...Object.keys(actual[i]), ...Object.keys(expected[i])]);
        for (const k of keys) {
            if (!isDeepStrictEqual(actual[i][k], expected[i][k])) {
                diffs.push(`row ${i} (id ${JSON.stringify(expected[i].id)}) ${k}: got ${JSON.stringify(actual[i][k])}, want ${JSON.stringify(expected[i][k])}`);
            }
        }
    }
    assert.ok(diffs.length === 0, `${what}:\n  ${diffs.join('\n  ')}`);
}
// JSON cells are decoded with parseJSON so that formatting differences (spaces, key order) do not matter.
function decodeJsonCompare(rows) {
    return rows.map((r) => plain(r)).sort((a, b) => Number(a.id.int) - Number(b.id.int));
}

let typesReady = null;
/** The dataset `conf_types` with the all-types table, filled once for the tests that read it. */
function typesTable(bq) {
    if (!typesReady) {
        typesReady = (async () => {
            const [ds] = await bq.createDataset('conf_types', {location: 'US'});
            const [table] = await ds.createTable('all_types', {schema: TYPES_SCHEMA});
            await table.insert(TYPE_ROWS);
            return {datasetId: ds.id, tableId: table.id};
        })();
    }
    return typesReady.then(({datasetId, tableId}) => bq.dataset(datasetId).table(tableId));
}

test('datasets and tables: create, get, list, delete; the schema as BigQuery reports it; 409 and 404', async () => {
    const bq = bigquery();
    const [ds] = await bq.createDataset('conf_meta', {location: 'US'});
    assert.equal(ds.id, 'conf_meta');
    const [dsMeta] = await ds.getMetadata();
    assert.deepEqual(dsMeta.datasetReference, {projectId: PROJECT, datasetId: 'conf_meta'});
    assert.equal(dsMeta.kind, 'bigquery#dataset');

    const [datasets] = await bq.getDatasets();
    assert.ok(datasets.map((d) => d.id).includes('conf_meta'), 'dataset not listed');

    assertApiError(await rejects(() => bq.createDataset('conf_meta'), 'duplicate dataset'), 409, 'duplicate', 'duplicate dataset');
    assertApiError(await rejects(() => bq.dataset('conf_no_such_ds').getMetadata(), 'missing dataset'), 404, 'notFound', 'missing dataset');

    const [table] = await ds.createTable('types', {schema: TYPES_SCHEMA, description: 'all the types'});
    assert.equal(table.id, 'types');
    const [meta] = await table.getMetadata();
    assert.equal(meta.kind, 'bigquery#table');
    assert.deepEqual(meta.tableReference, {projectId: PROJECT, datasetId: 'conf_meta', tableId: 'types'});
    assert.equal(meta.type, 'TABLE');
    assert.equal(String(meta.numRows), '0');
    const got = meta.schema.fields.map((f) => ({name: f.name, type: f.type, mode: f.mode || 'NULLABLE',
                                                fields: f.fields && f.fields.map((g) => `${g.name}:${g.type}`)}));
    const want = TYPES_SCHEMA.map((f) => ({name: f.name, type: LEGACY[f.type] || f.type, mode: f.mode || 'NULLABLE',
                                           fields: f.fields && f.fields.map((g) => `${g.name}:${g.type}`)}));
    assert.deepEqual(got, want, 'table schema as reported by tables.get');

    const [tables] = await ds.getTables();
    assert.deepEqual(tables.map((t) => t.id), ['types']);

    // A day-partitioned table on a TIMESTAMP column: the partitioning is kept and reported.
    const [part] = await ds.createTable('partitioned', {schema: TYPES_SCHEMA, timePartitioning: {type: 'DAY', field: 'ts'}});
    const [partMeta] = await part.getMetadata();
    assert.equal(partMeta.timePartitioning && partMeta.timePartitioning.type, 'DAY', JSON.stringify(partMeta.timePartitioning));
    assert.equal(partMeta.timePartitioning.field, 'ts');

    // tables.list and datasets.list page with maxResults / nextPageToken.
    await ds.createTable('third', {schema: [{name: 'x', type: 'STRING'}]});
    const tablePages = [];
    for (let q = {maxResults: 2, autoPaginate: false}; q;) {
        const [page, next] = await ds.getTables(q);
        tablePages.push(page.map((t) => t.id));
        q = next;
        assert.ok(tablePages.length < 10, 'tables.list paging does not end');
    }
    assert.deepEqual(tablePages.map((p) => p.length), [2, 1], `tables.list pages: ${JSON.stringify(tablePages)}`);
    assert.deepEqual(tablePages.flat().sort(), ['partitioned', 'third', 'types']);
    await bq.createDataset('conf_meta_2', {location: 'US'});
    const dsSeen = [];
    for (let q = {maxResults: 1, autoPaginate: false}, n = 0; q; n++) {
        const [page, next] = await bq.getDatasets(q);
        assert.ok(page.length <= 1, `datasets.list page of ${page.length} with maxResults 1`);
        dsSeen.push(...page.map((d) => d.id));
        q = next;
        assert.ok(n < 50, 'datasets.list paging does not end');
    }
    assert.ok(dsSeen.includes('conf_meta') && dsSeen.includes('conf_meta_2'), `datasets.list pages: ${dsSeen}`);

    // A dataset that still has tables is not deleted without deleteContents.
    assertApiError(await rejects(() => ds.delete(), 'delete a dataset that has tables'), 400, 'resourceInUse', 'delete a non-empty dataset');

    assertApiError(await rejects(() => ds.createTable('types', {schema: TYPES_SCHEMA}), 'duplicate table'), 409, 'duplicate', 'duplicate table');
    assertApiError(await rejects(() => ds.table('no_such_table').getMetadata(), 'missing table'), 404, 'notFound', 'missing table');
    assertApiError(await rejects(() => ds.table('no_such_table').insert([{id: 1}]), 'insert into missing table'), 404, 'notFound',
                   'insert into missing table');
    assertApiError(await rejects(() => bq.dataset('conf_no_such_ds').createTable('t', {schema: TYPES_SCHEMA}), 'table in missing dataset'),
                   404, 'notFound', 'table in missing dataset');

    await table.delete();
    assertApiError(await rejects(() => table.getMetadata(), 'deleted table'), 404, 'notFound', 'deleted table');
    await ds.delete({force: true});
    assertApiError(await rejects(() => ds.getMetadata(), 'deleted dataset'), 404, 'notFound', 'deleted dataset');
});

test('every type round-trips: table.insert, then table.getRows as the client decodes it', async () => {
    const bq = bigquery();
    const table = await typesTable(bq);
    const [rows] = await table.getRows({wrapIntegers: true, parseJSON: true});
    assertRows(decodeJsonCompare(rows), TYPE_EXPECTED, 'table.getRows');
    const dataReq = bq.requests.find((r) => /\/data$/.test(r.uri));
    assert.ok(dataReq, 'getRows did not call tabledata.list');
});

test('TIMESTAMP honours formatOptions: int64 microseconds, float seconds, ISO 8601 strings', async () => {
    const bq = bigquery();
    const table = await typesTable(bq);
    const want = [micros('2024-05-01T12:00:00.123456Z'), null, micros('1999-12-31T23:59:59Z')];
    for (const opts of [{'formatOptions.useInt64Timestamp': true},
                        {'formatOptions.useInt64Timestamp': false},
                        {'formatOptions.timestampOutputFormat': 'ISO8601_STRING'}]) {
        bq.requests.length = 0;
        const [rows] = await table.getRows({...opts, selectedFields: 'id,ts'});
        const ts = rows.sort((a, b) => a.id - b.id).map((r) => (r.ts ? micros(r.ts.value) : null));
        if (opts['formatOptions.useInt64Timestamp'] === false) {
            // Float seconds: the client parses a double, exact to the millisecond here but not to the microsecond.
            const ms = (x) => (x === null ? null : Math.round(Number(x) / 1000));
            assert.deepEqual(ts.map(ms), want.map(ms), `ts with ${JSON.stringify(opts)}`);
        } else {
            assert.deepEqual(ts, want, `ts with ${JSON.stringify(opts)}`);
        }
        const dataReq = bq.requests.find((r) => /\/data$/.test(r.uri));
        assert.ok(dataReq, 'no tabledata.list request');
        assert.deepEqual(Object.keys(rows[0]).sort(), ['id', 'ts'], 'selectedFields=id,ts');
    }
});

test('every type round-trips through a query (jobs.query), with named parameters', async () => {
    const bq = bigquery();
    await typesTable(bq);
    const [rows] = await bq.query({
        query: 'SELECT id, f, b, s, ts, d, dt, n, j, `by`, tags, attrs FROM `aqueduct-local.conf_types.all_types` ' +
               'WHERE id >= @min ORDER BY id',
        params: {min: 1},
        wrapIntegers: true,
        parseJSON: true,
    });
    assertRows(decodeJsonCompare(rows), TYPE_EXPECTED, 'query');
    const q = bq.requests.find((r) => /\/queries$/.test(r.uri));
    assert.ok(q, 'query() did not use jobs.query');
});

test('query parameters of each scalar type come back typed', async () => {
    const bq = bigquery();
    const [rows] = await bq.query({
        query: 'SELECT @i AS i, @f AS f, @b AS b, @s AS s, @ts AS ts, @d AS d',
        params: {i: 42, f: 2.5, b: true, s: 'it\'s', ts: BigQuery.timestamp('2024-05-01T00:00:00.5Z'), d: BigQuery.date('2024-05-02')},
    });
    assert.equal(rows.length, 1);
    assert.deepEqual(plain(rows[0]), {i: 42, f: 2.5, b: true, s: 'it\'s', ts: {timestamp: micros('2024-05-01T00:00:00.5Z')},
                                      d: {date: '2024-05-02'}});

    // Filtering by parameters against a table, and types ( @s STRING, @ok BOOL ).
    const table = await typesTable(bq);
    const [hits] = await bq.query({
        query: `SELECT id FROM \`${PROJECT}.conf_types.${table.id}\` WHERE s = @s OR b = @ok ORDER BY id`,
        params: {s: 'héllo "quoted" \\ ✓', ok: false},
        wrapIntegers: true,
    });
    assert.deepEqual(hits.map((r) => r.id.value), ['1', '9007199254740993']);
});

test('the JSON column also accepts an object (not only a serialized string)', async () => {
    const bq = bigquery();
    const [ds] = await bq.createDataset('conf_json', {location: 'US'});
    const [table] = await ds.createTable('j', {schema: [{name: 'id', type: 'INT64'}, {name: 'j', type: 'JSON'}]});
    await table.insert([{id: 1, j: {nested: {a: [1, 2, 3]}, b: 'x'}}]);
    const [rows] = await table.getRows({parseJSON: true});
    assert.deepEqual(rows, [{id: 1, j: {nested: {a: [1, 2, 3]}, b: 'x'}}]);
});

test('NUMERIC keeps its full precision (38 digits, 9 after the point)', async () => {
    const bq = bigquery();
    const [ds] = await bq.createDataset('conf_numeric', {location: 'US'});
    const [table] = await ds.createTable('n', {schema: [{name: 'id', type: 'INT64'}, {name: 'n', type: 'NUMERIC'}]});
    const values = ['12345678901234567890.123456789', '-99999999999999999999999999999.999999999', '0.1', '3'];
    await table.insert(values.map((n, i) => ({id: i, n: new Big(n)})));
    const [rows] = await table.getRows();
    assert.deepEqual(rows.sort((a, b) => a.id - b.id).map((r) => r.n.toFixed()), values.map((v) => new Big(v).toFixed()));
});

test('insertAll: insertId de-duplicates, across requests and within one (raw rows)', async () => {
    const bq = bigquery();
    const [ds] = await bq.createDataset('conf_dedup', {location: 'US'});
    const [table] = await ds.createTable('t', {schema: [{name: 'id', type: 'INT64'}, {name: 's', type: 'STRING'}]});
    await table.insert([{insertId: 'row-a', json: {id: 1, s: 'a'}}, {insertId: 'row-b', json: {id: 2, s: 'b'}}], {raw: true});
    // A retried request: the same two rows again, plus a new one.
    await table.insert([{insertId: 'row-a', json: {id: 1, s: 'a'}}, {insertId: 'row-b', json: {id: 2, s: 'b'}},
                        {insertId: 'row-c', json: {id: 3, s: 'c'}}], {raw: true});
    // The same insertId twice in one request.
    await table.insert([{insertId: 'row-d', json: {id: 4, s: 'd'}}, {insertId: 'row-d', json: {id: 4, s: 'd'}}], {raw: true});
    // Rows without insertId are never de-duplicated.
    await table.insert([{json: {id: 5, s: 'e'}}, {json: {id: 5, s: 'e'}}], {raw: true});
    const [rows] = await table.getRows();
    assert.deepEqual(rows.map((r) => r.id).sort((a, b) => a - b), [1, 2, 3, 4, 5, 5]);
    const [meta] = await table.getMetadata();
    assert.equal(String(meta.numRows), '6', 'numRows after de-duplicated inserts');
});

test('insertAll: per-row errors reach the caller as PartialFailureError; skipInvalidRows; ignoreUnknownValues', async () => {
    const bq = bigquery();
    const [ds] = await bq.createDataset('conf_insert_errors', {location: 'US'});
    const [table] = await ds.createTable('t', {schema: [{name: 'id', type: 'INT64', mode: 'REQUIRED'}, {name: 's', type: 'STRING'}]});

    // skipInvalidRows: the good row is stored, the two bad ones are reported with their rows.
    const good = {id: 10, s: 'good'};
    const unknownField = {id: 11, bogus: 5};
    const missingRequired = {s: 'no id'};
    let err = await rejects(() => table.insert([good, unknownField, missingRequired], {skipInvalidRows: true, partialRetries: 0}),
                            'insert with invalid rows (skipInvalidRows)');
    assert.equal(err.name, 'PartialFailureError', err.stack);
    const failedRows = err.errors.map((e) => e.row);
    assert.deepEqual(failedRows.sort((a, b) => (a.s || '').localeCompare(b.s || '')), [unknownField, missingRequired].sort((a, b) => (a.s || '').localeCompare(b.s || '')));
    for (const e of err.errors) {
        assert.ok(e.errors.length >= 1 && e.errors.every((x) => x.reason === 'invalid' && typeof x.message === 'string' && x.message.length),
                  `row error: ${JSON.stringify(e.errors)}`);
    }
    let [rows] = await table.getRows();
    assert.deepEqual(rows.map((r) => r.id), [10], 'skipInvalidRows stores the valid row only');

    // Without skipInvalidRows one bad row fails the whole request: the good row is "stopped" and not stored.
    const good2 = {id: 20, s: 'innocent'};
    const badType = {id: 'not-a-number', s: 'bad'};
    err = await rejects(() => table.insert([good2, badType], {partialRetries: 0}), 'insert with an invalid row');
    assert.equal(err.name, 'PartialFailureError');
    const byReason = Object.fromEntries(err.errors.map((e) => [e.errors[0].reason, e.row]));
    assert.deepEqual(byReason, {stopped: good2, invalid: badType}, `insertErrors: ${JSON.stringify(err.errors)}`);
    [rows] = await table.getRows();
    assert.deepEqual(rows.map((r) => r.id), [10], 'a request with a bad row stored something');

    // ignoreUnknownValues drops the unknown field instead of refusing the row.
    await table.insert([{id: 30, s: 'x', bogus: true}], {ignoreUnknownValues: true});
    [rows] = await table.getRows();
    assert.deepEqual(rows.map((r) => r.id).sort((a, b) => a - b), [10, 30]);
});

test('paging: table.getRows pages, jobs.query first page then getQueryResults pages, autoPaginate', async () => {
    const bq = bigquery();
    const [ds] = await bq.createDataset('conf_paging', {location: 'US'});
    const [table] = await ds.createTable('t', {schema: [{name: 'id', type: 'INT64'}, {name: 'label', type: 'STRING'}]});
    const N = 25;
    await table.insert(Array.from({length: N}, (_, i) => ({id: i + 1, label: `row ${i + 1}`})));

    // tabledata.list by hand, 10 rows a page.
    const seen = [];
    let query = {maxResults: 10, autoPaginate: false};
    const sizes = [];
    while (query) {
        const [rows, next] = await table.getRows(query);
        sizes.push(rows.length);
        seen.push(...rows.map((r) => r.id));
        query = next;
        assert.ok(sizes.length < 10, 'getRows paging does not end');
    }
    assert.deepEqual(sizes, [10, 10, 5]);
    assert.deepEqual(seen.sort((a, b) => a - b), Array.from({length: N}, (_, i) => i + 1));

    // autoPaginate (the default) returns everything.
    const [all] = await table.getRows();
    assert.equal(all.length, N);

    // query(): a 7-row first page from jobs.query, the rest through getQueryResults with the pageToken.
    bq.requests.length = 0;
    const sql = `SELECT id, label FROM \`${PROJECT}.conf_paging.t\` ORDER BY id`;
    const [qrows] = await bq.query({query: sql, maxResults: 7});
    assert.deepEqual(qrows.map((r) => r.id), Array.from({length: N}, (_, i) => i + 1));
    const pagesFetched = bq.requests.filter((r) => /\/queries\/[^/]+$/.test(r.uri) && r.qs && r.qs.pageToken);
    assert.ok(pagesFetched.length >= 1, `query() with maxResults 7 of 25 rows fetched no further page: ${JSON.stringify(bq.requests)}`);

    // A job's results page by page.
    const [job] = await bq.createQueryJob({query: sql});
    const pages = [];
    let q = {maxResults: 10, autoPaginate: false};
    while (q) {
        const [rows, next] = await job.getQueryResults(q);
        pages.push(rows.map((r) => r.id));
        q = next;
        assert.ok(pages.length < 10, 'getQueryResults paging does not end');
    }
    assert.deepEqual(pages.map((p) => p.length), [10, 10, 5]);
    assert.deepEqual(pages.flat(), Array.from({length: N}, (_, i) => i + 1), 'ORDER BY kept across pages');
});

test('jobs.insert path: createQueryJob, job metadata, job.getQueryResults; 409 duplicate job id, 404 missing job', async () => {
    const bq = bigquery();
    await typesTable(bq);
    const [job, apiResponse] = await bq.createQueryJob({
        query: `SELECT id, s FROM \`${PROJECT}.conf_types.all_types\` WHERE id = @id`,
        params: {id: 1},
        jobId: 'conf-job-1',
        location: 'US',
    });
    assert.equal(job.id, 'conf-job-1');
    assert.equal(apiResponse.kind, 'bigquery#job');
    assert.equal(apiResponse.jobReference.jobId, 'conf-job-1');
    assert.ok(bq.requests.some((r) => r.method === 'POST' && /\/jobs$/.test(r.uri)), 'createQueryJob did not POST /jobs');

    const [rows] = await job.getQueryResults();
    assert.deepEqual(rows, [{id: 1, s: 'héllo "quoted" \\ ✓'}]);

    const [meta] = await job.getMetadata();
    assert.equal(meta.status.state, 'DONE');
    assert.ok(!meta.status.errorResult, `job failed: ${JSON.stringify(meta.status)}`);
    assert.equal(meta.configuration.query.query.includes('WHERE id = @id'), true);

    // The query() path through jobs.insert (the client picks it when a jobId is given).
    const [rows2] = await bq.query({query: 'SELECT @x AS x', params: {x: 'via jobs.insert'}, jobId: 'conf-job-2'});
    assert.deepEqual(rows2, [{x: 'via jobs.insert'}]);

    assertApiError(await rejects(() => bq.createQueryJob({query: 'SELECT 1 AS one', jobId: 'conf-job-1'}), 'duplicate job id'),
                   409, 'duplicate', 'duplicate job id');
    assertApiError(await rejects(() => bq.job('conf-no-such-job').getMetadata(), 'missing job'), 404, 'notFound', 'missing job');
    assertApiError(await rejects(() => bq.job('conf-no-such-job').getQueryResults(), 'results of a missing job'), 404, 'notFound',
                   'results of a missing job');
});

test('query errors: invalid SQL is 400 invalidQuery, a missing table is 404 notFound', async () => {
    const bq = bigquery();
    assertApiError(await rejects(() => bq.query('SELEC nonsense FROM'), 'invalid SQL'), 400, 'invalidQuery', 'invalid SQL');
    assertApiError(await rejects(() => bq.query(`SELECT * FROM \`${PROJECT}.conf_types.no_such_table\``), 'missing table'),
                   404, 'notFound', 'query on a missing table');
    assertApiError(await rejects(() => bq.query({query: 'SELECT @nope AS x', params: {}}), 'unknown parameter'),
                   400, 'invalidQuery', 'unknown query parameter');
});

test('BIGQUERY_EMULATOR_HOST=http://host:port: the same client on the bare /projects/... routes', async () => {
    const saved = process.env.BIGQUERY_EMULATOR_HOST;
    process.env.BIGQUERY_EMULATOR_HOST = srv.server.baseUrl;
    let bq;
    try {
        bq = new BigQuery({projectId: PROJECT, authClient: new PassThroughClient()});
        bq.requests = [];
        bq.interceptors.push({request: (o) => { bq.requests.push(o.uri); return o; }});
    } finally {
        if (saved === undefined) delete process.env.BIGQUERY_EMULATOR_HOST;
        else process.env.BIGQUERY_EMULATOR_HOST = saved;
    }
    const [ds] = await bq.createDataset('conf_emulator_host');
    const [table] = await ds.createTable('t', {schema: [{name: 'id', type: 'INT64'}, {name: 'ts', type: 'TIMESTAMP'}]});
    await table.insert([{id: 1, ts: BigQuery.timestamp('2024-05-01T12:00:00Z')}, {id: 2, ts: null}]);
    const [rows] = await table.getRows();
    assert.deepEqual(plain(rows.sort((a, b) => a.id - b.id)), [{id: 1, ts: {timestamp: micros('2024-05-01T12:00:00Z')}}, {id: 2, ts: null}]);
    const [q] = await bq.query({query: 'SELECT COUNT(*) AS n FROM `aqueduct-local.conf_emulator_host.t` WHERE id > @min', params: {min: 0}});
    assert.deepEqual(q, [{n: 2}]);
    assert.ok(bq.requests.length > 0 && bq.requests.every((u) => u.startsWith(`${srv.server.baseUrl}/projects/`)),
              `requests did not use the bare /projects/ routes: ${bq.requests.join(' ')}`);
});
