#pragma once

#include <QString>
#include <QUrl>

#include "core/common/result.h"

namespace Aq::Auth
{
    class CredentialsFile;

    // The parts of gcloud's application_default_credentials.json ("type":"authorized_user", gcp-rest.md 3.5).
    struct AuthorizedUser
    {
        QString filePath;          // for messages; empty when not from a file
        QString clientId;
        QString clientSecret;
        QString refreshToken;
        QString quotaProjectId;
        QUrl tokenUri = defaultTokenUri();

        // Requires client_id, client_secret and refresh_token; token_uri is optional.
        static Result<AuthorizedUser> fromFile(const CredentialsFile &file);
        static QUrl defaultTokenUri();
    };
}
