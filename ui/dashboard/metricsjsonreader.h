#pragma once

#include <QJsonObject>

#include "core/metrics/seriespoint.h"
#include "core/metrics/snapshot.h"

namespace Aq::Ui
{
    // The inverses of core/metrics/metricsjson (what `aqueduct serve` answers on GET /stats and GET /stats/series),
    // for watching a remote server. Missing or mistyped keys read as 0 (or as unknown where the JSON has null).
    //
    // What the JSON does not carry is rebuilt as well as it can be: counts are rate x resolution (exact, the rates
    // have three decimals); a point's latencyCount is 1 when it has quantiles and 0 when they are null; a
    // snapshot's latency sum is lifetimeCount x lifetimeMeanMs. Latencies come back to the microsecond.
    Metrics::Snapshot snapshotFromJson(const QJsonObject &json);
    Metrics::Series seriesFromJson(const QJsonObject &json);
}
