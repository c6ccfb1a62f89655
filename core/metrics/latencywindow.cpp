#include "core/metrics/latencywindow.h"

namespace Aq::Metrics
{
    LatencyWindow::LatencyWindow(int seconds)
        : m_slots(size_t(qMax(1, seconds)))
    {
    }

    int LatencyWindow::seconds() const
    {
        return int(m_slots.size());
    }

    void LatencyWindow::add(qint64 second, const LatencyHistogram &histogram)
    {
        expireBefore(second - seconds() + 1);
        Slot &slot = m_slots[size_t(second % seconds())];
        if (slot.second != second)
            evict(slot);
        slot.second = second;
        if (histogram.isEmpty())
            return;
        for (int i = 0; i < LatencyHistogram::BucketCount; ++i) {
            if (const quint64 count = histogram.bucketCount(i)) {
                slot.entries.push_back({i, count});
                m_sum.addToBucket(i, count);
            }
        }
    }

    void LatencyWindow::expireBefore(qint64 second)
    {
        for (Slot &slot : m_slots) {
            if (slot.second >= 0 && slot.second < second)
                evict(slot);
        }
    }

    const LatencyHistogram &LatencyWindow::sum() const
    {
        return m_sum;
    }

    void LatencyWindow::evict(Slot &slot)
    {
        for (const Entry &entry : slot.entries)
            m_sum.removeFromBucket(entry.bucket, entry.count);
        slot.entries.clear();
        slot.second = -1;
    }
}
