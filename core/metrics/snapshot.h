#pragma once

#include <array>

#include "core/metrics/stage.h"

namespace Aq::Metrics
{
    // The pipeline's metrics at one instant (PipelineMetrics::snapshot()).
    struct Snapshot
    {
        qint64 timeMs = 0;                      // when it was taken, ms since the epoch
        qint64 startTimeMs = 0;                 // when the metrics started
        StageCounts totals {};                  // messages per stage since the start
        std::array<double, StageCount> rates {}; // msgs/s per stage over the last rateWindowSeconds
        int rateWindowSeconds = 0;

        // End-to-end latency (publish_time to stored) over the last latencyWindowSeconds; NaN when none there.
        int latencyWindowSeconds = 0;
        quint64 latencyWindowCount = 0;
        double latencyP50Micros = 0;
        double latencyP95Micros = 0;
        double latencyP99Micros = 0;
        // Every latency since the start (Prometheus' _count and _sum).
        quint64 latencyCount = 0;
        qint64 latencySumMicros = 0;

        qint64 backlog = -1;                    // messages waiting in the subscription; -1 unknown

        qint64 total(Stage stage) const { return totals[size_t(stage)]; }
        double rate(Stage stage) const { return rates[size_t(stage)]; }
        qint64 uptimeMs() const { return timeMs - startTimeMs; }
    };
}
