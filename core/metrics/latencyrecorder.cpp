#include "core/metrics/latencyrecorder.h"

namespace Aq::Metrics
{
    void LatencyRecorder::record(qint64 micros)
    {
        m_buckets[LatencyHistogram::bucketIndex(micros)].fetch_add(1, std::memory_order_relaxed);
    }

    void LatencyRecorder::harvest(LatencyHistogram &into)
    {
        for (int i = 0; i < LatencyHistogram::BucketCount; ++i) {
            // A plain load first: most buckets are empty, and an exchange would take each cache line for writing.
            if (m_buckets[i].load(std::memory_order_relaxed) != 0)
                into.addToBucket(i, m_buckets[i].exchange(0, std::memory_order_relaxed));
        }
    }

    void LatencyRecorder::peek(LatencyHistogram &into) const
    {
        for (int i = 0; i < LatencyHistogram::BucketCount; ++i) {
            if (const quint64 count = m_buckets[i].load(std::memory_order_relaxed))
                into.addToBucket(i, count);
        }
    }
}
