// The ingest pipeline under faults (issue "3 of 5", section 5): BigQuery failing for a while, and kill -9 of the
// ingesting process in the middle of a run. Nothing acknowledged may be lost, nothing stored twice.
//
// AQ_FAULT_EVENTS sets the size of the kill -9 runs (default 100000; CI uses fewer, see .ci/run).
#include <atomic>
#include <optional>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "core/auth/nocredentials.h"
#include "core/bigquery/bigqueryclient.h"
#include "core/config/connection.h"
#include "core/localcloud/inprocessnetworkaccessmanager.h"
#include "core/localcloud/localbackend.h"
#include "core/metrics/pipelinemetrics.h"
#include "core/pipeline/ingestpipeline.h"
#include "core/pubsub/publisher.h"
#include "core/pubsub/pubsubclient.h"
#include "core/rest/restclient.h"
#include "tests/support/emulatorprocess.h"
#include "tests/support/peerrequirement.h"
#include "tests/support/servertestprocess.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Pipeline;

namespace
{
    // The fault switch: while on, every insertAll of the local cloud answers 500, 503 or 504 in turn.
    struct FaultSwitch
    {
        std::atomic<bool> on {false};
        std::atomic<int> refused {0};
    };

    class FaultyNetworkAccessManager final : public LocalCloud::InProcessNetworkAccessManager
    {
    public:
        FaultyNetworkAccessManager(LocalCloud::LocalCloud *cloud, std::shared_ptr<FaultSwitch> faults, QObject *parent)
            : InProcessNetworkAccessManager(cloud, parent), m_faults {std::move(faults)}
        {
        }

    protected:
        QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *outgoingData) override
        {
            if (!m_faults->on || !request.url().path().endsWith(u"/insertAll"_s))
                return InProcessNetworkAccessManager::createRequest(op, request, outgoingData);
            auto *reply = new LocalCloud::InProcessReply(op, request, this);
            const int status = std::array {500, 503, 504}[std::size_t(m_faults->refused++ % 3)];
            QMetaObject::invokeMethod(reply, [reply, status] {
                reply->complete(status, "application/json", ApiError::unavailable(u"injected fault"_s).toJsonBytes());
            }, Qt::QueuedConnection);
            return reply;
        }

    private:
        std::shared_ptr<FaultSwitch> m_faults;
    };

    class FaultyLocalBackend final : public Config::LocalBackendAccess
    {
    public:
        explicit FaultyLocalBackend(std::shared_ptr<FaultSwitch> faults) : m_faults {std::move(faults)} {}

        Result<Route> open(const QString &dataDir) override
        {
            Result<Route> route = m_inner.open(dataDir);
            if (!route)
                return route;
            QPointer<LocalCloud::LocalCloud> cloud(m_inner.cloud());
            route->networkAccess = [cloud, faults = m_faults](QObject *parent) { return new FaultyNetworkAccessManager(cloud.data(), faults, parent); };
            return route;
        }

    private:
        LocalCloud::LocalBackend m_inner;
        std::shared_ptr<FaultSwitch> m_faults;
    };

    QByteArray eventJson(int i)
    {
        return "{\"event_id\":\"e-" + QByteArray::number(i) + "\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"event_type\":\"click\"}";
    }

    qint64 scalar(BigQuery::BigQueryClient *bigquery, const QString &sql)
    {
        BigQuery::QueryRequest request;
        request.sql = sql;
        std::optional<Result<BigQuery::QueryPage>> page;
        bigquery->query(request, nullptr, [&](Result<BigQuery::QueryPage> p) { page.emplace(std::move(p)); });
        (void)QTest::qWaitFor([&] { return page.has_value(); }, 30000);   // checked below
        if (!page || !*page || (*page)->rows.isEmpty())
            return -1;
        return (*page)->rows.first().first().toLongLong();
    }

    // Publishes `count` events (ids from `first`); returns how many the server acknowledged.
    int publishAll(PubSub::PubSubClient *pubsub, int first, int count)
    {
        PubSub::PublisherSettings settings;
        settings.maxMessages = 1000;
        settings.maxOutstandingMessages = 20000;
        PubSub::Publisher publisher(pubsub, u"events"_s, settings);
        int next = first;
        int answered = 0;
        int acknowledged = 0;
        while (answered < count) {
            while (next < first + count && publisher.hasCapacity()) {
                PubSub::PubsubMessage message;
                message.data = eventJson(next++);
                const Status accepted = publisher.publish(message, [&](Result<QString> id) { ++answered; acknowledged += id ? 1 : 0; });
                if (!accepted)
                    return -1;
            }
            publisher.flush();
            QTest::qWait(5);
        }
        return acknowledged;
    }

    int faultEvents()
    {
        bool ok = false;
        const int configured = qEnvironmentVariableIntValue("AQ_FAULT_EVENTS", &ok);
        return ok && configured > 0 ? configured : 100000;
    }
}

class TestIngestFaults final : public QObject
{
    Q_OBJECT

private:
    // kill -9 of `aqueduct-server serve` while it ingests, then a restart on the same folder: every event is
    // stored exactly once in the end.
    void killNineWhileIngesting(const QProcessEnvironment &environment, const QUrl &pubsubEndpoint)
    {
        QTemporaryDir dir;
        ServerTestProcess server;
        QVERIFY(server.start(dir.path(), {}, ServerTestProcess::WithIngest, environment));
        Rest::RestClient rest(Rest::plainNetworkAccess(), std::make_shared<Auth::NoCredentials>());
        PubSub::PubSubClient pubsub(&rest, pubsubEndpoint.isEmpty() ? server.endpoint() : pubsubEndpoint, u"aqueduct-local"_s);
        // The restarted server listens on another port: the BigQuery client is made anew then.
        auto bigqueryClient = std::make_unique<BigQuery::BigQueryClient>(&rest, server.endpoint(), u"aqueduct-local"_s);
        const QString table = u"`aqueduct-local.analytics.events`"_s;
        const QString count = u"SELECT COUNT(*) FROM %1"_s.arg(table);
        // The pipeline creates the topic and the table on start.
        QVERIFY2(QTest::qWaitFor([&] { return scalar(bigqueryClient.get(), count) == 0; }, 30000), server.stderrText().constData());

        const int total = faultEvents();
        QCOMPARE(publishAll(&pubsub, 0, total), total);
        QVERIFY(QTest::qWaitFor([&] { return scalar(bigqueryClient.get(), count) >= total / 4; }, 120000));
        server.kill();

        QVERIFY(server.start(dir.path(), {}, ServerTestProcess::WithIngest, environment));
        bigqueryClient = std::make_unique<BigQuery::BigQueryClient>(&rest, server.endpoint(), u"aqueduct-local"_s);
        QVERIFY2(QTest::qWaitFor([&] { return scalar(bigqueryClient.get(), count) >= total; }, 300000),
                 qPrintable(u"%1 of %2 rows after the restart"_s.arg(scalar(bigqueryClient.get(), count)).arg(total)));
        QTest::qWait(1000);   // anything redelivered late would show as a second row now
        QCOMPARE(scalar(bigqueryClient.get(), count), total);
        QCOMPARE(scalar(bigqueryClient.get(), u"SELECT COUNT(DISTINCT event_id) FROM %1"_s.arg(table)), total);
        QCOMPARE(scalar(bigqueryClient.get(), u"SELECT COUNT(*) FROM `aqueduct-local.analytics.events_error_records`"_s), 0);
        server.stop();
    }

private slots:
    void bigQueryFailingForAWhileLosesAndDuplicatesNothing()
    {
        QTemporaryDir dir;
        auto faults = std::make_shared<FaultSwitch>();
        FaultyLocalBackend local(faults);
        const Result<Config::Profile> profile = Config::resolveProfile({{{u"data-dir"_s, dir.path()}}, {}});
        QVERIFY(profile);
        std::optional<Result<std::unique_ptr<Config::Connection>>> opened;
        Config::Connection::open(*profile, &local, nullptr, [&](Result<std::unique_ptr<Config::Connection>> c) { opened.emplace(std::move(c)); });
        QVERIFY(QTest::qWaitFor([&] { return opened.has_value(); }, 20000));
        QVERIFY(*opened);
        Config::Connection *connection = opened->value().get();

        IngestSettings settings;
        settings.batchLatency = std::chrono::milliseconds(20);
        settings.maxInsertAttempts = 2;
        settings.initialRetryBackoff = std::chrono::milliseconds(50);
        settings.maxRetryBackoff = std::chrono::milliseconds(200);
        auto metrics = std::make_unique<Metrics::PipelineMetrics>();
        IngestPipeline pipeline(connection->pubsub(), connection->bigquery(), settings, metrics.get());
        pipeline.start();
        QVERIFY(QTest::qWaitFor([&] { return pipeline.state() == IngestPipeline::State::Running; }, 20000));

        faults->on = true;
        const int total = 2000;
        QCOMPARE(publishAll(connection->pubsub(), 0, total), total);
        // BigQuery refuses for eight seconds: longer than the REST client's retries (about 3 s) times the pipeline's
        // attempts, so messages are nacked and come back from Pub/Sub.
        QTest::qWait(8000);
        const QString count = u"SELECT COUNT(*) FROM `aqueduct-local.analytics.events`"_s;
        QCOMPARE(scalar(connection->bigquery(), count), 0);
        faults->on = false;
        QVERIFY2(QTest::qWaitFor([&] { return scalar(connection->bigquery(), count) >= total; }, 60000),
                 qPrintable(u"%1 rows"_s.arg(scalar(connection->bigquery(), count))));
        QTest::qWait(1000);
        QCOMPARE(scalar(connection->bigquery(), count), total);
        QCOMPARE(scalar(connection->bigquery(), u"SELECT COUNT(DISTINCT event_id) FROM `aqueduct-local.analytics.events`"_s), total);
        // Transient failures are not errors of the rows: nothing in the error table.
        QCOMPARE(scalar(connection->bigquery(), u"SELECT COUNT(*) FROM `aqueduct-local.analytics.events_error_records`"_s), 0);

        // The metrics show it.
        const Metrics::Snapshot snapshot = metrics->snapshot();
        QVERIFY(faults->refused > 0);
        QVERIFY(snapshot.total(Metrics::Stage::Failed) > 0);
        QVERIFY(snapshot.total(Metrics::Stage::Retried) > 0);
        QVERIFY(snapshot.total(Metrics::Stage::Nacked) > 0);
        QVERIFY(snapshot.total(Metrics::Stage::Inserted) >= total);

        QSignalSpy stopped(&pipeline, &IngestPipeline::stopped);
        pipeline.stop();
        QVERIFY(stopped.count() == 1 || stopped.wait(10000));
    }

    void killNineOnTheLocalCloud()
    {
        killNineWhileIngesting(QProcessEnvironment::systemEnvironment(), {});
    }

    void killNineWithGooglesEmulatorAsThePubSubSide()
    {
        const QString missing = EmulatorProcess::missingRequirement();
        AQ_REQUIRE_PEER(missing.isEmpty(), missing);
        EmulatorProcess emulator;
        QVERIFY2(emulator.start(u"aqueduct-local"_s), "Google's Pub/Sub emulator did not start");
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"PUBSUB_EMULATOR_HOST"_s, emulator.hostPort());
        killNineWhileIngesting(environment, emulator.endpoint());
    }
};

QTEST_GUILESS_MAIN(TestIngestFaults)
#include "testingestfaults.moc"
