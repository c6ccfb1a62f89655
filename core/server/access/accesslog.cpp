#include "core/server/access/accesslog.h"

#include <atomic>

#include <QJsonObject>

#include "core/common/timeutil.h"
#include "core/server/access/logformat.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    Q_LOGGING_CATEGORY(lcAccess, "aq.server.access", QtInfoMsg)

    namespace
    {
        std::atomic<bool> g_enabled {true};

        bool isSecretParameter(QByteArrayView name)
        {
            return name.compare("key", Qt::CaseInsensitive) == 0 || name.compare("access_token", Qt::CaseInsensitive) == 0;
        }

        // Between double quotes in a text line: quotes, backslashes and anything not printable ASCII become \xHH, so
        // a request cannot forge or break log lines.
        QByteArray quoted(QByteArrayView text)
        {
            if (text.isEmpty())
                return "\"-\""_ba;
            QByteArray out;
            out.reserve(text.size() + 2);
            out += '"';
            for (const char c : text) {
                const auto u = uchar(c);
                if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\')
                    out += "\\x" + QByteArray::number(u, 16).rightJustified(2, '0');
                else
                    out += c;
            }
            out += '"';
            return out;
        }

        QByteArray textLatency(double seconds)
        {
            const double ms = seconds * 1000;
            return QByteArray::number(ms, 'f', ms < 1 ? 3 : (ms < 100 ? 1 : 0)) + "ms";
        }

        QByteArray textLine(const AccessRecord &record, const QByteArray &target)
        {
            const QByteArray ip = record.remoteIp.isNull() ? "-"_ba : record.remoteIp.toString().toLatin1();
            return ip + ' ' + quoted(QByteArray(record.method + ' ' + target + ' ' + record.protocol)) + ' ' + QByteArray::number(record.status) + ' '
                + QByteArray::number(record.responseBytes) + ' ' + textLatency(record.latencySeconds) + ' ' + quoted(record.userAgent);
        }

        // Cloud Logging's HttpRequest: sizes are int64, which its JSON writes as strings; latency is a Duration.
        QJsonObject httpRequestJson(const AccessRecord &record, const QByteArray &target)
        {
            const qint64 latencyMicros = qMax<qint64>(0, qRound64(record.latencySeconds * 1e6));
            QJsonObject http {
                {u"requestMethod"_s, QString::fromLatin1(record.method)},
                {u"requestUrl"_s, QString::fromUtf8(target)},
                {u"status"_s, record.status},
                {u"responseSize"_s, QString::number(record.responseBytes)},
                {u"requestSize"_s, QString::number(record.requestBytes)},
                {u"latency"_s, Time::formatDuration(latencyMicros)},
                {u"protocol"_s, QString::fromLatin1(record.protocol)},
            };
            if (!record.userAgent.isEmpty())
                http.insert(u"userAgent"_s, QString::fromUtf8(record.userAgent));
            if (!record.referer.isEmpty())
                http.insert(u"referer"_s, QString::fromUtf8(redactTarget(record.referer)));
            if (!record.remoteIp.isNull())
                http.insert(u"remoteIp"_s, record.remoteIp.toString());
            return http;
        }
    }

    void logAccess(const AccessRecord &record)
    {
        if (!g_enabled.load(std::memory_order_relaxed) || !lcAccess().isInfoEnabled())
            return;
        const QByteArray target = redactTarget(record.target);
        if (installedLogFormat() == LogFormat::Text) {
            qCInfo(lcAccess).noquote() << QString::fromLatin1(textLine(record, target));
            return;
        }
        const qsizetype queryStart = target.indexOf('?');
        const QByteArray path = queryStart < 0 ? target : target.first(queryStart);
        const QJsonObject entry {
            {u"severity"_s, record.status >= 500 ? u"ERROR"_s : u"INFO"_s},
            {u"message"_s, QString::fromUtf8(QByteArray(record.method + ' ' + path + ' ' + QByteArray::number(record.status)))},
            {u"httpRequest"_s, httpRequestJson(record, target)},
        };
        writeJsonLogEntry(entry, lcAccess().categoryName());
    }

    void setAccessLogEnabled(bool enabled)
    {
        g_enabled.store(enabled);
    }

    bool isAccessLogEnabled()
    {
        return g_enabled.load();
    }

    QByteArray redactTarget(QByteArrayView target)
    {
        const qsizetype queryStart = target.indexOf('?');
        if (queryStart < 0)
            return target.toByteArray();
        QList<QByteArray> parameters = target.sliced(queryStart + 1).toByteArray().split('&');
        for (QByteArray &parameter : parameters) {
            const qsizetype equals = parameter.indexOf('=');
            if (equals >= 0 && isSecretParameter(QByteArrayView(parameter).first(equals)))
                parameter = parameter.first(equals + 1) + "REDACTED";
        }
        return target.first(queryStart + 1).toByteArray() + parameters.join('&');
    }
}
