#pragma once

#include <functional>

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QUrl>

#include "core/common/result.h"

namespace Aq::Auth
{
    // What a request needs to be authorised: the Authorization header value ("Bearer ..."; empty for
    // none) and, for gcloud user credentials with a quota project, the x-goog-user-project header.
    struct AuthorizationHeaders
    {
        QByteArray authorization;
        QByteArray userProject;
    };

    // The source of a request's credentials. A RestClient asks for headers before every attempt; an
    // implementation caches its token and refreshes it before it expires (about 5 minutes early), runs at
    // most one refresh at a time however many requests wait for it, and never logs a secret.
    //
    // Lives on the thread of the RestClient that uses it; callbacks run on that thread, possibly
    // synchronously when a cached token is still fresh.
    class Credentials : public QObject
    {
        Q_OBJECT

    public:
        using HeadersCallback = std::function<void(Result<AuthorizationHeaders>)>;

        using QObject::QObject;

        // `serviceUrl` is the base URL of the service the request goes to (https://pubsub.googleapis.com),
        // which self-signed JWTs use as their audience.
        virtual void headersFor(const QUrl &serviceUrl, HeadersCallback callback) = 0;

        // The server refused the token (401): drop the cached one so the next call gets a new one.
        virtual void invalidate() {}

        // Who these credentials are, for messages and logs: "service account sa@p.iam.gserviceaccount.com
        // (key file /path/key.json)", "gcloud user credentials (/path)", "metadata server", "no credentials".
        // Never a secret.
        virtual QString description() const = 0;

        // The project the credentials belong to when they say (a key file's project_id); empty otherwise.
        virtual QString projectId() const { return {}; }
    };
}
