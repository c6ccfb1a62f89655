#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace Aq::Server
{
    // An ordered list of header fields kept in one byte buffer, so a parsed request costs two allocations for all its
    // headers instead of two per header. Names compare case-insensitively; the original spelling is kept.
    class HttpHeaders
    {
    public:
        HttpHeaders() = default;

        qsizetype size() const;
        bool isEmpty() const;
        // Views stay valid while this object is alive and unmodified.
        QByteArrayView nameAt(qsizetype index) const;
        QByteArrayView valueAt(qsizetype index) const;

        bool contains(QByteArrayView name) const;
        // The first value of that name, or defaultValue.
        QByteArray value(QByteArrayView name, const QByteArray &defaultValue = {}) const;
        QByteArrayView valueView(QByteArrayView name) const;
        QList<QByteArray> values(QByteArrayView name) const;

        void append(QByteArrayView name, QByteArrayView value);
        // Replaces every field of that name with one.
        void set(QByteArrayView name, QByteArrayView value);
        void remove(QByteArrayView name);
        void clear();
        void reserve(qsizetype fieldCount, qsizetype byteCount);
        // Bytes of names and values (what serialising needs, without separators).
        qsizetype byteSize() const;

        static bool nameEquals(QByteArrayView a, QByteArrayView b);

    private:
        friend class HttpRequestParser;

        struct Field
        {
            int nameOffset = 0;
            int nameSize = 0;
            int valueOffset = 0;
            int valueSize = 0;
        };

        qsizetype indexOf(QByteArrayView name) const;
        // For a parser that receives a name or value in pieces: pieces of one name (then of its value) arrive
        // back to back, so each stays contiguous in m_data.
        void beginField();
        void appendToName(QByteArrayView piece);
        void appendToValue(QByteArrayView piece);
        void trimLastValue();

        QByteArray m_data;
        QList<Field> m_fields;
    };
}
