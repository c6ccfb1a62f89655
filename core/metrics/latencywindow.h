#pragma once

#include <vector>

#include "core/metrics/latencyhistogram.h"

namespace Aq::Metrics
{
    // The latency histograms of the last N whole seconds and their sum, kept up to date as seconds come and go:
    // each second is stored as its non-empty buckets only (a second rarely fills more than a few dozen), and the
    // slots' vectors are reused, so memory stays at N small vectors plus one histogram.
    class LatencyWindow
    {
    public:
        explicit LatencyWindow(int seconds);

        int seconds() const;
        // Stores the histogram of `second` (epoch seconds) and drops the seconds that fall out of the window.
        void add(qint64 second, const LatencyHistogram &histogram);
        // Drops every second before `second`.
        void expireBefore(qint64 second);
        const LatencyHistogram &sum() const;

    private:
        struct Entry
        {
            int bucket;
            quint64 count;
        };
        struct Slot
        {
            qint64 second = -1;
            std::vector<Entry> entries;
        };

        void evict(Slot &slot);

        std::vector<Slot> m_slots;
        LatencyHistogram m_sum;
    };
}
