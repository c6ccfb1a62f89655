#pragma once

#include <cstring>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Aq::LocalCloud
{
    // Appends JSON text to one buffer. The hot replies (publish ids, pulled messages, f/v rows) are
    // built with it: QJsonDocument would build a tree of every value first. It writes through a pointer into
    // storage it grows itself, as QByteArray::append() costs a detach check and a size update per call.
    class JsonWriter
    {
    public:
        explicit JsonWriter(qsizetype reserve = 256);

        template<qsizetype N>
        void raw(const char (&literal)[N])
        {
            put(literal, N - 1);
        }
        void raw(QByteArrayView text) { put(text.data(), text.size()); }
        void number(qint64 value);
        void string(const QString &value);
        void string(QByteArrayView utf8);     // escapes as JSON, input must be UTF-8
        void base64(QByteArrayView bytes);    // standard alphabet, padded, as QByteArray::toBase64() writes it
        void null() { raw("null"); }

        QByteArray take();
        qsizetype size() const { return m_size; }

    private:
        char *room(qsizetype bytes)
        {
            if (m_capacity - m_size < bytes)
                grow(bytes);
            return m_data + m_size;
        }
        void put(const char *text, qsizetype bytes)
        {
            if (bytes <= 0)
                return;
            std::memcpy(room(bytes), text, size_t(bytes));
            m_size += bytes;
        }
        void grow(qsizetype bytes);

        QByteArray m_buffer;     // m_capacity bytes, of which the first m_size are written
        char *m_data = nullptr;
        qsizetype m_size = 0;
        qsizetype m_capacity = 0;
    };
}
