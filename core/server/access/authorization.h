#pragma once

#include <QByteArray>
#include <QString>

#include "core/common/result.h"
#include "core/server/access/apikeyring.h"
#include "core/server/http/httpresponse.h"

namespace Aq::Server
{
    class HttpRequest;

    // The scope a request needs (DESIGN.md, Keys). GET and HEAD only read. A POST that runs a query on the local
    // cloud's BigQuery (jobs.query: .../projects/P/queries[/JOB]; jobs.insert: .../projects/P/jobs) reads too: the
    // local cloud runs SELECT query jobs only. Every other method and path writes (publish, redrive, pull,
    // acknowledge, create, delete, patch, insertAll, ...) and needs an admin key.
    ApiScope requiredScope(const QByteArray &method, const QString &path);

    struct AccessPolicy
    {
        ApiKeyRing keys;   // empty: every request is allowed
        bool publicProbes = false;   // --public-probes: GET/HEAD /metrics and /readyz without a key
    };

    // Ok, or the ApiError to answer with (401 UNAUTHENTICATED without a valid key, 403 PERMISSION_DENIED for a read
    // key on a writing route). /healthz and OPTIONS (CORS preflights, which browsers send without credentials) are
    // always open. The key is read from "Authorization: Bearer KEY" (scheme in any case) or, as Google's APIs
    // accept it, "x-goog-api-key: KEY". Messages never contain the key sent.
    Status authorize(const AccessPolicy &policy, const HttpRequest &request);

    // The error in Google's JSON envelope; a 401 also carries "WWW-Authenticate: Bearer realm="aqueduct"" (RFC 6750).
    HttpResponse accessDeniedResponse(const ApiError &error);
}
