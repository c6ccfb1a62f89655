#include "core/localcloud/publishbody.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include <simdjson.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QVarLengthArray>

#include "core/localcloud/jsonbody.h"
#include "core/localcloud/jsonfields.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::LocalCloud
{
    namespace
    {
        constexpr int MAX_ATTRIBUTES = 100;
        constexpr int MAX_ATTRIBUTE_KEY_BYTES = 256;
        constexpr int MAX_ATTRIBUTE_VALUE_BYTES = 1024;
        constexpr int MAX_ORDERING_KEY_BYTES = 1024;

        // Every rule and every error: the body as QJsonDocument reads it.
        Result<QList<PublishedMessage>> parseGeneral(const QByteArray &body, int maxMessages, qint64 maxBytes)
        {
            Result<QJsonObject> request = JsonFields::parseObject(body, false);
            if (!request)
                return request.error();
            const QJsonValue messagesValue = request->value(u"messages"_s);
            if (!messagesValue.isArray() || messagesValue.toArray().isEmpty())
                return ApiError::invalidArgument(u"The request contains no messages: send {\"messages\":[{\"data\":\"<base64>\"}]}."_s);
            const QJsonArray messages = messagesValue.toArray();
            if (messages.size() > maxMessages)
                return ApiError::invalidArgument(u"The value for message_count is too large. You passed %1 in the request, but the maximum value is %2."_s
                                                     .arg(messages.size())
                                                     .arg(maxMessages));
            QList<PublishedMessage> decoded;
            decoded.reserve(messages.size());
            qint64 totalBytes = 0;
            for (qsizetype i = 0; i < messages.size(); ++i) {
                if (!messages[i].isObject())
                    return ApiError::invalidArgument(u"messages[%1] is not an object."_s.arg(i));
                const QJsonObject message = messages[i].toObject();
                PublishedMessage m;
                const QJsonValue data = message.value(u"data"_s);
                if (!data.isUndefined() && !data.isNull()) {
                    if (!data.isString())
                        return ApiError::invalidArgument(u"messages[%1].data must be a base64 string."_s.arg(i));
                    std::optional<QByteArray> bytes = JsonFields::decodeBase64(data.toString());
                    if (!bytes)
                        return ApiError::invalidArgument(u"messages[%1].data is not valid base64."_s.arg(i));
                    m.data = std::move(*bytes);
                }
                const QJsonValue attributesValue = message.value(u"attributes"_s);
                const QJsonObject attributes = attributesValue.toObject();
                if (!attributesValue.isUndefined() && !attributesValue.isNull() && !attributesValue.isObject())
                    return ApiError::invalidArgument(u"messages[%1].attributes must be an object of strings."_s.arg(i));
                if (attributes.size() > MAX_ATTRIBUTES)
                    return ApiError::invalidArgument(u"messages[%1] has %2 attributes; at most %3 are allowed."_s.arg(i).arg(attributes.size()).arg(MAX_ATTRIBUTES));
                for (auto it = attributes.begin(); it != attributes.end(); ++it) {
                    if (!it.value().isString())
                        return ApiError::invalidArgument(u"messages[%1].attributes.%2 must be a string."_s.arg(i).arg(it.key()));
                    if (it.key().isEmpty() || it.key().toUtf8().size() > MAX_ATTRIBUTE_KEY_BYTES)
                        return ApiError::invalidArgument(u"messages[%1] has an attribute key that is empty or longer than %2 bytes."_s.arg(i).arg(MAX_ATTRIBUTE_KEY_BYTES));
                    if (it.key().startsWith(u"goog"_s))
                        return ApiError::invalidArgument(u"messages[%1]: attribute keys must not start with \"goog\" (%2)."_s.arg(i).arg(it.key()));
                    const qsizetype valueBytes = it.value().toString().toUtf8().size();
                    if (valueBytes > MAX_ATTRIBUTE_VALUE_BYTES)
                        return ApiError::invalidArgument(u"messages[%1].attributes.%2 is longer than %3 bytes."_s.arg(i).arg(it.key()).arg(MAX_ATTRIBUTE_VALUE_BYTES));
                    totalBytes += it.key().size() + valueBytes;
                }
                if (m.data.isEmpty() && attributes.isEmpty())
                    return ApiError::invalidArgument(u"Some messages are empty: messages[%1] has neither data nor attributes."_s.arg(i));
                m.attributes = attributes.isEmpty() ? QByteArray() : QJsonDocument(attributes).toJson(QJsonDocument::Compact);
                m.orderingKey = message.value(u"orderingKey"_s).toString(message.value(u"ordering_key"_s).toString());
                if (m.orderingKey.toUtf8().size() > MAX_ORDERING_KEY_BYTES)
                    return ApiError::invalidArgument(u"messages[%1].orderingKey is longer than %2 bytes."_s.arg(i).arg(MAX_ORDERING_KEY_BYTES));
                totalBytes += m.data.size() + m.orderingKey.size();
                decoded.append(std::move(m));
            }
            if (totalBytes > maxBytes)
                return ApiError::invalidArgument(u"Request payload size exceeds the limit: %1 bytes (the messages hold %2 bytes)."_s.arg(maxBytes).arg(totalBytes));
            return decoded;
        }

        // Text QJsonDocument writes as it is, unescaped: printable ASCII but for the quote and the backslash.
        bool isPlainText(std::string_view text)
        {
            return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c != '"' && c != '\\' && uchar(c) < 0x80; });
        }

        bool isAscii(std::string_view text)
        {
            return std::all_of(text.begin(), text.end(), [](char c) { return uchar(c) < 0x80; });
        }

        // An attributes object with plain keys and values, within the limits, written as QJsonDocument writes
        // it (keys sorted); nullopt otherwise.
        std::optional<QByteArray> plainAttributes(simdjson::dom::object object, qint64 &totalBytes)
        {
            QVarLengthArray<std::pair<std::string_view, std::string_view>, 8> attributes;
            for (simdjson::dom::key_value_pair field : object) {
                std::string_view value;
                if (field.value.get_string().get(value) != simdjson::SUCCESS || !isPlainText(field.key) || !isPlainText(value))
                    return std::nullopt;
                if (field.key.empty() || field.key.size() > MAX_ATTRIBUTE_KEY_BYTES || field.key.starts_with("goog")
                    || value.size() > MAX_ATTRIBUTE_VALUE_BYTES)
                    return std::nullopt;
                attributes.append({field.key, value});
            }
            if (attributes.isEmpty() || attributes.size() > MAX_ATTRIBUTES)
                return std::nullopt;
            std::sort(attributes.begin(), attributes.end());
            QByteArray text;
            text.reserve(256);
            text += '{';
            for (qsizetype i = 0; i < attributes.size(); ++i) {
                const auto &[key, value] = attributes[i];
                if (i > 0 && key == attributes[i - 1].first)
                    return std::nullopt;   // a repeated key: QJsonDocument's rules decide
                if (i > 0)
                    text += ',';
                text += '"';
                text.append(key.data(), qsizetype(key.size()));
                text += "\":\"";
                text.append(value.data(), qsizetype(value.size()));
                text += '"';
                totalBytes += qint64(key.size() + value.size());
            }
            text += '}';
            return text;
        }

        // The common body, read with simdjson into exactly what parseGeneral returns for it. Anything it is not
        // sure of (an error, repeated keys, non-ASCII data, attributes that need escapes, a null) is left to
        // parseGeneral: nullopt.
        std::optional<QList<PublishedMessage>> parseCommon(const QByteArray &body, int maxMessages, qint64 maxBytes)
        {
            thread_local simdjson::dom::parser parser;
            const std::optional<simdjson::dom::array> messages = JsonBody::array(parser, body, "messages");
            if (!messages || messages->size() == 0 || messages->size() > size_t(maxMessages))
                return std::nullopt;
            QList<PublishedMessage> decoded;
            decoded.reserve(qsizetype(messages->size()));
            qint64 totalBytes = 0;
            for (simdjson::dom::element item : *messages) {
                simdjson::dom::object message;
                if (item.get_object().get(message) != simdjson::SUCCESS)
                    return std::nullopt;
                std::optional<simdjson::dom::element> data;
                std::optional<simdjson::dom::element> attributes;
                std::optional<simdjson::dom::element> orderingKey;
                std::optional<simdjson::dom::element> orderingKeySnake;
                for (simdjson::dom::key_value_pair field : message) {
                    std::optional<simdjson::dom::element> *slot = field.key == "data" ? &data
                        : field.key == "attributes"                                   ? &attributes
                        : field.key == "orderingKey"                                  ? &orderingKey
                        : field.key == "ordering_key"                                 ? &orderingKeySnake
                                                                                      : nullptr;
                    if (!slot)
                        continue;
                    if (*slot)
                        return std::nullopt;
                    *slot = field.value;
                }
                PublishedMessage m;
                if (data) {
                    std::string_view text;
                    if (data->get_string().get(text) != simdjson::SUCCESS || !isAscii(text))
                        return std::nullopt;
                    std::optional<QByteArray> bytes = JsonFields::decodeBase64(QByteArray(text.data(), qsizetype(text.size())));
                    if (!bytes)
                        return std::nullopt;
                    m.data = std::move(*bytes);
                }
                if (attributes) {
                    simdjson::dom::object object;
                    if (attributes->get_object().get(object) != simdjson::SUCCESS)
                        return std::nullopt;
                    if (object.begin() != object.end()) {
                        std::optional<QByteArray> text = plainAttributes(object, totalBytes);
                        if (!text)
                            return std::nullopt;
                        m.attributes = std::move(*text);
                    }
                }
                if (m.data.isEmpty() && m.attributes.isEmpty())
                    return std::nullopt;
                for (const std::optional<simdjson::dom::element> &key : {orderingKeySnake, orderingKey}) {
                    std::string_view text;
                    if (!key)
                        continue;
                    if (key->get_string().get(text) != simdjson::SUCCESS || text.size() > MAX_ORDERING_KEY_BYTES)
                        return std::nullopt;
                    m.orderingKey = QString::fromUtf8(text.data(), qsizetype(text.size()));   // orderingKey, when given, wins
                }
                totalBytes += m.data.size() + m.orderingKey.size();
                decoded.append(std::move(m));
            }
            if (totalBytes > maxBytes)
                return std::nullopt;
            return decoded;
        }
    }

    Result<QList<PublishedMessage>> parsePublishBody(const QByteArray &body, int maxMessages, qint64 maxBytes)
    {
        // publish is the hot path: QJsonDocument would build a tree of UTF-16 strings of every message first.
        if (std::optional<QList<PublishedMessage>> common = parseCommon(body, maxMessages, maxBytes))
            return std::move(*common);
        return parseGeneral(body, maxMessages, maxBytes);
    }
}
