#include "core/server/api/publishrequest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/pipeline/rowconverter.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        Result<PubSub::PubsubMessage> fromEvent(const QJsonValue &event, const QString &where)
        {
            if (!event.isObject())
                return ApiError::invalidArgument(u"%1: an event must be a JSON object."_s.arg(where));
            PubSub::PubsubMessage message;
            message.data = QJsonDocument(event.toObject()).toJson(QJsonDocument::Compact);
            return message;
        }

        Result<PubSub::PubsubMessage> fromPubsubShape(const QJsonValue &item, const QString &where)
        {
            if (!item.isObject())
                return ApiError::invalidArgument(u"%1: a message must be an object with data and optional attributes and orderingKey."_s.arg(where));
            const QJsonObject object = item.toObject();
            for (auto it = object.begin(); it != object.end(); ++it) {
                if (it.key() != u"data"_s && it.key() != u"attributes"_s && it.key() != u"orderingKey"_s)
                    return ApiError::invalidArgument(u"%1: unknown field \"%2\" (a message has data, attributes and orderingKey)."_s.arg(where, it.key().left(64)));
            }
            PubSub::PubsubMessage message;
            const QJsonValue data = object.value(u"data"_s);
            if (data.isObject() || data.isArray()) {
                message.data = data.isObject() ? QJsonDocument(data.toObject()).toJson(QJsonDocument::Compact)
                                               : QJsonDocument(data.toArray()).toJson(QJsonDocument::Compact);
            } else if (data.isString()) {
                const auto decoded = QByteArray::fromBase64Encoding(data.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
                if (!decoded)
                    return ApiError::invalidArgument(u"%1.data: a string must be base64, as Pub/Sub sends data; send an event as a JSON object instead."_s.arg(where));
                message.data = *decoded;
            } else if (!data.isUndefined() && !data.isNull()) {
                return ApiError::invalidArgument(u"%1.data: expected an event object or a base64 string."_s.arg(where));
            }
            const QJsonValue attributes = object.value(u"attributes"_s);
            if (!attributes.isUndefined() && !attributes.isObject())
                return ApiError::invalidArgument(u"%1.attributes: expected an object of strings."_s.arg(where));
            const QJsonObject attributeObject = attributes.toObject();
            for (auto it = attributeObject.begin(); it != attributeObject.end(); ++it) {
                if (!it.value().isString())
                    return ApiError::invalidArgument(u"%1.attributes.%2: attribute values are strings."_s.arg(where, it.key().left(64)));
                message.attributes.insert(it.key(), it.value().toString());
            }
            const QJsonValue orderingKey = object.value(u"orderingKey"_s);
            if (!orderingKey.isUndefined() && !orderingKey.isString())
                return ApiError::invalidArgument(u"%1.orderingKey: expected a string."_s.arg(where));
            message.orderingKey = orderingKey.toString();
            if (message.data.isEmpty() && message.attributes.isEmpty())
                return ApiError::invalidArgument(u"%1: a message needs data or attributes."_s.arg(where));
            return message;
        }
    }

    Result<PublishRequest> PublishRequest::parse(const QByteArray &body)
    {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
        if (parseError.error != QJsonParseError::NoError)
            return ApiError::invalidArgument(u"The body is not JSON (%1 at byte %2): send an event object, an array of them, or {\"messages\": [...]}."_s
                                                 .arg(parseError.errorString())
                                                 .arg(parseError.offset));
        PublishRequest request;
        QJsonArray items;
        bool pubsubShape = false;
        if (document.isArray()) {
            items = document.array();
        } else if (document.object().contains(u"messages"_s)) {
            const QJsonValue messages = document.object().value(u"messages"_s);
            if (!messages.isArray())
                return ApiError::invalidArgument(u"messages: expected an array."_s);
            if (document.object().size() != 1)
                return ApiError::invalidArgument(u"A body with \"messages\" has no other fields."_s);
            items = messages.toArray();
            pubsubShape = true;
        } else {
            items.append(document.object());
        }
        if (items.isEmpty())
            return ApiError::invalidArgument(u"Nothing to publish: the body has no events."_s);
        if (items.size() > PubSub::MaxMessagesPerPublish)
            return ApiError::invalidArgument(u"%1 messages in one request: at most %2; split them."_s.arg(items.size()).arg(PubSub::MaxMessagesPerPublish));
        for (qsizetype i = 0; i < items.size(); ++i) {
            const QString where = pubsubShape ? u"messages[%1]"_s.arg(i) : (document.isArray() ? u"[%1]"_s.arg(i) : u"event"_s);
            Result<PubSub::PubsubMessage> message = pubsubShape ? fromPubsubShape(items[i], where) : fromEvent(items[i], where);
            if (!message)
                return message.error();
            request.messages.append(*message);
        }
        return request;
    }

    QList<std::pair<QString, QString>> PublishRequest::schemaViolations(const Pipeline::RowConverter &converter) const
    {
        QList<std::pair<QString, QString>> violations;
        for (qsizetype i = 0; i < messages.size(); ++i) {
            if (Status valid = converter.validate(messages[i].data); !valid)
                violations.append({u"messages[%1]"_s.arg(i), valid.error().message});
        }
        return violations;
    }

    QByteArray badRequestBody(const QString &message, const QList<std::pair<QString, QString>> &violations)
    {
        QJsonObject envelope = ApiError::invalidArgument(message).toJson();
        QJsonObject error = envelope.value(u"error"_s).toObject();
        QJsonArray fieldViolations;
        for (const auto &[field, description] : violations)
            fieldViolations.append(QJsonObject {{u"field"_s, field}, {u"description"_s, description}});
        error.insert(u"details"_s, QJsonArray {QJsonObject {{u"@type"_s, u"type.googleapis.com/google.rpc.BadRequest"_s}, {u"fieldViolations"_s, fieldViolations}}});
        envelope.insert(u"error"_s, error);
        return QJsonDocument(envelope).toJson(QJsonDocument::Compact);
    }
}
