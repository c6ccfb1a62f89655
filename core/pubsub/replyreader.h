#pragma once

#include <optional>

#include <QByteArray>
#include <QList>
#include <QStringList>

#include "core/pubsub/pubsubmessage.h"

// Pub/Sub's hot replies read with simdjson, without a QJsonDocument of the whole reply. Each reader takes the usual
// reply and gives exactly what the QJsonDocument path gives for it; nullopt for anything it is not sure of reading
// alike (not JSON, a value of another type, an error), which the caller then reads with QJsonDocument.
namespace Aq::PubSub
{
    // The messages of a pull reply ({"receivedMessages":[...]}), as ReceivedMessage::fromJson reads each (it was
    // most of what the pipeline's thread spent on a pulled message); data must be canonical base64.
    std::optional<QList<ReceivedMessage>> readPullReply(const QByteArray &body);
    // The ids of a publish reply ({"messageIds":["1",...]}), strings.
    std::optional<QStringList> readMessageIds(const QByteArray &body);
}
