#include <QtTest>

#include "core/metrics/timeseriesring.h"

using namespace Aq::Metrics;

namespace
{
    constexpr qint64 Start = 1'699'999'980;   // epoch seconds, a whole minute

    StageCounts published(qint64 count)
    {
        StageCounts counts {};
        counts[size_t(Stage::Published)] = count;
        return counts;
    }

    qint64 publishedIn(const SeriesPoint &point)
    {
        return point.counts[size_t(Stage::Published)];
    }

    void verifyContiguous(const QList<SeriesPoint> &points, int resolutionSeconds)
    {
        for (qsizetype i = 1; i < points.size(); ++i)
            QCOMPARE(points[i].timeMs - points[i - 1].timeMs, resolutionSeconds * 1000);
    }
}

class TestMetricsRing final : public QObject
{
    Q_OBJECT

private slots:
    void testSecondsAddUpToPeriods() const
    {
        TimeSeriesRing ring(10, 100);
        const LatencyHistogram none;
        for (qint64 s = Start; s < Start + 25; ++s)
            ring.addSecond(s, published(1), none, 7);
        // The third period is still open.
        ring.advanceTo(Start + 25, 7);
        QList<SeriesPoint> points = ring.lastPoints(100);
        QCOMPARE(points.size(), 2);
        QCOMPARE(points[0].timeMs, Start * 1000);
        QCOMPARE(points[1].timeMs, (Start + 10) * 1000);
        QCOMPARE(publishedIn(points[0]), 10);
        QCOMPARE(publishedIn(points[1]), 10);
        QCOMPARE(points[1].backlog, 7);
        QCOMPARE(points[1].latencyCount, 0u);

        ring.advanceTo(Start + 30, 7);
        points = ring.lastPoints(100);
        QCOMPARE(points.size(), 3);
        QCOMPARE(publishedIn(points[2]), 5);
    }

    void testLatenciesMergeAcrossThePeriod() const
    {
        TimeSeriesRing ring(10, 10);
        for (qint64 s = 0; s < 10; ++s) {
            LatencyHistogram second;
            for (int i = 1; i <= 100; ++i)
                second.record((s * 100 + i) * 1000);   // 1..1000 ms over the ten seconds
            ring.addSecond(Start + s, {}, second, -1);
        }
        ring.advanceTo(Start + 10, -1);
        const QList<SeriesPoint> points = ring.lastPoints(1);
        QCOMPARE(points.size(), 1);
        QCOMPARE(points[0].latencyCount, 1000u);
        QVERIFY(std::abs(points[0].latencyP50Micros - 500'000) <= 500'000 * LatencyHistogram::MaxRelativeError);
        QVERIFY(std::abs(points[0].latencyP95Micros - 950'000) <= 950'000 * LatencyHistogram::MaxRelativeError);
        QVERIFY(std::abs(points[0].latencyP99Micros - 990'000) <= 990'000 * LatencyHistogram::MaxRelativeError);
        QCOMPARE(points[0].backlog, -1);
    }

    void testQuietSecondsBecomeEmptyPoints() const
    {
        TimeSeriesRing ring(1, 100);
        ring.addSecond(Start, published(3), {}, 5);
        ring.advanceTo(Start + 5, 9);
        const QList<SeriesPoint> points = ring.lastPoints(100);
        QCOMPARE(points.size(), 5);
        verifyContiguous(points, 1);
        QCOMPARE(publishedIn(points[0]), 3);
        QCOMPARE(points[0].backlog, 5);
        for (int i = 1; i < 5; ++i) {
            QCOMPARE(publishedIn(points[i]), 0);
            QCOMPARE(points[i].backlog, 9);
        }
        // A second after a gap closes the open period and fills the gap up to it.
        ring.addSecond(Start + 8, published(1), {}, 9);
        ring.advanceTo(Start + 9, 9);
        QCOMPARE(ring.size(), 9);
        QCOMPARE(publishedIn(ring.lastPoints(1).first()), 1);
    }

    void testCapacityBoundsTheRing() const
    {
        TimeSeriesRing ring(1, 100);
        for (qint64 s = Start; s < Start + 1000; ++s) {
            ring.addSecond(s, published(s - Start), {}, -1);
            ring.advanceTo(s + 1, -1);
            QVERIFY(ring.size() <= ring.capacity());
        }
        const QList<SeriesPoint> points = ring.lastPoints(1000);
        QCOMPARE(points.size(), 100);
        verifyContiguous(points, 1);
        QCOMPARE(points.first().timeMs, (Start + 900) * 1000);
        QCOMPARE(publishedIn(points.last()), 999);
        QCOMPARE(ring.lastPoints(3).first().timeMs, (Start + 997) * 1000);
    }

    void testHugeGapWritesOnlyTheCapacity() const
    {
        TimeSeriesRing ring(60, 1440);
        ring.addSecond(Start, published(1), {}, 4);
        // Ten years later: the ring holds the last day, all empty, and got there without writing ten years of points.
        const qint64 later = Start + 10 * 365 * 86400LL;
        ring.advanceTo(later, 4);
        const QList<SeriesPoint> points = ring.lastPoints(5000);
        QCOMPARE(points.size(), 1440);
        verifyContiguous(points, 60);
        QCOMPARE(points.last().timeMs, (later / 60 * 60 - 60) * 1000);
        for (const SeriesPoint &point : points)
            QCOMPARE(publishedIn(point), 0);
    }
};

QTEST_APPLESS_MAIN(TestMetricsRing)
#include "testmetricsring.moc"
