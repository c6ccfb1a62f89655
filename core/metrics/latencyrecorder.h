#pragma once

#include <array>
#include <atomic>

#include "core/metrics/latencyhistogram.h"

namespace Aq::Metrics
{
    // The buckets of a LatencyHistogram as atomics, so that any thread can record without a lock; one reader
    // harvests them (moves the counts out) once a second. A value recorded while a harvest runs lands in this
    // harvest or the next one, never in neither.
    class LatencyRecorder
    {
    public:
        void record(qint64 micros);
        // Adds the counts to `into` and zeroes them here.
        void harvest(LatencyHistogram &into);
        // Adds the counts to `into` and leaves them here.
        void peek(LatencyHistogram &into) const;

    private:
        std::array<std::atomic<quint64>, LatencyHistogram::BucketCount> m_buckets {};
    };
}
