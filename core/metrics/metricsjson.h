#pragma once

#include <QJsonObject>

#include "core/metrics/seriespoint.h"
#include "core/metrics/snapshot.h"

namespace Aq::Metrics
{
    // GET /stats. Stage keys: published, pulled, inserted, deadLettered, acked, nacked, retried, failed.
    //   {"timeMs": 1700000000123, "startTimeMs": ..., "uptimeSeconds": 12.3,
    //    "totals": {"published": 1200, ...},                 messages since the start
    //    "rates": {"published": 100.5, ...},                 msgs/s over the last rateWindowSeconds
    //    "rateWindowSeconds": 10,
    //    "latency": {"windowSeconds": 60, "count": 5400,     end-to-end (publish to stored) over the window;
    //                "p50Ms": 12.5, "p95Ms": 30.1, "p99Ms": 41.0,    null when count is 0
    //                "lifetimeCount": 90000, "lifetimeMeanMs": 13.2},  since the start; mean null when none
    //    "backlog": 42}                                      null when unknown
    QJsonObject toJson(const Snapshot &snapshot);

    // GET /stats/series?window=60|900|3600: whole periods, oldest first; "t" is the period's start (ms since the
    // epoch), each stage its rate in msgs/s over the period, latencies null in periods with none.
    //   {"window": 60, "resolutionSeconds": 1,
    //    "points": [{"t": 1700000000000, "published": 100, "pulled": 100, "inserted": 98, "deadLettered": 2,
    //                "acked": 100, "nacked": 0, "retried": 0, "failed": 0,
    //                "p50Ms": 12.5, "p95Ms": 30.1, "p99Ms": 41.0, "backlog": 42}, ...]}
    QJsonObject seriesToJson(const Series &series);
}
