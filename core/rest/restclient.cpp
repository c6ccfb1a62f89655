#include "core/rest/restclient.h"

#include <QNetworkAccessManager>

#include "core/auth/credentials.h"
#include "core/rest/restcall.h"
#include "core/rest/tcpnodelay.h"

namespace Aq::Rest
{
    namespace
    {
        // Qt 6.4's fixed limit of HTTP/1.1 connections per host and port in one QNetworkAccessManager.
        constexpr int ConnectionsPerManager = 6;
    }

    NetworkAccessFactory plainNetworkAccess()
    {
        return [](QObject *parent) { return new QNetworkAccessManager(parent); };
    }

    RestClient::RestClient(NetworkAccessFactory networkAccess, std::shared_ptr<Auth::Credentials> credentials,
                           RestClientOptions options, QObject *parent)
        : QObject(parent)
        , m_networkAccess {std::move(networkAccess)}
        , m_credentials {std::move(credentials)}
        , m_options {std::move(options)}
    {
        Q_ASSERT(m_credentials);
        static const bool lowDelay = lowDelayConnections();
        Q_UNUSED(lowDelay);
        if (m_options.userAgent.isEmpty())
            m_options.userAgent = QByteArrayLiteral("aqueduct/" AQ_VERSION " Qt/") + qVersion();
    }

    RestClient::~RestClient() = default;

    QByteArray RestReply::header(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (name.compare(key, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }

    QPointer<RestCall> RestClient::send(RestRequest request, QObject *context, Callback callback)
    {
        return sendForReply(std::move(request), context, [callback = std::move(callback)](Result<RestReply> reply) {
            if (reply)
                callback(std::move(reply->body));
            else
                callback(reply.error());
        });
    }

    QPointer<RestCall> RestClient::sendForReply(RestRequest request, QObject *context, ReplyCallback callback)
    {
        auto *call = new RestCall(this, std::move(request), context, std::move(callback));
        QPointer<RestCall> handle(call);
        // Never inside send(): the caller may not be ready for its callback yet.
        QMetaObject::invokeMethod(call, &RestCall::start, Qt::QueuedConnection);
        return handle;
    }

    QNetworkAccessManager *RestClient::acquireManager(Channel channel)
    {
        if (channel == Channel::Default) {
            if (!m_defaultManager)
                m_defaultManager = m_networkAccess(this);
            return m_defaultManager;
        }
        for (PooledManager &pooled : m_longPollManagers) {
            if (pooled.inFlight < ConnectionsPerManager) {
                ++pooled.inFlight;
                return pooled.manager;
            }
        }
        m_longPollManagers.push_back({m_networkAccess(this), 1});
        return m_longPollManagers.back().manager;
    }

    void RestClient::releaseManager(QNetworkAccessManager *manager)
    {
        for (PooledManager &pooled : m_longPollManagers) {
            if (pooled.manager == manager) {
                --pooled.inFlight;
                return;
            }
        }
    }
}
