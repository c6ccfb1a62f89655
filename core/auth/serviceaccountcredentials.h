#pragma once

#include <QDeadlineTimer>
#include <QHash>
#include <QLatin1StringView>
#include <QStringList>

#include "core/auth/accesstokencredentials.h"
#include "core/auth/serviceaccountkey.h"

namespace Aq::Auth
{
    // Covers Pub/Sub and BigQuery both.
    inline constexpr QLatin1StringView CLOUD_PLATFORM_SCOPE {"https://www.googleapis.com/auth/cloud-platform"};

    enum class ServiceAccountTokenMode
    {
        // An RS256 JWT exchanged at the key's token_uri for an access token (gcp-rest.md 3.2). Works with every
        // Google API, BigQuery included.
        Exchange,
        // The JWT itself as the token, no exchange, with "aud":"https://<service host>/" (gcp-rest.md 3.3). Not
        // verified against BigQuery.
        SelfSignedAudience,
        // The JWT itself as the token, with the scopes instead of an audience (what Google's Node clients send).
        SelfSignedScope,
    };

    // A service account key file's credentials.
    class ServiceAccountCredentials final : public AccessTokenCredentials
    {
        Q_OBJECT

    public:
        ServiceAccountCredentials(ServiceAccountKey key, QNetworkAccessManager *network, QObject *parent = nullptr);

        void headersFor(const QUrl &serviceUrl, HeadersCallback callback) override;
        void invalidate() override;
        QString description() const override;
        QString projectId() const override;

        // Default: Exchange.
        void setTokenMode(ServiceAccountTokenMode mode);
        ServiceAccountTokenMode tokenMode() const;
        // Default: cloud-platform.
        void setScopes(const QStringList &scopes);
        QStringList scopes() const;
        const ServiceAccountKey &key() const;

    private:
        struct SelfSignedToken
        {
            QByteArray jwt;
            QDeadlineTimer refreshAt;
        };

        Result<TokenRequest> tokenRequest() const override;
        QString refusalHint(const QString &error) const override;
        Result<QByteArray> selfSignedJwt(const QUrl &serviceUrl);
        Result<QByteArray> sign(const QJsonObject &claims) const;

        ServiceAccountKey m_key;
        ServiceAccountTokenMode m_tokenMode = ServiceAccountTokenMode::Exchange;
        QStringList m_scopes {CLOUD_PLATFORM_SCOPE};
        QHash<QString, SelfSignedToken> m_selfSigned;   // by audience, or by scope list
    };
}
