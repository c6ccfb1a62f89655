#include "core/server/http/httpheaders.h"

namespace Aq::Server
{
    qsizetype HttpHeaders::size() const
    {
        return m_fields.size();
    }

    bool HttpHeaders::isEmpty() const
    {
        return m_fields.isEmpty();
    }

    QByteArrayView HttpHeaders::nameAt(qsizetype index) const
    {
        const Field &f = m_fields.at(index);
        return QByteArrayView(m_data.constData() + f.nameOffset, f.nameSize);
    }

    QByteArrayView HttpHeaders::valueAt(qsizetype index) const
    {
        const Field &f = m_fields.at(index);
        return QByteArrayView(m_data.constData() + f.valueOffset, f.valueSize);
    }

    bool HttpHeaders::nameEquals(QByteArrayView a, QByteArrayView b)
    {
        return (a.size() == b.size()) && (a.compare(b, Qt::CaseInsensitive) == 0);
    }

    qsizetype HttpHeaders::indexOf(QByteArrayView name) const
    {
        for (qsizetype i = 0; i < m_fields.size(); ++i) {
            if (nameEquals(nameAt(i), name))
                return i;
        }
        return -1;
    }

    bool HttpHeaders::contains(QByteArrayView name) const
    {
        return indexOf(name) >= 0;
    }

    QByteArray HttpHeaders::value(QByteArrayView name, const QByteArray &defaultValue) const
    {
        const qsizetype i = indexOf(name);
        return (i < 0) ? defaultValue : valueAt(i).toByteArray();
    }

    QByteArrayView HttpHeaders::valueView(QByteArrayView name) const
    {
        const qsizetype i = indexOf(name);
        return (i < 0) ? QByteArrayView() : valueAt(i);
    }

    QList<QByteArray> HttpHeaders::values(QByteArrayView name) const
    {
        QList<QByteArray> result;
        for (qsizetype i = 0; i < m_fields.size(); ++i) {
            if (nameEquals(nameAt(i), name))
                result.append(valueAt(i).toByteArray());
        }
        return result;
    }

    void HttpHeaders::append(QByteArrayView name, QByteArrayView value)
    {
        beginField();
        appendToName(name);
        appendToValue(value);
    }

    void HttpHeaders::set(QByteArrayView name, QByteArrayView value)
    {
        remove(name);
        append(name, value);
    }

    void HttpHeaders::remove(QByteArrayView name)
    {
        // The bytes stay in m_data: headers are small and short-lived, and compacting would cost more than it saves.
        m_fields.removeIf([&](const Field &f) {
            return nameEquals(QByteArrayView(m_data.constData() + f.nameOffset, f.nameSize), name);
        });
        if (m_fields.isEmpty())
            m_data.resize(0);
    }

    void HttpHeaders::clear()
    {
        m_fields.resize(0);
        m_data.resize(0);
    }

    void HttpHeaders::reserve(qsizetype fieldCount, qsizetype byteCount)
    {
        m_fields.reserve(fieldCount);
        m_data.reserve(byteCount);
    }

    qsizetype HttpHeaders::byteSize() const
    {
        qsizetype total = 0;
        for (const Field &f : m_fields)
            total += f.nameSize + f.valueSize;
        return total;
    }

    void HttpHeaders::beginField()
    {
        const int offset = int(m_data.size());
        m_fields.append(Field {offset, 0, offset, 0});
    }

    void HttpHeaders::appendToName(QByteArrayView piece)
    {
        Field &f = m_fields.last();
        m_data.append(piece);
        f.nameSize += int(piece.size());
        f.valueOffset = f.nameOffset + f.nameSize;
    }

    void HttpHeaders::appendToValue(QByteArrayView piece)
    {
        Field &f = m_fields.last();
        m_data.append(piece);
        f.valueSize += int(piece.size());
    }

    void HttpHeaders::trimLastValue()
    {
        // http-parser drops leading whitespace of a value but keeps trailing whitespace (RFC 7230 calls it OWS).
        Field &f = m_fields.last();
        while (f.valueSize > 0) {
            const char c = m_data.at(f.valueOffset + f.valueSize - 1);
            if ((c != ' ') && (c != '\t'))
                break;
            --f.valueSize;
        }
    }
}
