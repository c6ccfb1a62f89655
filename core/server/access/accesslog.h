#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QLoggingCategory>

namespace Aq::Server
{
    // One line per answered request, at info level: QT_LOGGING_RULES="aq.server.access.info=false" or
    // setAccessLogEnabled(false) turns it off.
    Q_DECLARE_LOGGING_CATEGORY(lcAccess)

    // What the access log says about one request. Never put the Authorization header here: nothing in a record is
    // treated as secret except the values of "key=" and "access_token=" query parameters, which are redacted.
    struct AccessRecord
    {
        QByteArray method;
        QByteArray target;   // as sent, query included
        int status = 0;
        qint64 responseBytes = 0;
        qint64 requestBytes = 0;
        QByteArray userAgent;
        QByteArray referer;
        QHostAddress remoteIp;
        double latencySeconds = 0;
        QByteArray protocol;   // "HTTP/1.1"
    };

    // In the JSON log format, one entry with Cloud Logging's "httpRequest" fields (severity ERROR for 5xx, else INFO);
    // in the text format, one line like: 127.0.0.1 "GET /events?limit=1 HTTP/1.1" 200 1234 0.3ms "curl/7.88"
    void logAccess(const AccessRecord &record);
    void setAccessLogEnabled(bool enabled);
    bool isAccessLogEnabled();

    // The target (or any URL) with the values of its "key" and "access_token" query parameters replaced by
    // REDACTED, as Google's APIs accept keys and tokens there.
    QByteArray redactTarget(QByteArrayView target);
}
