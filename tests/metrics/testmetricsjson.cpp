#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include "core/metrics/metricsjson.h"
#include "core/metrics/pipelinemetrics.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq::Metrics;

namespace
{
    constexpr qint64 StartMs = 1'700'000'040'000;

    QStringList sorted(QStringList keys)
    {
        keys.sort();
        return keys;
    }

    QStringList stageKeys()
    {
        QStringList keys;
        for (const Stage stage : AllStages)
            keys.append(stageJsonKey(stage));
        return sorted(keys);
    }

    // Every stage's key, 0 unless given.
    QJsonObject perStage(std::initializer_list<std::pair<Stage, double>> values)
    {
        QJsonObject object;
        for (const Stage stage : AllStages)
            object.insert(stageJsonKey(stage), 0);
        for (const auto &[stage, value] : values)
            object.insert(stageJsonKey(stage), value);
        return object;
    }

    // What goes over the wire: the object, written and read back.
    QJsonObject roundTrip(const QJsonObject &object)
    {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(QJsonDocument(object).toJson(QJsonDocument::Compact), &error);
        return document.object();
    }
}

class TestMetricsJson final : public QObject
{
    Q_OBJECT

private:
    qint64 m_nowMs = StartMs;

private slots:
    void init()
    {
        m_nowMs = StartMs;
    }

    void testStatsShape()
    {
        PipelineMetrics metrics([this] { return m_nowMs; });
        for (int s = 0; s < 10; ++s) {
            metrics.add(Stage::Published, 30);
            metrics.add(Stage::Inserted, 20);
            metrics.add(Stage::DeadLettered, 1);
            for (int i = 1; i <= 100; ++i)
                metrics.recordEndToEndLatency(i * 1000);
            m_nowMs += 1000;
        }
        metrics.setBacklog(77);
        const QJsonObject stats = roundTrip(toJson(metrics.snapshot()));

        QCOMPARE(sorted(stats.keys()),
                 sorted({u"timeMs"_s, u"startTimeMs"_s, u"uptimeSeconds"_s, u"totals"_s, u"rates"_s, u"rateWindowSeconds"_s,
                         u"latency"_s, u"backlog"_s}));
        QCOMPARE(stats[u"timeMs"_s].toInteger(), StartMs + 10'000);
        QCOMPARE(stats[u"startTimeMs"_s].toInteger(), StartMs);
        QCOMPARE(stats[u"uptimeSeconds"_s].toDouble(), 10.0);
        QCOMPARE(stats[u"rateWindowSeconds"_s].toInt(), 10);
        QCOMPARE(stats[u"backlog"_s].toInteger(), 77);

        QCOMPARE(stats[u"totals"_s].toObject(), perStage({{Stage::Published, 300}, {Stage::Inserted, 200}, {Stage::DeadLettered, 10}}));
        QCOMPARE(stats[u"rates"_s].toObject(), perStage({{Stage::Published, 30}, {Stage::Inserted, 20}, {Stage::DeadLettered, 1}}));

        const QJsonObject latency = stats[u"latency"_s].toObject();
        QCOMPARE(sorted(latency.keys()),
                 sorted({u"windowSeconds"_s, u"count"_s, u"p50Ms"_s, u"p95Ms"_s, u"p99Ms"_s, u"lifetimeCount"_s,
                         u"lifetimeMeanMs"_s}));
        QCOMPARE(latency[u"windowSeconds"_s].toInt(), 60);
        QCOMPARE(latency[u"count"_s].toInteger(), 1000);
        QVERIFY(std::abs(latency[u"p50Ms"_s].toDouble() - 50) <= 50 * LatencyHistogram::MaxRelativeError);
        QVERIFY(std::abs(latency[u"p99Ms"_s].toDouble() - 99) <= 99 * LatencyHistogram::MaxRelativeError);
        QCOMPARE(latency[u"lifetimeCount"_s].toInteger(), 1000);
        QCOMPARE(latency[u"lifetimeMeanMs"_s].toDouble(), 50.5);
    }

    void testIdleStatsUseNulls()
    {
        PipelineMetrics metrics([this] { return m_nowMs; });
        const QJsonObject stats = roundTrip(toJson(metrics.snapshot()));
        QVERIFY(stats[u"backlog"_s].isNull());
        const QJsonObject latency = stats[u"latency"_s].toObject();
        QCOMPARE(latency[u"count"_s].toInteger(), 0);
        QVERIFY(latency[u"p50Ms"_s].isNull());
        QVERIFY(latency[u"p95Ms"_s].isNull());
        QVERIFY(latency[u"p99Ms"_s].isNull());
        QVERIFY(latency[u"lifetimeMeanMs"_s].isNull());
        QCOMPARE(stats[u"totals"_s].toObject(), perStage({}));
        QCOMPARE(stats[u"rates"_s].toObject(), perStage({}));
    }

    void testSeriesShape_data()
    {
        QTest::addColumn<int>("window");
        QTest::addColumn<int>("resolution");
        QTest::addColumn<int>("points");
        QTest::newRow("1 min") << 60 << 1 << 60;
        QTest::newRow("15 min") << 900 << 1 << 900;
        QTest::newRow("1 h") << 3600 << 10 << 360;
    }

    void testSeriesShape()
    {
        QFETCH(int, window);
        QFETCH(int, resolution);
        QFETCH(int, points);
        PipelineMetrics metrics([this] { return m_nowMs; });
        for (int s = 0; s < 3600; ++s) {
            metrics.add(Stage::Published, 4);
            metrics.add(Stage::Pulled, 3);
            if (s % 2 == 0)
                metrics.recordEndToEndLatency(25'000);
            metrics.setBacklog(s < 3000 ? 5 : -1);
            m_nowMs += 1000;
        }
        const QJsonObject json = roundTrip(seriesToJson(metrics.series(window)));
        QCOMPARE(sorted(json.keys()), sorted({u"window"_s, u"resolutionSeconds"_s, u"points"_s}));
        QCOMPARE(json[u"window"_s].toInt(), window);
        QCOMPARE(json[u"resolutionSeconds"_s].toInt(), resolution);
        const QJsonArray array = json[u"points"_s].toArray();
        QCOMPARE(array.size(), points);

        QStringList pointKeys = stageKeys();
        pointKeys << u"t"_s << u"p50Ms"_s << u"p95Ms"_s << u"p99Ms"_s << u"backlog"_s;
        qint64 previous = 0;
        for (const QJsonValue &value : array) {
            const QJsonObject point = value.toObject();
            QCOMPARE(sorted(point.keys()), sorted(pointKeys));
            const qint64 t = point[u"t"_s].toInteger();
            QVERIFY(t > previous);
            QVERIFY(previous == 0 || t - previous == resolution * 1000);
            previous = t;
            QCOMPARE(point[u"published"_s].toDouble(), 4.0);   // msgs/s, whatever the resolution
            QCOMPARE(point[u"pulled"_s].toDouble(), 3.0);
            QCOMPARE(point[u"failed"_s].toDouble(), 0.0);
            QVERIFY(point[u"backlog"_s].isNull() || point[u"backlog"_s].toInteger() == 5);
        }
        QCOMPARE(previous, m_nowMs - resolution * 1000);
        QVERIFY(array.last().toObject()[u"backlog"_s].isNull());

        // In 1 s points, the seconds without a latency have nulls; in 10 s points every point has some.
        const QJsonObject last = array.last().toObject();
        const QJsonObject beforeLast = array[array.size() - 2].toObject();
        if (resolution == 1) {
            QVERIFY(last[u"p50Ms"_s].isNull() != beforeLast[u"p50Ms"_s].isNull());
        } else {
            QVERIFY(std::abs(last[u"p50Ms"_s].toDouble() - 25) <= 25 * LatencyHistogram::MaxRelativeError);
            QCOMPARE(last[u"p99Ms"_s].toDouble(), last[u"p50Ms"_s].toDouble());
        }
    }
};

QTEST_APPLESS_MAIN(TestMetricsJson)
#include "testmetricsjson.moc"
