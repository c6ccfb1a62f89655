#pragma once

#include <QByteArray>
#include <QList>
#include <QStringList>

#include "core/common/result.h"
#include "core/pubsub/pubsubmessage.h"

namespace Aq::Pipeline
{
    class RowConverter;
}

namespace Aq::Server
{
    // A POST /publish (or /dead-letters/redrive) body as messages to publish. Three shapes:
    //   {"event_id": "...", ...}                one event (the message's data is the object, compact)
    //   [{...}, {...}]                          several events
    //   {"messages": [{"data": ..., "attributes": {..}, "orderingKey": ".."}]}
    //        Pub/Sub's shape: data is an event object, or a base64 string of any bytes, as Pub/Sub sends it.
    // At most 1,000 messages, as one Pub/Sub publish call.
    struct PublishRequest
    {
        QList<PubSub::PubsubMessage> messages;

        static Result<PublishRequest> parse(const QByteArray &body);
        // Each message's data against the table schema: an empty list when all pass, else one reason per failing
        // message, as "messages[3]: field timestamp: ...".
        QList<std::pair<QString, QString>> schemaViolations(const Pipeline::RowConverter &converter) const;
    };

    // Google's INVALID_ARGUMENT with a google.rpc.BadRequest detail listing each field violation.
    QByteArray badRequestBody(const QString &message, const QList<std::pair<QString, QString>> &violations);
}
