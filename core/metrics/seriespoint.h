#pragma once

#include <QList>

#include "core/metrics/stage.h"

namespace Aq::Metrics
{
    // One period of a time series: what happened in [timeMs, timeMs + resolution).
    struct SeriesPoint
    {
        qint64 timeMs = 0;              // start of the period, ms since the epoch
        StageCounts counts {};          // messages per stage in the period (the rate is counts / resolution)
        quint64 latencyCount = 0;       // end-to-end latencies recorded in the period; the quantiles mean nothing when 0
        double latencyP50Micros = 0;
        double latencyP95Micros = 0;
        double latencyP99Micros = 0;
        qint64 backlog = -1;            // the last backlog reported by the period's end; -1 unknown
    };

    // The answer to PipelineMetrics::series(): whole periods, oldest first, ending with the last complete one.
    struct Series
    {
        int windowSeconds = 0;
        int resolutionSeconds = 0;
        QList<SeriesPoint> points;
    };
}
