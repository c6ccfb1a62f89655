// End to end (issue "3 of 5", section 6): the seeds' events published to Pub/Sub, pulled, converted and stored by
// the ingest pipeline, measured from the first publish to the moment the table holds every row.
//
//   benchingest [--messages 200000]               throughput: publish as fast as flow control allows
//   benchingest --rate 10000 --seconds 30         latency: a steady, evenly paced rate; end-to-end p50/p95/p99
//   benchingest --endpoint http://127.0.0.1:8080  the same against `aqueduct-server serve` (its pipeline ingests)
//   benchingest --pubsub-emulator 127.0.0.1:8085  in-process, with Google's Pub/Sub emulator as the Pub/Sub side
//
// In-process (the default), the bench owns a temporary data folder: the local cloud runs in this process and the
// pipeline runs on a thread of its own through PipelineRunner, exactly as `serve` runs them; the publisher
// (PublishJob + Publisher, as `aqueduct publish` sets them up) runs on the main thread. Completion is watched on the
// pipeline's metrics (Inserted reaching the count) and confirmed with one COUNT(*). Over HTTP the pipeline is in the
// server process: completion is its Inserted total in /metrics (Prometheus text), read every --poll-ms, and confirmed
// with one COUNT(*); latency is not measured. (Polling COUNT(*) instead scanned the growing table 20 times a second,
// CPU taken from what is measured.) Prints one JSON line: peak_rss_mb is this process's VmHWM, thread_cpu_s the CPU time
// of each of its threads (with --server-pid, the server's too), load_average_1m the machine's at the start and end.
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>

#include <unistd.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include "core/bigquery/bigqueryclient.h"
#include "core/config/connection.h"
#include "core/localcloud/localbackend.h"
#include "core/metrics/pipelinemetrics.h"
#include "core/pipeline/eventgenerator.h"
#include "core/pipeline/pipelinerunner.h"
#include "core/pipeline/publishjob.h"
#include "core/pubsub/publisher.h"
#include "core/pubsub/pubsubclient.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using Aq::Metrics::Stage;

namespace
{
    // Runs the event loop until `done` holds or `timeoutMs` passes.
    template <typename Predicate>
    bool waitFor(Predicate done, int timeoutMs)
    {
        // processEvents() with a time limit returns at once when nothing is pending (a busy loop that would take a
        // core from what is measured): block for events instead, with a timer that wakes the loop to check.
        QTimer wake;
        wake.start(10);
        QElapsedTimer clock;
        clock.start();
        while (!done()) {
            if (clock.elapsed() > timeoutMs)
                return false;
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        }
        return true;
    }

    // A process's peak resident set (VmHWM), MB; `process` is "self" or a PID.
    double peakRssMb(const QString &process)
    {
        QFile status(u"/proc/%1/status"_s.arg(process));
        if (!status.open(QIODevice::ReadOnly))
            return -1;
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmHWM:"))
                return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
        }
        return -1;
    }

    // CPU seconds so far per thread name of a process ("pipeline", "localcloud", the pool's, the main thread's):
    // where the 2 cores went.
    QMap<QByteArray, double> threadCpuSeconds(const QString &process)
    {
        QMap<QByteArray, double> seconds;
        const double ticks = double(sysconf(_SC_CLK_TCK));
        const QString tasks = u"/proc/%1/task"_s.arg(process);
        for (const QString &task : QDir(tasks).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            QFile stat(tasks + u'/' + task + u"/stat"_s);
            if (!stat.open(QIODevice::ReadOnly))
                continue;
            const QByteArray line = stat.readAll();
            const qsizetype open = line.indexOf('(');
            const qsizetype close = line.lastIndexOf(')');
            if (open < 0 || close < open)
                continue;
            // After the name: the state, then fields up to utime (the 14th of the line) and stime (the 15th).
            const QList<QByteArray> fields = line.mid(close + 2).split(' ');
            if (fields.size() < 13)
                continue;
            seconds[line.mid(open + 1, close - open - 1)] += (fields[11].toDouble() + fields[12].toDouble()) / ticks;
        }
        return seconds;
    }

    QByteArray cpuJson(const QMap<QByteArray, double> &seconds)
    {
        QByteArray json = "{";
        for (auto it = seconds.cbegin(); it != seconds.cend(); ++it)
            json += (json.size() > 1 ? "," : "") + ("\"" + it.key() + "\":") + QByteArray::number(it.value(), 'f', 2);
        return json + '}';
    }

    double sum(const QMap<QByteArray, double> &seconds)
    {
        return std::accumulate(seconds.cbegin(), seconds.cend(), 0.0);
    }

    QByteArray loadAverage()
    {
        QFile file(u"/proc/loadavg"_s);
        return file.open(QIODevice::ReadOnly) ? file.readAll().split(' ').first() : QByteArray("null");
    }

    QByteArray number(double value, int decimals = 0)
    {
        return std::isnan(value) ? QByteArray("null") : QByteArray::number(value, 'f', decimals);
    }

    class Bench
    {
    public:
        explicit Bench(const QCommandLineParser &parser)
            : m_parser {parser}
        {
        }

        int run();

    private:
        Status openConnection();
        Status startPipeline();
        bool waitForSubscription();
        std::optional<qint64> scalar(const QString &sql);
        // Over HTTP: the server's aqueduct_messages_total{stage="inserted"}, or nothing when it cannot be read.
        void readServerInserted(const std::function<void(std::optional<qint64>)> &done);
        std::optional<qint64> serverInserted();
        QString table(const QString &name) const { return u"`%1.%2.%3`"_s.arg(m_connection->project(), m_settings.dataset, name); }
        QString value(const QString &name) const { return m_parser.value(name); }

        const QCommandLineParser &m_parser;
        bool m_inProcess = true;
        QTemporaryDir m_tempDir;
        Config::Profile m_profile;
        Pipeline::IngestSettings m_settings;
        std::unique_ptr<LocalCloud::LocalBackend> m_local;
        std::unique_ptr<Metrics::PipelineMetrics> m_metrics = std::make_unique<Metrics::PipelineMetrics>();
        std::unique_ptr<Config::Connection> m_connection;            // the publisher's and the checks'
        std::unique_ptr<Pipeline::PipelineRunner> m_runner;
        QNetworkAccessManager m_metricsReader;
    };

    Status Bench::openConnection()
    {
        QHash<QString, QString> options;
        QHash<QString, QString> environment;
        const QString endpoint = value(u"endpoint"_s);
        if (endpoint.isEmpty()) {
            options.insert(u"data-dir"_s, value(u"data-dir"_s).isEmpty() ? m_tempDir.path() : value(u"data-dir"_s));
            if (!value(u"pubsub-emulator"_s).isEmpty())
                environment.insert(u"PUBSUB_EMULATOR_HOST"_s, value(u"pubsub-emulator"_s));   // as Google's clients take it
        } else {
            m_inProcess = false;
            const QUrl url(endpoint);
            environment.insert(u"PUBSUB_EMULATOR_HOST"_s, u"%1:%2"_s.arg(url.host()).arg(url.port(80)));
            environment.insert(u"BIGQUERY_EMULATOR_HOST"_s, endpoint);
        }
        Result<Config::Profile> profile = Config::resolveProfile({options, environment});
        if (!profile)
            return profile.error();
        m_profile = *profile;
        if (m_inProcess)
            m_local = std::make_unique<LocalCloud::LocalBackend>();
        std::optional<Result<std::unique_ptr<Config::Connection>>> outcome;
        Config::Connection::open(m_profile, m_local.get(), nullptr, [&](Result<std::unique_ptr<Config::Connection>> c) { outcome.emplace(std::move(c)); });
        if (!waitFor([&] { return outcome.has_value(); }, 30000))
            return ApiError::internal(u"no connection within 30 s"_s);
        if (!*outcome)
            return outcome->error();
        m_connection = std::move(outcome->value());
        return Ok {};
    }

    Status Bench::startPipeline()
    {
        // What serve sets (core/server/servecommand.cpp), plus the overrides given for experiments.
        m_settings.topic = m_profile.topic;
        m_settings.subscription = m_profile.subscription;
        m_settings.deadLetterTopic = m_profile.deadLetterTopic;
        m_settings.dataset = m_profile.dataset;
        m_settings.table = m_profile.table;
        m_settings.errorTable = m_profile.errorTable;
        m_settings.conversion.keyColumn = m_profile.keyColumn;
        m_settings.partitionAndCluster = m_profile.bigquery.backend != Config::Backend::Emulator;
        if (m_parser.isSet(u"batch-rows"_s))
            m_settings.batchRows = value(u"batch-rows"_s).toInt();
        if (m_parser.isSet(u"batch-latency-ms"_s))
            m_settings.batchLatency = std::chrono::milliseconds(value(u"batch-latency-ms"_s).toInt());
        if (m_parser.isSet(u"inserts"_s))
            m_settings.maxConcurrentInserts = value(u"inserts"_s).toInt();
        if (m_parser.isSet(u"pulls"_s))
            m_settings.subscriber.concurrentPulls = value(u"pulls"_s).toInt();
        if (m_parser.isSet(u"outstanding"_s))
            m_settings.subscriber.maxOutstandingMessages = value(u"outstanding"_s).toInt();
        if (!m_inProcess)
            return Ok {};   // the server's pipeline ingests
        m_runner = std::make_unique<Pipeline::PipelineRunner>(m_profile, m_settings, m_local.get(), m_metrics.get());
        std::optional<QString> failure;
        bool started = false;
        QObject::connect(m_runner.get(), &Pipeline::PipelineRunner::started, m_runner.get(), [&] { started = true; });
        QObject::connect(m_runner.get(), &Pipeline::PipelineRunner::startFailed, m_runner.get(), [&](const QString &message) { failure = message; });
        m_runner->start();
        if (!waitFor([&] { return started || failure; }, 30000))
            return ApiError::internal(u"the pipeline did not start within 30 s"_s);
        if (failure)
            return ApiError::internal(*failure);
        return Ok {};
    }

    // Over HTTP: the server's pipeline creates the subscription when it starts; publishing before would lose events.
    bool Bench::waitForSubscription()
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 30000) {
            std::optional<bool> exists;
            m_connection->pubsub()->getSubscription(m_settings.subscription, nullptr, [&](Result<PubSub::Subscription> s) { exists = bool(s); });
            waitFor([&] { return exists.has_value(); }, 10000);
            if (exists.value_or(false))
                return true;
            QThread::msleep(100);
        }
        return false;
    }

    std::optional<qint64> Bench::scalar(const QString &sql)
    {
        BigQuery::QueryRequest request;
        request.sql = sql;
        std::optional<Result<BigQuery::QueryPage>> page;
        m_connection->bigquery()->query(request, nullptr, [&](Result<BigQuery::QueryPage> p) { page.emplace(std::move(p)); });
        if (!waitFor([&] { return page.has_value(); }, 30000) || !*page || (*page)->rows.isEmpty())
            return std::nullopt;
        return (*page)->rows.first().first().toLongLong();
    }

    void Bench::readServerInserted(const std::function<void(std::optional<qint64>)> &done)
    {
        QNetworkReply *reply = m_metricsReader.get(QNetworkRequest(QUrl(value(u"endpoint"_s) + u"/metrics"_s)));
        QObject::connect(reply, &QNetworkReply::finished, reply, [reply, done] {
            reply->deleteLater();
            static const QByteArray prefix = "aqueduct_messages_total{stage=\"inserted\"} ";
            const QByteArray text = reply->readAll();
            const qsizetype at = text.indexOf(QByteArray('\n' + prefix));
            if (reply->error() != QNetworkReply::NoError || at < 0) {
                done(std::nullopt);
                return;
            }
            const qsizetype from = at + 1 + prefix.size();
            const qsizetype end = text.indexOf('\n', from);
            bool ok = false;
            const qint64 inserted = text.mid(from, end < 0 ? -1 : end - from).toLongLong(&ok);
            done(ok ? std::optional<qint64>(inserted) : std::nullopt);
        });
    }

    std::optional<qint64> Bench::serverInserted()
    {
        std::optional<std::optional<qint64>> inserted;
        readServerInserted([&](std::optional<qint64> n) { inserted = n; });
        waitFor([&] { return inserted.has_value(); }, 30000);
        return inserted.value_or(std::nullopt);
    }

    int Bench::run()
    {
        if (Status opened = openConnection(); !opened) {
            fprintf(stderr, "benchingest: %s\n", qPrintable(opened.error().message));
            return 1;
        }
        if (Status started = startPipeline(); !started) {
            fprintf(stderr, "benchingest: %s\n", qPrintable(started.error().message));
            return 1;
        }
        if (!m_inProcess && !waitForSubscription()) {
            fprintf(stderr, "benchingest: the server has no subscription %s (is its pipeline running?)\n", qPrintable(m_settings.subscription));
            return 1;
        }
        const QString countSql = u"SELECT COUNT(*) FROM %1"_s.arg(table(m_settings.table));
        // A server's table may hold earlier runs.
        const qint64 before = m_inProcess ? 0 : scalar(countSql).value_or(0);
        const std::optional<qint64> insertedBefore = m_inProcess ? std::optional<qint64>(0) : serverInserted();
        if (!insertedBefore) {
            fprintf(stderr, "benchingest: %s/metrics has no aqueduct_messages_total{stage=\"inserted\"} (is the server's pipeline running?)\n", qPrintable(value(u"endpoint"_s)));
            return 1;
        }

        // What `aqueduct publish` sets (app/cli/publishcommand.cpp).
        PubSub::PublisherSettings publisherSettings;
        publisherSettings.maxMessages = 1000;
        publisherSettings.maxOutstandingMessages = 20000;
        publisherSettings.maxOutstandingBytes = 64 * 1024 * 1024;
        PubSub::Publisher publisher(m_connection->pubsub(), m_settings.topic, publisherSettings);
        Pipeline::PublishPlan plan;
        const double rate = value(u"rate"_s).toDouble();
        if (rate > 0) {
            plan.rate = rate;
            plan.durationMicros = qint64(value(u"seconds"_s).toDouble() * 1e6);
        } else {
            plan.count = value(u"messages"_s).toLongLong();
        }
        Pipeline::PublishJob job(&publisher, Pipeline::EventGenerator(value(u"seed"_s).toULongLong()), plan);

        QElapsedTimer clock;
        qint64 publishedAtNs = -1;
        qint64 storedAtNs = -1;
        qint64 stored = 0;
        QObject::connect(&job, &Pipeline::PublishJob::finished, &job, [&] { publishedAtNs = clock.nsecsElapsed(); });
        // Completion: the pipeline's Inserted total; in-process read every 2 ms, over HTTP from the server's /metrics.
        QTimer watch;
        watch.setTimerType(Qt::PreciseTimer);
        bool counting = false;
        QObject::connect(&watch, &QTimer::timeout, &watch, [&] {
            if (publishedAtNs < 0 && rate > 0)
                return;   // a paced run's count is known once it ends
            const qint64 target = job.sent();
            if (m_inProcess) {
                stored = m_metrics->snapshot().total(Stage::Inserted);
                if (publishedAtNs >= 0 && stored >= target && storedAtNs < 0)
                    storedAtNs = clock.nsecsElapsed();
                return;
            }
            if (counting)
                return;
            counting = true;
            readServerInserted([&, target](std::optional<qint64> inserted) {
                counting = false;
                if (inserted)
                    stored = *inserted - *insertedBefore;
                if (publishedAtNs >= 0 && stored >= target && storedAtNs < 0)
                    storedAtNs = clock.nsecsElapsed();
            });
        });
        const QByteArray loadAtStart = loadAverage();
        clock.start();
        job.start();
        watch.start(m_inProcess ? 2 : value(u"poll-ms"_s).toInt());
        const int timeoutMs = value(u"timeout-s"_s).toInt() * 1000;
        const bool done = waitFor([&] { return storedAtNs >= 0; }, timeoutMs);
        watch.stop();
        waitFor([&] { return !counting; }, 30000);

        const double seconds = double(storedAtNs) / 1e9;
        const double publishSeconds = double(publishedAtNs) / 1e9;
        const qint64 sent = job.sent();
        const Metrics::Snapshot snapshot = m_metrics->snapshot();
        const std::optional<qint64> rows = scalar(countSql);
        const std::optional<qint64> errorRows = scalar(u"SELECT COUNT(*) FROM %1"_s.arg(table(m_settings.errorTable)));
        const double rss = peakRssMb(u"self"_s);
        const QMap<QByteArray, double> threadCpu = threadCpuSeconds(u"self"_s);
        const QString serverPid = value(u"server-pid"_s);
        const QMap<QByteArray, double> serverCpu = serverPid.isEmpty() ? QMap<QByteArray, double> {} : threadCpuSeconds(serverPid);
        const double serverRss = serverPid.isEmpty() ? -1 : peakRssMb(serverPid);
        const QByteArray loadAtEnd = loadAverage();

        if (m_runner) {
            bool stopped = false;
            QObject::connect(m_runner.get(), &Pipeline::PipelineRunner::stopped, m_runner.get(), [&] { stopped = true; });
            m_runner->stop();
            waitFor([&] { return stopped; }, 20000);
            m_runner.reset();
        }

        QByteArray line = "{\"route\":\"" + QByteArray(!m_inProcess ? "http" : m_profile.pubsub.backend == Config::Backend::Emulator ? "in-process, Pub/Sub on Google's emulator" : "in-process") + "\",\"mode\":\""
            + (rate > 0 ? "paced" : "as-fast-as-possible") + "\"";
        if (rate > 0)
            line += ",\"rate\":" + number(rate) + ",\"publish_seconds\":" + number(publishSeconds, 3);
        line += ",\"messages\":" + QByteArray::number(sent) + ",\"publish_failed\":" + QByteArray::number(job.failed());
        if (done)
            line += ",\"seconds\":" + number(seconds, 3) + ",\"events_per_s\":" + number(double(sent) / seconds);
        else
            line += ",\"timed_out_with_rows\":" + QByteArray::number(stored);
        if (rate <= 0 && publishedAtNs >= 0)
            line += ",\"publish_msgs_per_s\":" + number(double(sent) / publishSeconds);
        line += ",\"table_rows\":" + (rows ? QByteArray::number(*rows - before) : QByteArray("null"))
            + ",\"error_rows\":" + (errorRows ? QByteArray::number(*errorRows) : QByteArray("null"));
        if (m_inProcess) {
            line += ",\"latency_ms_p50\":" + number(snapshot.latencyP50Micros / 1000, 1) + ",\"latency_ms_p95\":" + number(snapshot.latencyP95Micros / 1000, 1)
                + ",\"latency_ms_p99\":" + number(snapshot.latencyP99Micros / 1000, 1) + ",\"latency_samples\":" + QByteArray::number(snapshot.latencyWindowCount)
                + ",\"acked\":" + QByteArray::number(snapshot.total(Stage::Acked)) + ",\"nacked\":" + QByteArray::number(snapshot.total(Stage::Nacked))
                + ",\"retried\":" + QByteArray::number(snapshot.total(Stage::Retried));
            line += ",\"batch_rows\":" + QByteArray::number(m_settings.batchRows) + ",\"batch_latency_ms\":" + QByteArray::number(m_settings.batchLatency.count())
                + ",\"inserts\":" + QByteArray::number(m_settings.maxConcurrentInserts) + ",\"pulls\":" + QByteArray::number(m_settings.subscriber.concurrentPulls)
                + ",\"outstanding\":" + QByteArray::number(m_settings.subscriber.maxOutstandingMessages);
        }
        line += ",\"peak_rss_mb\":" + number(rss, 1) + ",\"cpu_us_per_event\":" + number(sum(threadCpu) * 1e6 / double(qMax<qint64>(1, sent)), 1)
            + ",\"thread_cpu_s\":" + cpuJson(threadCpu);
        if (!serverPid.isEmpty()) {
            line += ",\"server_peak_rss_mb\":" + number(serverRss, 1) + ",\"server_cpu_us_per_event\":"
                + number(sum(serverCpu) * 1e6 / double(qMax<qint64>(1, sent)), 1) + ",\"server_thread_cpu_s\":" + cpuJson(serverCpu);
        }
        line += ",\"load_average_1m\":[" + loadAtStart + "," + loadAtEnd + "]}";
        printf("%s\n", line.constData());
        fflush(stdout);
        const bool complete = done && rows && *rows - before == sent && job.failed() == 0;
        return complete ? 0 : 1;
    }
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"benchingest"_s);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {u"messages"_s, u"Events to publish as fast as flow control allows."_s, u"n"_s, u"200000"_s},
        {u"rate"_s, u"Publish at this many events/s instead, evenly paced, for --seconds."_s, u"per-s"_s, u"0"_s},
        {u"seconds"_s, u"How long a paced run publishes."_s, u"s"_s, u"30"_s},
        {u"seed"_s, u"The generator's seed."_s, u"n"_s, u"1"_s},
        {u"endpoint"_s, u"An aqueduct-server serve with its pipeline, instead of the local cloud in this process."_s, u"url"_s},
        {u"pubsub-emulator"_s, u"In-process, but Pub/Sub on Google's emulator at host:port (BigQuery stays on the local cloud)."_s, u"host:port"_s},
        {u"data-dir"_s, u"In-process: the data folder (default: a new temporary one)."_s, u"dir"_s},
        {u"server-pid"_s, u"Over HTTP: the server's PID, to report its peak memory and CPU time too."_s, u"pid"_s},
        {u"poll-ms"_s, u"Over HTTP: how often the server's /metrics is read."_s, u"ms"_s, u"10"_s},
        {u"timeout-s"_s, u"Give up after this long."_s, u"s"_s, u"300"_s},
        {u"batch-rows"_s, u"In-process: IngestSettings::batchRows."_s, u"n"_s},
        {u"batch-latency-ms"_s, u"In-process: IngestSettings::batchLatency."_s, u"ms"_s},
        {u"inserts"_s, u"In-process: IngestSettings::maxConcurrentInserts."_s, u"n"_s},
        {u"pulls"_s, u"In-process: the subscriber's concurrentPulls."_s, u"n"_s},
        {u"outstanding"_s, u"In-process: the subscriber's maxOutstandingMessages."_s, u"n"_s},
    });
    parser.process(app);
    if (parser.value(u"rate"_s).toDouble() > 0 && parser.value(u"seconds"_s).toDouble() <= 0) {
        fprintf(stderr, "benchingest: --rate needs --seconds above 0\n");
        return 2;
    }
    Bench bench(parser);
    return bench.run();
}
