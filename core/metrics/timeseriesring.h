#pragma once

#include <vector>

#include "core/metrics/latencyhistogram.h"
#include "core/metrics/seriespoint.h"

namespace Aq::Metrics
{
    // A bounded ring of SeriesPoints at one resolution (1 s, 10 s, 1 min), fed one whole second at a time.
    // The period being filled stays open (its counts summed, its latencies merged into one histogram) until a
    // later second arrives or time is advanced past it; then it becomes a point. Periods in which nothing was fed
    // become points with zero counts, so the points are contiguous in time; a gap longer than the ring only writes
    // the ring's capacity of them. Memory: `capacity` points reserved up front, plus one histogram.
    class TimeSeriesRing
    {
    public:
        TimeSeriesRing(int resolutionSeconds, int capacity);

        int resolutionSeconds() const;
        int capacity() const;
        int size() const;
        // How far back a full ring reaches.
        qint64 spanSeconds() const;

        // The activity of one whole second (epoch seconds); seconds never go backwards.
        void addSecond(qint64 second, const StageCounts &counts, const LatencyHistogram &latency, qint64 backlog);
        // Closes every period that ends at or before `second`; empty periods carry `backlog`.
        void advanceTo(qint64 second, qint64 backlog);
        // The newest `count` points (fewer when the ring holds fewer), oldest first.
        QList<SeriesPoint> lastPoints(int count) const;

    private:
        qint64 periodOf(qint64 second) const;
        void closeOpenPeriod();
        void push(const SeriesPoint &point);

        int m_resolution;
        int m_capacity;
        std::vector<SeriesPoint> m_points;
        int m_next = 0;                 // where the next point goes once the ring is full (its oldest point)
        qint64 m_lastPeriod = -1;       // start (epoch seconds) of the newest point
        qint64 m_openPeriod = -1;       // start of the period being filled; -1 none
        StageCounts m_openCounts {};
        LatencyHistogram m_openLatency;
        qint64 m_lastBacklog = -1;
    };
}
