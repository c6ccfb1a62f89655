#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <QtTest>

#include "core/metrics/latencyhistogram.h"
#include "core/metrics/latencyrecorder.h"
#include "core/metrics/latencywindow.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq::Metrics;

namespace
{
    // The nearest-rank quantile of the exact samples, as LatencyHistogram::quantile() defines it.
    qint64 exactQuantile(std::vector<qint64> sorted, double q)
    {
        const auto rank = qBound<qint64>(1, qint64(std::ceil(q * double(sorted.size()) - 1e-9)), qint64(sorted.size()));
        return sorted[size_t(rank - 1)];
    }

    std::vector<qint64> samples(const QString &distribution, int count)
    {
        std::mt19937_64 random(20240501);
        std::vector<qint64> values;
        values.reserve(size_t(count));
        std::uniform_int_distribution<qint64> uniform(0, 10'000'000);
        std::lognormal_distribution<double> lognormal(std::log(20'000.0), 1.0);   // median 20 ms
        std::exponential_distribution<double> exponential(1.0 / 5'000);            // mean 5 ms
        for (int i = 0; i < count; ++i) {
            if (distribution == u"uniform")
                values.push_back(uniform(random));
            else if (distribution == u"lognormal")
                values.push_back(qint64(lognormal(random)));
            else if (distribution == u"exponential")
                values.push_back(qint64(exponential(random)));
            else if (distribution == u"small")
                values.push_back(qint64(random() % 64));
            else
                values.push_back(qint64(3'600'000'000));   // constant: one hour
        }
        return values;
    }
}

class TestMetricsHistogram final : public QObject
{
    Q_OBJECT

private slots:
    void testBucketsTileTheRange() const
    {
        QCOMPARE(LatencyHistogram::bucketLowerBound(0), 0);
        for (int i = 0; i < LatencyHistogram::BucketCount; ++i) {
            const qint64 lower = LatencyHistogram::bucketLowerBound(i);
            const qint64 width = LatencyHistogram::bucketWidth(i);
            QCOMPARE(LatencyHistogram::bucketIndex(lower), i);
            QCOMPARE(LatencyHistogram::bucketIndex(lower + width - 1), i);
            if (i + 1 < LatencyHistogram::BucketCount)
                QCOMPARE(LatencyHistogram::bucketLowerBound(i + 1), lower + width);
            else
                QCOMPARE(lower + width - 1, LatencyHistogram::MaxMicros);
            // The documented bound: a bucket is at most 1/32 of its lower bound wide, exact below 64 us.
            if (i < 64)
                QCOMPARE(width, 1);
            else
                QVERIFY(double(width) / double(lower) <= 2 * LatencyHistogram::MaxRelativeError);
        }
    }

    void testOutOfRangeValuesAreClamped() const
    {
        QCOMPARE(LatencyHistogram::bucketIndex(-5), 0);
        QCOMPARE(LatencyHistogram::bucketIndex(std::numeric_limits<qint64>::max()), LatencyHistogram::BucketCount - 1);
        LatencyHistogram histogram;
        histogram.record(-1);
        histogram.record(std::numeric_limits<qint64>::max());
        QCOMPARE(histogram.count(), 2u);
        QCOMPARE(histogram.quantile(0.0), 0.0);
        QVERIFY(histogram.quantile(1.0) > 0.98 * double(LatencyHistogram::MaxMicros));
    }

    void testEmptyHistogramHasNoQuantiles() const
    {
        LatencyHistogram histogram;
        QVERIFY(histogram.isEmpty());
        QVERIFY(std::isnan(histogram.quantile(0.5)));
    }

    void testQuantilesWithinDocumentedError_data() const
    {
        QTest::addColumn<QString>("distribution");
        QTest::newRow("uniform 0-10 s") << u"uniform"_s;
        QTest::newRow("lognormal, median 20 ms") << u"lognormal"_s;
        QTest::newRow("exponential, mean 5 ms") << u"exponential"_s;
        QTest::newRow("below 64 us (exact)") << u"small"_s;
        QTest::newRow("constant 1 h") << u"constant"_s;
    }

    void testQuantilesWithinDocumentedError() const
    {
        QFETCH(QString, distribution);
        std::vector<qint64> values = samples(distribution, 200'000);
        LatencyHistogram histogram;
        for (const qint64 value : values)
            histogram.record(value);
        std::sort(values.begin(), values.end());
        QCOMPARE(histogram.count(), quint64(values.size()));
        for (const double q : {0.0, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
            const double exact = double(exactQuantile(values, q));
            const double estimate = histogram.quantile(q);
            const double error = std::abs(estimate - exact);
            QVERIFY2(error <= exact * LatencyHistogram::MaxRelativeError,
                     qPrintable(u"q=%1: exact %2, estimate %3"_s.arg(q).arg(exact).arg(estimate)));
        }
    }

    void testMergeIsTheUnion() const
    {
        const std::vector<qint64> a = samples(u"lognormal"_s, 10'000);
        const std::vector<qint64> b = samples(u"uniform"_s, 10'000);
        LatencyHistogram left;
        LatencyHistogram right;
        LatencyHistogram both;
        for (const qint64 value : a) {
            left.record(value);
            both.record(value);
        }
        for (const qint64 value : b) {
            right.record(value);
            both.record(value);
        }
        left.merge(right);
        QCOMPARE(left.count(), both.count());
        for (int i = 0; i < LatencyHistogram::BucketCount; ++i)
            QCOMPARE(left.bucketCount(i), both.bucketCount(i));
    }

    void testRecorderHarvestMovesAndPeekCopies() const
    {
        LatencyRecorder recorder;
        for (int i = 0; i < 1000; ++i)
            recorder.record(i * 100);
        LatencyHistogram peeked;
        recorder.peek(peeked);
        QCOMPARE(peeked.count(), 1000u);
        LatencyHistogram harvested;
        recorder.harvest(harvested);
        QCOMPARE(harvested.count(), 1000u);
        QCOMPARE(harvested.quantile(0.5), peeked.quantile(0.5));
        LatencyHistogram again;
        recorder.harvest(again);
        QVERIFY(again.isEmpty());
    }

    void testWindowKeepsTheLastSeconds() const
    {
        LatencyWindow window(60);
        LatencyHistogram second;
        for (qint64 s = 1000; s < 1100; ++s) {
            second.clear();
            second.record(s);   // one latency per second, equal to the second
            window.add(s, second);
        }
        // Seconds 1040..1099 remain.
        QCOMPARE(window.sum().count(), 60u);
        QCOMPARE(window.sum().quantile(0.0), LatencyHistogram::bucketValue(LatencyHistogram::bucketIndex(1040)));
        window.expireBefore(1090);
        QCOMPARE(window.sum().count(), 10u);
        window.expireBefore(2000);
        QVERIFY(window.sum().isEmpty());
        // A second with no latencies still takes its slot.
        second.clear();
        window.add(3000, second);
        QVERIFY(window.sum().isEmpty());
    }
};

QTEST_APPLESS_MAIN(TestMetricsHistogram)
#include "testmetricshistogram.moc"
