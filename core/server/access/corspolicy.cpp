#include "core/server/access/corspolicy.h"

#include <QUrl>

#include "core/server/http/httprequest.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        const QByteArray ANY_ORIGIN = "*"_ba;
        const QByteArray ALLOW_METHODS = "GET, HEAD, POST, OPTIONS"_ba;
        const QByteArray ALLOW_HEADERS = "Authorization, Content-Type, x-goog-api-key"_ba;
        // What the console reads from responses besides the CORS-safelisted headers: paging (/events) and cache age.
        const QByteArray EXPOSE_HEADERS = "X-Next-Page-Token, Link, Age, Content-Type"_ba;
        const QByteArray MAX_AGE_SECONDS = "600"_ba;
        constexpr qsizetype MAX_ORIGIN_IN_MESSAGE = 200;

        ApiError badOrigin(const QString &origin, const QString &problem)
        {
            return ApiError::invalidArgument(
                u"--cors-origin %1: %2. Write an origin such as https://console.example.com (scheme://host[:port]), or \"*\" alone for any."_s
                    .arg(origin, problem));
        }

        // The origin as a browser serialises it in the Origin header: lower-case scheme and host, punycode, IPv6 in
        // brackets, no default port.
        Result<QByteArray> normalizeOrigin(const QString &text)
        {
            const QString origin = text.trimmed();
            if (origin.isEmpty())
                return ApiError::invalidArgument(u"--cors-origin is empty: give an origin such as https://console.example.com, or \"*\"."_s);
            if (origin.contains(u'*'))
                return badOrigin(origin, u"wildcards inside an origin are not supported; list each origin with its own --cors-origin"_s);
            if (!origin.contains(u"://"_s))
                return badOrigin(origin, u"it has no scheme"_s);
            const QUrl url(origin, QUrl::StrictMode);
            if (!url.isValid())
                return badOrigin(origin, u"it is not a valid URL (%1)"_s.arg(url.errorString()));
            const QString scheme = url.scheme();
            if (scheme != u"http" && scheme != u"https")
                return badOrigin(origin, u"the scheme must be http or https"_s);
            if (url.host().isEmpty())
                return badOrigin(origin, u"it has no host"_s);
            if (!url.userInfo().isEmpty())
                return badOrigin(origin, u"an origin has no user name or password"_s);
            if (url.path() == u"/")
                return badOrigin(origin, u"an origin does not end with '/'"_s);
            if (!url.path().isEmpty() || url.hasQuery() || url.hasFragment())
                return badOrigin(origin, u"an origin has no path, query or fragment"_s);

            QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
            if (host.contains(':'))
                host = '[' + host + ']';
            QByteArray normalized = scheme.toLatin1() + "://" + host;
            const int defaultPort = scheme == u"https" ? 443 : 80;
            if (url.port() >= 0 && url.port() != defaultPort)
                normalized += ':' + QByteArray::number(url.port());
            return normalized;
        }

        void addVaryOrigin(HttpHeaders &headers)
        {
            for (const QByteArray &vary : headers.values("Vary")) {
                for (const QByteArray &field : vary.split(',')) {
                    const QByteArray name = field.trimmed();
                    if (name == "*" || name.compare("Origin", Qt::CaseInsensitive) == 0)
                        return;
                }
            }
            headers.append("Vary", "Origin");
        }
    }

    Result<CorsPolicy> CorsPolicy::fromOrigins(const QStringList &origins)
    {
        CorsPolicy policy;
        for (const QString &origin : origins) {
            if (origin.trimmed() == u"*") {
                policy.m_anyOrigin = true;
                continue;
            }
            Result<QByteArray> normalized = normalizeOrigin(origin);
            if (!normalized)
                return normalized.error();
            if (!policy.m_origins.contains(*normalized))
                policy.m_origins.append(*normalized);
        }
        if (policy.m_anyOrigin && !policy.m_origins.isEmpty())
            return ApiError::invalidArgument(u"--cors-origin \"*\" allows every origin: give either \"*\" alone or a list of origins, not both."_s);
        return policy;
    }

    bool CorsPolicy::isEnabled() const
    {
        return m_anyOrigin || !m_origins.isEmpty();
    }

    bool CorsPolicy::allowsAnyOrigin() const
    {
        return m_anyOrigin;
    }

    bool CorsPolicy::isOriginAllowed(QByteArrayView origin) const
    {
        if (origin.isEmpty())
            return false;
        if (m_anyOrigin)
            return true;
        for (const QByteArray &allowed : m_origins) {
            if (origin.compare(allowed, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    }

    QList<QByteArray> CorsPolicy::origins() const
    {
        return m_anyOrigin ? QList<QByteArray> {ANY_ORIGIN} : m_origins;
    }

    bool CorsPolicy::isPreflight(const HttpRequest &request) const
    {
        return isEnabled() && request.method() == "OPTIONS" && request.hasHeader("Origin") && request.hasHeader("Access-Control-Request-Method");
    }

    HttpResponse CorsPolicy::preflightResponse(const HttpRequest &request) const
    {
        const QByteArray origin = request.header("Origin");
        if (!isOriginAllowed(origin)) {
            const QString shown = QString::fromUtf8(origin.left(MAX_ORIGIN_IN_MESSAGE));
            HttpResponse refused = HttpResponse::fromError(ApiError::permissionDenied(
                u"The origin %1 may not call this API from a browser: start the server with --cors-origin %1 to allow it."_s.arg(shown)));
            refused.addHeader("Vary", "Origin");
            return refused;
        }
        HttpResponse response(204, {});
        response.setHeader("Access-Control-Allow-Origin", m_anyOrigin ? ANY_ORIGIN : origin);
        response.setHeader("Access-Control-Allow-Methods", ALLOW_METHODS);
        response.setHeader("Access-Control-Allow-Headers", ALLOW_HEADERS);
        response.setHeader("Access-Control-Max-Age", MAX_AGE_SECONDS);
        response.setHeader("Vary", "Origin");
        return response;
    }

    void CorsPolicy::decorate(const HttpRequest &request, HttpHeaders &responseHeaders) const
    {
        if (!isEnabled())
            return;
        // Every response depends on Origin once CORS is on (the Allow-Origin header comes and goes with it), so a
        // shared cache must not hand one origin's response to another.
        addVaryOrigin(responseHeaders);
        const QByteArray origin = request.header("Origin");
        if (!isOriginAllowed(origin))
            return;
        responseHeaders.set("Access-Control-Allow-Origin", m_anyOrigin ? ANY_ORIGIN : origin);
        responseHeaders.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
    }
}
