#include <optional>

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include "core/auth/nocredentials.h"
#include "core/bigquery/bigqueryclient.h"
#include "core/bigquery/timestamp.h"
#include "core/rest/restclient.h"
#include "tests/support/servertestprocess.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::BigQuery;

namespace
{
    const QString Project = u"aq-test"_s;

    template <typename T>
    Result<T> wait(std::function<void(BigQueryClient::Callback<T>)> start, int timeoutMs = 60000)
    {
        std::optional<Result<T>> outcome;
        start([&outcome](Result<T> result) { outcome.emplace(std::move(result)); });
        if (!QTest::qWaitFor([&] { return outcome.has_value(); }, timeoutMs))
            return ApiError::internal(u"the test gave up waiting"_s);
        return *outcome;
    }

    template <typename T>
    QString whyNot(const Result<T> &result)
    {
        return result ? QString() : u"%1 %2 (%3): %4"_s.arg(result.error().httpStatus).arg(result.error().status, result.error().reason,
                                                                                          result.error().message);
    }

    TableSchema schemaFromText(const char *json)
    {
        Result<TableSchema> schema = TableSchema::fromJson(QJsonDocument::fromJson(json).object());
        if (!schema)
            qFatal("bad test schema: %s", qPrintable(schema.error().message));
        return *schema;
    }

    // Every type of the design's schema table, RECORD and REPEATED included.
    const char AllTypes[] = "{\"fields\":["
                            "{\"name\":\"id\",\"type\":\"INT64\",\"mode\":\"REQUIRED\"},"
                            "{\"name\":\"name\",\"type\":\"STRING\"},"
                            "{\"name\":\"raw\",\"type\":\"BYTES\"},"
                            "{\"name\":\"score\",\"type\":\"FLOAT64\"},"
                            "{\"name\":\"price\",\"type\":\"NUMERIC\"},"
                            "{\"name\":\"ok\",\"type\":\"BOOL\"},"
                            "{\"name\":\"ts\",\"type\":\"TIMESTAMP\"},"
                            "{\"name\":\"day\",\"type\":\"DATE\"},"
                            "{\"name\":\"local\",\"type\":\"DATETIME\"},"
                            "{\"name\":\"doc\",\"type\":\"JSON\"},"
                            "{\"name\":\"tags\",\"type\":\"STRING\",\"mode\":\"REPEATED\"},"
                            "{\"name\":\"attrs\",\"type\":\"RECORD\",\"mode\":\"REPEATED\",\"fields\":["
                            "  {\"name\":\"key\",\"type\":\"STRING\"},{\"name\":\"value\",\"type\":\"STRING\"}]}"
                            "]}";

    QByteArray rowJson(int id)
    {
        return QByteArray("{\"id\":") + QByteArray::number(id) + ",\"name\":\"row " + QByteArray::number(id)
            + "\",\"raw\":\"AAEC\",\"score\":" + QByteArray::number(id) + ".5,\"price\":\"12345678901234567890.123456789\",\"ok\":"
            + (id % 2 ? "true" : "false") + ",\"ts\":\"2024-05-01T12:00:00.123456Z\",\"day\":\"2024-05-01\",\"local\":\"2024-05-01T08:30:00\","
            + "\"doc\":\"{\\\"n\\\":" + QByteArray::number(id) + "}\",\"tags\":[\"a\",\"b\"],\"attrs\":[{\"key\":\"k\",\"value\":\"v"
            + QByteArray::number(id) + "\"}]}";
    }
}

class TestBigQueryClient final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dataDir;
    ServerTestProcess m_server;
    std::unique_ptr<Rest::RestClient> m_rest;
    std::unique_ptr<BigQueryClient> m_bigquery;

    void makeTable(const QString &dataset, const QString &table, const char *schema = AllTypes)
    {
        const Result<Ok> created = wait<Ok>([&](auto done) { m_bigquery->createDataset(dataset, {}, this, done); });
        QVERIFY2(created || created.error().httpStatus == 409, qPrintable(whyNot(created)));
        const Result<TableInfo> info = wait<TableInfo>([&](auto done) {
            m_bigquery->createTable(dataset, table, schemaFromText(schema), {}, this, done);
        });
        QVERIFY2(info, qPrintable(whyNot(info)));
    }

    void insert(const QString &dataset, const QString &table, int from, int count)
    {
        QList<InsertRow> rows;
        for (int i = from; i < from + count; ++i)
            rows.append({u"id-%1"_s.arg(i), rowJson(i)});
        const Result<InsertResult> result = wait<InsertResult>([&](auto done) { m_bigquery->insertRows(dataset, table, rows, {}, this, done); });
        QVERIFY2(result, qPrintable(whyNot(result)));
        QVERIFY(result->errors.isEmpty());
        QCOMPARE(result->insertedRows, count);
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_server.start(m_dataDir.path()), "aqueduct-server did not start");
        m_rest = std::make_unique<Rest::RestClient>(Rest::plainNetworkAccess(), std::make_shared<Auth::NoCredentials>());
        m_bigquery = std::make_unique<BigQueryClient>(m_rest.get(), m_server.endpoint(), Project);
    }

    void cleanupTestCase()
    {
        m_bigquery.reset();
        m_rest.reset();
        m_server.stop();
    }

    void datasetAdmin()
    {
        QVERIFY(wait<Ok>([&](auto done) { m_bigquery->createDataset(u"admin_ds"_s, u"US"_s, this, done); }));
        const Result<Ok> again = wait<Ok>([&](auto done) { m_bigquery->createDataset(u"admin_ds"_s, {}, this, done); });
        QVERIFY(!again);
        QCOMPARE(again.error().httpStatus, 409);
        QCOMPARE(again.error().reason, u"duplicate"_s);
        QVERIFY(wait<Ok>([&](auto done) { m_bigquery->getDataset(u"admin_ds"_s, this, done); }));
        const Result<QStringList> datasets = wait<QStringList>([&](auto done) { m_bigquery->listDatasets(this, done); });
        QVERIFY(datasets);
        QVERIFY(datasets->contains(u"admin_ds"_s));
        QVERIFY(wait<Ok>([&](auto done) { m_bigquery->deleteDataset(u"admin_ds"_s, true, this, done); }));
        const Result<Ok> gone = wait<Ok>([&](auto done) { m_bigquery->getDataset(u"admin_ds"_s, this, done); });
        QVERIFY(!gone);
        QCOMPARE(gone.error().httpStatus, 404);
        QCOMPARE(gone.error().reason, u"notFound"_s);
    }

    void tableAdminWithEveryType()
    {
        makeTable(u"tables_ds"_s, u"every_type"_s);
        const Result<TableInfo> info = wait<TableInfo>([&](auto done) { m_bigquery->getTable(u"tables_ds"_s, u"every_type"_s, this, done); });
        QVERIFY2(info, qPrintable(whyNot(info)));
        QCOMPARE(info->schema, schemaFromText(AllTypes));
        QCOMPARE(info->table, u"every_type"_s);

        TableSchema wider = info->schema;
        TableField added;
        added.name = u"added"_s;
        wider.fields.append(added);
        const Result<TableInfo> patched = wait<TableInfo>([&](auto done) {
            m_bigquery->patchTableSchema(u"tables_ds"_s, u"every_type"_s, wider, this, done);
        });
        QVERIFY2(patched, qPrintable(whyNot(patched)));
        QCOMPARE(patched->schema.fields.size(), wider.fields.size());

        const Result<QStringList> tables = wait<QStringList>([&](auto done) { m_bigquery->listTables(u"tables_ds"_s, this, done); });
        QVERIFY(tables);
        QCOMPARE(*tables, QStringList {u"every_type"_s});
        QVERIFY(wait<Ok>([&](auto done) { m_bigquery->deleteTable(u"tables_ds"_s, u"every_type"_s, this, done); }));
        const Result<TableInfo> gone = wait<TableInfo>([&](auto done) { m_bigquery->getTable(u"tables_ds"_s, u"every_type"_s, this, done); });
        QCOMPARE(gone.error().httpStatus, 404);
    }

    void insertInBatchesWithDeduplication()
    {
        makeTable(u"insert_ds"_s, u"rows"_s);
        insert(u"insert_ds"_s, u"rows"_s, 0, 1234);   // three requests of at most 500 rows
        insert(u"insert_ds"_s, u"rows"_s, 1000, 234); // the same insertIds again: de-duplicated
        QueryRequest request;
        request.sql = u"SELECT COUNT(*) AS n FROM `aq-test.insert_ds.rows`"_s;
        const Result<QueryPage> page = wait<QueryPage>([&](auto done) { m_bigquery->query(request, this, done); });
        QVERIFY2(page, qPrintable(whyNot(page)));
        QCOMPARE(page->rows.size(), 1);
        QCOMPARE(page->rows.first().first().toLongLong(), 1234);
    }

    void perRowErrors()
    {
        makeTable(u"errors_ds"_s, u"rows"_s);
        QList<InsertRow> rows {{u"a"_s, rowJson(1)}, {u"b"_s, "{\"id\":\"not a number\"}"_ba}, {u"c"_s, rowJson(3)}};
        const Result<InsertResult> stopped = wait<InsertResult>([&](auto done) { m_bigquery->insertRows(u"errors_ds"_s, u"rows"_s, rows, {}, this, done); });
        QVERIFY2(stopped, qPrintable(whyNot(stopped)));
        QCOMPARE(stopped->errors.size(), 3);
        QCOMPARE(stopped->insertedRows, 0);
        QCOMPARE(stopped->errors[1].index, 1);
        QCOMPARE(stopped->errors[1].reason, u"invalid"_s);
        QVERIFY(!stopped->errors[1].retryable);
        QVERIFY2(stopped->errors[1].message.contains(u"id"_s), qPrintable(stopped->errors[1].message));
        QCOMPARE(stopped->errors[0].reason, u"stopped"_s);
        QVERIFY(stopped->errors[0].retryable);

        InsertOptions skip;
        skip.skipInvalidRows = true;
        const Result<InsertResult> skipped = wait<InsertResult>([&](auto done) { m_bigquery->insertRows(u"errors_ds"_s, u"rows"_s, rows, skip, this, done); });
        QVERIFY(skipped);
        QCOMPARE(skipped->errors.size(), 1);
        QCOMPARE(skipped->errors.first().index, 1);
        QCOMPARE(skipped->insertedRows, 2);

        // A request that fails as a whole marks every one of its rows.
        const Result<InsertResult> missing = wait<InsertResult>([&](auto done) { m_bigquery->insertRows(u"errors_ds"_s, u"nope"_s, rows, skip, this, done); });
        QVERIFY(missing);
        QCOMPARE(missing->errors.size(), 3);
        QCOMPARE(missing->errors.first().reason, u"notFound"_s);
        QCOMPARE(missing->insertedRows, 0);
    }

    void queryDecodesEveryTypeAndPages()
    {
        makeTable(u"query_ds"_s, u"rows"_s);
        insert(u"query_ds"_s, u"rows"_s, 0, 1050);
        QueryRequest request;
        request.sql = u"SELECT * FROM `aq-test.query_ds.rows` WHERE id >= @from AND ok = @ok ORDER BY id"_s;
        Result<QList<QueryParameter>> parameters = parseQueryParameters({u"from:INT64:10"_s, u"ok:BOOL:true"_s});
        QVERIFY(parameters);
        request.parameters = *parameters;
        request.pageSize = 100;
        Result<QueryPage> page = wait<QueryPage>([&](auto done) { m_bigquery->query(request, this, done); });
        QVERIFY2(page, qPrintable(whyNot(page)));
        QCOMPARE(page->totalRows, 520);   // odd ids from 11 to 1049
        QCOMPARE(page->rows.size(), 100);
        QVERIFY(page->hasMore());

        const QVariantList &first = page->rows.first();
        QCOMPARE(first[0].toLongLong(), 11);
        QCOMPARE(first[1].toString(), u"row 11"_s);
        QCOMPARE(first[2].toByteArray(), QByteArray("\x00\x01\x02", 3));
        QCOMPARE(first[3].toDouble(), 11.5);
        QCOMPARE(first[4].toString(), u"12345678901234567890.123456789"_s);
        QCOMPARE(first[5].toBool(), true);
        QCOMPARE(first[6].value<Timestamp>().toRfc3339(), u"2024-05-01T12:00:00.123456Z"_s);
        QCOMPARE(first[7].toDate(), QDate(2024, 5, 1));
        QCOMPARE(first[8].toString(), u"2024-05-01T08:30:00"_s);
        QCOMPARE(first[9].toJsonValue().toObject().value(u"n"_s).toInt(), 11);
        QCOMPARE(first[10].toList(), (QVariantList {u"a"_s, u"b"_s}));
        QCOMPARE(first[11].toList().first().toList(), (QVariantList {u"k"_s, u"v11"_s}));

        qint64 seen = page->rows.size();
        qint64 lastId = page->rows.last().first().toLongLong();
        while (page->hasMore()) {
            const QueryPage previous = *page;
            page = wait<QueryPage>([&](auto done) { m_bigquery->nextQueryPage(previous, 100, this, done); });
            QVERIFY2(page, qPrintable(whyNot(page)));
            for (const QVariantList &row : std::as_const(page->rows)) {
                QVERIFY(row.first().toLongLong() > lastId);
                lastId = row.first().toLongLong();
            }
            seen += page->rows.size();
        }
        QCOMPARE(seen, 520);
        QCOMPARE(lastId, 1049);
    }

    void unfinishedJobsArePolled()
    {
        makeTable(u"poll_ds"_s, u"rows"_s);
        insert(u"poll_ds"_s, u"rows"_s, 0, 300);
        QueryRequest request;
        request.sql = u"SELECT id FROM `aq-test.poll_ds.rows` ORDER BY id DESC LIMIT 5"_s;
        request.timeoutMs = 0;   // the first answer comes before the job is done: jobComplete false
        const Result<QueryPage> page = wait<QueryPage>([&](auto done) { m_bigquery->query(request, this, done); });
        QVERIFY2(page, qPrintable(whyNot(page)));
        QCOMPARE(page->rows.size(), 5);
        QCOMPARE(page->rows.first().first().toLongLong(), 299);
        QVERIFY(!page->job.jobId.isEmpty());
    }

    void listRowsPages()
    {
        makeTable(u"list_ds"_s, u"rows"_s);
        insert(u"list_ds"_s, u"rows"_s, 0, 250);
        const QList<TableField> fields = schemaFromText(AllTypes).fields;
        QString token;
        int seen = 0;
        do {
            const Result<QueryPage> page = wait<QueryPage>([&](auto done) { m_bigquery->listRows(u"list_ds"_s, u"rows"_s, fields, token, 100, this, done); });
            QVERIFY2(page, qPrintable(whyNot(page)));
            QCOMPARE(page->totalRows, 250);
            seen += int(page->rows.size());
            token = page->pageToken;
        } while (!token.isEmpty());
        QCOMPARE(seen, 250);
    }

    void badQueriesSayWhy()
    {
        QueryRequest request;
        request.sql = u"SELECT nope FROM `aq-test.query_ds.rows`"_s;
        const Result<QueryPage> page = wait<QueryPage>([&](auto done) { m_bigquery->query(request, this, done); });
        QVERIFY(!page);
        QCOMPARE(page.error().httpStatus, 400);
        QCOMPARE(page.error().reason, u"invalidQuery"_s);
        QVERIFY2(page.error().message.contains(u"nope"_s), qPrintable(page.error().message));
        QVERIFY(!page.error().retryable);
    }
};

QTEST_GUILESS_MAIN(TestBigQueryClient)
#include "testbigqueryclient.moc"
