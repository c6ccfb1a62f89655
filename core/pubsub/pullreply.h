#pragma once

#include <optional>

#include <QByteArray>
#include <QList>

#include "core/pubsub/pubsubmessage.h"

namespace Aq::PubSub
{
    // The messages of a pull reply ({"receivedMessages":[...]}) read with simdjson: exactly what
    // ReceivedMessage::fromJson gives for each, without a QJsonDocument of the whole reply (most of what the
    // pipeline's thread spent on a pulled message). nullopt for anything it is not sure of reading alike (not JSON,
    // a value of another type, data that is not canonical base64, an error), which the caller then reads with
    // QJsonDocument.
    std::optional<QList<ReceivedMessage>> readPullReply(const QByteArray &body);
}
