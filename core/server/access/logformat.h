#pragma once

#include <functional>

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include "core/common/result.h"

namespace Aq::Server
{
    // --log-format: lines for people, or one JSON object per line that Cloud Logging (Cloud Run, GKE) reads as a
    // structured entry (severity, time, source location, labels).
    enum class LogFormat
    {
        Text,
        Json
    };

    // "text" or "json" (any case).
    Result<LogFormat> parseLogFormat(const QString &value);

    // Text: Qt's own handler, with the time (local, with its zone), level and category in front of each message.
    // Json: a handler writing each message as one line of JSON to stderr, flushed, one writer at a time.
    // Call once at start-up, before threads log.
    void installLogFormat(LogFormat format);
    LogFormat installedLogFormat();

    // Writes one structured entry as one line of JSON through the lock (and test sink) the JSON handler uses. Adds
    // "time", and the category (unless empty or "default") as the label "category". `entry` holds the other
    // fields, with Cloud Logging's names ("severity", "message", "httpRequest", ...).
    void writeJsonLogEntry(QJsonObject entry, const char *category);

    // Lines (without their newline) go to `sink` instead of stderr while it is set; an empty function restores
    // stderr. Only JSON lines pass through here: text lines are Qt's.
    void setLogSinkForTests(std::function<void(QByteArrayView line)> sink);
}
