#pragma once

#include <utility>

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

#include "core/server/http/httpheaders.h"

namespace Aq::Server
{
    // One parsed HTTP/1.x request. A plain value: copy it freely (its byte arrays are implicitly shared), including to
    // other threads. Setters exist so controllers can be tested without a socket.
    class HttpRequest
    {
    public:
        using QueryItems = QList<std::pair<QString, QString>>;

        HttpRequest() = default;

        const QByteArray &method() const;     // "GET", "POST", ...
        void setMethod(const QByteArray &method);
        bool isHead() const;

        // The request-target exactly as sent ("/v1/projects/p/topics/t:publish?alt=json").
        const QByteArray &target() const;
        // Sets the target and derives path, query and query items from it. False when it is not origin-form,
        // absolute-form or "*" (the path is then empty).
        bool setTarget(const QByteArray &target);
        // Percent-decoded path without the query ("%2F" becomes "/": routes that care must look at target()).
        const QString &path() const;
        const QByteArray &rawQuery() const;
        // Decoded as application/x-www-form-urlencoded ('+' is a space), as Google's front ends read query strings.
        const QueryItems &queryItems() const;
        bool hasQueryItem(const QString &key) const;
        QString queryItemValue(const QString &key, const QString &defaultValue = {}) const;

        const HttpHeaders &headers() const;
        HttpHeaders &headers();
        QByteArray header(QByteArrayView name) const;   // first value, case-insensitive name
        bool hasHeader(QByteArrayView name) const;

        const QByteArray &body() const;
        void setBody(const QByteArray &body);
        QByteArray &body();

        QHostAddress peerAddress() const;
        quint16 peerPort() const;
        void setPeer(const QHostAddress &address, quint16 port);
        bool isSecure() const;                 // arrived over TLS
        void setSecure(bool secure);

        int httpMajorVersion() const;
        int httpMinorVersion() const;
        void setHttpVersion(int major, int minor);
        // Whether the connection stays open after this request (HTTP/1.1 unless "Connection: close"; HTTP/1.0 only
        // with "Connection: keep-alive").
        bool isKeepAlive() const;
        void setKeepAlive(bool keepAlive);

        static QueryItems parseQuery(QByteArrayView query);

    private:
        QByteArray m_method;
        QByteArray m_target;
        QString m_path;
        QByteArray m_rawQuery;
        QueryItems m_queryItems;
        HttpHeaders m_headers;
        QByteArray m_body;
        QHostAddress m_peerAddress;
        quint16 m_peerPort = 0;
        bool m_secure = false;
        bool m_keepAlive = true;
        int m_httpMajor = 1;
        int m_httpMinor = 1;
    };
}
