#include <functional>

#include <QTest>

#include "core/bigquery/numeric.h"
#include "core/localcloud/rowcodec.h"
#include "core/localcloud/sqlitedatabase.h"
#include "localcloudtestclient.h"
#include "olderstores.h"

using namespace Qt::Literals::StringLiterals;

namespace
{
    const QString B = u"/bigquery/v2/projects/p1"_s;

    const char *ALL_TYPES_TABLE = R"({"tableReference":{"tableId":"t1"},
        "schema":{"fields":[
            {"name":"id","type":"INT64","mode":"REQUIRED"},
            {"name":"f","type":"FLOAT64"},{"name":"b","type":"BOOL"},{"name":"s","type":"STRING"},
            {"name":"ts","type":"TIMESTAMP"},{"name":"d","type":"DATE"},{"name":"dt","type":"DATETIME"},
            {"name":"n","type":"NUMERIC"},{"name":"j","type":"JSON"},{"name":"by","type":"BYTES"},
            {"name":"tags","type":"STRING","mode":"REPEATED"},
            {"name":"attrs","type":"RECORD","mode":"REPEATED","fields":[{"name":"key","type":"STRING"},{"name":"value","type":"STRING"}]},
            {"name":"rec","type":"RECORD","fields":[{"name":"when","type":"TIMESTAMP"},{"name":"count","type":"INT64"}]}]},
        "timePartitioning":{"type":"DAY","field":"ts"}})";

    const char *ALL_TYPES_ROWS = R"({"insertId":"r1","json":{"id":1,"f":1.5,"b":true,"s":"hé llo","ts":"2024-05-01T12:00:00.123456Z",
                "d":"2024-05-01","dt":"2024-05-01 12:34:56","n":"123.456","j":{"x": 1},"by":"AAEC","tags":["a","b"],
                "attrs":[{"key":"k","value":"v"}],"rec":{"when":"2024-05-01T00:00:00Z","count":"7"}}},
            {"json":{"id":"2"}})";

    LocalCloudTestClient::Reply insert(LocalCloudTestClient &client, const QByteArray &rows, const char *options = "")
    {
        return client.call("POST", B + u"/datasets/ds/tables/t1/insertAll"_s, "{" + QByteArray(options) + "\"rows\":[" + rows + "]}");
    }

    QJsonArray cells(const QJsonObject &row)
    {
        return row[u"f"_s].toArray();
    }
}

class TestBigQueryService final : public QObject
{
    Q_OBJECT

private:
    void createTable(LocalCloudTestClient &client)
    {
        QCOMPARE(client.call("POST", B + u"/datasets"_s, QByteArray(R"({"datasetReference":{"datasetId":"ds"},"location":"US"})")).status, 200);
        const auto created = client.call("POST", B + u"/datasets/ds/tables"_s, QByteArray(ALL_TYPES_TABLE));
        QVERIFY2(created.status == 200, created.body.constData());
    }

private slots:
    void testDatasetsAndTables()
    {
        LocalCloudTestClient client;
        auto ds = client.call("POST", B + u"/datasets"_s, QByteArray(R"({"datasetReference":{"datasetId":"ds"}})"));
        QCOMPARE(ds.status, 200);
        QCOMPARE(ds.json()[u"id"_s].toString(), u"p1:ds"_s);
        QVERIFY(ds.json()[u"creationTime"_s].isString());
        auto dup = client.call("POST", B + u"/datasets"_s, QByteArray(R"({"datasetReference":{"datasetId":"ds"}})"));
        QCOMPARE(dup.status, 409);
        QCOMPARE(dup.json()[u"error"_s][u"errors"_s][0][u"reason"_s].toString(), u"duplicate"_s);
        QCOMPARE(client.call("POST", B + u"/datasets"_s, QByteArray(R"({"datasetReference":{"datasetId":"bad-name"}})")).status, 400);
        QCOMPARE(client.call("GET", B + u"/datasets/none"_s).status, 404);
        QCOMPARE(client.call("GET", B + u"/datasets/none"_s).json()[u"error"_s][u"errors"_s][0][u"reason"_s].toString(), u"notFound"_s);
        // the bare /projects prefix is the same API
        QCOMPARE(client.call("GET", u"/projects/p1/datasets/ds"_s).status, 200);

        auto table = client.call("POST", B + u"/datasets/ds/tables"_s, QByteArray(ALL_TYPES_TABLE));
        QCOMPARE(table.status, 200);
        QCOMPARE(table.json()[u"schema"_s][u"fields"_s][0][u"type"_s].toString(), u"INTEGER"_s);
        QCOMPARE(table.json()[u"numRows"_s].toString(), u"0"_s);
        QCOMPARE(client.call("POST", B + u"/datasets/ds/tables"_s, QByteArray(ALL_TYPES_TABLE)).status, 409);
        QCOMPARE(client.call("POST", B + u"/datasets/ds/tables"_s, QByteArray(R"({"tableReference":{"tableId":"bad"},"schema":{"fields":[{"name":"a","type":"NOPE"}]}})")).status, 400);
        QCOMPARE(client.call("POST", B + u"/datasets/ds/tables"_s, QByteArray(R"({"tableReference":{"tableId":"p"},"schema":{"fields":[{"name":"a","type":"STRING"}]},"timePartitioning":{"type":"DAY","field":"a"}})")).status, 400);
        QCOMPARE(client.call("GET", B + u"/datasets/ds/tables"_s).json()[u"tables"_s].toArray().size(), 1);
        QCOMPARE(client.call("GET", B + u"/datasets/ds/tables/none"_s).status, 404);
        auto inUse = client.call("DELETE", B + u"/datasets/ds"_s);
        QCOMPARE(inUse.status, 400);
        QCOMPARE(client.call("DELETE", B + u"/datasets/ds?deleteContents=true"_s).status, 200);
        QCOMPARE(client.call("GET", B + u"/datasets/ds/tables/t1"_s).status, 404);
    }

    void testAClusteredTableIsIndexedForItsFiltersWithoutARandomComposite()
    {
        // Aqueduct's tables: partitioned by timestamp, clustered by event_type then event_id
        LocalCloudTestClient client;
        QCOMPARE(client.call("POST", B + u"/datasets"_s, QByteArray(R"({"datasetReference":{"datasetId":"ds"}})")).status, 200);
        QCOMPARE(client.call("POST", B + u"/datasets/ds/tables"_s, QByteArray(R"({"tableReference":{"tableId":"ev"},
            "schema":{"fields":[{"name":"event_id","type":"STRING"},{"name":"event_type","type":"STRING"},{"name":"timestamp","type":"TIMESTAMP"}]},
            "timePartitioning":{"type":"DAY","field":"timestamp"},"clustering":{"fields":["event_type","event_id"]}})")).status, 200);
        // the columns of each index on the table, read from the closed store; `extra` is run on it first
        const auto indexedColumns = [&](const QByteArray &extra) {
            client.close();
            QStringList columns;
            {
                Aq::LocalCloud::SqliteDatabase db;
                if (!db.open(client.dataDir() + u"/localcloud.sqlite"_s, Aq::LocalCloud::SqliteDatabase::OpenMode::ReadWrite).hasValue())
                    return columns;
                auto table = db.prepare("SELECT tbl_name FROM sqlite_master WHERE type='index' AND name LIKE '%\\_partition' ESCAPE '\\'");
                if (!table || !(*table)->step())
                    return columns;
                const QByteArray name = (*table)->text(0).toUtf8();
                (*table)->reset();
                if (!extra.isEmpty() && !db.exec(QByteArray(extra).replace("TABLE", name)).hasValue())
                    return columns;
                auto st = db.prepare("SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name='" + name + "'");
                while ((*st)->step())
                    columns.append((*st)->text(0).section(u" ON "_s, 1).section(u'(', 1).chopped(1));
                (*st)->reset();
            }
            client.reopen();
            columns.sort();
            return columns;
        };
        // event_id has no SQLite index: it is indexed in batches (testTheKeyColumnIsIndexedInBatches)
        const QStringList expected {u"\"event_type\", \"timestamp\""_s, u"\"timestamp\""_s};
        QCOMPARE(indexedColumns({}), expected);
        // a table made by an earlier version has the composite: opening the store drops it
        QCOMPARE(indexedColumns("CREATE INDEX TABLE_clustering ON TABLE(\"event_type\", \"event_id\");").size(), 3);
        QCOMPARE(indexedColumns({}), expected);
        // and the reopened table still takes rows
        QCOMPARE(client.call("POST", B + u"/datasets/ds/tables/ev/insertAll"_s,
                             QByteArray(R"({"rows":[{"json":{"event_id":"e1","event_type":"click","timestamp":"2026-01-01T00:00:00Z"}}]})")).status, 200);
    }

    void testTheKeyColumnIsIndexedInBatches()
    {
        Aq::LocalCloud::LocalCloudOptions options;
        options.indexBatchRows = 100;
        options.indexIdleMs = 3600 * 1000;   // only full batches, until the idle case below
        auto client = std::make_unique<LocalCloudTestClient>(options);
        QCOMPARE(client->call("POST", B + u"/datasets"_s, QByteArray(R"({"datasetReference":{"datasetId":"ds"}})")).status, 200);
        QCOMPARE(client->call("POST", B + u"/datasets/ds/tables"_s, QByteArray(R"({"tableReference":{"tableId":"ev"},
            "schema":{"fields":[{"name":"event_id","type":"STRING"},{"name":"event_type","type":"STRING"},{"name":"timestamp","type":"TIMESTAMP"}]},
            "timePartitioning":{"type":"DAY","field":"timestamp"},"clustering":{"fields":["event_type","event_id"]}})")).status, 200);
        const auto insertEvents = [&](int from, int to) {
            QJsonArray rows;
            for (int i = from; i < to; ++i)
                rows.append(QJsonObject {{u"json"_s, QJsonObject {{u"event_id"_s, u"e%1"_s.arg(i)}, {u"event_type"_s, u"click"_s},
                                                                  {u"timestamp"_s, u"2026-01-01T00:00:00Z"_s}}}});
            return client->call("POST", B + u"/datasets/ds/tables/ev/insertAll"_s, QJsonDocument(QJsonObject {{u"rows"_s, rows}}).toJson()).status;
        };
        const auto find = [&](const QString &id) {
            const QJsonObject parameter {{u"name"_s, u"id"_s}, {u"parameterType"_s, QJsonObject {{u"type"_s, u"STRING"_s}}},
                                         {u"parameterValue"_s, QJsonObject {{u"value"_s, id}}}};
            const QJsonObject request {{u"useLegacySql"_s, false}, {u"parameterMode"_s, u"NAMED"_s}, {u"queryParameters"_s, QJsonArray {parameter}},
                                       {u"query"_s, u"SELECT event_id FROM ds.ev WHERE event_id = @id ORDER BY timestamp DESC LIMIT 1"_s}};
            const auto reply = client->call("POST", B + u"/queries"_s, QJsonDocument(request).toJson());
            return reply.json()[u"rows"_s].toArray().size() == 1 ? cells(reply.json()[u"rows"_s][0].toObject())[0][u"v"_s].toString() : QString::fromUtf8(reply.body);
        };
        // how many values the key table holds and how far it reaches, read beside the running store
        const auto keyTable = [&]() -> QString {
            Aq::LocalCloud::SqliteDatabase db;
            if (!db.open(client->dataDir() + u"/localcloud.sqlite"_s, Aq::LocalCloud::SqliteDatabase::OpenMode::ReadOnly).hasValue())
                return u"cannot open"_s;
            const auto count = db.integer("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'bq_t%_clustering_1_key_hashes'", {}, u"find"_s);
            if (!count || *count != 1)
                return u"no key table"_s;
            auto name = db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'bq_t%_clustering_1_key_hashes'");
            (*name)->step();
            const QByteArray table = (*name)->textUtf8(0);
            (*name)->reset();
            const auto values = db.integer("SELECT COUNT(*) FROM " + table, {}, u"count"_s);
            const auto through = db.integer("SELECT indexed_through FROM bq_batched_indexes", {}, u"through"_s);
            return values && through ? u"%1 values, through %2"_s.arg(*values).arg(*through) : db.lastError();
        };
        QCOMPARE(keyTable(), u"0 values, through 0"_s);
        QCOMPARE(insertEvents(0, 120), 200);    // a full batch: indexed
        QCOMPARE(insertEvents(120, 170), 200);  // not yet
        QCOMPARE(keyTable(), u"120 values, through 120"_s);
        // look-ups find rows on both sides of the line, and nothing that is not there
        QCOMPARE(find(u"e5"_s), u"e5"_s);
        QCOMPARE(find(u"e150"_s), u"e150"_s);
        QVERIFY(!find(u"e500"_s).startsWith(u'e'));

        // a restart indexes what was stored after the last batch
        client->reopen();
        QCOMPARE(keyTable(), u"170 values, through 170"_s);
        QCOMPARE(find(u"e150"_s), u"e150"_s);

        // SQL run on the stopped store, given the SQLite name of the events table; then the store opens again
        const auto editStoppedStore = [&](const std::function<QByteArray(const QByteArray &table)> &sql) {
            client->close();
            {
                Aq::LocalCloud::SqliteDatabase db;
                if (!db.open(client->dataDir() + u"/localcloud.sqlite"_s, Aq::LocalCloud::SqliteDatabase::OpenMode::ReadWrite).hasValue())
                    return false;
                auto name = db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'bq_t%_clustering_1_key_hashes'");
                if (!(*name)->step())
                    return false;
                const QByteArray keys = (*name)->textUtf8(0);
                (*name)->reset();
                if (!db.exec(sql(keys.left(keys.indexOf("_clustering")))).hasValue())
                    return false;
            }
            client->reopen();
            return true;
        };

        // a table made before key tables existed had a SQLite index on the column: opening the store drops it
        // and fills the key table from all the rows
        QVERIFY(editStoppedStore([](const QByteArray &table) -> QByteArray {
            return "DROP TABLE " + table + "_clustering_1_key_hashes; DELETE FROM bq_batched_indexes; CREATE INDEX " + table + "_clustering_1 ON " + table +
                   "(event_id);";
        }));
        QCOMPARE(keyTable(), u"170 values, through 170"_s);
        {
            Aq::LocalCloud::SqliteDatabase db;
            QVERIFY(db.open(client->dataDir() + u"/localcloud.sqlite"_s, Aq::LocalCloud::SqliteDatabase::OpenMode::ReadOnly).hasValue());
            QCOMPARE(*db.integer("SELECT COUNT(*) FROM sqlite_master WHERE type='index' AND name LIKE 'bq_t%_clustering_1'", {}, u"count"_s), 0);
        }
        QCOMPARE(find(u"e7"_s), u"e7"_s);

        // a store of version 4 had key tables of values: opening it drops them and fills key tables of hashes
        QVERIFY(editStoppedStore([](const QByteArray &table) -> QByteArray {
            const QByteArray values = table + "_clustering_1_keys";
            return "DROP TABLE " + table + "_clustering_1_key_hashes; CREATE TABLE " + values +
                   "(value NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(value, seq)) WITHOUT ROWID; INSERT INTO " + values + " SELECT event_id, _aq_seq FROM " +
                   table + ";" + INSERT_IDS_OF_VERSION_5 + "PRAGMA user_version=4;";
        }));
        QCOMPARE(keyTable(), u"170 values, through 170"_s);
        {
            Aq::LocalCloud::SqliteDatabase db;
            QVERIFY(db.open(client->dataDir() + u"/localcloud.sqlite"_s, Aq::LocalCloud::SqliteDatabase::OpenMode::ReadOnly).hasValue());
            QCOMPARE(*db.integer("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'bq_t%_clustering_1_keys'", {}, u"count"_s), 0);
        }
        QCOMPARE(find(u"e42"_s), u"e42"_s);
        QCOMPARE(find(u"e169"_s), u"e169"_s);
        QVERIFY(!find(u"e170"_s).startsWith(u'e'));

        // once inserts pause, what waits is indexed without a full batch
        options.indexIdleMs = 50;
        client = std::make_unique<LocalCloudTestClient>(options);   // a new data folder
        QCOMPARE(client->call("POST", B + u"/datasets"_s, QByteArray(R"({"datasetReference":{"datasetId":"ds"}})")).status, 200);
        QCOMPARE(client->call("POST", B + u"/datasets/ds/tables"_s, QByteArray(R"({"tableReference":{"tableId":"ev"},
            "schema":{"fields":[{"name":"event_id","type":"STRING"},{"name":"event_type","type":"STRING"},{"name":"timestamp","type":"TIMESTAMP"}]},
            "timePartitioning":{"type":"DAY","field":"timestamp"},"clustering":{"fields":["event_type","event_id"]}})")).status, 200);
        QCOMPARE(insertEvents(0, 10), 200);
        QTRY_COMPARE(keyTable(), u"10 values, through 10"_s);
        QCOMPARE(find(u"e3"_s), u"e3"_s);

        // dropping the table drops its key table
        QCOMPARE(client->call("DELETE", B + u"/datasets/ds/tables/ev"_s).status, 200);
        QCOMPARE(keyTable(), u"no key table"_s);
    }

    void testInsertAllStoresEveryTypeAndListsFvCells()
    {
        LocalCloudTestClient client;
        createTable(client);
        auto reply = insert(client, ALL_TYPES_ROWS);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json(), (QJsonObject {{u"kind"_s, u"bigquery#tableDataInsertAllResponse"_s}}));
        auto data = client.call("GET", B + u"/datasets/ds/tables/t1/data?formatOptions.useInt64Timestamp=true"_s);
        QCOMPARE(data.status, 200);
        QCOMPARE(data.json()[u"totalRows"_s].toString(), u"2"_s);
        const QJsonArray rows = data.json()[u"rows"_s].toArray();
        QCOMPARE(rows.size(), 2);
        const QJsonArray r = cells(rows[0].toObject());
        QCOMPARE(r[0][u"v"_s].toString(), u"1"_s);
        QCOMPARE(r[1][u"v"_s].toString(), u"1.5"_s);
        QCOMPARE(r[2][u"v"_s].toString(), u"true"_s);
        QCOMPARE(r[3][u"v"_s].toString(), u"hé llo"_s);
        QCOMPARE(r[4][u"v"_s].toString(), u"1714564800123456"_s);
        QCOMPARE(r[5][u"v"_s].toString(), u"2024-05-01"_s);
        QCOMPARE(r[6][u"v"_s].toString(), u"2024-05-01T12:34:56"_s);
        QCOMPARE(r[7][u"v"_s].toString(), u"123.456"_s);
        QCOMPARE(r[8][u"v"_s].toString(), u"{\"x\":1}"_s);
        QCOMPARE(r[9][u"v"_s].toString(), u"AAEC"_s);
        QCOMPARE(r[10][u"v"_s].toArray(), (QJsonArray {QJsonObject {{u"v"_s, u"a"_s}}, QJsonObject {{u"v"_s, u"b"_s}}}));
        QCOMPARE(r[11][u"v"_s][0][u"v"_s][u"f"_s].toArray(), (QJsonArray {QJsonObject {{u"v"_s, u"k"_s}}, QJsonObject {{u"v"_s, u"v"_s}}}));
        QCOMPARE(r[12][u"v"_s][u"f"_s][0][u"v"_s].toString(), u"1714521600000000"_s);
        QCOMPARE(r[12][u"v"_s][u"f"_s][1][u"v"_s].toString(), u"7"_s);
        const QJsonArray second = cells(rows[1].toObject());
        QVERIFY(second[1][u"v"_s].isNull());
        QCOMPARE(second[10][u"v"_s].toArray(), QJsonArray());   // REPEATED is [] never null
        QVERIFY(second[12][u"v"_s].isNull());
        QCOMPARE(insert(client, "{\"json\":{\"id\":3,\"j\":\"[1, {\\\"y\\\": null}]\"}}").status, 200);
        const auto third = client.call("GET", B + u"/datasets/ds/tables/t1/data?startIndex=2"_s).json()[u"rows"_s][0].toObject();
        QCOMPARE(cells(third)[8][u"v"_s].toString(), u"[1,{\"y\":null}]"_s);
        QCOMPARE(insert(client, R"({"json":{"id":4,"j":"not json"}})").json()[u"insertErrors"_s][0][u"errors"_s][0][u"location"_s].toString(), u"j"_s);
        // default TIMESTAMP form: float seconds as BigQuery writes them
        auto floatForm = client.call("GET", B + u"/datasets/ds/tables/t1/data?maxResults=1"_s);
        QCOMPARE(cells(floatForm.json()[u"rows"_s][0].toObject())[4][u"v"_s].toString(), u"1.714564800123456E9"_s);
        QCOMPARE(client.call("GET", B + u"/datasets/ds/tables/t1"_s).json()[u"numRows"_s].toString(), u"3"_s);
    }

    void testInvalidRowsStopTheRequestUnlessSkipped()
    {
        LocalCloudTestClient client;
        createTable(client);
        const QByteArray rows = R"({"json":{"id":1}},{"json":{"id":"x"}},{"json":{"s":"no id"}},{"json":{"id":4,"bogus":1}})";
        auto stopped = insert(client, rows);
        QCOMPARE(stopped.status, 200);
        const QJsonArray errors = stopped.json()[u"insertErrors"_s].toArray();
        QCOMPARE(errors.size(), 4);
        QCOMPARE(errors[0][u"errors"_s][0][u"reason"_s].toString(), u"stopped"_s);
        QCOMPARE(errors[1][u"errors"_s][0][u"reason"_s].toString(), u"invalid"_s);
        QCOMPARE(errors[1][u"errors"_s][0][u"location"_s].toString(), u"id"_s);
        QVERIFY(errors[2][u"errors"_s][0][u"message"_s].toString().contains(u"Missing required field"_s));
        QVERIFY(errors[3][u"errors"_s][0][u"message"_s].toString().contains(u"no such field: bogus"_s));
        QCOMPARE(client.call("GET", B + u"/datasets/ds/tables/t1/data"_s).json()[u"totalRows"_s].toString(), u"0"_s);

        auto skipped = insert(client, rows, R"("skipInvalidRows":true,)");
        QCOMPARE(skipped.json()[u"insertErrors"_s].toArray().size(), 3);
        QCOMPARE(client.call("GET", B + u"/datasets/ds/tables/t1/data"_s).json()[u"totalRows"_s].toString(), u"1"_s);
        auto ignoring = insert(client, R"({"json":{"id":4,"bogus":1}})", R"("ignoreUnknownValues":true,)");
        QVERIFY(!ignoring.json().contains(u"insertErrors"_s));
        QCOMPARE(client.call("GET", B + u"/datasets/ds/tables/t1/data"_s).json()[u"totalRows"_s].toString(), u"2"_s);

        QCOMPARE(insert(client, "").status, 400);
        QCOMPARE(client.call("POST", B + u"/datasets/ds/tables/none/insertAll"_s, QByteArray(R"({"rows":[{"json":{"id":1}}]})")).status, 404);
    }

    void testInsertIdsDeduplicateWithinTheWindowOnly()
    {
        Aq::LocalCloud::LocalCloudOptions options;
        options.dedupWindowMicros = 400000;
        LocalCloudTestClient client(options);
        createTable(client);
        QCOMPARE(insert(client, R"({"insertId":"m1","json":{"id":1}},{"insertId":"m1","json":{"id":1}})").status, 200);
        QCOMPARE(insert(client, R"({"insertId":"m1","json":{"id":1}},{"insertId":"m2","json":{"id":2}})").status, 200);
        QCOMPARE(client.call("GET", B + u"/datasets/ds/tables/t1/data"_s).json()[u"totalRows"_s].toString(), u"2"_s);
        // remembered across a restart
        client.reopen();
        insert(client, R"({"insertId":"m2","json":{"id":2}})");
        QCOMPARE(client.call("GET", B + u"/datasets/ds/tables/t1/data"_s).json()[u"totalRows"_s].toString(), u"2"_s);
        // after two windows the id is forgotten (Pub/Sub ids restart with an emulator, so this matters)
        for (int i = 0; i < 3; ++i) {
            QTest::qWait(450);
            client.cloud().bigQuery()->collectGarbage();
        }
        insert(client, R"({"insertId":"m1","json":{"id":1}})");
        QCOMPARE(client.call("GET", B + u"/datasets/ds/tables/t1/data"_s).json()[u"totalRows"_s].toString(), u"3"_s);
    }

    void testConcurrentInsertsAreStoredTogetherAndStayExact()
    {
        // Requests that finish decoding together share one transaction; their insertIds still de-duplicate
        // across them, and each gets its own reply.
        LocalCloudTestClient client;
        createTable(client);
        const int requests = 8;
        int answered = 0;
        QList<int> statuses;
        for (int k = 0; k < requests; ++k) {
            QByteArray rows;
            for (int i = k * 50; i < k * 50 + 100; ++i)
                rows += (rows.isEmpty() ? "" : ",") + QByteArray("{\"insertId\":\"c") + QByteArray::number(i) + "\",\"json\":{\"id\":" + QByteArray::number(i) + "}}";
            Aq::LocalCloud::LocalRequest request;
            request.method = "POST";
            request.path = B + u"/datasets/ds/tables/t1/insertAll"_s;
            request.body = "{\"rows\":[" + rows + "]}";
            client.cloud().handle(request, [&](Aq::LocalCloud::LocalResponse response) {
                statuses.append(response.status);
                QVERIFY(!response.body.contains("insertErrors"));
                ++answered;
            });
        }
        QTRY_COMPARE(answered, requests);
        QCOMPARE(statuses, QList<int>(requests, 200));
        QCOMPARE(client.call("GET", B + u"/datasets/ds/tables/t1/data?maxResults=1"_s).json()[u"totalRows"_s].toString(), u"450"_s);
        QCOMPARE(client.call("GET", B + u"/datasets/ds/tables/t1"_s).json()[u"numRows"_s].toString(), u"450"_s);
    }

    void testQueryCountsItsResultInOneRun()
    {
        // A job reads its first page and counts its result in one run: by stepping on when the result ends
        // soon after the page (a LIMIT), by COUNT(*) when it goes on. totalRows is exact either way, and the
        // pages after the first read the same rows.
        LocalCloudTestClient client;
        createTable(client);
        QByteArray rows;
        for (int i = 0; i < 6000; ++i)
            rows += (i ? "," : "") + QByteArray(R"({"json":{"id":)") + QByteArray::number(i) + "}}";
        QCOMPARE(insert(client, rows).status, 200);
        QCOMPARE(client.call("GET", B + u"/datasets/ds/tables/t1"_s).json()[u"numRows"_s].toString(), u"6000"_s);
        auto query = [&](const char *sql, int maxResults) {
            return client.call("POST", B + u"/queries"_s,
                               "{\"useLegacySql\":false,\"maxResults\":" + QByteArray::number(maxResults) + ",\"query\":\"" + QByteArray(sql) + "\"}");
        };
        const struct
        {
            const char *sql;
            const char *totalRows;
        } cases[] = {
            {"SELECT id FROM ds.t1 ORDER BY id DESC LIMIT 300", "300"},
            {"SELECT id FROM ds.t1 ORDER BY id DESC LIMIT 10", "10"},
            {"SELECT id FROM ds.t1 ORDER BY id DESC", "6000"},
            {"SELECT id FROM ds.t1 WHERE id >= 1000 ORDER BY id DESC", "5000"},
            {"SELECT COUNT(*) FROM ds.t1", "1"},
        };
        for (const auto &c : cases) {
            const auto first = query(c.sql, 10);
            QVERIFY2(first.status == 200, first.body.constData());
            QCOMPARE(first.json()[u"totalRows"_s].toString(), QString::fromLatin1(c.totalRows));
            QCOMPARE(first.json()[u"rows"_s].toArray().size(), qMin(10, QByteArray(c.totalRows).toInt()));
            const QString token = first.json()[u"pageToken"_s].toString();
            QCOMPARE(token.isEmpty(), QByteArray(c.totalRows).toInt() <= 10);
            if (token.isEmpty() || QByteArray(c.sql).startsWith("SELECT COUNT"))
                continue;
            const QString job = first.json()[u"jobReference"_s].toObject()[u"jobId"_s].toString();
            const auto second = client.call("GET", B + u"/queries/"_s + job + u"?maxResults=10&pageToken="_s + token);
            QCOMPARE(second.json()[u"totalRows"_s].toString(), QString::fromLatin1(c.totalRows));
            QCOMPARE(cells(second.json()[u"rows"_s].toArray().first().toObject())[0][u"v"_s].toString(), u"5989"_s);
            // The first page again, asked by index: read afresh, the same rows.
            const auto again = client.call("GET", B + u"/queries/"_s + job + u"?maxResults=10&startIndex=0"_s);
            QCOMPARE(again.json()[u"rows"_s].toArray(), first.json()[u"rows"_s].toArray());
        }
    }

    void testTableDataPaging()
    {
        LocalCloudTestClient client;
        createTable(client);
        QByteArray rows;
        for (int i = 0; i < 25; ++i)
            rows += (i ? "," : "") + QByteArray(R"({"json":{"id":)") + QByteArray::number(i) + "}}";
        insert(client, rows);
        QList<int> seen;
        QString token;
        int pages = 0;
        do {
            auto page = client.call("GET", B + u"/datasets/ds/tables/t1/data?maxResults=10&selectedFields=id"_s + (token.isEmpty() ? QString() : u"&pageToken="_s + token));
            QCOMPARE(page.status, 200);
            for (const QJsonValue &row : page.json()[u"rows"_s].toArray()) {
                QCOMPARE(cells(row.toObject()).size(), 1);
                seen.append(cells(row.toObject())[0][u"v"_s].toString().toInt());
            }
            token = page.json()[u"pageToken"_s].toString();
            ++pages;
        } while (!token.isEmpty());
        QCOMPARE(pages, 3);
        QCOMPARE(seen.size(), 25);
        QCOMPARE(seen.first(), 0);
        QCOMPARE(seen.last(), 24);
        auto fromIndex = client.call("GET", B + u"/datasets/ds/tables/t1/data?startIndex=20&maxResults=100"_s);
        QCOMPARE(fromIndex.json()[u"rows"_s].toArray().size(), 5);
        QCOMPARE(client.call("GET", B + u"/datasets/ds/tables/t1/data?pageToken=bogus"_s).status, 400);
    }

    void testTablePatchAddsColumns()
    {
        LocalCloudTestClient client;
        createTable(client);
        auto table = client.call("GET", B + u"/datasets/ds/tables/t1"_s).json();
        QJsonObject schema = table[u"schema"_s].toObject();
        QJsonArray fields = schema[u"fields"_s].toArray();
        fields.append(QJsonObject {{u"name"_s, u"extra"_s}, {u"type"_s, u"STRING"_s}});
        schema[u"fields"_s] = fields;
        QCOMPARE(client.call("PATCH", B + u"/datasets/ds/tables/t1"_s, QJsonObject {{u"schema"_s, schema}}).status, 200);
        QCOMPARE(insert(client, R"({"json":{"id":1,"extra":"yes"}})").json().contains(u"insertErrors"_s), false);
        fields.removeAt(1);
        schema[u"fields"_s] = fields;
        QCOMPARE(client.call("PATCH", B + u"/datasets/ds/tables/t1"_s, QJsonObject {{u"schema"_s, schema}}).status, 400);
    }

    void testNumericKeepsEveryDigit_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("stored");
        QTest::newRow("38 digits") << u"12345678901234567890.123456789"_s << u"12345678901234567890.123456789"_s;
        QTest::newRow("negative max") << u"-99999999999999999999999999999.999999999"_s << u"-99999999999999999999999999999.999999999"_s;
        QTest::newRow("tiny") << u"0.000000001"_s << u"0.000000001"_s;
        QTest::newRow("exponent") << u"1.50e2"_s << u"150"_s;
        QTest::newRow("zeros") << u"-000.000"_s << u"0"_s;
        QTest::newRow("leading point") << u".5"_s << u"0.5"_s;
    }

    void testNumericKeepsEveryDigit()
    {
        QFETCH(QString, input);
        QFETCH(QString, stored);
        QCOMPARE(Aq::BigQuery::normalizeNumeric(input, false).value_or(u"<refused>"_s), stored);
    }

    void testNumericOutOfRangeIsARowError()
    {
        QVERIFY(!Aq::BigQuery::normalizeNumeric(u"0.0000000001"_s, false));
        QVERIFY(!Aq::BigQuery::normalizeNumeric(u"123456789012345678901234567890"_s, false));
        QVERIFY(Aq::BigQuery::normalizeNumeric(u"0.0000000001"_s, true));
        QVERIFY(!Aq::BigQuery::normalizeNumeric(u"1.2.3"_s, false));
        LocalCloudTestClient client;
        createTable(client);
        const auto reply = insert(client, R"({"json":{"id":1,"n":"12345678901234567890.123456789"}},{"json":{"id":2,"n":"abc"}})", R"("skipInvalidRows":true,)");
        const QJsonArray errors = reply.json()[u"insertErrors"_s].toArray();
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors[0][u"index"_s].toInt(), 1);
        QVERIFY2(errors[0][u"errors"_s][0][u"message"_s].toString().contains(u"'abc'"_s), qPrintable(errors[0][u"errors"_s][0][u"message"_s].toString()));
        const auto data = client.call("GET", B + u"/datasets/ds/tables/t1/data"_s);
        QCOMPARE(cells(data.json()[u"rows"_s][0].toObject())[7][u"v"_s].toString(), u"12345678901234567890.123456789"_s);
        // a wrong type names the value and the type
        const auto wrong = insert(client, R"({"json":{"id":"not-a-number"}})");
        QCOMPARE(wrong.json()[u"insertErrors"_s][0][u"errors"_s][0][u"message"_s].toString(), u"Cannot convert value 'not-a-number' to int64 for field id."_s);
    }

    void testTimestampCellForms()
    {
        using Aq::LocalCloud::RowCodec::formatTimestampSeconds;
        QCOMPARE(formatTimestampSeconds(1639665523854270LL), u"1.63966552385427E9"_s);
        QCOMPARE(formatTimestampSeconds(0), u"0.0"_s);
        QCOMPARE(formatTimestampSeconds(1500000LL), u"1.5"_s);
        QCOMPARE(formatTimestampSeconds(1714564800000000LL), u"1.7145648E9"_s);
    }
};

QTEST_GUILESS_MAIN(TestBigQueryService)
#include "testbigqueryservice.moc"
