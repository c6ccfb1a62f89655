#pragma once

#include <QByteArray>
#include <QString>

namespace Aq::LocalCloud
{
    // Appends JSON text to one buffer. The hot replies (publish ids, pulled messages, f/v rows) are
    // built with it: QJsonDocument would build a tree of every value first.
    class JsonWriter
    {
    public:
        explicit JsonWriter(qsizetype reserve = 256);

        void raw(const char *text);
        void raw(const QByteArray &text);
        void number(qint64 value);
        void string(const QString &value);
        void string(QByteArrayView utf8);     // escapes as JSON, input must be UTF-8
        void base64(QByteArrayView bytes);    // standard alphabet, padded, as QByteArray::toBase64() writes it
        void null() { raw("null"); }

        QByteArray take() { return std::move(m_buffer); }
        const QByteArray &buffer() const { return m_buffer; }
        qsizetype size() const { return m_buffer.size(); }

    private:
        QByteArray m_buffer;
    };
}
