#include "core/localcloud/jsonwriter.h"

#include "core/common/base64.h"

namespace Aq::LocalCloud
{
    JsonWriter::JsonWriter(qsizetype reserve)
    {
        grow(qMax<qsizetype>(reserve, 16));
    }

    void JsonWriter::grow(qsizetype bytes)
    {
        m_capacity = qMax(m_capacity * 2, m_size + bytes);
        m_buffer.resize(m_capacity);   // new bytes are left uninitialized
        m_data = m_buffer.data();
    }

    QByteArray JsonWriter::take()
    {
        m_buffer.resize(m_size);
        QByteArray out = std::move(m_buffer);
        m_buffer = QByteArray();
        m_data = nullptr;
        m_size = m_capacity = 0;
        return out;
    }

    void JsonWriter::number(qint64 value)
    {
        char digits[24];
        char *begin = digits + sizeof digits;
        quint64 magnitude = value < 0 ? 0 - quint64(value) : quint64(value);
        do {
            *--begin = char('0' + magnitude % 10);
            magnitude /= 10;
        } while (magnitude);
        if (value < 0)
            *--begin = '-';
        put(begin, digits + sizeof digits - begin);
    }

    void JsonWriter::base64(QByteArrayView bytes)
    {
        char *to = room(Base64::encodedSize(bytes.size()));
        m_size = Base64::encode(bytes, to) - m_data;
    }

    void JsonWriter::string(const QString &value)
    {
        string(QByteArrayView(value.toUtf8()));
    }

    void JsonWriter::string(QByteArrayView utf8)
    {
        static const char hex[] = "0123456789abcdef";
        raw("\"");
        const char *begin = utf8.data();
        const char *run = begin;
        const char *end = begin + utf8.size();
        for (const char *p = begin; p != end; ++p) {
            const unsigned char c = static_cast<unsigned char>(*p);
            if (c >= 0x20 && c != '"' && c != '\\')
                continue;
            put(run, p - run);
            run = p + 1;
            switch (c) {
            case '"': raw("\\\""); break;
            case '\\': raw("\\\\"); break;
            case '\n': raw("\\n"); break;
            case '\r': raw("\\r"); break;
            case '\t': raw("\\t"); break;
            case '\b': raw("\\b"); break;
            case '\f': raw("\\f"); break;
            default: {
                const char escape[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                put(escape, 6);
            }
            }
        }
        put(run, end - run);
        raw("\"");
    }
}
