#include "core/localcloud/jsonwriter.h"

#include "core/common/base64.h"

namespace Aq::LocalCloud
{
    JsonWriter::JsonWriter(qsizetype reserve)
    {
        m_buffer.reserve(reserve);
    }

    void JsonWriter::raw(const char *text)
    {
        m_buffer.append(text);
    }

    void JsonWriter::raw(const QByteArray &text)
    {
        m_buffer.append(text);
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
        m_buffer.append(begin, digits + sizeof digits - begin);
    }

    void JsonWriter::base64(QByteArrayView bytes)
    {
        Base64::append(bytes, m_buffer);
    }

    void JsonWriter::string(const QString &value)
    {
        string(QByteArrayView(value.toUtf8()));
    }

    void JsonWriter::string(QByteArrayView utf8)
    {
        static const char hex[] = "0123456789abcdef";
        m_buffer.append('"');
        const char *begin = utf8.data();
        const char *run = begin;
        const char *end = begin + utf8.size();
        for (const char *p = begin; p != end; ++p) {
            const unsigned char c = static_cast<unsigned char>(*p);
            if (c >= 0x20 && c != '"' && c != '\\')
                continue;
            m_buffer.append(run, p - run);
            run = p + 1;
            switch (c) {
            case '"': m_buffer.append("\\\"", 2); break;
            case '\\': m_buffer.append("\\\\", 2); break;
            case '\n': m_buffer.append("\\n", 2); break;
            case '\r': m_buffer.append("\\r", 2); break;
            case '\t': m_buffer.append("\\t", 2); break;
            case '\b': m_buffer.append("\\b", 2); break;
            case '\f': m_buffer.append("\\f", 2); break;
            default: {
                const char escape[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                m_buffer.append(escape, 6);
            }
            }
        }
        m_buffer.append(run, end - run);
        m_buffer.append('"');
    }
}
