#include "core/metrics/timeseriesring.h"

namespace Aq::Metrics
{
    TimeSeriesRing::TimeSeriesRing(int resolutionSeconds, int capacity)
        : m_resolution {qMax(1, resolutionSeconds)}
        , m_capacity {qMax(1, capacity)}
    {
        m_points.reserve(size_t(m_capacity));
    }

    int TimeSeriesRing::resolutionSeconds() const
    {
        return m_resolution;
    }

    int TimeSeriesRing::capacity() const
    {
        return m_capacity;
    }

    int TimeSeriesRing::size() const
    {
        return int(m_points.size());
    }

    qint64 TimeSeriesRing::spanSeconds() const
    {
        return qint64(m_resolution) * m_capacity;
    }

    void TimeSeriesRing::addSecond(qint64 second, const StageCounts &counts, const LatencyHistogram &latency, qint64 backlog)
    {
        // Close the open period if `second` lies past it, and fill any gap before `second`'s period.
        advanceTo(second, m_lastBacklog);
        if (m_openPeriod < 0) {
            m_openPeriod = periodOf(second);
            if (m_lastPeriod >= 0)
                m_openPeriod = qMax(m_openPeriod, m_lastPeriod + m_resolution);
            m_openCounts.fill(0);
            m_openLatency.clear();
        }
        for (int i = 0; i < StageCount; ++i)
            m_openCounts[i] += counts[i];
        m_openLatency.merge(latency);
        m_lastBacklog = backlog;
    }

    void TimeSeriesRing::advanceTo(qint64 second, qint64 backlog)
    {
        const qint64 current = periodOf(second);
        if (m_openPeriod >= 0 && m_openPeriod < current)
            closeOpenPeriod();
        if (m_lastPeriod < 0 || m_lastPeriod + m_resolution >= current)
            return;
        qint64 next = m_lastPeriod + m_resolution;
        // Only the newest `capacity` empty periods would survive: skip the rest.
        next = qMax(next, current - spanSeconds());
        SeriesPoint empty;
        empty.backlog = backlog;
        for (; next < current; next += m_resolution) {
            empty.timeMs = next * 1000;
            push(empty);
        }
    }

    QList<SeriesPoint> TimeSeriesRing::lastPoints(int count) const
    {
        const int size = this->size();
        const int n = qBound(0, count, size);
        const int oldest = size == m_capacity ? m_next : 0;
        QList<SeriesPoint> points;
        points.reserve(n);
        for (int i = size - n; i < size; ++i)
            points.append(m_points[size_t((oldest + i) % size)]);
        return points;
    }

    qint64 TimeSeriesRing::periodOf(qint64 second) const
    {
        // Epoch seconds are positive, so plain division floors.
        return second / m_resolution * m_resolution;
    }

    void TimeSeriesRing::closeOpenPeriod()
    {
        SeriesPoint point;
        point.timeMs = m_openPeriod * 1000;
        point.counts = m_openCounts;
        point.latencyCount = m_openLatency.count();
        if (point.latencyCount > 0) {
            point.latencyP50Micros = m_openLatency.quantile(0.50);
            point.latencyP95Micros = m_openLatency.quantile(0.95);
            point.latencyP99Micros = m_openLatency.quantile(0.99);
        }
        point.backlog = m_lastBacklog;
        m_openPeriod = -1;
        push(point);
    }

    void TimeSeriesRing::push(const SeriesPoint &point)
    {
        if (int(m_points.size()) < m_capacity) {
            m_points.push_back(point);
        } else {
            m_points[size_t(m_next)] = point;
            m_next = (m_next + 1) % m_capacity;
        }
        m_lastPeriod = point.timeMs / 1000;
    }
}
