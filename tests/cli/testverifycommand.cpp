// `aqueduct verify` as a user runs it: the binary, against an aqueduct-server that ingests (the data folder's owner),
// after `aqueduct publish --ids-out` runs and after tampering with the ids file, the table and the topic.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "core/auth/nocredentials.h"
#include "core/bigquery/bigqueryclient.h"
#include "core/pubsub/pubsubclient.h"
#include "core/rest/restclient.h"
#include "tests/support/clitestrun.h"
#include "tests/support/pubsubtestsupport.h"
#include "tests/support/servertestprocess.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace TestSupport;

namespace
{
    using Run = CliRun;

    const QString Project = u"aqueduct-local"_s;

    // The report of `verify --format json`, and its counts.
    QJsonObject jsonOf(const Run &run)
    {
        return QJsonDocument::fromJson(run.out).object();
    }

    QJsonObject countsOf(const Run &run)
    {
        return jsonOf(run).value(u"counts"_s).toObject();
    }

    QByteArray readFile(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    // The event IDs of an ids file, in order.
    QStringList eventIds(const QString &path)
    {
        QStringList ids;
        for (const QByteArray &line : readFile(path).split('\n')) {
            if (!line.isEmpty())
                ids.append(QString::fromUtf8(line.mid(line.indexOf('\t') + 1)));
        }
        return ids;
    }

    QStringList idsOf(const QJsonArray &list)
    {
        QStringList ids;
        for (const QJsonValue &entry : list)
            ids.append(entry.toObject().value(u"eventId"_s).toString());
        return ids;
    }
}

class TestVerifyCommand final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dataDir;
    QTemporaryDir m_files;
    ServerTestProcess m_server;
    std::unique_ptr<Rest::RestClient> m_rest;
    std::unique_ptr<PubSub::PubSubClient> m_pubsub;
    std::unique_ptr<BigQuery::BigQueryClient> m_bigquery;
    int m_counter = 0;

    static Run aqueduct(const QString &command, const QStringList &arguments)
    {
        return runCli(QStringList {command} + arguments, {}, 120000);
    }

    // `aqueduct verify --data-dir <the server's folder> --ids FILE ...`
    Run verify(const QString &ids, const QStringList &extra = {})
    {
        return aqueduct(u"verify"_s, QStringList {u"--data-dir"_s, m_dataDir.path(), u"--ids"_s, ids} + extra);
    }

    Run verifyJson(const QString &ids, const QStringList &extra = {})
    {
        return verify(ids, QStringList {u"--format"_s, u"json"_s} + extra);
    }

    QString file(const QString &stem, const QByteArray &contents = {})
    {
        const QString path = m_files.filePath(u"%1-%2"_s.arg(stem).arg(++m_counter));
        if (!contents.isEmpty()) {
            QFile out(path);
            if (out.open(QIODevice::WriteOnly))
                out.write(contents);
        }
        return path;
    }

    // `aqueduct publish` of `count` events to the ingested topic; returns the --ids-out file.
    QString publishRun(int count, const QStringList &extra = {})
    {
        const QString ids = file(u"run"_s);
        const Run run = aqueduct(u"publish"_s, QStringList {u"--data-dir"_s, m_dataDir.path(), u"--count"_s, QString::number(count),
                                                            u"--ids-out"_s, ids} + extra);
        if (run.exitCode != 0)
            qWarning("publish failed: %s", qPrintable(runText(run)));
        return ids;
    }

    qint64 backlog(const QString &subscription)
    {
        const Result<PubSub::Subscription> found =
            wait<PubSub::Subscription>([&](auto done) { m_pubsub->getSubscription(subscription, this, done); });
        return found ? found->backlog : -2;
    }

    // The pipeline acknowledges a message only once it is stored (in the table or the error table): once both
    // subscriptions are empty, everything published so far is stored.
    bool waitIngested()
    {
        return QTest::qWaitFor([&] { return backlog(u"events-ingest"_s) == 0 && backlog(u"events-dead-letter-ingest"_s) == 0; }, 60000);
    }

    // Publishes raw message data to the ingested topic; returns the message IDs.
    QStringList publishRaw(const QList<QByteArray> &bodies)
    {
        QList<PubSub::PubsubMessage> messages;
        for (const QByteArray &body : bodies) {
            PubSub::PubsubMessage message;
            message.data = body;
            messages.append(message);
        }
        const Result<QStringList> ids = wait<QStringList>([&](auto done) { m_pubsub->publish(u"events"_s, messages, this, done); });
        if (!ids)
            qWarning("publish: %s", qPrintable(whyNot(ids)));
        return ids ? *ids : QStringList();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dataDir.isValid() && m_files.isValid());
        QVERIFY2(m_server.start(m_dataDir.path(), {}, ServerTestProcess::WithIngest), "aqueduct-server did not start");
        m_rest = std::make_unique<Rest::RestClient>(Rest::plainNetworkAccess(), std::make_shared<Auth::NoCredentials>());
        m_pubsub = std::make_unique<PubSub::PubSubClient>(m_rest.get(), m_server.endpoint(), Project);
        m_bigquery = std::make_unique<BigQuery::BigQueryClient>(m_rest.get(), m_server.endpoint(), Project);
        // The pipeline creates the subscriptions and the tables on start.
        QVERIFY2(QTest::qWaitFor([&] { return backlog(u"events-ingest"_s) == 0 && backlog(u"events-dead-letter-ingest"_s) == 0; }, 30000),
                 m_server.stderrText().constData());
    }

    void cleanupTestCase()
    {
        m_bigquery.reset();
        m_pubsub.reset();
        m_rest.reset();
        m_server.stop();
    }

    void aRunStoredExactlyOnceExitsZero()
    {
        const QString ids = publishRun(300);
        QCOMPARE(eventIds(ids).size(), 300);
        QVERIFY(waitIngested());

        const Run text = verify(ids);
        QVERIFY2(text.exitCode == 0, qPrintable(runText(text)));
        QVERIFY2(text.out.contains("OK: every event is stored exactly once."), text.out.constData());
        QVERIFY2(text.out.contains("300 lines, 300 event IDs"), text.out.constData());

        // Small chunks: many lookup queries, several at once; the same answer.
        const Run json = verifyJson(ids, {u"--chunk-size"_s, u"7"_s});
        QVERIFY2(json.exitCode == 0, qPrintable(runText(json)));
        const QJsonObject counts = countsOf(json);
        QCOMPARE(counts.value(u"lines"_s).toInteger(), 300);
        QCOMPARE(counts.value(u"sent"_s).toInteger(), 300);
        QCOMPARE(counts.value(u"stored"_s).toInteger(), 300);
        QCOMPARE(counts.value(u"storedOnce"_s).toInteger(), 300);
        QCOMPARE(counts.value(u"inErrorTable"_s).toInteger(), 0);
        QCOMPARE(counts.value(u"missing"_s).toInteger(), 0);
        QCOMPARE(counts.value(u"duplicated"_s).toInteger(), 0);
        QCOMPARE(jsonOf(json).value(u"ok"_s).toBool(), true);
        // Nothing is missing, so nothing has whereabouts; the backlogs are still shown.
        const QJsonObject whereabouts = jsonOf(json).value(u"whereabouts"_s).toObject();
        QVERIFY(whereabouts.value(u"missing"_s).isNull());
        QCOMPARE(whereabouts.value(u"backlog"_s).toInteger(), 0);
    }

    void eventsPublishedTwiceCountOnce()
    {
        // The same seed publishes the same event IDs again; the insertId (event_id) keeps one row of each.
        const QString first = publishRun(40, {u"--seed"_s, u"42"_s});
        const QString second = publishRun(40, {u"--seed"_s, u"42"_s});
        QCOMPARE(eventIds(first), eventIds(second));
        const QString both = file(u"twice"_s, readFile(first) + readFile(second));
        QVERIFY(waitIngested());

        const Run run = verifyJson(both);
        QVERIFY2(run.exitCode == 0, qPrintable(runText(run)));
        QCOMPARE(countsOf(run).value(u"lines"_s).toInteger(), 80);
        QCOMPARE(countsOf(run).value(u"sent"_s).toInteger(), 40);
        QCOMPARE(countsOf(run).value(u"publishedMoreThanOnce"_s).toInteger(), 40);
        QCOMPARE(countsOf(run).value(u"stored"_s).toInteger(), 40);
        QCOMPARE(countsOf(run).value(u"duplicated"_s).toInteger(), 0);
    }

    void idsNeverPublishedAreMissingAndLost()
    {
        const QString ids = publishRun(50);
        QVERIFY(waitIngested());
        const QString tampered = file(u"tampered"_s, readFile(ids) + "900001\tnever-published-1\n900002\tnever-published-2\n900003\tnever-published-3\n");

        const Run text = verify(tampered);
        QVERIFY2(text.exitCode == 1, qPrintable(runText(text)));
        QVERIFY2(text.out.contains("NOT OK: 3 missing."), text.out.constData());
        QVERIFY2(text.out.contains("line 51  event never-published-1  message 900001  lost"), text.out.constData());
        // Both subscriptions are empty: nothing is on its way.
        QVERIFY2(text.out.contains("lost: in neither table, and nothing is waiting in events-ingest or events-dead-letter-ingest"), text.out.constData());

        const Run json = verifyJson(tampered);
        QCOMPARE(json.exitCode, 1);
        const QJsonObject counts = countsOf(json);
        QCOMPARE(counts.value(u"sent"_s).toInteger(), 53);
        QCOMPARE(counts.value(u"stored"_s).toInteger(), 50);
        QCOMPARE(counts.value(u"missing"_s).toInteger(), 3);
        QCOMPARE(counts.value(u"lostAtLeast"_s).toInteger(), 3);
        const QJsonArray missing = jsonOf(json).value(u"missing"_s).toArray();
        QCOMPARE(idsOf(missing), (QStringList {u"never-published-1"_s, u"never-published-2"_s, u"never-published-3"_s}));
        const QJsonObject first = missing.first().toObject();
        QCOMPARE(first.value(u"messageId"_s).toString(), u"900001"_s);
        QCOMPARE(first.value(u"line"_s).toInteger(), 51);
        QCOMPARE(first.value(u"where"_s).toString(), u"lost"_s);

        // A subscription that does not exist keeps nothing.
        const Run gone = verify(tampered, {u"--subscription"_s, u"no-such-subscription"_s});
        QCOMPARE(gone.exitCode, 1);
        QVERIFY2(gone.out.contains("the subscription no-such-subscription does not exist"), gone.out.constData());
    }

    void missingEventsArePendingWhileTheSubscriptionHasABacklog()
    {
        // A second subscription on the topic that nobody pulls: its backlog is what verify sees with --subscription.
        PubSub::Subscription held;
        held.topic = u"events"_s;
        QVERIFY(wait<PubSub::Subscription>([&](auto done) { m_pubsub->createSubscription(u"held"_s, held, this, done); }));
        QCOMPARE(publishRaw({"{\"event_id\":\"held-1\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"event_type\":\"click\"}"}).size(), 1);
        QVERIFY(waitIngested());
        const QString ids = file(u"pending"_s, "1\tnot-yet-1\n2\tnot-yet-2\n");

        const Run run = verifyJson(ids, {u"--subscription"_s, u"held"_s});
        QVERIFY2(run.exitCode == 1, qPrintable(runText(run)));
        QCOMPARE(countsOf(run).value(u"missing"_s).toInteger(), 2);
        const QJsonObject whereabouts = jsonOf(run).value(u"whereabouts"_s).toObject();
        QCOMPARE(whereabouts.value(u"missing"_s).toString(), u"pending"_s);
        QCOMPARE(whereabouts.value(u"subscription"_s).toObject().value(u"backlog"_s).toInteger(), 1);
        QCOMPARE(whereabouts.value(u"backlog"_s).toInteger(), 1);
        // One message waits, two are missing: at least one is lost.
        QCOMPARE(countsOf(run).value(u"lostAtLeast"_s).toInteger(), 1);
        QVERIFY2(whereabouts.value(u"reason"_s).toString().startsWith(u"not yet stored: the subscription's backlog is 1"_s),
                 qPrintable(whereabouts.value(u"reason"_s).toString()));
        for (const QJsonValue &entry : jsonOf(run).value(u"missing"_s).toArray())
            QCOMPARE(entry.toObject().value(u"where"_s).toString(), u"pending"_s);

        // --wait looks again (every 2 s) while they may still arrive, then gives the same answer.
        QElapsedTimer clock;
        clock.start();
        const Run waited = verify(ids, {u"--subscription"_s, u"held"_s, u"--wait"_s, u"3s"_s});
        QCOMPARE(waited.exitCode, 1);
        QVERIFY2(clock.elapsed() >= 1900, qPrintable(u"returned after %1 ms"_s.arg(clock.elapsed())));
        QVERIFY2(waited.out.contains("not yet stored: the subscription's backlog is 1 (held 1, events-dead-letter-ingest 0)"), waited.out.constData());
    }

    void aDuplicateRowIsReported()
    {
        const QString ids = publishRun(20);
        QVERIFY(waitIngested());
        const QString victim = eventIds(ids).at(4);
        // A second row for the same event, with a new insertId: what a duplicate looks like in the table.
        BigQuery::InsertRow row;
        row.insertId = u"another-insert-id"_s;
        row.json = "{\"event_id\":\"" + victim.toUtf8() + "\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"event_type\":\"click\"}";
        const Result<BigQuery::InsertResult> inserted = wait<BigQuery::InsertResult>(
            [&](auto done) { m_bigquery->insertRows(u"analytics"_s, u"events"_s, {row}, {}, this, done); });
        QVERIFY2(inserted && inserted->errors.isEmpty(), qPrintable(whyNot(inserted)));

        const Run text = verify(ids);
        QVERIFY2(text.exitCode == 1, qPrintable(runText(text)));
        QVERIFY2(text.out.contains("NOT OK: 1 duplicated."), text.out.constData());
        QVERIFY2(text.out.contains(u"line 5  event %1  2 rows"_s.arg(victim).toUtf8()), text.out.constData());

        const Run json = verifyJson(ids);
        QCOMPARE(json.exitCode, 1);
        QCOMPARE(countsOf(json).value(u"stored"_s).toInteger(), 20);
        QCOMPARE(countsOf(json).value(u"storedOnce"_s).toInteger(), 19);
        QCOMPARE(countsOf(json).value(u"duplicated"_s).toInteger(), 1);
        QCOMPARE(countsOf(json).value(u"extraRows"_s).toInteger(), 1);
        QCOMPARE(countsOf(json).value(u"missing"_s).toInteger(), 0);
        const QJsonArray duplicated = jsonOf(json).value(u"duplicated"_s).toArray();
        QCOMPARE(duplicated.size(), 1);
        QCOMPARE(duplicated.first().toObject().value(u"eventId"_s).toString(), victim);
        QCOMPARE(duplicated.first().toObject().value(u"rows"_s).toInteger(), 2);
        QCOMPARE(duplicated.first().toObject().value(u"line"_s).toInteger(), 5);
    }

    void malformedEventsAreInTheErrorTable()
    {
        // A wrong type, and data that is not JSON at all: both go to the error table, where the stacktrace names
        // the message ID. The third line carries a message ID that the error table does not know (as for a
        // dead-lettered message, which the dead-letter topic gives a new one): found by the event ID in payloadString.
        const QStringList messageIds = publishRaw({"{\"event_id\":\"bad-type-1\",\"timestamp\":\"yesterday\",\"event_type\":\"click\"}",
                                                   "not json, though it mentions bad-json-1",
                                                   "{\"event_id\":\"bad-type-2\",\"timestamp\":\"tomorrow\",\"event_type\":\"click\"}"});
        QCOMPARE(messageIds.size(), 3);
        const QString good = publishRun(10);
        QVERIFY(waitIngested());
        const QByteArray lines = messageIds[0].toUtf8() + "\tbad-type-1\n" + messageIds[1].toUtf8() + "\tbad-json-1\n" + "987654321\tbad-type-2\n";
        const QString ids = file(u"errors"_s, readFile(good) + lines);

        // In the error table counts as accounted for: exit 0, and the report shows them.
        const Run text = verify(ids);
        QVERIFY2(text.exitCode == 0, qPrintable(runText(text)));
        QVERIFY2(text.out.contains("OK: every event is stored exactly once (3 in the error table)."), text.out.constData());
        QVERIFY2(text.out.contains("In the error table (3):"), text.out.constData());
        QVERIFY2(text.out.contains("event bad-json-1"), text.out.constData());
        QVERIFY2(text.out.contains("yesterday"), text.out.constData());

        const Run json = verifyJson(ids);
        QCOMPARE(json.exitCode, 0);
        QCOMPARE(countsOf(json).value(u"sent"_s).toInteger(), 13);
        QCOMPARE(countsOf(json).value(u"stored"_s).toInteger(), 10);
        QCOMPARE(countsOf(json).value(u"inErrorTable"_s).toInteger(), 3);
        QCOMPARE(countsOf(json).value(u"missing"_s).toInteger(), 0);
        const QJsonArray errors = jsonOf(json).value(u"inErrorTable"_s).toArray();
        QCOMPARE(idsOf(errors), (QStringList {u"bad-type-1"_s, u"bad-json-1"_s, u"bad-type-2"_s}));
        QCOMPARE(errors[0].toObject().value(u"matchedBy"_s).toString(), u"messageId"_s);
        QCOMPARE(errors[0].toObject().value(u"line"_s).toInteger(), 11);
        QVERIFY2(errors[0].toObject().value(u"errorMessage"_s).toString().contains(u"yesterday"_s),
                 qPrintable(errors[0].toObject().value(u"errorMessage"_s).toString()));
        QCOMPARE(errors[1].toObject().value(u"matchedBy"_s).toString(), u"messageId"_s);
        QVERIFY(errors[1].toObject().value(u"errorMessage"_s).toString().contains(u"not JSON"_s));
        QCOMPARE(errors[2].toObject().value(u"matchedBy"_s).toString(), u"eventId"_s);
        QCOMPARE(errors[2].toObject().value(u"messageId"_s).toString(), u"987654321"_s);
    }

    void jsonReportShapeAndLimits()
    {
        const QString ids = publishRun(5);
        QVERIFY(waitIngested());
        QByteArray extra;
        for (int i = 0; i < 25; ++i)
            extra += "8000" + QByteArray::number(i) + "\tshape-missing-" + QByteArray::number(i) + "\n";
        const QString tampered = file(u"shape"_s, readFile(ids) + extra);

        const Run run = verifyJson(tampered, {u"--max-listed"_s, u"4"_s});
        QCOMPARE(run.exitCode, 1);
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(run.out, &error);
        QVERIFY2(document.isObject(), qPrintable(error.errorString()));
        const QJsonObject root = document.object();
        for (const QString &key : {u"ok"_s, u"idsFile"_s, u"table"_s, u"errorTable"_s, u"errorTableExists"_s, u"keyColumn"_s, u"counts"_s,
                                   u"whereabouts"_s, u"missing"_s, u"inErrorTable"_s, u"duplicated"_s, u"maxListed"_s, u"warnings"_s})
            QVERIFY2(root.contains(key), qPrintable(key));
        QCOMPARE(root.value(u"ok"_s).toBool(), false);
        QCOMPARE(root.value(u"idsFile"_s).toString(), tampered);
        QCOMPARE(root.value(u"table"_s).toString(), u"aqueduct-local.analytics.events"_s);
        QCOMPARE(root.value(u"errorTable"_s).toString(), u"aqueduct-local.analytics.events_error_records"_s);
        QCOMPARE(root.value(u"keyColumn"_s).toString(), u"event_id"_s);
        QCOMPARE(root.value(u"maxListed"_s).toInteger(), 4);
        const QJsonObject counts = root.value(u"counts"_s).toObject();
        for (const QString &key : {u"lines"_s, u"linesWithoutEventId"_s, u"publishedMoreThanOnce"_s, u"sent"_s, u"stored"_s, u"storedOnce"_s,
                                   u"duplicated"_s, u"extraRows"_s, u"inErrorTable"_s, u"missing"_s, u"lostAtLeast"_s})
            QVERIFY2(counts.value(key).isDouble(), qPrintable(key));
        // The totals are complete; the list stops at --max-listed, in the file's order.
        QCOMPARE(counts.value(u"missing"_s).toInteger(), 25);
        QCOMPARE(idsOf(root.value(u"missing"_s).toArray()),
                 (QStringList {u"shape-missing-0"_s, u"shape-missing-1"_s, u"shape-missing-2"_s, u"shape-missing-3"_s}));
        const QJsonObject whereabouts = root.value(u"whereabouts"_s).toObject();
        QCOMPARE(whereabouts.value(u"subscription"_s).toObject().value(u"name"_s).toString(), u"projects/aqueduct-local/subscriptions/events-ingest"_s);
        QCOMPARE(whereabouts.value(u"deadLetterSubscription"_s).toObject().value(u"name"_s).toString(),
                 u"projects/aqueduct-local/subscriptions/events-dead-letter-ingest"_s);

        const Run text = verify(tampered, {u"--max-listed"_s, u"4"_s});
        QVERIFY2(text.out.contains("Missing (25, the first 4 listed; --max-listed shows more):"), text.out.constData());
        const Run none = verifyJson(tampered, {u"--max-listed"_s, u"0"_s});
        QCOMPARE(jsonOf(none).value(u"missing"_s).toArray().size(), 0);
        QCOMPARE(countsOf(none).value(u"missing"_s).toInteger(), 25);
    }

    void anInt64KeyColumnIsComparedAsText()
    {
        // A user's table keyed by an INT64 column (spelled in another case than --key-column), and no error table.
        BigQuery::TableField orderId;
        orderId.name = u"Order_Id"_s;
        orderId.type = BigQuery::FieldType::Int64;
        BigQuery::TableSchema schema;
        schema.fields = {orderId};
        QVERIFY(wait<BigQuery::TableInfo>([&](auto done) { m_bigquery->createTable(u"analytics"_s, u"orders"_s, schema, {}, this, done); }));
        QList<BigQuery::InsertRow> rows;
        for (const char *id : {"1", "2", "2"})
            rows.append({QString(), "{\"Order_Id\":\"" + QByteArray(id) + "\"}"});
        const Result<BigQuery::InsertResult> inserted =
            wait<BigQuery::InsertResult>([&](auto done) { m_bigquery->insertRows(u"analytics"_s, u"orders"_s, rows, {}, this, done); });
        QVERIFY2(inserted && inserted->errors.isEmpty(), qPrintable(whyNot(inserted)));
        const QString ids = file(u"orders"_s, "m1\t1\nm2\t2\nm3\t3\n");

        const Run run = verifyJson(ids, {u"--table"_s, u"orders"_s, u"--key-column"_s, u"order_id"_s, u"--error-table"_s, u"no_such_errors"_s});
        QVERIFY2(run.exitCode == 1, qPrintable(runText(run)));
        QCOMPARE(jsonOf(run).value(u"keyColumn"_s).toString(), u"Order_Id"_s);
        QCOMPARE(jsonOf(run).value(u"errorTableExists"_s).toBool(), false);
        QCOMPARE(countsOf(run).value(u"stored"_s).toInteger(), 2);
        QCOMPARE(countsOf(run).value(u"duplicated"_s).toInteger(), 1);
        QCOMPARE(countsOf(run).value(u"missing"_s).toInteger(), 1);
        QCOMPARE(idsOf(jsonOf(run).value(u"missing"_s).toArray()), QStringList {u"3"_s});
        QCOMPARE(idsOf(jsonOf(run).value(u"duplicated"_s).toArray()), QStringList {u"2"_s});
    }

    void badIdsFilesAreUsageErrors()
    {
        const QString malformed = file(u"malformed"_s, "1\tfine-1\n2\tfine-2\nno tab on this line\n");
        const Run run = verify(malformed);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QByteArray(malformed.toUtf8() + ", line 3: expected MESSAGE_ID<TAB>EVENT_ID")), run.err.constData());
        QVERIFY(run.out.isEmpty());

        const Run tabs = verify(file(u"tabs"_s, "1\ta\tb\n"));
        QCOMPARE(tabs.exitCode, 2);
        QVERIFY2(tabs.err.contains(", line 1: more than one tab"), tabs.err.constData());

        const Run noMessageId = verify(file(u"nomessage"_s, "1\ta\n\n\tb\n"));
        QCOMPARE(noMessageId.exitCode, 2);
        QVERIFY2(noMessageId.err.contains(", line 3: the message ID (before the tab) is empty"), noMessageId.err.constData());

        const QString absent = m_files.filePath(u"absent.ids"_s);
        const Run missingFile = verify(absent);
        QCOMPARE(missingFile.exitCode, 2);
        QVERIFY2(missingFile.err.contains(QByteArray(absent.toUtf8() + ": no such file")), missingFile.err.constData());

        const Run noEventIds = verify(file(u"noevents"_s, "1\t\n2\t\n"));
        QCOMPARE(noEventIds.exitCode, 2);
        QVERIFY2(noEventIds.err.contains("no line has an event ID"), noEventIds.err.constData());

        const Run noFlag = aqueduct(u"verify"_s, {u"--data-dir"_s, m_dataDir.path()});
        QCOMPARE(noFlag.exitCode, 2);
        QVERIFY2(noFlag.err.contains("--ids FILE"), noFlag.err.constData());

        const QString fine = file(u"fine"_s, "1\tfine-1\n");
        QCOMPARE(verify(fine, {u"--format"_s, u"xml"_s}).exitCode, 2);
        QCOMPARE(verify(fine, {u"--max-listed"_s, u"-1"_s}).exitCode, 2);
        QCOMPARE(verify(fine, {u"--chunk-size"_s, u"0"_s}).exitCode, 2);
        const Run key = verify(fine, {u"--key-column"_s, u"no_such_column"_s});
        QCOMPARE(key.exitCode, 2);
        QVERIFY2(key.err.contains("--key-column no_such_column: the table aqueduct-local.analytics.events has no such column"), key.err.constData());

        const Run help = aqueduct(u"verify"_s, {u"--help"_s});
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(help.out.contains("still in flight or lost") && help.out.contains("Exit codes"), help.out.constData());
    }

    void aFolderWithoutTablesIsAFailure()
    {
        // Nothing owns this folder and nothing ever ingested there: verify opens it itself and finds no table.
        QTemporaryDir empty;
        const QString ids = file(u"fine"_s, "1\tfine-1\n");
        const Run run = aqueduct(u"verify"_s, {u"--data-dir"_s, empty.path(), u"--ids"_s, ids});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("the table aqueduct-local.analytics.events does not exist"), run.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestVerifyCommand)
#include "testverifycommand.moc"
