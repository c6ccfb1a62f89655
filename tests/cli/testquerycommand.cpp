#include <optional>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "core/auth/nocredentials.h"
#include "core/bigquery/bigqueryclient.h"
#include "core/rest/restclient.h"
#include "tests/support/servertestprocess.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;

namespace
{
    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    const char Schema[] = "{\"fields\":[{\"name\":\"event_id\",\"type\":\"STRING\",\"mode\":\"REQUIRED\"},"
                          "{\"name\":\"n\",\"type\":\"INT64\"},{\"name\":\"ts\",\"type\":\"TIMESTAMP\"},"
                          "{\"name\":\"price\",\"type\":\"NUMERIC\"},{\"name\":\"data\",\"type\":\"JSON\"},"
                          "{\"name\":\"tags\",\"type\":\"STRING\",\"mode\":\"REPEATED\"},{\"name\":\"note\",\"type\":\"STRING\"}]}";
    const int RowCount = 2500;

    QString table()
    {
        return u"`aqueduct-local.analytics.events`"_s;
    }
}

class TestQueryCommand final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dataDir;
    ServerTestProcess m_server;

    Run aqueduct(const QStringList &arguments, const QHash<QString, QString> &environment = {})
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &name : {u"PUBSUB_EMULATOR_HOST"_s, u"BIGQUERY_EMULATOR_HOST"_s, u"GOOGLE_CLOUD_PROJECT"_s})
            env.remove(name);
        for (auto it = environment.begin(); it != environment.end(); ++it)
            env.insert(it.key(), it.value());
        process.setProcessEnvironment(env);
        process.start(qEnvironmentVariable("AQ_CLI_BIN"), QStringList {u"query"_s} + arguments);
        if (!process.waitForFinished(60000))
            process.kill();
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
                process.readAllStandardError()};
    }

    QStringList local(QStringList arguments)
    {
        return QStringList {u"--data-dir"_s, m_dataDir.path()} + arguments;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_server.start(m_dataDir.path()), "aqueduct-server did not start");
        Rest::RestClient rest(Rest::plainNetworkAccess(), std::make_shared<Auth::NoCredentials>());
        BigQuery::BigQueryClient bigquery(&rest, m_server.endpoint(), u"aqueduct-local"_s);
        std::optional<Status> created;
        bigquery.createDataset(u"analytics"_s, {}, this, [&](Result<Ok> r) { created = r ? Status(Ok {}) : Status(r.error()); });
        QVERIFY(QTest::qWaitFor([&] { return created.has_value(); }, 20000));
        QVERIFY(*created);
        const Result<BigQuery::TableSchema> schema = BigQuery::TableSchema::fromJson(QJsonDocument::fromJson(Schema).object());
        QVERIFY(schema);
        std::optional<bool> tableCreated;
        bigquery.createTable(u"analytics"_s, u"events"_s, *schema, {}, this, [&](Result<BigQuery::TableInfo> r) { tableCreated = bool(r); });
        QVERIFY(QTest::qWaitFor([&] { return tableCreated.has_value(); }, 20000));
        QVERIFY(*tableCreated);
        QList<BigQuery::InsertRow> rows;
        for (int i = 0; i < RowCount; ++i) {
            const QByteArray n = QByteArray::number(i);
            rows.append({u"e%1"_s.arg(i), "{\"event_id\":\"e" + n + "\",\"n\":" + n + ",\"ts\":\"2024-05-01T12:00:00.000001Z\",\"price\":\"1.25\","
                                           "\"data\":\"{\\\"k\\\":" + n + "}\",\"tags\":[\"a\",\"b\"],\"note\":\"x, \\\"y\\\"\"}"});
        }
        std::optional<Result<BigQuery::InsertResult>> inserted;
        bigquery.insertRows(u"analytics"_s, u"events"_s, rows, {}, this, [&](Result<BigQuery::InsertResult> r) { inserted.emplace(std::move(r)); });
        QVERIFY(QTest::qWaitFor([&] { return inserted.has_value(); }, 60000));
        QVERIFY(*inserted);
        QCOMPARE((*inserted)->insertedRows, RowCount);
    }

    void cleanupTestCase() { m_server.stop(); }

    void tableFormat()
    {
        const Run run = aqueduct(local({u"SELECT event_id, n, price, tags FROM %1 WHERE n < 2 ORDER BY n"_s.arg(table())}));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(QString::fromUtf8(run.out),
                 u"+----------+---+-------+-----------+\n"
                 "| event_id | n | price | tags      |\n"
                 "+----------+---+-------+-----------+\n"
                 "| e0       | 0 |  1.25 | [\"a\",\"b\"] |\n"
                 "| e1       | 1 |  1.25 | [\"a\",\"b\"] |\n"
                 "+----------+---+-------+-----------+\n"_s);
    }

    void jsonFormat()
    {
        const Run run = aqueduct(local({u"--format"_s, u"json"_s, u"SELECT event_id, n, ts, data, tags FROM %1 WHERE n = 7"_s.arg(table())}));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(run.out, &error);
        QVERIFY2(document.isArray(), qPrintable(error.errorString() + u": "_s + QString::fromUtf8(run.out)));
        QCOMPARE(document.array().size(), 1);
        const QJsonObject row = document.array().first().toObject();
        QCOMPARE(row.value(u"event_id"_s).toString(), u"e7"_s);
        QCOMPARE(row.value(u"n"_s).toString(), u"7"_s);
        QCOMPARE(row.value(u"ts"_s).toString(), u"2024-05-01 12:00:00.000001 UTC"_s);
        QCOMPARE(row.value(u"data"_s).toObject().value(u"k"_s).toInt(), 7);
        QCOMPARE(row.value(u"tags"_s).toArray().size(), 2);
        // Columns stay in the query's order.
        QVERIFY(run.out.indexOf("\"event_id\"") < run.out.indexOf("\"n\"") && run.out.indexOf("\"n\"") < run.out.indexOf("\"ts\""));

        const Run empty = aqueduct(local({u"--format"_s, u"json"_s, u"SELECT event_id FROM %1 WHERE n < 0"_s.arg(table())}));
        QCOMPARE(empty.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(empty.out).array().size(), 0);
    }

    void csvPagesThroughEverything()
    {
        const Run run = aqueduct(local({u"--format"_s, u"csv"_s, u"--page-size"_s, u"300"_s, u"SELECT n, note FROM %1 ORDER BY n"_s.arg(table())}));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QList<QByteArray> lines = run.out.split('\n');
        QCOMPARE(lines.size(), RowCount + 2);   // header, rows, and the empty piece after the last CRLF
        QCOMPARE(lines.first(), "n,note\r"_ba);
        QCOMPARE(lines[1], "0,\"x, \"\"y\"\"\"\r"_ba);
        QCOMPARE(lines[RowCount], "2499,\"x, \"\"y\"\"\"\r"_ba);
    }

    void namedParameters()
    {
        const Run run = aqueduct(local({u"--format"_s, u"csv"_s, u"--param"_s, u"from:INT64:2495"_s, u"--param"_s, u"id::e2497"_s,
                                        u"SELECT n FROM %1 WHERE n >= @from AND event_id != @id ORDER BY n"_s.arg(table())}));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(run.out, "n\r\n2495\r\n2496\r\n2498\r\n2499\r\n"_ba);

        const Run bad = aqueduct(local({u"--param"_s, u"from:INT64:many"_s, u"SELECT @from"_s}));
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("from"), bad.err.constData());
    }

    void errorsSayWhatIsWrong()
    {
        const Run query = aqueduct(local({u"SELECT nope FROM %1"_s.arg(table())}));
        QCOMPARE(query.exitCode, 1);
        QVERIFY2(query.err.contains("nope"), query.err.constData());
        QVERIFY(query.out.isEmpty());

        const Run usage = aqueduct(local({u"--format"_s, u"yaml"_s, u"SELECT 1"_s}));
        QCOMPARE(usage.exitCode, 2);
        QVERIFY2(usage.err.contains("yaml"), usage.err.constData());

        const Run noSql = aqueduct(local({}));
        QCOMPARE(noSql.exitCode, 2);

        const Run contradiction = aqueduct(local({u"--backend"_s, u"local"_s, u"--bigquery-endpoint"_s, u"http://127.0.0.1:1"_s, u"SELECT 1"_s}));
        QCOMPARE(contradiction.exitCode, 2);
        QVERIFY2(contradiction.err.contains("--bigquery-endpoint"), contradiction.err.constData());
    }

    void emulatorBackendReachesAServer()
    {
        const QString hostPort = u"%1:%2"_s.arg(m_server.endpoint().host()).arg(m_server.endpoint().port());
        const Run run = aqueduct({u"--backend"_s, u"emulator"_s, u"--format"_s, u"csv"_s, u"SELECT COUNT(*) AS c FROM %1"_s.arg(table())},
                                 {{u"PUBSUB_EMULATOR_HOST"_s, hostPort}, {u"BIGQUERY_EMULATOR_HOST"_s, u"http://"_s + hostPort}});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(run.out, "c\r\n2500\r\n"_ba);
    }

    void withoutAnOwnerTheCommandOpensTheFolderItself()
    {
        m_server.stop();
        const Run run = aqueduct(local({u"--format"_s, u"csv"_s, u"SELECT COUNT(*) AS c FROM %1"_s.arg(table())}));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(run.out, "c\r\n2500\r\n"_ba);
        QVERIFY2(run.err.isEmpty(), run.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestQueryCommand)
#include "testquerycommand.moc"
