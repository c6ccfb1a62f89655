#include "core/common/textencoding.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Aq::Text
{
    void appendJsonString(QStringView text, QByteArray &out)
    {
        static const char HEX[] = "0123456789abcdef";
        const QByteArray utf8 = text.toUtf8();
        out.reserve(out.size() + utf8.size() + 2);
        out += '"';
        for (const char ch : utf8) {
            const auto c = static_cast<unsigned char>(ch);
            switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += HEX[c >> 4];
                    out += HEX[c & 0xf];
                } else {
                    out += ch;
                }
            }
        }
        out += '"';
    }

    QByteArray jsonText(const QJsonValue &value, bool indented)
    {
        const auto format = indented ? QJsonDocument::Indented : QJsonDocument::Compact;
        if (value.isObject())
            return QJsonDocument(value.toObject()).toJson(format);
        if (value.isArray())
            return QJsonDocument(value.toArray()).toJson(format);
        // A scalar: serialise it inside an array and take the brackets off.
        const QByteArray wrapped = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
        return wrapped.mid(1, wrapped.size() - 2);
    }

    void appendCsvField(QByteArrayView utf8, QByteArray &out)
    {
        const bool quote = utf8.contains(',') || utf8.contains('"') || utf8.contains('\n') || utf8.contains('\r');
        if (!quote) {
            out += utf8;
            return;
        }
        out += '"';
        for (char c : utf8) {
            if (c == '"')
                out += '"';
            out += c;
        }
        out += '"';
    }
}
