#pragma once

#include <QByteArray>

#include "core/server/http/httpheaders.h"

namespace Aq
{
    struct ApiError;
}

namespace Aq::Server
{
    // What a handler answers. The content type is always given by the caller: guessing it from the body is what made
    // QtHttpServer 6.4 six times slower (QT64-NOTES.md). Content-Length, Date, Server and Connection are added by
    // the server; a handler's own values for them are ignored, except that "Connection: close" is honoured.
    class HttpResponse
    {
    public:
        HttpResponse() = default;   // 200, no type, no body
        HttpResponse(int statusCode, const QByteArray &contentType, const QByteArray &body = {});

        static HttpResponse json(int statusCode, const QByteArray &body);
        // Google's JSON error envelope with the error's status.
        static HttpResponse fromError(const ApiError &error);
        // An error from the HTTP layer itself (408, 414, 417, 431, ...): Google's envelope, status name and reason
        // derived from the code.
        static HttpResponse error(int statusCode, const QString &message);

        int statusCode() const;
        void setStatusCode(int statusCode);
        const QByteArray &contentType() const;
        void setContentType(const QByteArray &contentType);
        const QByteArray &body() const;
        void setBody(const QByteArray &body);

        const HttpHeaders &headers() const;
        HttpHeaders &headers();
        void setHeader(QByteArrayView name, QByteArrayView value);
        void addHeader(QByteArrayView name, QByteArrayView value);

        static const QByteArray JSON_CONTENT_TYPE;

    private:
        int m_statusCode = 200;
        QByteArray m_contentType;
        QByteArray m_body;
        HttpHeaders m_headers;
    };
}
