#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

#include <QtTest>

#include "core/metrics/pipelinemetrics.h"

using namespace Aq::Metrics;

namespace
{
    constexpr qint64 StartMs = 1'700'000'040'000;   // a whole minute

    qint64 sumOf(const QList<SeriesPoint> &points, Stage stage)
    {
        qint64 sum = 0;
        for (const SeriesPoint &point : points)
            sum += point.counts[size_t(stage)];
        return sum;
    }

    bool near(double estimate, double exact)
    {
        return std::abs(estimate - exact) <= exact * LatencyHistogram::MaxRelativeError;
    }
}

class TestPipelineMetrics final : public QObject
{
    Q_OBJECT

private:
    // The injected clock: tests move it; nothing sleeps.
    std::atomic<qint64> m_nowMs {StartMs};

    PipelineMetrics::Clock clock()
    {
        return [this] { return m_nowMs.load(); };
    }

    void advanceSeconds(qint64 seconds)
    {
        m_nowMs += seconds * 1000;
    }

private slots:
    void init()
    {
        m_nowMs = StartMs;
    }

    void testTotalsAndRates()
    {
        PipelineMetrics metrics(clock());
        Snapshot snapshot = metrics.snapshot();
        QCOMPARE(snapshot.total(Stage::Published), 0);
        QCOMPARE(snapshot.rate(Stage::Published), 0.0);
        QCOMPARE(snapshot.uptimeMs(), 0);

        // 4 s at 100 published/s: the rate covers the 4 s since the start.
        for (int s = 0; s < 4; ++s) {
            metrics.add(Stage::Published, 100);
            advanceSeconds(1);
        }
        snapshot = metrics.snapshot();
        QCOMPARE(snapshot.total(Stage::Published), 400);
        QCOMPARE(snapshot.rate(Stage::Published), 100.0);

        // 20 s more at 50/s published, 40/s inserted, 10/s dead-lettered: the rate covers the last 10 s only.
        for (int s = 0; s < 20; ++s) {
            metrics.add(Stage::Published, 50);
            metrics.add(Stage::Inserted, 40);
            for (int i = 0; i < 10; ++i)
                metrics.add(Stage::DeadLettered);
            advanceSeconds(1);
        }
        snapshot = metrics.snapshot();
        QCOMPARE(snapshot.total(Stage::Published), 1400);
        QCOMPARE(snapshot.total(Stage::Inserted), 800);
        QCOMPARE(snapshot.total(Stage::DeadLettered), 200);
        QCOMPARE(snapshot.total(Stage::Failed), 0);
        QCOMPARE(snapshot.rate(Stage::Published), 50.0);
        QCOMPARE(snapshot.rate(Stage::Inserted), 40.0);
        QCOMPARE(snapshot.rate(Stage::DeadLettered), 10.0);
        QCOMPARE(snapshot.rateWindowSeconds, 10);
        QCOMPARE(snapshot.uptimeMs(), 24'000);
        QCOMPARE(snapshot.timeMs, StartMs + 24'000);

        // Half a second into the next one, its counts are in the rate already: 10.5 s of window.
        m_nowMs += 500;
        metrics.add(Stage::Published, 105);
        snapshot = metrics.snapshot();
        QCOMPARE(snapshot.rate(Stage::Published), (500.0 + 105) / 10.5);

        // Silence: the rate falls to 0 once the window has passed.
        advanceSeconds(11);
        QCOMPARE(metrics.snapshot().rate(Stage::Published), 0.0);
        QCOMPARE(metrics.snapshot().total(Stage::Published), 1505);
    }

    void testDefaultClockIsTheWallClock() const
    {
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        PipelineMetrics metrics;
        metrics.add(Stage::Acked, 2);
        const Snapshot snapshot = metrics.snapshot();
        QCOMPARE(snapshot.total(Stage::Acked), 2);
        QVERIFY(snapshot.uptimeMs() >= 0);
        // The coarse clock is a few ms behind at worst.
        QVERIFY(std::abs(snapshot.timeMs - before) < 1000);
        QVERIFY(std::abs(snapshot.startTimeMs - before) < 1000);
    }

    void testSeriesPicksTheFinestCoveringResolution() const
    {
        QCOMPARE(PipelineMetrics::resolutionFor(60), 1);
        QCOMPARE(PipelineMetrics::resolutionFor(900), 1);
        QCOMPARE(PipelineMetrics::resolutionFor(901), 10);
        QCOMPARE(PipelineMetrics::resolutionFor(3600), 10);
        QCOMPARE(PipelineMetrics::resolutionFor(6 * 3600), 10);
        QCOMPARE(PipelineMetrics::resolutionFor(86400), 60);
        QCOMPARE(PipelineMetrics::resolutionFor(1'000'000), 60);
        QCOMPARE(PipelineMetrics::longestWindowSeconds(), 86400);
    }

    void testSeriesPoints()
    {
        PipelineMetrics metrics(clock());
        metrics.setBacklog(12);
        for (int s = 0; s < 120; ++s) {
            metrics.add(Stage::Published, 5);
            metrics.add(Stage::Pulled, s);
            advanceSeconds(1);
        }
        Series series = metrics.series(60);
        QCOMPARE(series.windowSeconds, 60);
        QCOMPARE(series.resolutionSeconds, 1);
        QCOMPARE(series.points.size(), 60);
        QCOMPARE(series.points.first().timeMs, StartMs + 60'000);
        QCOMPARE(series.points.last().timeMs, StartMs + 119'000);
        for (int i = 0; i < 60; ++i) {
            QCOMPARE(series.points[i].timeMs, StartMs + (60 + i) * 1000);
            QCOMPARE(series.points[i].counts[size_t(Stage::Published)], 5);
            QCOMPARE(series.points[i].counts[size_t(Stage::Pulled)], 60 + i);
            QCOMPARE(series.points[i].backlog, 12);
        }

        // 900 s asked, 120 s of history: what there is.
        series = metrics.series(900);
        QCOMPARE(series.resolutionSeconds, 1);
        QCOMPARE(series.points.size(), 120);
        QCOMPARE(series.points.first().timeMs, StartMs);

        series = metrics.series(3600);
        QCOMPARE(series.windowSeconds, 3600);
        QCOMPARE(series.resolutionSeconds, 10);
        QCOMPARE(series.points.size(), 12);
        for (const SeriesPoint &point : series.points)
            QCOMPARE(point.counts[size_t(Stage::Published)], 50);

        series = metrics.series(86400);
        QCOMPARE(series.resolutionSeconds, 60);
        QCOMPARE(series.points.size(), 2);
        QCOMPARE(sumOf(series.points, Stage::Pulled), 119 * 120 / 2);

        // Windows beyond the longest ring are cut to it; nonsense ones to a second.
        QCOMPARE(metrics.series(10'000'000).windowSeconds, 86400);
        QCOMPARE(metrics.series(0).windowSeconds, 1);
        QCOMPARE(metrics.series(-5).points.size(), 1);
    }

    void testRingsStayBoundedOver48Hours()
    {
        PipelineMetrics metrics(clock());
        constexpr int Seconds = 48 * 3600;
        for (int s = 0; s < Seconds; ++s) {
            metrics.add(Stage::Published);
            metrics.add(Stage::Inserted, 2);
            metrics.recordEndToEndLatency(1000 + (s % 10) * 1000);   // 1..10 ms, evenly
            metrics.setBacklog(s % 100);
            advanceSeconds(1);
        }
        const Snapshot snapshot = metrics.snapshot();
        QCOMPARE(snapshot.total(Stage::Published), Seconds);
        QCOMPARE(snapshot.total(Stage::Inserted), 2 * Seconds);
        QCOMPARE(snapshot.latencyCount, quint64(Seconds));
        QCOMPARE(snapshot.latencyWindowCount, 60u);
        QCOMPARE(snapshot.rate(Stage::Inserted), 2.0);
        QCOMPARE(snapshot.uptimeMs(), qint64(Seconds) * 1000);

        const qint64 endMs = StartMs + qint64(Seconds) * 1000;
        const struct
        {
            int window;
            int resolution;
            int points;
        } expected[] = {{60, 1, 60}, {900, 1, 900}, {3600, 10, 360}, {6 * 3600, 10, 2160}, {86400, 60, 1440}, {172800, 60, 1440}};
        for (const auto &e : expected) {
            const Series series = metrics.series(e.window);
            QCOMPARE(series.resolutionSeconds, e.resolution);
            QCOMPARE(series.points.size(), e.points);
            QCOMPARE(series.points.last().timeMs, endMs - e.resolution * 1000);
            for (qsizetype i = 1; i < series.points.size(); ++i)
                QCOMPARE(series.points[i].timeMs - series.points[i - 1].timeMs, e.resolution * 1000);
            QCOMPARE(sumOf(series.points, Stage::Published), qint64(e.points) * e.resolution);
            const SeriesPoint &last = series.points.last();
            QCOMPARE(last.latencyCount, quint64(e.resolution));
            QCOMPARE(last.backlog, (Seconds - 1) % 100);
        }
        // A 1 min point holds 60 seconds of 1..10 ms, six of each: the median is 5 ms, p99 10 ms.
        const SeriesPoint minute = metrics.series(86400).points.last();
        QVERIFY(near(minute.latencyP50Micros, 5000));
        QVERIFY(near(minute.latencyP99Micros, 10000));
    }

    void testClockJumpsAreCheap()
    {
        PipelineMetrics metrics(clock());
        metrics.add(Stage::Pulled, 3);
        metrics.setBacklog(8);
        // Thirty days of silence: the rings hold empty points, written in bounded time.
        advanceSeconds(30 * 86400);
        QElapsedTimer timer;
        timer.start();
        const Series series = metrics.series(86400);
        QVERIFY(timer.elapsed() < 1000);
        QCOMPARE(series.points.size(), 1440);
        QCOMPARE(sumOf(series.points, Stage::Pulled), 0);
        QCOMPARE(series.points.last().backlog, 8);
        QCOMPARE(metrics.snapshot().total(Stage::Pulled), 3);

        // A clock that steps back books to the second in progress, and loses nothing.
        m_nowMs -= 5000;
        metrics.add(Stage::Pulled, 4);
        QCOMPARE(metrics.snapshot().total(Stage::Pulled), 7);
        advanceSeconds(10);
        QCOMPARE(sumOf(metrics.series(60).points, Stage::Pulled), 4);
    }

    void testLatencyWindow()
    {
        PipelineMetrics metrics(clock());
        Snapshot snapshot = metrics.snapshot();
        QCOMPARE(snapshot.latencyWindowCount, 0u);
        QVERIFY(std::isnan(snapshot.latencyP50Micros));

        // 1..1000 ms, recorded within the second in progress: seen at once.
        for (int i = 1; i <= 1000; ++i)
            metrics.recordEndToEndLatency(i * 1000);
        metrics.recordEndToEndLatency(-250);   // publisher's clock ahead of ours: counts as 0
        snapshot = metrics.snapshot();
        QCOMPARE(snapshot.latencyWindowSeconds, 60);
        QCOMPARE(snapshot.latencyWindowCount, 1001u);
        QVERIFY(near(snapshot.latencyP50Micros, 500'000));
        QVERIFY(near(snapshot.latencyP95Micros, 950'000));
        QVERIFY(near(snapshot.latencyP99Micros, 990'000));
        QCOMPARE(snapshot.latencyCount, 1001u);
        QCOMPARE(snapshot.latencySumMicros, 1000LL * 1001 / 2 * 1000);

        // Still there 59 s later, gone after 61 s; the lifetime count and sum stay.
        advanceSeconds(59);
        metrics.recordEndToEndLatency(2'000'000);
        QCOMPARE(metrics.snapshot().latencyWindowCount, 1002u);
        advanceSeconds(2);
        snapshot = metrics.snapshot();
        QCOMPARE(snapshot.latencyWindowCount, 1u);
        QCOMPARE(snapshot.latencyP50Micros, LatencyHistogram::bucketValue(LatencyHistogram::bucketIndex(2'000'000)));
        advanceSeconds(60);
        snapshot = metrics.snapshot();
        QCOMPARE(snapshot.latencyWindowCount, 0u);
        QVERIFY(std::isnan(snapshot.latencyP99Micros));
        QCOMPARE(snapshot.latencyCount, 1002u);
    }

    void testBacklog()
    {
        PipelineMetrics metrics(clock());
        QCOMPARE(metrics.snapshot().backlog, -1);
        metrics.setBacklog(42);
        QCOMPARE(metrics.snapshot().backlog, 42);
        advanceSeconds(3);
        metrics.setBacklog(-7);
        QCOMPARE(metrics.snapshot().backlog, -1);
        advanceSeconds(1);
        const Series series = metrics.series(60);
        QCOMPARE(series.points.size(), 4);
        QCOMPARE(series.points[0].backlog, 42);
        QCOMPARE(series.points[2].backlog, 42);
        QCOMPARE(series.points[3].backlog, -1);
    }

    void testConcurrentProducersKeepExactTotals()
    {
        PipelineMetrics metrics(clock());
        constexpr int Threads = 4;
        constexpr int Iterations = 200'000;
        constexpr int ClockSteps = 800;   // under the 1 s ring's 900, so that every second is still in it
        std::atomic<int> running {Threads};
        std::vector<std::thread> producers;
        for (int t = 0; t < Threads; ++t) {
            producers.emplace_back([&metrics, &running] {
                for (int i = 0; i < Iterations; ++i) {
                    metrics.add(Stage::Published);
                    metrics.add(Stage::Inserted, 2);
                    metrics.recordEndToEndLatency(i % 5000);
                }
                --running;
            });
        }
        // The reader moves the clock a second at a time while the producers run, so rolls race with them.
        qint64 previous = 0;
        int steps = 0;
        while (running.load() > 0) {
            if (steps < ClockSteps) {
                advanceSeconds(1);
                ++steps;
            }
            const Snapshot snapshot = metrics.snapshot();
            QVERIFY(snapshot.total(Stage::Published) >= previous);
            QVERIFY(snapshot.total(Stage::Inserted) <= 2 * qint64(Threads) * Iterations);
            previous = snapshot.total(Stage::Published);
            metrics.series(60);
        }
        for (std::thread &producer : producers)
            producer.join();

        const Snapshot snapshot = metrics.snapshot();
        QCOMPARE(snapshot.total(Stage::Published), qint64(Threads) * Iterations);
        QCOMPARE(snapshot.total(Stage::Inserted), 2 * qint64(Threads) * Iterations);
        QCOMPARE(snapshot.latencyCount, quint64(Threads) * Iterations);
        // Every count landed in exactly one second.
        advanceSeconds(1);
        const Series series = metrics.series(900);
        QCOMPARE(sumOf(series.points, Stage::Published), qint64(Threads) * Iterations);
        QCOMPARE(sumOf(series.points, Stage::Inserted), 2 * qint64(Threads) * Iterations);
        quint64 latencies = 0;
        for (const SeriesPoint &point : series.points)
            latencies += point.latencyCount;
        QCOMPARE(latencies, quint64(Threads) * Iterations);
    }
};

QTEST_APPLESS_MAIN(TestPipelineMetrics)
#include "testpipelinemetrics.moc"
