#include <atomic>
#include <cmath>

#include <QtTest>

#include "core/metrics/metricsjson.h"
#include "core/metrics/pipelinemetrics.h"
#include "ui/dashboard/metricsjsonreader.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq::Metrics;
using namespace Aq::Ui;

namespace
{
    constexpr qint64 StartMs = 1'700'000'040'000;

    bool sameMicros(double a, double b)
    {
        return (std::isnan(a) && std::isnan(b)) || std::abs(a - b) <= 0.5 + 1e-9;
    }
}

class TestMetricsJsonReader final : public QObject
{
    Q_OBJECT

private:
    std::atomic<qint64> m_nowMs {StartMs};

    // 100 s of traffic with every stage, latencies and a backlog; then 5 quiet seconds with the backlog unknown.
    void feed(PipelineMetrics &metrics)
    {
        for (int s = 0; s < 100; ++s) {
            metrics.add(Stage::Published, 120 + s % 7);
            metrics.add(Stage::Pulled, 118);
            metrics.add(Stage::Inserted, 115);
            metrics.add(Stage::DeadLettered, s % 3);
            metrics.add(Stage::Acked, 117);
            metrics.add(Stage::Nacked, s % 5 == 0 ? 2 : 0);
            metrics.add(Stage::Retried, s % 11 == 0 ? 4 : 0);
            metrics.add(Stage::Failed, s % 13 == 0 ? 1 : 0);
            for (int i = 0; i < 40; ++i)
                metrics.recordEndToEndLatency(12'345 + i * 733 + s * 17);
            metrics.setBacklog(30 + s % 9);
            m_nowMs += 1000;
        }
        metrics.setBacklog(-1);
        m_nowMs += 5000;
    }

private slots:
    void init()
    {
        m_nowMs = StartMs;
    }

    void testSeriesRoundTrip_data()
    {
        QTest::addColumn<int>("window");
        QTest::newRow("1 min, 1 s") << 60;
        QTest::newRow("15 min, 1 s") << 900;
        QTest::newRow("1 h, 10 s") << 3600;
        QTest::newRow("24 h, 1 min") << 86400;
    }

    void testSeriesRoundTrip()
    {
        QFETCH(int, window);
        PipelineMetrics metrics([this] { return m_nowMs.load(); });
        feed(metrics);
        const Series original = metrics.series(window);
        QVERIFY(!original.points.isEmpty());

        const QJsonObject json = seriesToJson(original);
        const Series read = seriesFromJson(json);
        QCOMPARE(read.windowSeconds, original.windowSeconds);
        QCOMPARE(read.resolutionSeconds, original.resolutionSeconds);
        QCOMPARE(read.points.size(), original.points.size());
        bool sawLatency = false;
        bool sawNoLatency = false;
        bool sawUnknownBacklog = false;
        for (qsizetype i = 0; i < original.points.size(); ++i) {
            const SeriesPoint &a = original.points[i];
            const SeriesPoint &b = read.points[i];
            QCOMPARE(b.timeMs, a.timeMs);
            QCOMPARE(b.counts, a.counts);
            QCOMPARE(b.backlog, a.backlog);
            QCOMPARE(b.latencyCount > 0, a.latencyCount > 0);
            if (a.latencyCount > 0) {
                QVERIFY(sameMicros(b.latencyP50Micros, a.latencyP50Micros));
                QVERIFY(sameMicros(b.latencyP95Micros, a.latencyP95Micros));
                QVERIFY(sameMicros(b.latencyP99Micros, a.latencyP99Micros));
            }
            sawLatency |= a.latencyCount > 0;
            sawNoLatency |= a.latencyCount == 0;
            sawUnknownBacklog |= a.backlog < 0;
        }
        QVERIFY(sawLatency);
        if (window <= 900)
            QVERIFY(sawNoLatency && sawUnknownBacklog);
        // And back: the same JSON.
        QCOMPARE(seriesToJson(read), json);
    }

    void testSnapshotRoundTrip()
    {
        PipelineMetrics metrics([this] { return m_nowMs.load(); });
        feed(metrics);
        metrics.setBacklog(77);
        const Snapshot original = metrics.snapshot();
        const QJsonObject json = toJson(original);
        const Snapshot read = snapshotFromJson(json);

        QCOMPARE(read.timeMs, original.timeMs);
        QCOMPARE(read.startTimeMs, original.startTimeMs);
        QCOMPARE(read.totals, original.totals);
        for (const Stage stage : AllStages)
            QVERIFY(std::abs(read.rate(stage) - original.rate(stage)) <= 0.0005);
        QCOMPARE(read.rateWindowSeconds, original.rateWindowSeconds);
        QCOMPARE(read.latencyWindowSeconds, original.latencyWindowSeconds);
        QCOMPARE(read.latencyWindowCount, original.latencyWindowCount);
        QVERIFY(sameMicros(read.latencyP50Micros, original.latencyP50Micros));
        QVERIFY(sameMicros(read.latencyP95Micros, original.latencyP95Micros));
        QVERIFY(sameMicros(read.latencyP99Micros, original.latencyP99Micros));
        QCOMPARE(read.latencyCount, original.latencyCount);
        const double meanMicros = double(original.latencySumMicros) / double(original.latencyCount);
        QVERIFY(std::abs(double(read.latencySumMicros) / double(read.latencyCount) - meanMicros) <= 0.5);
        QCOMPARE(read.backlog, 77);
        QCOMPARE(toJson(read), json);
    }

    void testSnapshotWithNothingYet()
    {
        PipelineMetrics metrics([this] { return m_nowMs.load(); });
        const Snapshot original = metrics.snapshot();
        const QJsonObject json = toJson(original);
        const Snapshot read = snapshotFromJson(json);
        QCOMPARE(read.latencyWindowCount, 0u);
        QVERIFY(std::isnan(read.latencyP50Micros));
        QVERIFY(std::isnan(read.latencyP99Micros));
        QCOMPARE(read.latencyCount, 0u);
        QCOMPARE(read.backlog, -1);
        QCOMPARE(toJson(read), json);
    }

    void testMalformedInputReadsAsEmpty()
    {
        const Series series = seriesFromJson(QJsonObject {{u"points"_s, u"nope"_s}});
        QVERIFY(series.points.isEmpty());
        const Series oddPoint = seriesFromJson(QJsonObject {{u"resolutionSeconds"_s, 1}, {u"points"_s, QJsonArray {42, QJsonObject {}}}});
        QCOMPARE(oddPoint.points.size(), 2);
        QCOMPARE(oddPoint.points[0].backlog, -1);
        QCOMPARE(oddPoint.points[1].latencyCount, 0u);
        const Snapshot snapshot = snapshotFromJson({});
        QCOMPARE(snapshot.total(Stage::Published), 0);
        QCOMPARE(snapshot.backlog, -1);
    }
};

QTEST_APPLESS_MAIN(TestMetricsJsonReader)
#include "testmetricsjsonreader.moc"
