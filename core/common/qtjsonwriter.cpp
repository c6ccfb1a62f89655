#include "core/common/qtjsonwriter.h"

#include <algorithm>
#include <utility>

#include <QJsonArray>
#include <QJsonDocument>
#include <QVarLengthArray>

namespace Aq::QtJson
{
    namespace
    {
        constexpr int MaxDepth = 64;
        // Integers QJsonDocument keeps exact whichever way it stores them.
        constexpr qint64 MaxExactInteger = qint64(1) << 53;

        bool appendAt(QByteArray &out, simdjson::dom::element value, int depth)
        {
            using simdjson::dom::element_type;
            if (depth > MaxDepth)
                return false;
            switch (value.type()) {
            case element_type::OBJECT: {
                QVarLengthArray<std::pair<std::string_view, simdjson::dom::element>, 16> fields;
                const simdjson::dom::object object = value.get_object().value_unsafe();
                for (simdjson::dom::key_value_pair field : object)
                    fields.append({field.key, field.value});
                std::sort(fields.begin(), fields.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
                out += '{';
                for (qsizetype i = 0; i < fields.size(); ++i) {
                    if (i > 0 && fields[i].first == fields[i - 1].first)
                        return false;   // duplicate keys: QJsonDocument's rules decide
                    if (i > 0)
                        out += ',';
                    if (!appendPlainString(out, fields[i].first.data(), qsizetype(fields[i].first.size())))
                        return false;
                    out += ':';
                    if (!appendAt(out, fields[i].second, depth + 1))
                        return false;
                }
                out += '}';
                return true;
            }
            case element_type::ARRAY: {
                out += '[';
                bool first = true;
                const simdjson::dom::array array = value.get_array().value_unsafe();
                for (simdjson::dom::element item : array) {
                    if (!std::exchange(first, false))
                        out += ',';
                    if (!appendAt(out, item, depth + 1))
                        return false;
                }
                out += ']';
                return true;
            }
            case element_type::STRING: {
                const std::string_view string = value.get_string().value_unsafe();
                return appendPlainString(out, string.data(), qsizetype(string.size()));
            }
            case element_type::INT64: {
                const qint64 n = value.get_int64().value_unsafe();
                if (n > MaxExactInteger || n < -MaxExactInteger)
                    return false;
                out += QByteArray::number(n);
                return true;
            }
            case element_type::DOUBLE:
                out += text(QJsonValue(value.get_double().value_unsafe()));
                return true;
            case element_type::BOOL:
                out += value.get_bool().value_unsafe() ? "true" : "false";
                return true;
            case element_type::NULL_VALUE:
                out += "null";
                return true;
            case element_type::UINT64:
                break;
            }
            return false;
        }
    }

    QByteArray text(const QJsonValue &value)
    {
        const QByteArray array = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
        return array.sliced(1, array.size() - 2);
    }

    bool append(QByteArray &out, simdjson::dom::element value)
    {
        return appendAt(out, value, 0);
    }
}
