#include "core/auth/authorizeduser.h"

#include "core/auth/credentialsfile.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Auth
{
    Result<AuthorizedUser> AuthorizedUser::fromFile(const CredentialsFile &file)
    {
        static const QString KIND = u"gcloud user credentials file"_s;
        AuthorizedUser user;
        user.filePath = file.path();
        for (auto [key, field] : {std::pair {"client_id"_L1, &user.clientId},
                                  std::pair {"client_secret"_L1, &user.clientSecret},
                                  std::pair {"refresh_token"_L1, &user.refreshToken}}) {
            Result<QString> value = file.requiredString(key, KIND);
            if (!value)
                return value.error();
            *field = *value;
        }
        Result<QUrl> tokenUri = file.tokenUri(KIND, defaultTokenUri());
        if (!tokenUri)
            return tokenUri.error();
        user.tokenUri = *tokenUri;
        user.quotaProjectId = file.optionalString("quota_project_id"_L1);
        return user;
    }

    QUrl AuthorizedUser::defaultTokenUri()
    {
        return QUrl(u"https://oauth2.googleapis.com/token"_s);
    }
}
