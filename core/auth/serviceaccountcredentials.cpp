#include "core/auth/serviceaccountcredentials.h"

#include <QDateTime>
#include <QJsonObject>

#include "core/auth/jwt.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Auth
{
    namespace
    {
        // Google's limit, and what self-signed JWTs must use exactly.
        constexpr qint64 JWT_LIFETIME_SECONDS = 3600;
        constexpr qint64 SELF_SIGNED_REUSE_SECONDS = JWT_LIFETIME_SECONDS - 300;
        const QByteArray JWT_BEARER_GRANT = QByteArrayLiteral("urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer");
    }

    ServiceAccountCredentials::ServiceAccountCredentials(ServiceAccountKey key, QNetworkAccessManager *network, QObject *parent)
        : AccessTokenCredentials(network, parent)
        , m_key {std::move(key)}
    {
        setQuotaProjectId(m_key.quotaProjectId);
    }

    void ServiceAccountCredentials::headersFor(const QUrl &serviceUrl, HeadersCallback callback)
    {
        if (m_tokenMode == ServiceAccountTokenMode::Exchange) {
            AccessTokenCredentials::headersFor(serviceUrl, std::move(callback));
            return;
        }
        Result<QByteArray> jwt = selfSignedJwt(serviceUrl);
        if (!jwt) {
            callback(jwt.error());
            return;
        }
        callback(headersWith(*jwt));
    }

    void ServiceAccountCredentials::invalidate()
    {
        m_selfSigned.clear();
        AccessTokenCredentials::invalidate();
    }

    QString ServiceAccountCredentials::description() const
    {
        if (m_key.filePath.isEmpty())
            return u"service account %1"_s.arg(m_key.clientEmail);
        return u"service account %1 (key file %2)"_s.arg(m_key.clientEmail, m_key.filePath);
    }

    QString ServiceAccountCredentials::projectId() const
    {
        return m_key.projectId;
    }

    void ServiceAccountCredentials::setTokenMode(ServiceAccountTokenMode mode)
    {
        m_tokenMode = mode;
        m_selfSigned.clear();
    }

    ServiceAccountTokenMode ServiceAccountCredentials::tokenMode() const
    {
        return m_tokenMode;
    }

    void ServiceAccountCredentials::setScopes(const QStringList &scopes)
    {
        m_scopes = scopes;
        invalidate();
    }

    QStringList ServiceAccountCredentials::scopes() const
    {
        return m_scopes;
    }

    const ServiceAccountKey &ServiceAccountCredentials::key() const
    {
        return m_key;
    }

    Result<AccessTokenCredentials::TokenRequest> ServiceAccountCredentials::tokenRequest() const
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        Result<QByteArray> assertion = sign(QJsonObject {
            {u"iss"_s, m_key.clientEmail},
            {u"scope"_s, m_scopes.join(u' ')},
            {u"aud"_s, m_key.tokenUri.toString(QUrl::FullyEncoded)},
            {u"iat"_s, now},
            {u"exp"_s, now + JWT_LIFETIME_SECONDS},
        });
        if (!assertion)
            return assertion.error();
        TokenRequest request;
        request.request = QNetworkRequest(m_key.tokenUri);
        // the assertion is base64url and dots: nothing in it needs percent-encoding
        request.body = "grant_type=" + JWT_BEARER_GRANT + "&assertion=" + *assertion;
        return request;
    }

    QString ServiceAccountCredentials::refusalHint(const QString &error) const
    {
        if (error == u"invalid_grant"_s)
            return u"Check that this key has not been deleted or disabled (IAM > Service accounts > Keys) and that this machine's clock is right."_s;
        return {};
    }

    Result<QByteArray> ServiceAccountCredentials::selfSignedJwt(const QUrl &serviceUrl)
    {
        const bool audienceForm = m_tokenMode == ServiceAccountTokenMode::SelfSignedAudience;
        QString cacheKey;
        if (audienceForm) {
            if (serviceUrl.host().isEmpty())
                return ApiError::invalidArgument(u"%1: a self-signed JWT needs the service's URL for its audience, and \"%2\" has no host."_s
                                                     .arg(description(), serviceUrl.toString()));
            // Google's audiences end with a slash and ignore the scheme and port the client used
            cacheKey = u"https://"_s + serviceUrl.host() + u'/';
        } else {
            cacheKey = m_scopes.join(u' ');
        }
        if (auto cached = m_selfSigned.constFind(cacheKey); cached != m_selfSigned.cend() && !cached->refreshAt.hasExpired())
            return cached->jwt;

        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QJsonObject claims {
            {u"iss"_s, m_key.clientEmail},
            {u"sub"_s, m_key.clientEmail},
            {u"iat"_s, now},
            {u"exp"_s, now + JWT_LIFETIME_SECONDS},
        };
        // never both: Google refuses a token with an audience and a scope
        claims.insert(audienceForm ? u"aud"_s : u"scope"_s, cacheKey);
        Result<QByteArray> jwt = sign(claims);
        if (!jwt)
            return jwt.error();
        m_selfSigned.insert(cacheKey, SelfSignedToken {*jwt, QDeadlineTimer(SELF_SIGNED_REUSE_SECONDS * 1000)});
        return jwt;
    }

    Result<QByteArray> ServiceAccountCredentials::sign(const QJsonObject &claims) const
    {
        QJsonObject header;
        if (!m_key.privateKeyId.isEmpty())
            header.insert(u"kid"_s, m_key.privateKeyId);
        Result<QByteArray> jwt = Jwt::signRs256(header, claims, m_key.privateKey);
        if (!jwt)
            return ApiError::internal(u"%1: %2"_s.arg(description(), jwt.error().message));
        return jwt;
    }
}
