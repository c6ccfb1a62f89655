#pragma once

#include <QByteArray>
#include <QString>

#include "core/pubsub/pubsubmessage.h"

namespace Aq::Pipeline
{
    // A row of <table>_error_records in the Dataflow template's schema (RowConverter::errorTableSchema()):
    // timestamp (when it failed), payloadString (the data as text when it is valid UTF-8), payloadBytes (always,
    // base64), attributes (key/value records), errorMessage (why), stacktrace (where: which stage gave up).
    QByteArray errorRecordJson(const PubSub::PubsubMessage &message, const QString &errorMessage, const QString &stage, qint64 failedAtMicros);
}
