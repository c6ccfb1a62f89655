#pragma once

#include <vector>

#include <QDeadlineTimer>
#include <QNetworkRequest>
#include <QPointer>

#include "core/auth/credentials.h"

class QNetworkAccessManager;
class QNetworkReply;

namespace Aq::Auth
{
    // How often a token request that failed for a transient reason (network error, timeout, 429, 5xx) is tried again.
    struct TokenRetryPolicy
    {
        int maxAttempts = 4;
        int initialBackoffMs = 200;   // doubled after each failure, with jitter
        int maxBackoffMs = 5000;
    };

    // Credentials that send an OAuth2 access token obtained from a token endpoint (Google's, or the metadata
    // server's). The token is cached and fetched again about 5 minutes before it expires (halfway through its life
    // when that is shorter); one fetch runs at a time however many callers wait for it. When a fetch fails while the
    // cached token is still valid for a while, callers get that token and the next call tries again.
    //
    // Destroying the credentials drops the callbacks still waiting for a token (they are never called).
    class AccessTokenCredentials : public Credentials
    {
        Q_OBJECT

    public:
        ~AccessTokenCredentials() override;

        void headersFor(const QUrl &serviceUrl, HeadersCallback callback) override;
        void invalidate() override;

        // Sent as x-goog-user-project; empty for none.
        void setQuotaProjectId(const QString &projectId);
        QString quotaProjectId() const;
        // The deadline of each token request (QNetworkRequest::setTransferTimeout). Default 10 s.
        void setRequestTimeout(int milliseconds);
        void setRetryPolicy(const TokenRetryPolicy &policy);

    protected:
        struct TokenRequest
        {
            QNetworkRequest request;
            QByteArray body;   // POSTed when not empty (form data); a GET otherwise
        };

        AccessTokenCredentials(QNetworkAccessManager *network, QObject *parent);

        // Called for each attempt, so a signed assertion is fresh every time.
        virtual Result<TokenRequest> tokenRequest() const = 0;
        // A check of the reply before its status and body are read (the metadata server's Metadata-Flavor header).
        virtual Status checkReply(QNetworkReply *reply) const;
        // Advice added to the error when the endpoint refuses with this OAuth2 error code ("invalid_grant").
        virtual QString refusalHint(const QString &error) const;

        QNetworkAccessManager *network() const;
        int requestTimeout() const;
        AuthorizationHeaders headersWith(const QByteArray &token) const;

    private:
        struct Token
        {
            QByteArray value;
            qint64 lifetimeSeconds = 0;
        };

        void startAttempt();
        void handleReply(QNetworkReply *reply);
        Result<Token> readReply(QNetworkReply *reply) const;
        void finishRefresh(const Result<Token> &token);

        QPointer<QNetworkAccessManager> m_network;
        QPointer<QNetworkReply> m_reply;
        TokenRetryPolicy m_retryPolicy;
        int m_requestTimeoutMs = 10000;
        QString m_quotaProjectId;
        QByteArray m_token;
        QDeadlineTimer m_expiry;
        QDeadlineTimer m_refreshAt;
        bool m_refreshing = false;
        int m_attempt = 0;
        std::vector<HeadersCallback> m_waiters;
    };
}
