#include "ui/dashboard/metricsjsonreader.h"

#include <cmath>
#include <limits>

#include <QJsonArray>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    namespace
    {
        constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

        // Milliseconds (null when none) to microseconds; `absent` otherwise.
        double micros(const QJsonValue &milliseconds, double absent)
        {
            return milliseconds.isDouble() ? std::round(milliseconds.toDouble() * 1000) : absent;
        }

        qint64 backlogValue(const QJsonValue &value)
        {
            return value.isDouble() ? value.toInteger(-1) : -1;
        }
    }

    Metrics::Snapshot snapshotFromJson(const QJsonObject &json)
    {
        Metrics::Snapshot snapshot;
        snapshot.timeMs = json.value(u"timeMs"_s).toInteger();
        snapshot.startTimeMs = json.value(u"startTimeMs"_s).toInteger();
        const QJsonObject totals = json.value(u"totals"_s).toObject();
        const QJsonObject rates = json.value(u"rates"_s).toObject();
        for (const Metrics::Stage stage : Metrics::AllStages) {
            const QString key = Metrics::stageJsonKey(stage);
            snapshot.totals[size_t(stage)] = totals.value(key).toInteger();
            snapshot.rates[size_t(stage)] = rates.value(key).toDouble();
        }
        snapshot.rateWindowSeconds = json.value(u"rateWindowSeconds"_s).toInt();

        const QJsonObject latency = json.value(u"latency"_s).toObject();
        snapshot.latencyWindowSeconds = latency.value(u"windowSeconds"_s).toInt();
        snapshot.latencyWindowCount = quint64(qMax<qint64>(0, latency.value(u"count"_s).toInteger()));
        snapshot.latencyP50Micros = micros(latency.value(u"p50Ms"_s), NaN);
        snapshot.latencyP95Micros = micros(latency.value(u"p95Ms"_s), NaN);
        snapshot.latencyP99Micros = micros(latency.value(u"p99Ms"_s), NaN);
        snapshot.latencyCount = quint64(qMax<qint64>(0, latency.value(u"lifetimeCount"_s).toInteger()));
        snapshot.latencySumMicros = qint64(std::llround(double(snapshot.latencyCount) * micros(latency.value(u"lifetimeMeanMs"_s), 0)));

        snapshot.backlog = backlogValue(json.value(u"backlog"_s));
        return snapshot;
    }

    Metrics::Series seriesFromJson(const QJsonObject &json)
    {
        Metrics::Series series;
        series.windowSeconds = json.value(u"window"_s).toInt();
        series.resolutionSeconds = json.value(u"resolutionSeconds"_s).toInt();
        const double resolution = qMax(1, series.resolutionSeconds);
        const QJsonArray points = json.value(u"points"_s).toArray();
        series.points.reserve(points.size());
        for (const QJsonValue &value : points) {
            const QJsonObject object = value.toObject();
            Metrics::SeriesPoint point;
            point.timeMs = object.value(u"t"_s).toInteger();
            for (const Metrics::Stage stage : Metrics::AllStages)
                point.counts[size_t(stage)] = std::llround(object.value(Metrics::stageJsonKey(stage)).toDouble() * resolution);
            const QJsonValue p50 = object.value(u"p50Ms"_s);
            point.latencyCount = p50.isDouble() ? 1 : 0;
            point.latencyP50Micros = micros(p50, 0);
            point.latencyP95Micros = micros(object.value(u"p95Ms"_s), 0);
            point.latencyP99Micros = micros(object.value(u"p99Ms"_s), 0);
            point.backlog = backlogValue(object.value(u"backlog"_s));
            series.points.append(point);
        }
        return series;
    }
}
