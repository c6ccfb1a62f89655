#include "core/pubsub/pubsubmessage.h"

#include "core/common/base64.h"
#include "core/common/textencoding.h"
#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::PubSub
{
    qsizetype PubsubMessage::approximateSize() const
    {
        qsizetype size = data.size() + orderingKey.size();
        for (auto it = attributes.cbegin(); it != attributes.cend(); ++it)
            size += it.key().size() + it.value().size();
        return size;
    }

    QByteArray publishBody(const QList<PubsubMessage> &messages)
    {
        qsizetype size = 16;
        for (const PubsubMessage &message : messages)
            size += (message.data.size() + 2) / 3 * 4 + message.approximateSize() + 48;
        QByteArray out;
        out.reserve(size);
        out += "{\"messages\":[";
        for (qsizetype i = 0; i < messages.size(); ++i) {
            const PubsubMessage &message = messages[i];
            out += i ? ",{" : "{";
            bool comma = false;
            if (!message.attributes.isEmpty()) {
                out += "\"attributes\":{";
                for (auto it = message.attributes.cbegin(); it != message.attributes.cend(); ++it) {
                    if (it != message.attributes.cbegin())
                        out += ',';
                    Text::appendJsonString(it.key(), out);
                    out += ':';
                    Text::appendJsonString(it.value(), out);
                }
                out += '}';
                comma = true;
            }
            if (!message.data.isEmpty()) {
                out += comma ? ",\"data\":\"" : "\"data\":\"";
                Base64::append(message.data, out);
                out += '"';
                comma = true;
            }
            if (!message.orderingKey.isEmpty()) {
                out += comma ? ",\"orderingKey\":" : "\"orderingKey\":";
                Text::appendJsonString(message.orderingKey, out);
            }
            out += '}';
        }
        out += "]}";
        return out;
    }

    Result<PubsubMessage> PubsubMessage::fromJson(const QJsonObject &json)
    {
        PubsubMessage message;
        const QByteArray encoded = json.value(u"data"_s).toString().toLatin1();
        if (std::optional<QByteArray> canonical = Base64::decodeCanonical(encoded)) {
            message.data = std::move(*canonical);
        } else {
            // Standard base64 as the API writes it; URL-safe and unpadded are accepted too.
            auto decoded = QByteArray::fromBase64Encoding(encoded, QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                decoded = QByteArray::fromBase64Encoding(encoded, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                return ApiError::invalidArgument(u"a received message's data is not base64"_s);
            message.data = *decoded;
        }
        const QJsonObject attributes = json.value(u"attributes"_s).toObject();
        for (auto it = attributes.begin(); it != attributes.end(); ++it)
            message.attributes.insert(it.key(), it.value().toString());
        message.orderingKey = json.value(u"orderingKey"_s).toString();
        message.messageId = json.value(u"messageId"_s).toString();
        const QString publishTime = json.value(u"publishTime"_s).toString();
        if (!publishTime.isEmpty()) {
            const std::optional<qint64> micros = Time::parseTimestamp(publishTime);
            if (!micros)
                return ApiError::invalidArgument(u"message %1 has a publishTime that is not RFC 3339: %2"_s.arg(message.messageId, publishTime));
            message.publishTimeMicros = *micros;
        }
        return message;
    }

    Result<ReceivedMessage> ReceivedMessage::fromJson(const QJsonObject &json)
    {
        ReceivedMessage received;
        received.ackId = json.value(u"ackId"_s).toString();
        if (received.ackId.isEmpty())
            return ApiError::invalidArgument(u"a received message has no ackId"_s);
        Result<PubsubMessage> message = PubsubMessage::fromJson(json.value(u"message"_s).toObject());
        if (!message)
            return message.error();
        received.message = std::move(*message);
        received.deliveryAttempt = json.value(u"deliveryAttempt"_s).toInt();
        return received;
    }
}
