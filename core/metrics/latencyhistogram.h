#pragma once

#include <array>

#include <QtGlobal>

namespace Aq::Metrics
{
    // Latencies in microseconds, counted in fixed log-linear buckets (HdrHistogram's layout, 32 sub-buckets per
    // power of two): values below 64 us have a bucket each; above that a bucket spans at most 1/32 of its lower
    // bound. A quantile is the nearest-rank sample's bucket, reported at the bucket's middle, so it is within
    // MaxRelativeError (1/64, 1.6 %) of the exact nearest-rank value. Values are clamped to [0, MaxMicros]
    // (12.7 days: past Pub/Sub's 7-day retention). 1,152 buckets, 9 KB; no allocation.
    class LatencyHistogram
    {
    public:
        static constexpr int SubBucketBits = 5;
        static constexpr int SubBucketCount = 1 << SubBucketBits;
        static constexpr int ValueBits = 40;
        static constexpr qint64 MaxMicros = (qint64(1) << ValueBits) - 1;
        static constexpr int BucketCount = (ValueBits - SubBucketBits + 1) * SubBucketCount;
        static constexpr double MaxRelativeError = 1.0 / (2 * SubBucketCount);

        static int bucketIndex(qint64 micros);
        static qint64 bucketLowerBound(int index);
        static qint64 bucketWidth(int index);
        // What a quantile falling in the bucket reports: the middle of the integers the bucket holds.
        static double bucketValue(int index);

        void record(qint64 micros);
        void addToBucket(int index, quint64 count);
        void removeFromBucket(int index, quint64 count);
        void merge(const LatencyHistogram &other);
        void clear();

        quint64 count() const;
        bool isEmpty() const;
        quint64 bucketCount(int index) const;
        // Nearest rank: the value of the ceil(q * count())-th smallest sample (at least the first); NaN when empty.
        double quantile(double q) const;

    private:
        std::array<quint64, BucketCount> m_buckets {};
        quint64 m_count = 0;
    };
}
