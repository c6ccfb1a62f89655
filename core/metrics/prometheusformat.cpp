#include "core/metrics/prometheusformat.h"

#include <cmath>

#include <QLocale>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Metrics
{
    namespace
    {
        QByteArray formatValue(double value)
        {
            if (std::isnan(value))
                return "NaN"_ba;
            if (std::isinf(value))
                return value > 0 ? "+Inf"_ba : "-Inf"_ba;
            return QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
        }

        void appendFamily(QByteArray &out, const QByteArray &name, const QByteArray &type, const QByteArray &help)
        {
            out += "# HELP " + name + ' ' + help + '\n';
            out += "# TYPE " + name + ' ' + type + '\n';
        }

        void appendSample(QByteArray &out, const QByteArray &name, const QByteArray &labels, const QByteArray &value)
        {
            out += name;
            if (!labels.isEmpty())
                out += '{' + labels + '}';
            out += ' ' + value + '\n';
        }
    }

    QByteArray formatPrometheusText(const Snapshot &snapshot)
    {
        QByteArray out;
        out.reserve(2048);

        const QByteArray messages = "aqueduct_messages_total"_ba;
        appendFamily(out, messages, "counter"_ba, "Messages that passed each stage of the pipeline since the start."_ba);
        for (const Stage stage : AllStages)
            appendSample(out, messages, "stage=\"" + stagePrometheusLabel(stage) + '"', QByteArray::number(snapshot.total(stage)));

        if (snapshot.backlog >= 0) {
            const QByteArray backlog = "aqueduct_backlog_messages"_ba;
            appendFamily(out, backlog, "gauge"_ba, "Messages waiting in the subscription, as the backend reports it."_ba);
            appendSample(out, backlog, {}, QByteArray::number(snapshot.backlog));
        }

        const QByteArray latency = "aqueduct_end_to_end_latency_seconds"_ba;
        appendFamily(out, latency, "summary"_ba,
                     "Time from publish to stored, per row; quantiles over the last "
                         + QByteArray::number(snapshot.latencyWindowSeconds) + " s."_ba);
        appendSample(out, latency, "quantile=\"0.5\""_ba, formatValue(snapshot.latencyP50Micros / 1e6));
        appendSample(out, latency, "quantile=\"0.95\""_ba, formatValue(snapshot.latencyP95Micros / 1e6));
        appendSample(out, latency, "quantile=\"0.99\""_ba, formatValue(snapshot.latencyP99Micros / 1e6));
        appendSample(out, latency + "_sum", {}, formatValue(double(snapshot.latencySumMicros) / 1e6));
        appendSample(out, latency + "_count", {}, QByteArray::number(snapshot.latencyCount));

        const QByteArray uptime = "aqueduct_uptime_seconds"_ba;
        appendFamily(out, uptime, "gauge"_ba, "Seconds since the metrics started."_ba);
        appendSample(out, uptime, {}, formatValue(double(snapshot.uptimeMs()) / 1000));
        return out;
    }

    QByteArray prometheusContentType()
    {
        return "text/plain; version=0.0.4; charset=utf-8"_ba;
    }
}
