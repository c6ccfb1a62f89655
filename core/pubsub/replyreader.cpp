#include "core/pubsub/replyreader.h"

#include <limits>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "core/common/base64.h"
#include "core/common/timeutil.h"

namespace Aq::PubSub
{
    namespace
    {
        using Element = std::optional<simdjson::dom::element>;

        QString text(std::string_view utf8)
        {
            return QString::fromUtf8(utf8.data(), qsizetype(utf8.size()));
        }

        // A string field, or nullopt when it is there with another type.
        std::optional<std::string_view> string(const Element &value)
        {
            std::string_view out;
            if (value && value->get_string().get(out) != simdjson::SUCCESS)
                return std::nullopt;
            return out;
        }

        // Publish times as Time::parseTimestamp reads them, remembered for the last text: the messages of one
        // publish request share theirs.
        class PublishTimes
        {
        public:
            std::optional<qint64> parse(std::string_view value)
            {
                if (value != m_text) {
                    m_micros = Time::parseTimestamp(text(value));
                    m_text = value;
                }
                return m_micros;
            }

        private:
            std::string m_text;
            std::optional<qint64> m_micros;
        };

        // The value under `key` of a reply that is a JSON object (the last one, as in a QJsonObject), an empty
        // Element when the key is missing; nullopt when the reply is not a JSON object.
        std::optional<Element> topLevelField(simdjson::dom::parser &parser, const QByteArray &body, std::string_view key)
        {
            simdjson::dom::element root;
            simdjson::dom::object reply;
            if (parser.parse(body.constData(), size_t(body.size())).get(root) != simdjson::SUCCESS || root.get_object().get(reply) != simdjson::SUCCESS)
                return std::nullopt;
            Element value;
            for (simdjson::dom::key_value_pair field : reply) {
                if (field.key == key)
                    value = field.value;
            }
            return value;
        }

        std::optional<PubsubMessage> readMessage(simdjson::dom::object object, PublishTimes &publishTimes)
        {
            Element data;
            Element attributes;
            Element orderingKey;
            Element messageId;
            Element publishTime;
            for (simdjson::dom::key_value_pair field : object) {
                // a repeated key: the last one counts, as in a QJsonObject
                Element *slot = field.key == "data" ? &data
                    : field.key == "attributes"     ? &attributes
                    : field.key == "orderingKey"    ? &orderingKey
                    : field.key == "messageId"      ? &messageId
                    : field.key == "publishTime"    ? &publishTime
                                                    : nullptr;
                if (slot)
                    *slot = field.value;
            }
            PubsubMessage message;
            const std::optional<std::string_view> encoded = string(data);
            const std::optional<std::string_view> key = string(orderingKey);
            const std::optional<std::string_view> id = string(messageId);
            const std::optional<std::string_view> time = string(publishTime);
            if (!encoded || !key || !id || !time)
                return std::nullopt;
            if (data) {
                std::optional<QByteArray> bytes = Base64::decodeCanonical(QByteArrayView(encoded->data(), qsizetype(encoded->size())));
                if (!bytes)
                    return std::nullopt;
                message.data = std::move(*bytes);
            }
            if (attributes) {
                simdjson::dom::object map;
                if (attributes->get_object().get(map) != simdjson::SUCCESS)
                    return std::nullopt;
                for (simdjson::dom::key_value_pair field : map) {
                    std::string_view value;
                    if (field.value.get_string().get(value) != simdjson::SUCCESS)
                        return std::nullopt;
                    message.attributes.insert(text(field.key), text(value));
                }
            }
            message.orderingKey = text(*key);
            message.messageId = text(*id);
            if (!time->empty()) {
                const std::optional<qint64> micros = publishTimes.parse(*time);
                if (!micros)
                    return std::nullopt;
                message.publishTimeMicros = *micros;
            }
            return message;
        }
    }

    std::optional<QList<ReceivedMessage>> readPullReply(const QByteArray &body)
    {
        thread_local simdjson::dom::parser parser;
        const std::optional<Element> received = topLevelField(parser, body, "receivedMessages");
        if (!received)
            return std::nullopt;
        QList<ReceivedMessage> out;
        if (!*received)
            return out;
        simdjson::dom::array array;
        if ((*received)->get_array().get(array) != simdjson::SUCCESS)
            return std::nullopt;
        out.reserve(qsizetype(array.size()));
        PublishTimes publishTimes;
        for (simdjson::dom::element item : array) {
            simdjson::dom::object object;
            if (item.get_object().get(object) != simdjson::SUCCESS)
                return std::nullopt;
            Element ackId;
            Element message;
            Element attempt;
            for (simdjson::dom::key_value_pair field : object) {
                Element *slot = field.key == "ackId" ? &ackId : field.key == "message" ? &message : field.key == "deliveryAttempt" ? &attempt : nullptr;
                if (slot)
                    *slot = field.value;
            }
            const std::optional<std::string_view> id = string(ackId);
            simdjson::dom::object messageObject;
            if (!id || id->empty() || !message || message->get_object().get(messageObject) != simdjson::SUCCESS)
                return std::nullopt;
            ReceivedMessage receivedMessage;
            receivedMessage.ackId = text(*id);
            if (attempt) {
                int64_t n = 0;
                if (attempt->get_int64().get(n) != simdjson::SUCCESS || n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max())
                    return std::nullopt;
                receivedMessage.deliveryAttempt = int(n);
            }
            std::optional<PubsubMessage> pubsubMessage = readMessage(messageObject, publishTimes);
            if (!pubsubMessage)
                return std::nullopt;
            receivedMessage.message = std::move(*pubsubMessage);
            out.append(std::move(receivedMessage));
        }
        return out;
    }

    std::optional<QStringList> readMessageIds(const QByteArray &body)
    {
        thread_local simdjson::dom::parser parser;
        const std::optional<Element> value = topLevelField(parser, body, "messageIds");
        simdjson::dom::array array;
        if (!value || !*value || (*value)->get_array().get(array) != simdjson::SUCCESS)
            return std::nullopt;
        QStringList ids;
        ids.reserve(qsizetype(array.size()));
        for (simdjson::dom::element item : array) {
            std::string_view id;
            if (item.get_string().get(id) != simdjson::SUCCESS)
                return std::nullopt;
            ids.append(text(id));
        }
        return ids;
    }
}
