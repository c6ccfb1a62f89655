#include <optional>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "core/bigquery/bigqueryclient.h"
#include "core/config/connection.h"
#include "core/localcloud/localbackend.h"
#include "core/metrics/pipelinemetrics.h"
#include "core/pipeline/ingestpipeline.h"
#include "core/pubsub/publisher.h"
#include "core/pubsub/pubsubclient.h"
#include "tests/support/emulatorprocess.h"
#include "tests/support/peerrequirement.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Pipeline;

namespace
{
    template <typename T>
    QString whyNot(const Result<T> &result)
    {
        return result ? QString() : result.error().message;
    }

    QByteArray eventJson(int i, const char *timestamp = "2024-05-01T12:00:00Z")
    {
        return "{\"event_id\":\"e-" + QByteArray::number(i) + "\",\"timestamp\":\"" + timestamp
            + "\",\"event_data\":{\"event_type\":\"click\",\"user_id\":\"u" + QByteArray::number(i % 10) + "\"}}";
    }

    // One environment: a profile, its connection, metrics and a pipeline.
    struct Rig
    {
        QTemporaryDir dir;
        std::unique_ptr<LocalCloud::LocalBackend> local = std::make_unique<LocalCloud::LocalBackend>();
        std::unique_ptr<Config::Connection> connection;
        std::unique_ptr<Metrics::PipelineMetrics> metrics = std::make_unique<Metrics::PipelineMetrics>();
        std::unique_ptr<IngestPipeline> pipeline;

        Status open(QHash<QString, QString> environment = {}, IngestSettings settings = {})
        {
            Result<Config::Profile> profile = Config::resolveProfile({{{u"data-dir"_s, dir.path()}}, environment});
            if (!profile)
                return profile.error();
            std::optional<Result<std::unique_ptr<Config::Connection>>> outcome;
            Config::Connection::open(*profile, local.get(), nullptr, [&](Result<std::unique_ptr<Config::Connection>> c) { outcome.emplace(std::move(c)); });
            (void)QTest::qWaitFor([&] { return outcome.has_value(); }, 20000);   // checked below
            if (!outcome || !*outcome)
                return outcome ? outcome->error() : ApiError::internal(u"no connection"_s);
            connection = std::move(outcome->value());
            settings.batchLatency = std::chrono::milliseconds(20);
            pipeline = std::make_unique<IngestPipeline>(connection->pubsub(), connection->bigquery(), settings, metrics.get());
            return Ok {};
        }

        bool startPipeline()
        {
            pipeline->start();
            return QTest::qWaitFor([&] { return pipeline->state() == IngestPipeline::State::Running || pipeline->state() == IngestPipeline::State::Failed; }, 30000)
                && pipeline->state() == IngestPipeline::State::Running;
        }

        int publish(const QList<QByteArray> &bodies, const QString &topic = u"events"_s)
        {
            PubSub::PublisherSettings settings;
            settings.maxMessages = 500;
            PubSub::Publisher publisher(connection->pubsub(), topic, settings);
            int answered = 0;
            int failed = 0;
            for (const QByteArray &body : bodies) {
                PubSub::PubsubMessage message;
                message.data = body;
                const Status accepted = publisher.publish(message, [&](Result<QString> id) { ++answered; failed += id ? 0 : 1; });
                if (!accepted)
                    return -1;
            }
            publisher.flush();
            (void)QTest::qWaitFor([&] { return answered == bodies.size(); }, 60000);   // the count tells
            return answered - failed;
        }

        qint64 scalar(const QString &sql)
        {
            BigQuery::QueryRequest request;
            request.sql = sql;
            std::optional<Result<BigQuery::QueryPage>> page;
            connection->bigquery()->query(request, nullptr, [&](Result<BigQuery::QueryPage> p) { page.emplace(std::move(p)); });
            (void)QTest::qWaitFor([&] { return page.has_value(); }, 30000);   // checked below
            if (!page || !*page || (*page)->rows.isEmpty())
                return -1;
            return (*page)->rows.first().first().toLongLong();
        }

        QString table(const QString &name = u"events"_s) const { return u"`%1.analytics.%2`"_s.arg(connection->project(), name); }
    };
}

class TestIngestPipeline final : public QObject
{
    Q_OBJECT

private:
    void storesValidEventsAndErrorsAndNothingTwice(Rig &rig, int count)
    {
        QVERIFY(rig.startPipeline());
        QList<QByteArray> bodies;
        for (int i = 0; i < count; ++i)
            bodies.append(eventJson(i));
        for (int i = 0; i < 10; ++i)
            bodies.append("not json " + QByteArray::number(i));
        for (int i = 0; i < 10; ++i)
            bodies.append(eventJson(100000 + i, "yesterday"));
        for (int i = 0; i < 5; ++i)
            bodies.append(eventJson(i));   // published twice: the insertId (event_id) keeps one row
        QCOMPARE(rig.publish(bodies), bodies.size());

        QVERIFY2(QTest::qWaitFor([&] { return rig.scalar(u"SELECT COUNT(*) FROM %1"_s.arg(rig.table())) == count; }, 60000),
                 qPrintable(u"rows: %1"_s.arg(rig.scalar(u"SELECT COUNT(*) FROM %1"_s.arg(rig.table())))));
        QVERIFY(QTest::qWaitFor([&] { return rig.scalar(u"SELECT COUNT(*) FROM %1"_s.arg(rig.table(u"events_error_records"_s))) == 20; }, 30000));
        QCOMPARE(rig.scalar(u"SELECT COUNT(DISTINCT event_id) FROM %1"_s.arg(rig.table())), count);
        QCOMPARE(rig.scalar(u"SELECT COUNT(*) FROM %1 WHERE errorMessage LIKE '%%not JSON%%'"_s.arg(rig.table(u"events_error_records"_s))), 10);
        QCOMPARE(rig.scalar(u"SELECT COUNT(*) FROM %1 WHERE errorMessage LIKE '%%yesterday%%'"_s.arg(rig.table(u"events_error_records"_s))), 10);
        QCOMPARE(rig.scalar(u"SELECT COUNT(*) FROM %1 WHERE payloadString LIKE 'not json%%'"_s.arg(rig.table(u"events_error_records"_s))), 10);
        QCOMPARE(rig.scalar(u"SELECT COUNT(*) FROM %1 WHERE event_type = 'click' AND message_id IS NOT NULL AND ingest_time IS NOT NULL"_s.arg(rig.table())), count);

        // Everything stored was acknowledged: nothing comes back, and the metrics agree.
        QVERIFY(QTest::qWaitFor([&] { return rig.metrics->snapshot().total(Metrics::Stage::Acked) >= bodies.size(); }, 20000));
        const Metrics::Snapshot snapshot = rig.metrics->snapshot();
        QCOMPARE(snapshot.total(Metrics::Stage::DeadLettered), 20);
        QVERIFY(snapshot.total(Metrics::Stage::Inserted) >= count);
        QCOMPARE(snapshot.total(Metrics::Stage::Nacked), 0);
        // The local cloud tells the backlog (empty once everything is stored); the emulator does not.
        if (rig.connection->profile().pubsub.backend == Config::Backend::Local)
            QVERIFY(QTest::qWaitFor([&] { return rig.metrics->snapshot().backlog == 0; }, 10000));
        else
            QCOMPARE(snapshot.backlog, -1);

        QSignalSpy stopped(rig.pipeline.get(), &IngestPipeline::stopped);
        rig.pipeline->stop();
        QVERIFY(stopped.count() == 1 || stopped.wait(10000));
        QCOMPARE(rig.pipeline->state(), IngestPipeline::State::Stopped);
    }

private slots:
    void theLocalCloudEndToEnd()
    {
        Rig rig;
        QVERIFY2(rig.open(), "no connection");
        storesValidEventsAndErrorsAndNothingTwice(rig, 3000);
    }

    void googlesEmulatorAsThePubSubSide()
    {
        const QString missing = EmulatorProcess::missingRequirement();
        AQ_REQUIRE_PEER(missing.isEmpty(), missing);
        EmulatorProcess emulator;
        QVERIFY2(emulator.start(u"aqueduct-local"_s), "Google's Pub/Sub emulator did not start");
        Rig rig;
        const Status opened = rig.open({{u"PUBSUB_EMULATOR_HOST"_s, emulator.hostPort()}});
        QVERIFY2(opened, qPrintable(whyNot(opened)));
        QCOMPARE(rig.connection->profile().pubsub.backend, Config::Backend::Emulator);
        QCOMPARE(rig.connection->profile().bigquery.backend, Config::Backend::Local);
        storesValidEventsAndErrorsAndNothingTwice(rig, 1000);
    }

    void deadLetteredMessagesLandInTheErrorTable()
    {
        Rig rig;
        QVERIFY(rig.open());
        QVERIFY(rig.startPipeline());
        // What Pub/Sub does after maxDeliveryAttempts: the message appears on the dead-letter topic.
        PubSub::PubsubMessage message;
        message.data = eventJson(7);
        message.attributes.insert(u"CloudPubSubDeadLetterSourceDeliveryCount"_s, u"5"_s);
        std::optional<Result<QStringList>> ids;
        rig.connection->pubsub()->publish(u"events-dead-letter"_s, {message}, nullptr, [&](Result<QStringList> r) { ids.emplace(std::move(r)); });
        QVERIFY(QTest::qWaitFor([&] { return ids.has_value(); }, 10000));
        QVERIFY(*ids);
        const QString errors = rig.table(u"events_error_records"_s);
        QVERIFY(QTest::qWaitFor([&] { return rig.scalar(u"SELECT COUNT(*) FROM %1"_s.arg(errors)) == 1; }, 20000));
        QCOMPARE(rig.scalar(u"SELECT COUNT(*) FROM %1 WHERE errorMessage LIKE '%%5 delivery attempts%%' AND attributes IS NOT NULL"_s.arg(errors)), 1);
    }

    void aTableWithAnotherSchemaIsRefusedWithTheDifference()
    {
        Rig rig;
        QVERIFY(rig.open());
        std::optional<bool> created;
        rig.connection->bigquery()->createDataset(u"analytics"_s, {}, nullptr, [&](Result<Ok>) {
            BigQuery::TableSchema other;
            BigQuery::TableField id;
            id.name = u"event_id"_s;
            id.type = BigQuery::FieldType::Int64;
            other.fields = {id};
            rig.connection->bigquery()->createTable(u"analytics"_s, u"events"_s, other, {}, nullptr, [&](Result<BigQuery::TableInfo> r) { created = bool(r); });
        });
        QVERIFY(QTest::qWaitFor([&] { return created.has_value(); }, 10000));
        QVERIFY(*created);
        QVERIFY(!rig.startPipeline());
        QCOMPARE(rig.pipeline->state(), IngestPipeline::State::Failed);
        const QString message = rig.pipeline->lastError().message;
        QVERIFY2(message.contains(u"event_id is INT64"_s) && message.contains(u"timestamp"_s), qPrintable(message));
    }

    void withoutCreateMissingResourcesAreNamed()
    {
        Rig rig;
        IngestSettings settings;
        settings.createMissing = false;
        QVERIFY(rig.open({}, settings));
        QVERIFY(!rig.startPipeline());
        QVERIFY2(rig.pipeline->lastError().message.contains(u"topics/events does not exist"_s), qPrintable(rig.pipeline->lastError().message));
    }
};

QTEST_GUILESS_MAIN(TestIngestPipeline)
#include "testingestpipeline.moc"
