#include "core/metrics/latencyhistogram.h"

#include <bit>
#include <cmath>
#include <limits>

namespace Aq::Metrics
{
    int LatencyHistogram::bucketIndex(qint64 micros)
    {
        const quint64 value = quint64(qBound<qint64>(0, micros, MaxMicros));
        if (value < quint64(SubBucketCount))
            return int(value);
        // Shift the value until it has SubBucketBits + 1 significant bits: its top bits pick the sub-bucket.
        const int shift = int(std::bit_width(value)) - 1 - SubBucketBits;
        return shift * SubBucketCount + int(value >> shift);
    }

    qint64 LatencyHistogram::bucketLowerBound(int index)
    {
        if (index < 2 * SubBucketCount)
            return index;
        const int shift = index / SubBucketCount - 1;
        return qint64(index % SubBucketCount + SubBucketCount) << shift;
    }

    qint64 LatencyHistogram::bucketWidth(int index)
    {
        if (index < 2 * SubBucketCount)
            return 1;
        return qint64(1) << (index / SubBucketCount - 1);
    }

    double LatencyHistogram::bucketValue(int index)
    {
        return double(bucketLowerBound(index)) + double(bucketWidth(index) - 1) / 2;
    }

    void LatencyHistogram::record(qint64 micros)
    {
        ++m_buckets[bucketIndex(micros)];
        ++m_count;
    }

    void LatencyHistogram::addToBucket(int index, quint64 count)
    {
        m_buckets[index] += count;
        m_count += count;
    }

    void LatencyHistogram::removeFromBucket(int index, quint64 count)
    {
        Q_ASSERT(m_buckets[index] >= count);
        m_buckets[index] -= count;
        m_count -= count;
    }

    void LatencyHistogram::merge(const LatencyHistogram &other)
    {
        if (other.m_count == 0)
            return;
        for (int i = 0; i < BucketCount; ++i)
            m_buckets[i] += other.m_buckets[i];
        m_count += other.m_count;
    }

    void LatencyHistogram::clear()
    {
        if (m_count == 0)
            return;
        m_buckets.fill(0);
        m_count = 0;
    }

    quint64 LatencyHistogram::count() const
    {
        return m_count;
    }

    bool LatencyHistogram::isEmpty() const
    {
        return m_count == 0;
    }

    quint64 LatencyHistogram::bucketCount(int index) const
    {
        return m_buckets[index];
    }

    double LatencyHistogram::quantile(double q) const
    {
        if (m_count == 0)
            return std::numeric_limits<double>::quiet_NaN();
        // The epsilon keeps 0.95 * 100 (94.99999999999999 or 95.00000000000001 in binary) at rank 95.
        const double wanted = std::ceil(qBound(0.0, q, 1.0) * double(m_count) - 1e-9);
        const quint64 rank = qBound<quint64>(1, quint64(qMax(0.0, wanted)), m_count);
        quint64 seen = 0;
        for (int i = 0; i < BucketCount; ++i) {
            seen += m_buckets[i];
            if (seen >= rank)
                return bucketValue(i);
        }
        Q_UNREACHABLE();
        return bucketValue(BucketCount - 1);
    }
}
