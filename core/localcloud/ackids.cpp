#include "core/localcloud/ackids.h"

#include <charconv>
#include <optional>
#include <string_view>

#include <simdjson.h>

#include <QJsonArray>
#include <QStringList>

#include "core/localcloud/jsonbody.h"
#include "core/localcloud/jsonfields.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::LocalCloud
{
    namespace
    {
        // Digits only, within the type's range.
        template <typename Number>
        bool parseDigits(std::string_view text, Number &out)
        {
            if (text.empty() || text.front() < '0' || text.front() > '9')
                return false;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
            return error == std::errc() && end == text.data() + text.size();
        }

        std::optional<AckId> parseStrict(std::string_view text)
        {
            const size_t first = text.find('-');
            const size_t second = first == std::string_view::npos ? first : text.find('-', first + 1);
            if (second == std::string_view::npos)
                return std::nullopt;
            AckId id;
            if (!parseDigits(text.substr(0, first), id.subscriptionId) || !parseDigits(text.substr(first + 1, second - first - 1), id.messageId)
                || !parseDigits(text.substr(second + 1), id.attempt))
                return std::nullopt;
            return id;
        }

        // The usual body, {"ackIds":["1-2-3",...]} with ids as pull replies write them; nullopt for anything else,
        // which the QJsonObject path then reads, errors included.
        std::optional<QList<AckId>> parseCommon(const QByteArray &body)
        {
            thread_local simdjson::dom::parser parser;
            const std::optional<simdjson::dom::array> ids = JsonBody::array(parser, body, "ackIds", "ack_ids");
            if (!ids || ids->size() == 0)
                return std::nullopt;
            QList<AckId> out;
            out.reserve(qsizetype(ids->size()));
            for (simdjson::dom::element item : *ids) {
                std::string_view text;
                if (item.get_string().get(text) != simdjson::SUCCESS)
                    return std::nullopt;
                const std::optional<AckId> id = parseStrict(text);
                if (!id)
                    return std::nullopt;
                out.append(*id);
            }
            return out;
        }
    }

    Result<QList<AckId>> parseAckIds(const QJsonObject &body)
    {
        const QJsonValue value = JsonFields::value(body, "ackIds", "ack_ids");
        if (!value.isArray() || value.toArray().isEmpty())
            return ApiError::invalidArgument(u"No ack ids were given: send {\"ackIds\":[...]} with the ackId of each received message."_s);
        QList<AckId> out;
        const QJsonArray ids = value.toArray();
        out.reserve(ids.size());
        for (const QJsonValue &v : ids) {
            const QString text = v.toString();
            const QStringList parts = text.split(u'-');
            bool ok1 = false;
            bool ok2 = false;
            bool ok3 = false;
            AckId id;
            id.subscriptionId = parts.size() == 3 ? parts[0].toLongLong(&ok1) : 0;
            id.messageId = parts.size() == 3 ? parts[1].toLongLong(&ok2) : 0;
            id.attempt = parts.size() == 3 ? parts[2].toInt(&ok3) : 0;
            if (!ok1 || !ok2 || !ok3)
                return ApiError::invalidArgument(u"You have passed an invalid ack ID to the service (ack_id=%1)."_s.arg(text.left(100)));
            out.append(id);
        }
        return out;
    }

    Result<QList<AckId>> parseAckIds(const QByteArray &body)
    {
        // An acknowledgement of a whole pull carries up to 2,500 ids: QJsonDocument and QString::split would
        // allocate for each.
        if (std::optional<QList<AckId>> common = parseCommon(body))
            return std::move(*common);
        Result<QJsonObject> object = JsonFields::parseObject(body);
        if (!object)
            return object.error();
        return parseAckIds(*object);
    }
}
