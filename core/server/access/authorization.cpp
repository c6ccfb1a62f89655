#include "core/server/access/authorization.h"

#include "core/server/http/httprequest.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        const QString SEND_KEY_HINT = u"send \"Authorization: Bearer <key>\" (or \"x-goog-api-key: <key>\")"_s;
        const QStringList BIGQUERY_PROJECT_PREFIXES {u"/bigquery/v2/projects/"_s, u"/projects/"_s};

        bool isSafeMethod(const QByteArray &method)
        {
            return method == "GET" || method == "HEAD";
        }

        // jobs.query (POST P/queries, and P/queries/JOB for clients that post there) and jobs.insert (POST P/jobs),
        // after the /bigquery/v2/projects/ or /projects/ prefix.
        bool isBigQueryQueryPost(const QString &path)
        {
            QStringView rest;
            for (const QString &prefix : BIGQUERY_PROJECT_PREFIXES) {
                if (path.startsWith(prefix)) {
                    rest = QStringView(path).mid(prefix.size());
                    break;
                }
            }
            if (rest.isEmpty())
                return false;
            const QList<QStringView> segments = rest.split(u'/');
            if (segments.contains(QStringView()))
                return false;
            if (segments.size() == 2)
                return segments.at(1) == u"queries" || segments.at(1) == u"jobs";
            return segments.size() == 3 && segments.at(1) == u"queries";
        }

        ApiError missingKey(const QString &what)
        {
            return ApiError::unauthenticated(what + u": "_s + SEND_KEY_HINT + u'.');
        }

        // The key sent, or why there is none. Only the shape of a header is described, never its value.
        Result<QByteArray> presentedKey(const HttpRequest &request)
        {
            const QList<QByteArray> authorizations = request.headers().values("Authorization");
            if (authorizations.size() > 1)
                return missingKey(u"The request has %1 Authorization headers; send one"_s.arg(authorizations.size()));
            if (authorizations.size() == 1) {
                const QByteArrayView value = QByteArrayView(authorizations.first()).trimmed();
                qsizetype gap = 0;
                while (gap < value.size() && value.at(gap) != ' ' && value.at(gap) != '\t')
                    ++gap;
                const QByteArrayView key = value.sliced(gap).trimmed();
                if (value.first(gap).compare("Bearer", Qt::CaseInsensitive) != 0 || key.isEmpty())
                    return missingKey(u"The Authorization header is not a bearer token"_s);
                return key.toByteArray();
            }
            const QList<QByteArray> googleKeys = request.headers().values("x-goog-api-key");
            if (googleKeys.size() > 1)
                return missingKey(u"The request has %1 x-goog-api-key headers; send one"_s.arg(googleKeys.size()));
            if (googleKeys.size() == 1 && !googleKeys.first().trimmed().isEmpty())
                return googleKeys.first().trimmed();
            return missingKey(u"This request needs an API key"_s);
        }
    }

    ApiScope requiredScope(const QByteArray &method, const QString &path)
    {
        if (isSafeMethod(method))
            return ApiScope::Read;
        if (method == "POST" && isBigQueryQueryPost(path))
            return ApiScope::Read;
        return ApiScope::Admin;
    }

    Status authorize(const AccessPolicy &policy, const HttpRequest &request)
    {
        if (policy.keys.isEmpty())
            return Ok {};
        const QByteArray &method = request.method();
        const QString &path = request.path();
        // Liveness must not depend on a secret; preflights never carry one (the browser asks before sending it).
        if (path == u"/healthz" || method == "OPTIONS")
            return Ok {};
        if (policy.publicProbes && isSafeMethod(method) && (path == u"/metrics" || path == u"/readyz"))
            return Ok {};

        const Result<QByteArray> key = presentedKey(request);
        if (!key)
            return key.error();
        const std::optional<ApiScope> scope = policy.keys.scopeOf(*key);
        if (!scope)
            return ApiError::unauthenticated(u"The API key is not valid: send one of the keys this server was started with."_s);
        if (requiredScope(method, path) == ApiScope::Admin && *scope != ApiScope::Admin) {
            return ApiError::permissionDenied(u"%1 %2 needs an admin API key; the key sent is a read key."_s
                                                  .arg(QString::fromLatin1(method), path));
        }
        return Ok {};
    }

    HttpResponse accessDeniedResponse(const ApiError &error)
    {
        HttpResponse response = HttpResponse::fromError(error);
        if (error.httpStatus == 401)
            response.setHeader("WWW-Authenticate", "Bearer realm=\"aqueduct\"");
        return response;
    }
}
