#include "core/auth/authorizedusercredentials.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Auth
{
    AuthorizedUserCredentials::AuthorizedUserCredentials(AuthorizedUser user, QNetworkAccessManager *network, QObject *parent)
        : AccessTokenCredentials(network, parent)
        , m_user {std::move(user)}
    {
        setQuotaProjectId(m_user.quotaProjectId);
    }

    QString AuthorizedUserCredentials::description() const
    {
        if (m_user.filePath.isEmpty())
            return u"gcloud user credentials"_s;
        return u"gcloud user credentials (%1)"_s.arg(m_user.filePath);
    }

    Result<AccessTokenCredentials::TokenRequest> AuthorizedUserCredentials::tokenRequest() const
    {
        TokenRequest request;
        request.request = QNetworkRequest(m_user.tokenUri);
        request.body = "grant_type=refresh_token&client_id=" + QUrl::toPercentEncoding(m_user.clientId)
            + "&client_secret=" + QUrl::toPercentEncoding(m_user.clientSecret)
            + "&refresh_token=" + QUrl::toPercentEncoding(m_user.refreshToken);
        return request;
    }

    QString AuthorizedUserCredentials::refusalHint(const QString &error) const
    {
        if (error == u"invalid_grant"_s || error == u"invalid_rapt"_s)
            return u"The login has expired or was revoked: run `gcloud auth application-default login` again."_s;
        return {};
    }
}
