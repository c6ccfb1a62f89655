#pragma once

#include "core/auth/accesstokencredentials.h"
#include "core/auth/authorizeduser.h"

namespace Aq::Auth
{
    // gcloud's user credentials (`gcloud auth application-default login`): a refresh token exchanged for access
    // tokens. Sends the file's quota_project_id as x-goog-user-project.
    class AuthorizedUserCredentials final : public AccessTokenCredentials
    {
        Q_OBJECT

    public:
        AuthorizedUserCredentials(AuthorizedUser user, QNetworkAccessManager *network, QObject *parent = nullptr);

        QString description() const override;

    private:
        Result<TokenRequest> tokenRequest() const override;
        QString refusalHint(const QString &error) const override;

        AuthorizedUser m_user;
    };
}
