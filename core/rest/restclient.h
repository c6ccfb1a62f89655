#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QObject>
#include <QPointer>

#include "core/common/result.h"
#include "core/rest/restrequest.h"
#include "core/rest/retrypolicy.h"

class QNetworkAccessManager;

namespace Aq::Auth
{
    class Credentials;
}

namespace Aq::Rest
{
    class RestCall;

    // Makes the QNetworkAccessManagers a RestClient sends through: plain ones for Google and emulators, the
    // in-process one for the embedded local cloud. Called on the client's thread; the client owns the result.
    using NetworkAccessFactory = std::function<QNetworkAccessManager *(QObject *parent)>;
    NetworkAccessFactory plainNetworkAccess();

    // A 2xx reply: its body, and the headers that carry more than the body does (a next page's token).
    struct RestReply
    {
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;

        // The first header of that name (case-insensitive); empty when there is none.
        QByteArray header(QByteArrayView name) const;
    };

    struct RestClientOptions
    {
        RetryPolicy retry;
        QByteArray userAgent;          // empty: "aqueduct/<version> Qt/<version>"
    };

    // JSON over HTTP for both services: a deadline on every call, retries with backoff and jitter for
    // transient failures of calls that are safe to repeat, credentials asked for before every attempt (a
    // 401 drops the cached token once), keep-alive and gzip (QNetworkAccessManager's), HTTP/2 where the
    // server offers it over TLS, and every failure decoded into one ApiError. Lives on one thread.
    class RestClient final : public QObject
    {
        Q_OBJECT

    public:
        using Callback = std::function<void(Result<QByteArray>)>;
        using ReplyCallback = std::function<void(Result<RestReply>)>;

        RestClient(NetworkAccessFactory networkAccess, std::shared_ptr<Auth::Credentials> credentials,
                   RestClientOptions options = {}, QObject *parent = nullptr);
        ~RestClient() override;

        // `callback` gets the reply body of a 2xx, or the error; exactly once, never inside send(), unless
        // `context` is destroyed first (then never). The returned call may be aborted (CANCELLED).
        QPointer<RestCall> send(RestRequest request, QObject *context, Callback callback);
        // The same, with the reply's headers.
        QPointer<RestCall> sendForReply(RestRequest request, QObject *context, ReplyCallback callback);

        const RestClientOptions &options() const { return m_options; }
        Auth::Credentials *credentials() const { return m_credentials.get(); }

    private:
        friend class RestCall;
        QNetworkAccessManager *acquireManager(Channel channel);
        void releaseManager(QNetworkAccessManager *manager);

        struct PooledManager
        {
            QNetworkAccessManager *manager = nullptr;
            int inFlight = 0;
        };

        NetworkAccessFactory m_networkAccess;
        std::shared_ptr<Auth::Credentials> m_credentials;
        RestClientOptions m_options;
        QNetworkAccessManager *m_defaultManager = nullptr;
        std::vector<PooledManager> m_longPollManagers;
    };
}
