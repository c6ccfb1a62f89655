#pragma once

#include <QByteArray>
#include <QList>
#include <QStringList>

#include "core/common/result.h"
#include "core/server/http/httpresponse.h"

namespace Aq::Server
{
    class HttpHeaders;
    class HttpRequest;

    // Which web pages may call the operator API from a browser (--cors-origin, repeatable): a list of origins
    // ("https://console.example.com", scheme://host[:port]) or "*" alone. Without origins CORS is off: no CORS
    // header is ever added and an OPTIONS request is nothing special.
    class CorsPolicy
    {
    public:
        CorsPolicy() = default;   // off

        // Each origin is checked and normalised as browsers send it (lower case, no default port); an origin with a
        // path, query or user, a scheme other than http/https, or "*" next to other origins is refused.
        static Result<CorsPolicy> fromOrigins(const QStringList &origins);

        bool isEnabled() const;
        bool allowsAnyOrigin() const;
        bool isOriginAllowed(QByteArrayView origin) const;
        // The normalised origins ("*" alone for any).
        QList<QByteArray> origins() const;

        // OPTIONS with Origin and Access-Control-Request-Method, while CORS is on: answer with preflightResponse()
        // before authorization (browsers send preflights without credentials).
        bool isPreflight(const HttpRequest &request) const;
        // 204 with the Access-Control-Allow-* headers when the origin is allowed, else 403 in Google's error shape.
        HttpResponse preflightResponse(const HttpRequest &request) const;
        // Adds to any other response: Vary: Origin while CORS is on, and Access-Control-Allow-Origin and
        // Access-Control-Expose-Headers when the request's Origin is allowed.
        void decorate(const HttpRequest &request, HttpHeaders &responseHeaders) const;

    private:
        QList<QByteArray> m_origins;
        bool m_anyOrigin = false;
    };
}
